"""Pages of the providers app. Thin: a selector to find, a service to act, a template to render."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.models import LifeStatus, Role
from eldercare.periods import Month, Quarter
from eldercare.selectors import elder_get

from . import pdf, quality, services
from .forms import AssignForm, BookForm, CallbackForm, CodeForm, ContactForm, ReasonForm
from .models import Callback, Caregiver, WorkOrder
from .selectors import (
    caregiver_get,
    caregiver_list,
    caregiver_today,
    item_list,
    order_get,
    order_list,
    provider_get,
    provider_list,
)
from .services.life_events import VERIFIERS, life_event_report, life_event_verify
from .tokens import InvalidBadge, badge_token_caregiver_id


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def provider_list_view(request):
    return render(request, "providers/provider_list.html", {"providers": provider_list(user=request.user)})


@login_required
def provider_detail(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    return render(
        request,
        "providers/provider_detail.html",
        {
            "provider": provider,
            "contracts": provider.contracts.all(),
            "events": provider.status_events.select_related("by"),
            "assessments": provider.assessments.all(),
            "caregivers": caregiver_list(user=request.user).filter(provider=provider),
            "items": provider.items.filter(active=True),
            "packages": provider.packages.prefetch_related("items"),
            "rectifications": provider.rectifications.select_related("survey__street"),
        },
    )


@login_required
def caregiver_list_view(request):
    return render(request, "providers/caregiver_list.html", {"caregivers": caregiver_list(user=request.user)})


@login_required
def caregiver_badge(request, pk):
    caregiver = caregiver_get(user=request.user, pk=pk)
    return _pdf(
        pdf.badge_pdf(caregiver=caregiver, verify_url=pdf.badge_verify_url(request, caregiver)),
        f"badge-{caregiver.staff_number}.pdf",
    )


def badge_verify(request, token):
    """Public: anyone scanning a badge sees whether it is valid today (no login)."""
    caregiver, problem = None, ""
    try:
        caregiver = Caregiver.objects.select_related("provider").get(pk=badge_token_caregiver_id(token))
    except (InvalidBadge, Caregiver.DoesNotExist) as exc:
        problem = getattr(exc, "message", "") or _("This badge is not genuine.")
    else:
        if not caregiver.active:
            problem = _("This person no longer works for the provider.")
        elif caregiver.provider.status != caregiver.provider.Status.CONTRACTED:
            problem = _("The provider is not contracted at the moment.")
        elif caregiver.trained_on is None:
            problem = _("This person has not completed the training.")
    return render(
        request,
        "providers/badge_verify.html",
        {"caregiver": caregiver, "problem": problem, "today": timezone.localdate(), "valid": not problem},
        status=200 if not problem else 410,
    )


@login_required
def elder_card(request, elder_pk):
    elder = elder_get(user=request.user, pk=elder_pk)
    card = services.card_issue(elder=elder, by=request.user, reissue=request.GET.get("reissue") == "1")
    return _pdf(pdf.elder_card_pdf(card=card), f"card-{elder.pk}.pdf")


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


def _run(request, fn, success: str, **kwargs):
    try:
        result = fn(**kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


@login_required
def order_detail(request, pk):
    order = order_get(user=request.user, pk=pk)
    caregivers = caregiver_list(user=request.user).filter(provider=order.provider, active=True)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "assign":
            form = AssignForm(request.POST, caregivers=caregivers)
            if form.is_valid():
                _run(
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
                _run(
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
                _run(
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
                _run(
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
        order = _run(
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
                _run(request, services.visit_check_in, _("Checked in. The visit has started."), **common)
            elif action == "check_out":
                done = _run(request, services.visit_check_out, _("Checked out."), notes=d["notes"], **common)
                if done is not None and done.status == WorkOrder.Status.SHORT:
                    messages.warning(
                        request, _("The visit was shorter than one hour: it is not paid and will be served again.")
                    )
        return redirect("providers:visit", pk=order.pk)
    form = CodeForm(initial={"request_id": uuid.uuid4().hex, "notes": order.notes})
    return render(request, "providers/visit.html", {"order": order, "form": form})


# --- quality --------------------------------------------------------------------------------


@login_required
def callbacks_due(request):
    today = timezone.localdate()
    return render(
        request,
        "providers/callbacks.html",
        {
            "provider_due": quality.provider_callbacks_due(user=request.user, until=today)[:200]
            if request.user.has_role(Role.PROVIDER_ADMIN) or request.user.is_superuser
            else [],
            "district_due": quality.district_callbacks_due(user=request.user)[:200]
            if request.user.has_role(Role.DISTRICT_REVIEWER) or request.user.is_superuser
            else [],
            "source": Callback.Source,
        },
    )


@login_required
def frequency_report(request):
    try:
        month = Month.parse(request.GET.get("month", "")) if request.GET.get("month") else Month.current().previous()
    except DomainError:
        month = Month.current().previous()
    report = quality.visit_frequency_report(user=request.user, month=month)
    return render(request, "providers/frequency.html", {"report": report, "month": month})


@login_required
def community_contacts(request):
    quarter = Month.current().quarter
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        elder = elder_get(user=request.user, pk=d.pop("elder"))
        if _run(request, quality.community_contact_record, _("Callback recorded."), elder=elder, by=request.user, **d):
            return redirect("providers:community_contacts")
    quotas = quality.community_contact_quota(user=request.user, quarter=quarter)
    return render(request, "providers/community_contacts.html", {"quotas": quotas, "quarter": quarter, "form": form})


@login_required
def rectifications(request):
    return render(
        request,
        "providers/rectifications.html",
        {"rows": quality.rectification_list(user=request.user), "today": timezone.localdate(), "quarter": Quarter},
    )


@login_required
@require_POST
def provider_terminate(request, pk):
    provider = provider_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        _run(
            request,
            services.provider_set_status,
            _("The provider's contract was terminated."),
            provider=provider,
            to=provider.Status.TERMINATED,
            reason=form.cleaned_data["reason"],
            ground=request.POST.get("ground", ""),
            by=request.user,
        )
    return redirect("providers:provider_detail", pk=provider.pk)


# --- a death or a move away (reported by anyone who learns of it, verified by the community) -----

REPORTERS = (*VERIFIERS, Role.PROVIDER_ADMIN, Role.CAREGIVER)


class LifeEventForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("event"),
        choices=[(LifeStatus.DECEASED, LifeStatus.DECEASED.label), (LifeStatus.MOVED, LifeStatus.MOVED.label)],
    )
    on = forms.DateField(label=gettext_lazy("date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=gettext_lazy("note"), required=False, max_length=200)


@login_required
def life_event(request, pk):
    """Verifiers confirm (everything follows at once); provider staff report for verification."""
    user = request.user
    if not (user.is_superuser or user.has_role(*REPORTERS)):
        raise PermissionDenied
    elder = elder_get(user=user, pk=pk)
    verifies = user.is_superuser or user.has_role(*VERIFIERS)
    form = LifeEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if verifies:
                result = life_event_verify(
                    elder=elder, status=data["status"], on=data["on"], by=user, note=data["note"]
                )
                messages.success(
                    request,
                    _(
                        "Recorded. Entitlement ended: %(ended)s; grants recovered: %(grants)d; "
                        "visits cancelled: %(orders)d; the accounts are frozen."
                    )
                    % {
                        "ended": _("yes") if result.entitlement_ended else _("no"),
                        "grants": result.grants_recovered,
                        "orders": result.orders_cancelled,
                    },
                )
            else:
                count = life_event_report(elder=elder, status=data["status"], on=data["on"], by=user, note=data["note"])
                messages.success(request, _("Reported; %(n)d community worker(s) asked to verify.") % {"n": count})
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(elder)
    return render(request, "subsidies/life_event.html", {"elder": elder, "form": form, "verifies": verifies})
