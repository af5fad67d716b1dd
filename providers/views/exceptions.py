"""Held visits ("visit maintenance"): the queue of visits whose payment waits on an exception, the
provider admin's proposed correction and the town's or district's decision."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.hub import HubSection
from eldercare.models import Role
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.paging import page_of

from .. import rules
from ..models import ReasonCode, VisitCorrection, WorkOrder
from ..selectors import correction_get, held_visits, order_get, reason_codes
from ..services.corrections import correction_approve, correction_propose, correction_reject
from .common import run_service

DECIDERS = (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER)
VIEWERS = (Role.PROVIDER_ADMIN, *DECIDERS, Role.SUPERVISOR, Role.SYSADMIN)


class ProposeForm(forms.Form):
    reason = forms.ModelChoiceField(label=gettext_lazy("Reason code"), queryset=ReasonCode.objects.none())
    checked_in_at = forms.DateTimeField(
        label=gettext_lazy("Checked in at (corrected)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    checked_out_at = forms.DateTimeField(
        label=gettext_lazy("Checked out at (corrected)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    evidence = forms.ImageField(
        label=gettext_lazy("Evidence photo"),
        required=False,
        help_text=gettext_lazy("e.g. the elder's signed paper record, a photo at the door; at most 10 MB"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reason_codes()
        self.fields["reason"].label_from_instance = lambda r: r.name


class DecideForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Decision note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=gettext_lazy("required when rejecting"),
    )


def _age_days(since) -> int | None:
    return (timezone.localdate() - timezone.localdate(since)).days if since else None


def _locked(order: WorkOrder) -> bool:
    return rules.correction_locked(visit_day=timezone.localdate(order.scheduled_at), today=timezone.localdate())


@login_required
def exception_list(request):
    if not (request.user.is_superuser or request.user.has_role(*VIEWERS)):
        raise PermissionDenied
    visits = held_visits(user=request.user)
    waiting = request.GET.get("waiting", "")
    if waiting == "decision":
        visits = visits.filter(pending=True)
    elif waiting == "proposal":
        visits = visits.filter(pending=False)
    page = page_of(request, visits)
    rows = [
        {
            "order": o,
            "age": _age_days(o.held_since),
            "locked": _locked(o),
            "exceptions": [e for e in o.exceptions.all() if e.resolved_at is None],
        }
        for o in page
    ]
    return render(
        request,
        "providers/exceptions/list.html",
        {
            "rows": rows,
            "page": page,
            "waiting": waiting,
            "total": page.paginator.count,
            "lock_days": rules.CORRECTION_LOCK_DAYS,
        },
    )


@login_required
def correction_page(request, pk):
    """A held visit's corrections: the provider admin proposes; the town or district decides."""
    order = order_get(user=request.user, pk=pk)
    user = request.user
    pending = order.corrections.filter(status=VisitCorrection.Status.PROPOSED).select_related("reason").first()
    may_propose = (
        order.status == WorkOrder.Status.HELD
        and pending is None
        and (user.is_superuser or user.has_role(Role.PROVIDER_ADMIN))
        and not _locked(order)
    )
    may_decide = (
        pending is not None
        and (user.is_superuser or user.has_role(*DECIDERS))
        and pending.proposed_by_id != user.pk
        and not _locked(order)
    )
    start = order.checked_in_at or order.scheduled_at
    end = order.checked_out_at or (start + datetime.timedelta(minutes=order.item.minutes))
    propose_form = ProposeForm(
        initial={"checked_in_at": timezone.localtime(start), "checked_out_at": timezone.localtime(end)}
    )
    decide_form = DecideForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "propose" and may_propose:
            propose_form = ProposeForm(request.POST, request.FILES)
            if propose_form.is_valid():
                d = propose_form.cleaned_data
                done = run_service(
                    request,
                    correction_propose,
                    _("The correction was sent to the town for a decision."),
                    order=order,
                    reason=d["reason"],
                    checked_in_at=d["checked_in_at"],
                    checked_out_at=d["checked_out_at"],
                    note=d["note"],
                    evidence=d["evidence"],
                    by=user,
                )
                if done is not None:
                    return redirect("providers:correction", pk=order.pk)
        elif action in ("approve", "reject") and may_decide:
            decide_form = DecideForm(request.POST)
            if decide_form.is_valid():
                note = decide_form.cleaned_data["note"]
                if action == "approve":
                    done = run_service(
                        request,
                        correction_approve,
                        _("Approved: the visit is paid with the corrected times."),
                        correction=pending,
                        by=user,
                        note=note,
                    )
                else:
                    done = run_service(
                        request,
                        correction_reject,
                        _("Rejected: the visit is voided and will be served again."),
                        correction=pending,
                        by=user,
                        note=note,
                    )
                if done is not None:
                    return redirect("providers:correction", pk=order.pk)
        else:
            raise PermissionDenied
    return render(
        request,
        "providers/exceptions/correction.html",
        {
            "order": order,
            "exceptions": order.exceptions.select_related("resolved_by"),
            "corrections": order.corrections.select_related("reason", "proposed_by", "decided_by"),
            "pending": pending,
            "may_propose": may_propose,
            "may_decide": may_decide,
            "locked": _locked(order),
            "lock_days": rules.CORRECTION_LOCK_DAYS,
            "propose_form": propose_form,
            "decide_form": decide_form,
        },
    )


@login_required
def correction_evidence(request, pk):
    correction = correction_get(user=request.user, pk=pk)
    if not correction.evidence:
        raise Http404
    return FileResponse(correction.evidence.open("rb"))


@login_required
def visit_signature(request, pk):
    order = order_get(user=request.user, pk=pk)
    if not order.signature:
        raise Http404
    return FileResponse(order.signature.open("rb"), content_type="image/png")


urlpatterns = [
    path("exceptions/", exception_list, name="exception_list"),
    path("orders/<int:pk>/correction/", correction_page, name="correction"),
    path("corrections/<int:pk>/evidence/", correction_evidence, name="correction_evidence"),
    path("orders/<int:pk>/signature/", visit_signature, name="visit_signature"),
]

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(gettext_lazy("Held visits"), "providers:exception_list", VIEWERS, 42, NavGroup.SERVICES),
)


def worklist(user) -> list[WorkPanel]:
    """Held visits by age: for the provider, those awaiting its proposal; for the town and the
    district, the corrections awaiting their decision."""
    if user.has_role(Role.PROVIDER_ADMIN):
        visits = held_visits(user=user).filter(pending=False)
        title = _("Held visits awaiting your correction (oldest first)")
        query = "proposal"
    elif user.has_role(*DECIDERS):
        visits = held_visits(user=user).filter(pending=True)
        title = _("Corrections of held visits awaiting your decision (oldest first)")
        query = "decision"
    else:
        return []
    rows = []
    for o in visits[:8]:
        age = _age_days(o.held_since) or 0
        kinds = "、".join(e.get_kind_display() for e in o.exceptions.all() if e.resolved_at is None)
        rows.append(
            {
                "label": f"#{o.pk} {o.elder.name} · {timezone.localtime(o.scheduled_at):%Y-%m-%d %H:%M}",
                "url": reverse("providers:correction", args=[o.pk]),
                "detail": _("%(kinds)s · held %(n)d days") % {"kinds": kinds, "n": age},
                "flag": age >= rules.HELD_OVERDUE_DAYS,
            }
        )
    return [WorkPanel(title, rows, reverse("providers:exception_list") + f"?waiting={query}", visits.count())]


def hub_sections(user, elder) -> list[HubSection]:
    return []
