"""Pages of the daily outreach report: a unit's report of today (figures computed, one button to
confirm), the street's and the district's roll-up with the late units marked, the days so far,
the units not reported today, one report with its versions, and the printed form (PDF, XLSX)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError

from . import documents, rules, selectors, services
from .forms import ReportConfirmForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _day(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


def _require_reports(user) -> None:
    if not selectors.sees_reports(user):
        raise PermissionDenied


@login_required
def today(request):
    """The units the user reports for, under each response in progress: today's figures as the
    contacts give them, the report already sent if any, and the button to confirm."""
    today_ = timezone.localdate()
    time = selectors.cutoff()
    cards = []
    for response, unit in selectors.submittable(user=request.user, on=today_):
        figures = services.report_figures(response=response, unit=unit, day=today_)
        report = selectors.current_report(response=response, unit=unit, day=today_)
        cards.append(
            {
                "response": response,
                "unit": unit,
                "figures": figures,
                "report": report,
                "form": ReportConfirmForm(
                    initial={"staff_on_duty": figures.staff_on_duty, "note": report.note if report else ""},
                    prefix=f"{response.pk}-{unit.key}",
                ),
            }
        )
    return render(
        request,
        "outreach/reports/today.html",
        {
            "cards": cards,
            "day": today_,
            "cutoff": f"{time:%H:%M}",
            "past_cutoff": rules.is_past_cutoff(timezone.now(), today_, time),
        },
    )


@login_required
@require_POST
def submit(request, response: int, kind: str, pk: int):
    """Confirm a unit's figures of today (or correct the report already sent)."""
    emergency = selectors.report_response_get(user=request.user, pk=response)
    unit = selectors.visible_unit_get(user=request.user, response=emergency, kind=kind, pk=pk)
    if not selectors.may_submit(request.user, unit):
        raise PermissionDenied
    form = ReportConfirmForm(request.POST, prefix=f"{emergency.pk}-{unit.key}")
    if not form.is_valid():
        messages.error(request, _("Check the staff on duty and the note."))
        return redirect("outreach_reports:today")
    try:
        report = services.report_submit(
            response=emergency,
            unit=unit,
            day=timezone.localdate(),
            by=request.user,
            staff_on_duty=form.cleaned_data["staff_on_duty"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if report.on_time:
            messages.success(request, _("Daily report submitted: %(unit)s.") % {"unit": unit.name})
        else:
            messages.warning(
                request, _("Daily report submitted after the cut-off: %(unit)s, recorded late.") % {"unit": unit.name}
            )
    return redirect("outreach_reports:today")


@login_required
def responses(request):
    """The responses the user reports under: straight to the roll-up when one is in progress."""
    _require_reports(request.user)
    rows = list(selectors.report_responses(user=request.user))
    active = [r for r in rows if r.is_active(timezone.localdate())]
    if len(active) == 1:
        return redirect("outreach_reports:rollup", active[0].pk)
    return render(request, "outreach/reports/responses.html", {"rows": rows, "today": timezone.localdate()})


@login_required
def rollup(request, pk: int):
    """The day's roll-up: each unit's figures or its absence, late units marked, sums per street."""
    _require_reports(request.user)
    response = selectors.report_response_get(user=request.user, pk=pk)
    day = _day(request.GET.get("day"))
    data = selectors.rollup(user=request.user, response=response, day=day)
    return render(
        request,
        "outreach/reports/rollup.html",
        {
            "r": data,
            "figures": selectors.FIGURES,
            "previous": day - datetime.timedelta(days=1) if day > response.starts_on else None,
            "next": day + datetime.timedelta(days=1) if day < timezone.localdate() else None,
            "is_today": day == timezone.localdate(),
        },
    )


@login_required
def history(request, pk: int):
    """Each day of the response so far: units reported, on time, late, missing."""
    _require_reports(request.user)
    response = selectors.report_response_get(user=request.user, pk=pk)
    return render(
        request,
        "outreach/reports/history.html",
        {"response": response, "days": selectors.report_days(user=request.user, response=response)},
    )


@login_required
def unreported(request):
    """The units the user may see that have not reported today (the work list's count)."""
    _require_reports(request.user)
    rows = selectors.unreported_today(user=request.user)
    return render(
        request,
        "outreach/reports/unreported.html",
        {"rows": rows, "day": timezone.localdate(), "cutoff": f"{selectors.cutoff():%H:%M}"},
    )


@login_required
def report(request, pk: int):
    """One unit's report of a day, with every version submitted."""
    found = selectors.report_get(user=request.user, pk=pk)
    return render(
        request,
        "outreach/reports/report.html",
        {"report": found, "versions": selectors.report_versions(report=found), "figures": selectors.FIGURES},
    )


def _sheet(request, pk: int, day: str) -> documents.Sheet:
    _require_reports(request.user)
    response = selectors.report_response_get(user=request.user, pk=pk)
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError as exc:
        raise Http404 from exc
    data = selectors.rollup(user=request.user, response=response, day=date)
    return documents.sheet_of(
        rollup=data,
        reporting_unit=selectors.reporting_unit_name(user=request.user, response=response),
        by=request.user,
    )


@login_required
def report_pdf(request, pk: int, day: str):
    sheet = _sheet(request, pk, day)
    response = HttpResponse(documents.report_pdf(sheet), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="daily-report-{sheet.day:%Y%m%d}.pdf"'
    return response


@login_required
def report_xlsx(request, pk: int, day: str):
    sheet = _sheet(request, pk, day)
    response = HttpResponse(documents.report_xlsx(sheet), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="daily-report-{sheet.day:%Y%m%d}.xlsx"'
    return response
