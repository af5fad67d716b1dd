"""Pages of buy-on-behalf: a household's order and its state, the community's purchase page, the
supermarket's consolidated order and packing lists, the delivery and the payment by code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.forms import add_service_errors
from eldercare.hub import HubAction, HubSection
from eldercare.models import Division, Elder, User
from eldercare.paging import page_of
from eldercare.pdf import qr_data_uri
from eldercare.scoping import scope_for
from outreach import selectors as outreach_selectors

from . import rules, selectors, services
from .forms import CancelForm, DeliveryForm, PackForm, PaymentForm, RequestForm
from .models import OrderStatus, PaymentMethod, PurchaseRequest

LIST_FILTERS = (selectors.OPEN, *OrderStatus.values)


@login_required
def mine(request):
    """The households in the user's care and their orders still open: where to order for them."""
    households = list(selectors.my_households(user=request.user))
    orders = selectors.request_list(user=request.user, status=selectors.OPEN).filter(
        elder__in=[h.pk for h in households]
    )
    return render(request, "outreach/purchases/mine.html", {"households": households, "orders": orders})


@login_required
def request_new(request, pk: int):
    """Report a household's needs: quantities from the catalogue, other items in words."""
    elder = selectors.requestable_elder_get(user=request.user, pk=pk)
    if not services.may_request(request.user, elder):
        raise PermissionDenied
    form = RequestForm(request.POST or None, necessities=list(selectors.necessity_list()))
    if request.method == "POST" and form.is_valid():
        try:
            order = services.purchase_request(
                elder=elder,
                by=request.user,
                items=form.items(),
                urgent=form.cleaned_data["urgent"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Necessities ordered for %(name)s.") % {"name": elder.name})
            return redirect("outreach_purchases:order", order.pk)
    return render(
        request,
        "outreach/purchases/request.html",
        {"elder": elder, "form": form, "orders": selectors.request_list(user=request.user, elder=elder)[:10]},
    )


@login_required
def order_list(request):
    """Orders by state (the work list's panels open this page with their filter)."""
    status = request.GET.get("status", "")
    if status not in LIST_FILTERS:
        status = ""
    community = request.GET.get("community", "")
    mine = request.GET.get("mine") == "1"
    rows = selectors.request_list(
        user=request.user, status=status, community=int(community) if community.isdigit() else None, mine=mine
    )
    page = page_of(request, rows)
    filters = [(selectors.OPEN, pgettext("necessities orders", "In progress")), *OrderStatus.choices]
    return render(
        request, "outreach/purchases/orders.html", {"page": page, "status": status, "filters": filters, "mine": mine}
    )


@login_required
def order_detail(request, pk: int):
    """An order's items, its state and history; the next step for whoever takes it."""
    order = selectors.request_get(user=request.user, pk=pk)
    can_follow = services.may_follow_up(request.user, order)
    return render(
        request,
        "outreach/purchases/order.html",
        {
            "order": order,
            "events": order.events.select_related("by"),
            "can_cancel": can_follow and rules.may_move(order.status, OrderStatus.CANCELLED),
            "can_deliver": can_follow and order.status == OrderStatus.HANDED_OVER,
            "can_pay": can_follow and order.status == OrderStatus.DELIVERED,
            "delivery_form": DeliveryForm(),
            "cancel_form": CancelForm(),
        },
    )


@login_required
@require_POST
def order_cancel(request, pk: int):
    order = selectors.request_get(user=request.user, pk=pk)
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        services.request_cancel(request=order, by=request.user, note=form.cleaned_data.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Order cancelled."))
    return redirect("outreach_purchases:order", order.pk)


@login_required
@require_POST
def order_deliver(request, pk: int):
    order = selectors.request_get(user=request.user, pk=pk)
    form = DeliveryForm(request.POST)
    form.is_valid()
    try:
        services.request_deliver(
            request=order,
            by=request.user,
            note=form.cleaned_data.get("note", ""),
            contactless=form.cleaned_data.get("contactless", False),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Delivery recorded: %(name)s.") % {"name": order.elder.name})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("outreach_purchases:order", order.pk)


@login_required
def order_pay(request, pk: int):
    """The supermarket's payment code for the household to scan, and the payment's record."""
    order = selectors.request_get(user=request.user, pk=pk)
    if not services.may_follow_up(request.user, order):
        raise PermissionDenied
    form = PaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_record(
                request=order,
                by=request.user,
                method=form.cleaned_data["method"],
                reference=form.cleaned_data["reference"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Payment of ¥%(amount)s recorded: %(name)s.")
                % {"amount": order.amount_due.amount, "name": order.elder.name},
            )
            return redirect("outreach_purchases:order", order.pk)
    supermarket = order.run.supermarket if order.run_id else None
    return render(
        request,
        "outreach/purchases/pay.html",
        {
            "order": order,
            "form": form,
            "supermarket": supermarket,
            "qr": qr_data_uri(supermarket.payment_qr, scale=5) if supermarket and supermarket.payment_qr else "",
            "qr_method": PaymentMethod.QR,
        },
    )


def _communities(user: User):
    if not outreach_selectors.sees_whole_area(user):
        return Division.objects.none()
    qs = Division.objects.filter(level=Division.Level.COMMUNITY)
    scope = scope_for(user)
    return qs if scope.all else qs.filter(pk__any_of=scope.community_ids)


@login_required
def board(request):
    """The community's purchase page: needs waiting, when the run is due, the runs, deliveries
    and payments still to record. A street or district sees each community's line."""
    if not outreach_selectors.sees_whole_area(request.user):
        raise PermissionDenied
    boards = selectors.community_boards(user=request.user)
    chosen = request.GET.get("community", "")
    if not chosen.isdigit() and len(boards) == 1:
        chosen = str(boards[0].community.pk)
    current = next((b for b in boards if str(b.community.pk) == chosen), None)
    context = {"boards": boards, "current": current}
    if current is not None:
        community = current.community.pk
        user = request.user
        context.update(
            {
                "waiting": selectors.request_list(user=user, status=OrderStatus.REQUESTED, community=community),
                "runs": selectors.run_list(user=user, community=community)[:10],
                "to_deliver": selectors.request_list(user=user, status=OrderStatus.HANDED_OVER, community=community),
                "to_pay": selectors.request_list(user=user, status=OrderStatus.DELIVERED, community=community),
                "can_manage": services.may_manage(user, community),
                "supermarket": selectors.serving_supermarket(community=current.community),
                "today": timezone.localdate(),
            }
        )
    return render(request, "outreach/purchases/board.html", context)


@login_required
@require_POST
def run_make(request):
    community = get_object_or_404(_communities(request.user), pk=request.POST.get("community") or 0)
    try:
        run = services.purchase_run_make(community=community, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('outreach_purchases:board')}?community={community.pk}")
    messages.success(
        request,
        _("Run %(cycle)s sent to %(supermarket)s with %(n)d households.")
        % {"cycle": run.cycle, "supermarket": run.supermarket.name, "n": run.requests.count()},
    )
    return redirect("outreach_purchases:run", run.pk)


@login_required
def run_list(request):
    """The runs the user may see; a supermarket's staff land here (open ones: still to pack)."""
    status = request.GET.get("status", "")
    open_only = {"open": True, "done": False}.get(status)
    rows = selectors.run_list(user=request.user, open_only=open_only)
    page = page_of(request, rows)
    return render(request, "outreach/purchases/runs.html", {"page": page, "status": status})


@login_required
def run_detail(request, pk: int):
    """The consolidated order (totals per item across households) and each household's list."""
    run = selectors.run_get(user=request.user, pk=pk)
    orders = list(selectors.run_requests(run=run))
    is_staff = services.is_staff_of(request.user, run.supermarket)
    return render(
        request,
        "outreach/purchases/run.html",
        {
            "run": run,
            "lines": selectors.consolidated_order(run=run),
            "orders": orders,
            "is_staff": is_staff,
            "can_hand_over": is_staff
            and run.handed_over_at is None
            and any(o.status == OrderStatus.PACKED for o in orders)
            and not any(o.status == OrderStatus.IN_RUN for o in orders),
        },
    )


@login_required
def run_pack(request, pk: int, order: int):
    """Pack one household's order: the actual price of each line, or not available."""
    run = selectors.run_get(user=request.user, pk=pk)
    if not services.is_staff_of(request.user, run.supermarket):
        raise PermissionDenied
    found: PurchaseRequest = get_object_or_404(selectors.run_requests(run=run), pk=order)
    form = PackForm(request.POST or None, request=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_pack(request=found, by=request.user, prices=form.prices())
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Packed for %(name)s.") % {"name": found.elder.name})
            return redirect("outreach_purchases:run", run.pk)
    return render(request, "outreach/purchases/pack.html", {"run": run, "order": found, "form": form})


@login_required
@require_POST
def run_hand_over(request, pk: int):
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        services.run_hand_over(run=run, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Run handed over to the community."))
    return redirect("outreach_purchases:run", run.pk)


def hub_sections(user: User, elder: Elder) -> list[HubSection]:
    """The household's recent orders on the elder's page (eldercare.hub)."""
    if not outreach_selectors.sees_whole_area(user):
        return []
    orders = selectors.request_list(user=user, elder=elder)[:5]
    rows = [
        {
            "label": f"{o.requested_at:%Y-%m-%d} · {o.get_status_display()}",
            "url": reverse("outreach_purchases:order", args=[o.pk]),
            "detail": "、".join(i.label for i in o.items.all()),
            "flag": o.urgent and o.is_open,
        }
        for o in orders
    ]
    actions = []
    if services.may_request(user, elder) and elder.life_status == "active":
        actions.append(HubAction(_("Order necessities"), reverse("outreach_purchases:request", args=[elder.pk])))
    if not rows and not actions:
        return []
    return [
        HubSection(_("Buy-on-behalf of necessities"), order=62, rows=rows, actions=actions, empty=_("No order yet."))
    ]
