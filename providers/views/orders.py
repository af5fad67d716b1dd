"""Work orders: booking, assignment, voids; the caregiver's phone pages."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.hub import HubSection
from eldercare.models import Role
from eldercare.nav import NavItem, WorkPanel
from eldercare.selectors import elder_get

from .. import quality, services
from ..forms import AssignForm, BookForm, CallbackForm, CodeForm, ReasonForm
from ..models import WorkOrder
from ..selectors import (
    caregiver_list,
    caregiver_today,
    item_list,
    order_get,
    order_list,
)
from .common import run_service


@login_required
def order_list_view(request):
    day = request.GET.get("day")
    qs = order_list(user=request.user, status=request.GET.get("status") or None)
    if day:
        qs = qs.filter(scheduled_at__date=day)
    return render(
        request,
        "providers/order_list.html",
        {
            "orders": qs[:200],
            "statuses": WorkOrder.Status.choices,
            "day": day or "",
            "status": request.GET.get("status", ""),
        },
    )


@login_required
def order_detail(request, pk):
    order = order_get(user=request.user, pk=pk)
    caregivers = caregiver_list(user=request.user).filter(provider=order.provider, active=True)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "assign":
            form = AssignForm(request.POST, caregivers=caregivers)
            if form.is_valid():
                run_service(
                    request,
                    services.order_assign,
                    _("Caregiver assigned."),
                    order=order,
                    caregiver=form.cleaned_data["caregiver"],
                    by=request.user,
                )
        elif action == "void":
            form = ReasonForm(request.POST)
            if form.is_valid():
                run_service(
                    request,
                    services.order_void,
                    _("The visit was voided; it will be served again."),
                    order=order,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
        elif action == "cancel":
            form = ReasonForm(request.POST)
            if form.is_valid():
                run_service(
                    request,
                    services.order_cancel,
                    _("The order was cancelled."),
                    order=order,
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
        elif action in ("callback_provider", "callback_district"):
            form = CallbackForm(request.POST)
            if form.is_valid():
                run_service(
                    request,
                    quality.callback_record,
                    _("Callback recorded."),
                    order=order,
                    source=action.removeprefix("callback_"),
                    by=request.user,
                    **form.cleaned_data,
                )
        return redirect("providers:order_detail", pk=order.pk)
    return render(
        request,
        "providers/order_detail.html",
        {
            "order": order,
            "events": order.events.select_related("by"),
            "callbacks": order.callbacks.select_related("by"),
            "assign_form": AssignForm(caregivers=caregivers),
            "reason_form": ReasonForm(),
            "callback_form": CallbackForm(),
            "is_provider_admin": request.user.has_role(Role.PROVIDER_ADMIN),
            "is_district": request.user.has_role(Role.DISTRICT_REVIEWER) or request.user.is_superuser,
        },
    )


@login_required
def order_book(request):
    form = BookForm(request.POST or None, items=item_list(user=request.user).filter(active=True))
    if request.method == "POST" and form.is_valid():
        elder = elder_get(user=request.user, pk=form.cleaned_data["elder"])
        order = run_service(
            request,
            services.order_book,
            _("The visit was booked."),
            elder=elder,
            item=form.cleaned_data["item"],
            scheduled_at=form.cleaned_data["scheduled_at"],
            via=form.cleaned_data["via"],
            by=request.user,
        )
        if order:
            return redirect("providers:order_detail", pk=order.pk)
    return render(request, "providers/form.html", {"form": form, "title": _("Book a visit")})


# --- the caregiver's phone pages ------------------------------------------------------------


@login_required
def my_visits(request):
    orders = caregiver_today(user=request.user, day=timezone.localdate())
    return render(request, "providers/my_visits.html", {"orders": orders, "today": timezone.localdate()})


@login_required
def visit(request, pk):
    order = order_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = CodeForm(request.POST)
        action = request.POST.get("action")
        if form.is_valid():
            d = form.cleaned_data
            common = {
                "order": order,
                "code": d["code"],
                "by": request.user,
                "request_id": d["request_id"],
                "lat": d["lat"],
                "lng": d["lng"],
            }
            if action == "check_in":
                run_service(request, services.visit_check_in, _("Checked in. The visit has started."), **common)
            elif action == "check_out":
                done = run_service(request, services.visit_check_out, _("Checked out."), notes=d["notes"], **common)
                if done is not None and done.status == WorkOrder.Status.SHORT:
                    messages.warning(
                        request, _("The visit was shorter than one hour: it is not paid and will be served again.")
                    )
        return redirect("providers:visit", pk=order.pk)
    form = CodeForm(initial={"request_id": uuid.uuid4().hex, "notes": order.notes})
    return render(request, "providers/visit.html", {"order": order, "form": form})


urlpatterns = [
    path("orders/", order_list_view, name="order_list"),
    path("orders/new/", order_book, name="order_book"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("my/", my_visits, name="my_visits"),
    path("my/<int:pk>/", visit, name="visit"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
