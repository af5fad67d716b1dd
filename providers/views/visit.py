"""The caregiver's phone pages: today's visits, and a visit's page to check in and out with the
elder's card (scanned or typed), the elder's confirmation, and what the visit costs the elder.

A check-out that will not be paid is confirmed first: the page shows why, with the values the
caregiver entered, and a second button sends them again with `accept_unpaid`. The page works as
plain form posts; with JavaScript it posts with fetch and keeps a request the network lost for
later (the request id makes a retry safe).
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import DomainError
from eldercare.hub import HubSection
from eldercare.nav import NavItem, WorkPanel

from .. import services, throttle
from ..errors import UnpaidCheckOut
from ..forms import CodeForm
from ..models import WorkOrder
from ..selectors import caregiver_today, order_get, order_list, visit_charge

S = WorkOrder.Status
# The statuses whose page shows the price, the subsidy part and the co-pay: before the visit is
# checked out as a preview, once it is paid as charged.
CHARGE_SHOWN = (S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED)
# Held visits of earlier days stay listed on "my visits" until they are decided.
HELD_LISTED = 20


@login_required
def my_visits(request):
    today = timezone.localdate()
    orders = list(caregiver_today(user=request.user, day=today))
    held = (
        order_list(user=request.user, status=S.HELD)
        .filter(caregiver__user=request.user)
        .exclude(pk__in=[o.pk for o in orders])[:HELD_LISTED]
    )
    return render(request, "providers/my_visits.html", {"orders": orders, "held": held, "today": today})


def _check(request, order: WorkOrder, action: str, d: dict) -> WorkOrder:
    common = {"code": d["code"], "request_id": d["request_id"], "lat": d["lat"], "lng": d["lng"]}
    if action == "check_in":
        return throttle.guarded(request, order, services.visit_check_in, **common)
    return throttle.guarded(
        request,
        order,
        services.visit_check_out,
        notes=d["notes"],
        elder_code=d["elder_code"],
        signature=d["signature"],
        accept_unpaid=d["accept_unpaid"],
        **common,
    )


def _report(request, done: WorkOrder, action: str) -> None:
    if action == "check_in":
        messages.success(request, _("Checked in. The visit has started."))
    elif done.status == S.SHORT:
        messages.warning(
            request, _("Checked out. The visit was shorter than one hour: it is not paid and will be served again.")
        )
    elif done.status == S.HELD:
        messages.warning(
            request,
            _(
                "Checked out. The visit is held for review: it is not paid until your provider's correction is approved."
            ),
        )
    else:
        messages.success(request, _("Checked out. The visit is paid."))


@transaction.non_atomic_requests  # the check-in or check-out service is the request's one transaction
@login_required
def visit(request, pk):
    order = order_get(user=request.user, pk=pk)
    unpaid: UnpaidCheckOut | None = None
    status = 200
    if request.method == "POST":
        # Bound to what was posted: a refusal shows the page again with the caregiver's values.
        form = CodeForm(request.POST)
        action = request.POST.get("action")
        if action not in ("check_in", "check_out"):
            messages.error(request, _("Choose check-in or check-out."))
            status = 400
        elif not form.is_valid():
            status = 400
        else:
            try:
                done = _check(request, order, action, form.cleaned_data)
            except UnpaidCheckOut as exc:
                unpaid, status = exc, exc.http_status
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.http_status
            else:
                _report(request, done, action)
                return redirect("providers:visit", pk=order.pk)
    else:
        form = CodeForm(initial={"request_id": uuid.uuid4().hex, "notes": order.notes})
    context = {
        "order": order,
        "form": form,
        "unpaid": unpaid,
        # Not beside the warning that the visit will not be paid.
        "charge": visit_charge(order) if order.status in CHARGE_SHOWN and unpaid is None else None,
        "exceptions": [e for e in order.exceptions.all() if e.resolved_at is None]
        if order.status in (S.IN_PROGRESS, S.HELD)
        else [],
        "again": order.reservices.first() if order.status in (S.SHORT, S.VOIDED) else None,
    }
    return render(request, "providers/visit.html", context, status=status)


urlpatterns = [
    path("my/", my_visits, name="my_visits"),
    path("my/<int:pk>/", visit, name="visit"),
]

# The caregiver's menu entry and work list panel are the providers app's (providers/nav.py).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    return []
