"""Pages of inspections (a phone page to record one, its problems, the problems list with the unit's
and the inspector's to-do filters, one problem with its history) and the continuity report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from eldercare.errors import DomainError
from eldercare.forms import add_service_errors
from eldercare.paging import page_of

from . import continuity, selectors, services
from .forms import (
    ContinuityFilterForm,
    CorrectionForm,
    InspectionForm,
    ProblemFilterForm,
    ProblemForm,
    VerifyForm,
)
from .models import ProblemStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def inspections(request):
    """The inspections the user may see, newest first."""
    rows = selectors.inspection_list(user=request.user).prefetch_related("problems")
    page = page_of(request, rows)
    return render(
        request,
        "outreach/inspections/inspections.html",
        {"page": page, "can_inspect": selectors.inspector_seat(request.user) is not None},
    )


@login_required
def inspection_new(request):
    """Record an inspection on a phone, at the place; its problems are added next."""
    if selectors.inspector_seat(request.user) is None:
        raise PermissionDenied
    form = InspectionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = services.inspection_record(
                by=request.user,
                inspected_on=d["inspected_on"],
                place_kind=d["place_kind"],
                community=d["community"],
                provider=d["provider"],
                elder=d["elder"],
                response=d["response"],
                findings=d["findings"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Inspection recorded. Add the problems found."))
            return redirect("outreach_inspections:inspection", inspection.pk)
    return render(request, "outreach/inspections/inspection_new.html", {"form": form})


@login_required
def inspection(request, pk: int):
    """One inspection, its problems, and (for its level) the form to add a problem found."""
    found = selectors.inspection_get(user=request.user, pk=pk)
    can_add = selectors.may_add_problems(request.user, found)
    initial = {}
    if found.community_id:
        initial = {"unit_kind": "community", "unit_community": found.community_id}
    elif found.provider_id:
        initial = {"unit_kind": "provider", "unit_provider": found.provider_id}
    form = ProblemForm(request.POST or None, user=request.user, initial=initial) if can_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.problem_add(
                    inspection=found,
                    by=request.user,
                    category=d["category"],
                    description=d["description"],
                    severity=d["severity"],
                    unit_kind=d["unit_kind"],
                    unit_community=d["unit_community"],
                    unit_provider=d["unit_provider"],
                    deadline=d["deadline"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Problem recorded and assigned."))
                return redirect("outreach_inspections:inspection", found.pk)
    return render(
        request,
        "outreach/inspections/inspection.html",
        {
            "inspection": found,
            "problems": selectors.problem_list(user=request.user, inspection=found),
            "form": form,
            "today": timezone.localdate(),
        },
    )


@login_required
def problems(request):
    """The problems the user may see: open, overdue, corrected or closed; the unit's to correct;
    the corrections the user's level has to verify (the work lists link here)."""
    form = ProblemFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.problem_list(user=request.user, status=filters.get("status", ""), todo=filters.get("todo", ""))
    page = page_of(request, rows)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outreach/inspections/problems.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
def problem(request, pk: int):
    """One problem: its history, the unit's correction form, the inspector's verification form."""
    found = selectors.problem_get(user=request.user, pk=pk)
    can_correct = found.status == ProblemStatus.OPEN and selectors.may_correct(request.user, found)
    can_verify = found.status in (ProblemStatus.CORRECTED, ProblemStatus.CLOSED) and selectors.may_verify(
        request.user, found
    )
    correction = CorrectionForm(request.POST if "correct" in request.POST else None) if can_correct else None
    verify = VerifyForm(request.POST if "verify" in request.POST else None) if can_verify else None
    if request.method == "POST":
        try:
            if "correct" in request.POST:
                if correction is None:
                    raise PermissionDenied
                if correction.is_valid():
                    services.problem_correct(problem=found, by=request.user, **correction.cleaned_data)
                    messages.success(request, _("Correction reported. The inspector will verify it."))
                    return redirect("outreach_inspections:problem", found.pk)
            elif "verify" in request.POST:
                if verify is None:
                    raise PermissionDenied
                if verify.is_valid():
                    d = verify.cleaned_data
                    if d["decision"] == "verify":
                        services.problem_verify(problem=found, by=request.user, note=d["note"])
                        messages.success(request, _("Problem closed."))
                    else:
                        services.problem_reopen(problem=found, by=request.user, note=d["note"], deadline=d["deadline"])
                        messages.warning(request, _("Problem reopened: back to the unit."))
                    return redirect("outreach_inspections:problem", found.pk)
        except DomainError as exc:
            add_service_errors(correction if "correct" in request.POST else verify, exc)
    return render(
        request,
        "outreach/inspections/problem.html",
        {
            "problem": found,
            "events": found.events.select_related("by"),
            "corrections": found.corrections.select_related("by"),
            "correction_form": correction,
            "verify_form": verify,
            "overdue": found.is_overdue(timezone.localdate()),
        },
    )


@login_required
def continuity_report(request):
    """The continuity report of an emergency response in progress, filtered; `?export=xlsx` gives
    the same rows as a spreadsheet."""
    if not continuity.may_see(request.user):
        raise PermissionDenied
    responses = list(continuity.responses(user=request.user))
    chosen = None
    wanted = request.GET.get("response", "")
    if wanted.isdigit():
        chosen = next((r for r in responses if r.pk == int(wanted)), None)
        if chosen is None:
            raise Http404
    elif responses:
        chosen = responses[0]
    communities = list(continuity.communities(user=request.user, response=chosen)) if chosen else []
    data = request.GET.copy()
    if chosen is not None:
        data["response"] = str(chosen.pk)
    form = ContinuityFilterForm(data, responses=responses, communities=communities)
    filters = form.cleaned_data if form.is_valid() else {}
    if chosen is None:
        return render(request, "outreach/inspections/continuity.html", {"form": form, "rows": [], "response": None})
    rows = continuity.at_risk(
        user=request.user,
        response=chosen,
        reason=filters.get("reason", ""),
        community=int(filters["community"]) if filters.get("community") else None,
    )
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(continuity.continuity_xlsx(rows), content_type=XLSX)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{_('Continuity of subsidies and services')}-{timezone.localdate():%Y%m%d}.xlsx"
        )
        return response
    query = request.GET.copy()
    query.pop("export", None)
    page = page_of(request, rows)
    return render(
        request,
        "outreach/inspections/continuity.html",
        {"form": form, "rows": page.object_list, "page": page, "response": chosen, "query": query.urlencode()},
    )
