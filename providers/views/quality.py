"""Supervision: callbacks, visit frequency, community callbacks, surveys and rectifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from eldercare.errors import DomainError
from eldercare.exports import XLSX, document_response
from eldercare.hub import HubSection
from eldercare.models import Role
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.paging import page_of
from eldercare.periods import Month, Quarter

from .. import quality, rules
from ..forms.quality import (
    ContactForm,
    RectificationAnswerForm,
    RectificationDecisionForm,
    SurveyAnswerForm,
    SurveyImportForm,
    SurveyOpenForm,
)
from ..models import Callback, RectificationStep, SatisfactionSurvey, SurveyAnswer
from .common import run_service

# --- callbacks and frequency ----------------------------------------------------------------


@login_required
def callbacks_due(request):
    """The callbacks due: the provider's (100% of visits) and the district's sample; `?source=`
    shows one of them (the work list's panels link to theirs)."""
    today = timezone.localdate()
    source = request.GET.get("source", "")
    user = request.user
    provider_due = (
        quality.provider_callbacks_due(user=user, until=today)
        if (user.has_role(Role.PROVIDER_ADMIN) or user.is_superuser) and source != Callback.Source.DISTRICT
        else None
    )
    district_due = (
        quality.district_callbacks_due(user=user)
        if (user.has_role(Role.DISTRICT_REVIEWER) or user.is_superuser) and source != Callback.Source.PROVIDER
        else None
    )
    # Two lists on one page: each pages with its own parameter; the count is both lists in full.
    provider_page = (
        page_of(request, provider_due.order_by("scheduled_at", "pk"), param="page")
        if provider_due is not None
        else None
    )
    district_page = (
        page_of(request, district_due.order_by("scheduled_at", "pk"), param="sample")
        if district_due is not None
        else None
    )
    total = sum(p.paginator.count for p in (provider_page, district_page) if p is not None)
    return render(
        request,
        "providers/callbacks.html",
        {
            "provider_due": provider_page,
            "district_due": district_page,
            "total": total,
            "source": Callback.Source,
        },
    )


@login_required
def frequency_report(request):
    try:
        month = Month.parse(request.GET.get("month", "")) if request.GET.get("month") else Month.current().previous()
    except DomainError:
        month = Month.current().previous()
    report = quality.visit_frequency_report(user=request.user, month=month, page=request.GET.get("page") or 1)
    return render(request, "providers/frequency.html", {"report": report, "month": month, "page": report.page})


@login_required
def community_contacts(request):
    quarter = Month.current().quarter
    form = ContactForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if run_service(
            request, quality.community_contact_record, _("Callback recorded."), by=request.user, **form.cleaned_data
        ):
            return redirect("providers:community_contacts")
    quotas = quality.community_contact_quota(user=request.user, quarter=quarter)
    return render(request, "providers/community_contacts.html", {"quotas": quotas, "quarter": quarter, "form": form})


# --- satisfaction surveys -------------------------------------------------------------------


def _open_form(request, data=None) -> SurveyOpenForm:
    return SurveyOpenForm(
        data,
        streets=quality.survey_streets(user=request.user),
        providers=quality.survey_providers(user=request.user),
        quarters=quality.survey_quarters(timezone.localdate()),
    )


@login_required
def survey_list(request):
    can_open = quality.survey_streets(user=request.user).exists()
    form = _open_form(request, request.POST or None) if can_open else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            survey = run_service(
                request,
                quality.survey_open,
                _("The survey is open: enter the answers of the elders asked."),
                provider=d["provider"],
                street=d["street"],
                quarter=Quarter.parse(d["quarter"]),
                by=request.user,
            )
            if survey:
                return redirect("providers:survey_detail", survey.pk)
    surveys = quality.survey_list(user=request.user)
    if request.GET.get("todo") == "enter":
        # The work list's surveys still being entered by the user's towns.
        surveys = _surveys_being_entered(request.user)
    rows = page_of(request, surveys)
    total = rows.paginator.count
    for s in rows:
        s.period = Month.of(s.quarter).quarter
    return render(
        request,
        "providers/surveys/list.html",
        {"rows": rows, "total": total, "form": form, "threshold": rules.SATISFACTION_THRESHOLD},
    )


def _survey_page(request, survey: SatisfactionSurvey, *, answer_form=None, import_form=None, import_errors=()):
    editable = quality.can_enter_survey(request.user, survey)
    if editable and answer_form is None:
        answer_form = SurveyAnswerForm(user=request.user, elders=quality.survey_elders(survey=survey))
    return render(
        request,
        "providers/surveys/detail.html",
        {
            "survey": survey,
            "period": Month.of(survey.quarter).quarter,
            "answers": quality.survey_answers(survey=survey),
            "editable": editable,
            "answer_form": answer_form if editable else None,
            "import_form": (import_form or SurveyImportForm()) if editable else None,
            "import_errors": import_errors,
            "columns": quality.IMPORT_COLUMNS,
            "rectification": getattr(survey, "rectification", None),
            "threshold": rules.SATISFACTION_THRESHOLD,
        },
    )


@login_required
def survey_detail(request, pk):
    survey = quality.survey_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _survey_page(request, survey)
    form = SurveyAnswerForm(request.POST, user=request.user, elders=quality.survey_elders(survey=survey))
    if form.is_valid():
        d = form.cleaned_data
        try:
            quality.survey_answer_record(survey=survey, by=request.user, **d)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Answer of %(name)s saved.") % {"name": d["elder"].name})
            return redirect("providers:survey_detail", survey.pk)
    return _survey_page(request, survey, answer_form=form)


@login_required
@require_POST
def survey_answer_remove(request, pk, answer_pk):
    survey = quality.survey_get(user=request.user, pk=pk)
    answer = get_object_or_404(SurveyAnswer, pk=answer_pk, survey=survey)
    run_service(request, quality.survey_answer_remove, _("The answer was removed."), answer=answer, by=request.user)
    return redirect("providers:survey_detail", survey.pk)


@login_required
@require_POST
def survey_import(request, pk):
    survey = quality.survey_get(user=request.user, pk=pk)
    form = SurveyImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _survey_page(request, survey, import_form=form)
    try:
        created = quality.survey_answers_import(survey=survey, upload=form.cleaned_data["file"], by=request.user)
    except quality.SurveyImportFailed as exc:
        messages.error(request, exc.message)
        return _survey_page(request, survey, import_form=form, import_errors=exc.errors)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _survey_page(request, survey, import_form=form)
    messages.success(request, _("%(n)s answers imported.") % {"n": len(created)})
    return redirect("providers:survey_detail", survey.pk)


@login_required
def survey_import_template(request):
    """The answers' import template, for those who enter surveys (the towns)."""
    if not quality.survey_streets(user=request.user).exists():
        raise PermissionDenied
    return document_response(
        quality.survey_import_template(today=timezone.localdate()),
        content_type=XLSX,
        filename="survey-answers.xlsx",
    )


@login_required
@require_POST
def survey_submit(request, pk):
    survey = quality.survey_get(user=request.user, pk=pk)
    done = run_service(request, quality.survey_submit, _("The survey is submitted."), survey=survey, by=request.user)
    if done is not None and hasattr(done, "rectification"):
        messages.warning(
            request,
            _("Satisfaction is %(rate)s%%, below %(threshold)s%%: a rectification is due by %(deadline)s.")
            % {
                "rate": done.rate,
                "threshold": rules.SATISFACTION_THRESHOLD,
                "deadline": done.rectification.deadline,
            },
        )
    return redirect("providers:survey_detail", survey.pk)


# --- rectifications -------------------------------------------------------------------------


@login_required
def rectifications(request):
    """The rectifications the user may see; `?todo=` narrows them to a work list's: `answer` (the
    provider's open ones), `decide` (the town's answered ones), `overdue` (open past the deadline)."""
    user, today = request.user, timezone.localdate()
    todo = request.GET.get("todo", "")
    if todo == "answer":
        rows = quality.rectifications_to_answer(user=user)
    elif todo == "decide":
        rows = quality.rectifications_to_decide(user=user)
    elif todo == "overdue":
        rows = quality.rectification_list(user=user).filter(status="open", deadline__lt=today)
    else:
        rows = quality.rectification_list(user=user)
    return render(
        request,
        "providers/rectifications.html",
        {"rows": rows, "total": rows.count(), "today": today, "quarter": Quarter},
    )


def _rectification_page(request, rect, *, answer_form=None, decision_form=None):
    today = timezone.localdate()
    can_answer = quality.can_answer_rectification(request.user, rect)
    can_decide = quality.can_decide_rectification(request.user, rect)
    return render(
        request,
        "providers/surveys/rectification.html",
        {
            "r": rect,
            "survey": rect.survey,
            "period": Month.of(rect.survey.quarter).quarter,
            "steps": rect.steps.select_related("by"),
            "overdue": quality.is_overdue(rect, today),
            "today": today,
            "answer_form": (answer_form or RectificationAnswerForm()) if can_answer else None,
            "decision_form": (decision_form or RectificationDecisionForm()) if can_decide else None,
            "is_district": request.user.has_role(Role.DISTRICT_REVIEWER) or request.user.is_superuser,
            "threshold": rules.SATISFACTION_THRESHOLD,
            "workdays": rules.RECTIFICATION_WORKDAYS,
        },
    )


@login_required
def rectification_detail(request, pk):
    return _rectification_page(request, quality.rectification_get(user=request.user, pk=pk))


@login_required
@require_POST
def rectification_answer(request, pk):
    rect = quality.rectification_get(user=request.user, pk=pk)
    form = RectificationAnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            quality.rectification_answer(
                rectification=rect,
                text=form.cleaned_data["text"],
                evidence=form.cleaned_data["evidence"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The answer is sent to the street office or town."))
            return redirect("providers:rectification_detail", rect.pk)
    return _rectification_page(request, rect, answer_form=form)


@login_required
@require_POST
def rectification_decide(request, pk):
    rect = quality.rectification_get(user=request.user, pk=pk)
    form = RectificationDecisionForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("text", "")
    accept = request.POST.get("decision") == "accept"
    try:
        if accept:
            quality.rectification_accept(rectification=rect, resolution=text, by=request.user)
        else:
            quality.rectification_reject(rectification=rect, reason=text, by=request.user)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _rectification_page(request, rect, decision_form=form)
    messages.success(
        request,
        _("The rectification is resolved.")
        if accept
        else _("The answer is rejected; the rectification is open again."),
    )
    return redirect("providers:rectification_detail", rect.pk)


@login_required
def rectification_evidence(request, pk):
    step = get_object_or_404(RectificationStep, pk=pk)
    quality.rectification_get(user=request.user, pk=step.rectification_id)  # 404 outside the scope
    if not step.evidence:
        raise Http404
    name = step.evidence.name.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower()
    content_type = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}.get(ext)
    if content_type is None:
        raise Http404
    response = FileResponse(step.evidence.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("callbacks/", callbacks_due, name="callbacks"),
    path("frequency/", frequency_report, name="frequency"),
    path("community-callbacks/", community_contacts, name="community_contacts"),
    path("surveys/", survey_list, name="survey_list"),
    path("surveys/template.xlsx", survey_import_template, name="survey_import_template"),
    path("surveys/<int:pk>/", survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/import/", survey_import, name="survey_import"),
    path("surveys/<int:pk>/submit/", survey_submit, name="survey_submit"),
    path("surveys/<int:pk>/answers/<int:answer_pk>/remove/", survey_answer_remove, name="survey_answer_remove"),
    path("rectifications/", rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/answer/", rectification_answer, name="rectification_answer"),
    path("rectifications/<int:pk>/decide/", rectification_decide, name="rectification_decide"),
    path("rectifications/evidence/<int:pk>/", rectification_evidence, name="rectification_evidence"),
]

# Menu entries and home-page panels of this area (registered by ProvidersConfig.ready()).
NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(
        gettext_lazy("Satisfaction surveys"),
        "providers:survey_list",
        (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SUPERVISOR),
        47,
        NavGroup.SERVICES,
    ),
)


def _surveys_being_entered(user):
    """The open surveys of the user's own towns (the work list's and the list's `?todo=enter`)."""
    return quality.survey_list(user=user, status=SatisfactionSurvey.Status.OPEN).filter(
        street_id__in=quality.survey_streets(user=user).values("pk")
    )


def _row(r, detail: str, flag: bool = False) -> dict:
    return {
        "label": f"{r.provider} · {r.survey.street} {Month.of(r.survey.quarter).quarter}",
        "url": reverse("providers:rectification_detail", args=[r.pk]),
        "detail": detail,
        "flag": flag,
    }


def worklist(user) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    today = timezone.localdate()
    if user.has_role(Role.PROVIDER_ADMIN):
        due = quality.rectifications_to_answer(user=user)
        panels.append(
            WorkPanel(
                gettext_lazy("Rectifications to answer"),
                [_row(r, _("deadline %(day)s") % {"day": r.deadline}, quality.is_overdue(r, today)) for r in due[:8]],
                reverse("providers:rectifications") + "?todo=answer",
                due.count(),
            )
        )
    if user.has_role(Role.STREET_REVIEWER):
        answered = quality.rectifications_to_decide(user=user)
        panels.append(
            WorkPanel(
                gettext_lazy("Rectification answers to decide"),
                [_row(r, r.get_status_display()) for r in answered[:8]],
                reverse("providers:rectifications") + "?todo=decide",
                answered.count(),
            )
        )
        entering = _surveys_being_entered(user)
        panels.append(
            WorkPanel(
                gettext_lazy("Satisfaction surveys being entered"),
                [
                    {
                        "label": f"{s.provider} · {s.street} {Month.of(s.quarter).quarter}",
                        "url": reverse("providers:survey_detail", args=[s.pk]),
                        "detail": _("%(n)s answers") % {"n": s.answer_count},
                        "flag": False,
                    }
                    for s in entering[:8]
                ],
                reverse("providers:survey_list") + "?todo=enter",
                entering.count(),
            )
        )
    return panels


def hub_sections(user, elder) -> list[HubSection]:
    """What this area shows on the elder's page (eldercare.hub)."""
    return []
