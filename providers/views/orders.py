"""Work orders: booking, assignment, voids (the caregiver's phone pages are in `visit`)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.hub import HubAction, HubSection
from eldercare.models import LifeStatus, Role
from eldercare.nav import NavItem, WorkPanel
from eldercare.paging import page_of
from eldercare.params import date_param
from eldercare.selectors import elder_get

from .. import quality, services
from ..forms import AssignForm, CallbackForm, ReasonForm
from ..forms.orders import BookForm
from ..models import ServicePackage, WorkOrder
from ..selectors import (
    caregiver_list,
    order_get,
    order_list,
    orders_to_reassign,
)
from ..services.catalogue import bookable_q, catalogue_items, catalogue_packages
from ..services.visits import order_book as order_book_service
from ..services.visits import package_book
from .common import run_service


@login_required
def order_list_view(request):
    day = date_param(request.GET.get("day"))
    qs = order_list(user=request.user, status=request.GET.get("status") or None).select_related("package")
    if day:
        qs = qs.filter(scheduled_at__date=day)
    if request.GET.get("reassign"):
        # The work list's visits to reassign (the caregiver may no longer make them).
        orders = page_of(request, orders_to_reassign(user=request.user))
    else:
        orders = page_of(request, qs)
    return render(
        request,
        "providers/order_list.html",
        {
            "orders": orders,
            "total": orders.paginator.count,
            "statuses": WorkOrder.Status.choices,
            "day": day.isoformat() if day else "",
            "status": request.GET.get("status", ""),
            "may_book": may_book(request.user),
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
            "may_cancel": order.status in (WorkOrder.Status.BOOKED, WorkOrder.Status.ASSIGNED)
            and (request.user.is_superuser or request.user.has_role(*services.CANCELLERS)),
            "is_district": request.user.has_role(Role.DISTRICT_REVIEWER) or request.user.is_superuser,
        },
    )


BOOKERS = (Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN, Role.SYSADMIN)


def may_book(user) -> bool:
    return user.is_superuser or user.has_role(*BOOKERS)


@login_required
def order_book(request):
    """Book a visit or a package for an elder (the elder chosen with the picker, `?elder=` preset)."""
    if not may_book(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    items = catalogue_items(user=request.user).filter(bookable_q(today)).order_by("provider__name", "kind", "name")
    packages = catalogue_packages(user=request.user).filter(bookable_q(today)).order_by("provider__name", "name")
    initial = {"via": WorkOrder.BookedVia.COMMUNITY}
    if request.user.has_role(Role.PROVIDER_ADMIN):
        initial["via"] = WorkOrder.BookedVia.PROVIDER
    preset = request.GET.get("elder", "")
    if preset.isdigit():
        elder = elder_get(user=request.user, pk=int(preset))
        initial["elder"] = elder.pk
        # Only the providers the elder has an open agreement with.
        agreed = elder.service_agreements.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).values("provider")
        items, packages = items.filter(provider__in=agreed), packages.filter(provider__in=agreed)
    form = BookForm(
        request.POST or None,
        initial=initial,
        user=request.user,
        items=items,
        packages=packages,
        caregivers=caregiver_list(user=request.user).filter(active=True).order_by("provider__name", "name"),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        entry = d["offer"]
        common = {
            "elder": d["elder"],
            "scheduled_at": d["scheduled_at"],
            "via": d["via"],
            "note": d["note"],
            "caregiver": d["caregiver"],
            "self_paid": d["pay_myself"],
            "by": request.user,
        }
        if isinstance(entry, ServicePackage):
            orders = run_service(
                request,
                package_book,
                _("The package was booked: one visit for each of its items."),
                package=entry,
                **common,
            )
            first = orders[0] if orders else None
        else:
            first = run_service(request, order_book_service, _("The visit was booked."), item=entry, **common)
        if first:
            return redirect("providers:order_detail", pk=first.pk)
    return render(
        request,
        "providers/form.html",
        {"form": form, "title": _("Book a home visit"), "submit": _("Book"), "form_id": "book-form"},
    )


urlpatterns = [
    path("orders/", order_list_view, name="order_list"),
    path("orders/new/", order_book, name="order_book"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = ()


def worklist(user) -> list[WorkPanel]:
    return []


def hub_sections(user, elder) -> list[HubSection]:
    """The elder's page: the recent visits the user may see and, for those who book, a link to
    the booking form with this elder chosen."""
    if not (may_book(user) or user.has_role(Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SUPERVISOR)):
        return []
    orders = order_list(user=user).filter(elder=elder).select_related("package")[:8]
    rows = []
    for o in orders:
        detail = o.get_status_display()
        if o.self_paid:
            detail += " · " + _("self-paid")
        label = f"{timezone.localtime(o.scheduled_at):%Y-%m-%d %H:%M} {o.item.name}"
        if o.package_id:
            label += f"（{o.package.name}）"
        rows.append(
            {"label": label, "url": reverse("providers:order_detail", args=[o.pk]), "detail": detail, "flag": False}
        )
    actions = []
    if may_book(user) and elder.life_status == LifeStatus.ACTIVE:
        url = reverse("providers:order_book") + "?" + urlencode({"elder": elder.pk})
        actions.append(HubAction(label=_("Book a home visit"), url=url))
    return [
        HubSection(
            title=_("Service records / booking"),
            order=40,
            rows=rows,
            actions=actions,
            empty=_("No visits booked yet."),
        )
    ]
