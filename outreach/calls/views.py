"""Pages of active care calls: the operator's list of the day and a call's outcome (phone pages),
the district's plans, and the responsible person's home visits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError, NotAllowed
from eldercare.forms import add_service_errors
from eldercare.models import RevealReason
from eldercare.services import elder_reveal

from . import selectors, services
from .forms import CallForm, PlanForm, VisitForm

RECENT_CALLS = 5


@login_required
def today(request):
    """The operator's calls of the day, not yet made."""
    rows = list(selectors.today_calls(user=request.user))
    return render(request, "outreach/calls/today.html", {"rows": rows, "today": timezone.localdate()})


@login_required
def call(request, pk: int):
    entry = selectors.today_call_get(user=request.user, pk=pk)
    form = CallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.call_record(
                entry=entry, by=request.user, result=form.cleaned_data["result"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Call recorded."))
            return redirect("outreach_calls:today")
    phone = ""
    if request.method == "GET" and not hasattr(entry, "outcome") and entry.elder.phone:
        try:
            # Dialling the elder is the reason: the reveal is recorded against this call.
            phone = elder_reveal(
                elder=entry.elder,
                field="phone",
                by=request.user,
                reason=RevealReason.CONTACT_ELDER,
                shown_for=entry,
            )
        except NotAllowed:
            phone = ""
    return render(
        request,
        "outreach/calls/call.html",
        {
            "entry": entry,
            "form": form,
            "phone": phone,
            "recent": selectors.outcome_list(user=request.user, elder=entry.elder)[:RECENT_CALLS],
        },
    )


@login_required
def plans(request):
    """The call plans of the district (its reviewers create and end them) with today's progress."""
    districts = list(selectors.manageable_districts(request.user))
    if not districts and not request.user.call_plans.exists():
        raise PermissionDenied
    district = districts[0] if districts else None
    form = PlanForm(request.POST or None, callers=selectors.caller_choices(district)) if district else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.plan_create(
                    by=request.user,
                    district=district,
                    name=d["name"],
                    target=d["target"],
                    interval_days=d["interval_days"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    callers=d["callers"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Call plan created."))
                return redirect("outreach_calls:plans")
    today_ = timezone.localdate()
    rows = selectors.plan_list(user=request.user).annotate(
        today_total=Count("entries", filter=Q(entries__day=today_), distinct=True),
        today_open=Count("entries", filter=Q(entries__day=today_, entries__outcome__isnull=True), distinct=True),
        visits_open=Count("visits", filter=Q(visits__visited_at__isnull=True), distinct=True),
    )
    return render(
        request,
        "outreach/calls/plans.html",
        {"plans": rows, "form": form, "district": district, "today": today_, "can_manage": bool(districts)},
    )


@login_required
@require_POST
def plan_end(request, pk: int):
    plan = selectors.plan_get(user=request.user, pk=pk)
    try:
        services.plan_end(plan=plan, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Call plan ended."))
    return redirect("outreach_calls:plans")


@login_required
def visits(request):
    """The home visits asked of the user (a responsible person: their households; a community
    worker: the community's), open first, then the last recorded."""
    return render(
        request,
        "outreach/calls/visits.html",
        {
            "open": list(selectors.visit_list(user=request.user, open_only=True)),
            "done": list(selectors.visit_list(user=request.user, open_only=False).order_by("-visited_at")[:20]),
        },
    )


@login_required
def visit(request, pk: int):
    item = selectors.visit_get(user=request.user, pk=pk)
    form = VisitForm(request.POST or None) if item.visited_at is None else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This home visit has already been recorded."))
            return redirect("outreach_calls:visits")
        if form.is_valid():
            try:
                services.visit_record(
                    visit=item, by=request.user, finding=form.cleaned_data["finding"], note=form.cleaned_data["note"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Home visit recorded."))
                return redirect("outreach_calls:visits")
    return render(
        request,
        "outreach/calls/visit.html",
        {
            "visit": item,
            "form": form,
            "calls": selectors.outcome_list(user=request.user, elder=item.elder, plan=item.plan)[:RECENT_CALLS],
        },
    )
