"""Towns' quarterly satisfaction surveys (through grid workers) and the rectifications they open.

A town opens a survey of one provider serving its street for a quarter, enters one answer per
elder asked (or imports them from a spreadsheet), and submits it: the answers roll up into the
persons surveyed and satisfied, and a rate below `rules.SATISFACTION_THRESHOLD` opens a
rectification due `rules.RECTIFICATION_WORKDAYS` working days after the submission. The provider
answers it with evidence, the town accepts or rejects the answer; each step is a
`RectificationStep`. An open rectification past its deadline is the district's ground to end the
provider's qualification (`TerminationGround.RECTIFICATION_OVERDUE`).
"""

import datetime
from dataclasses import dataclass

import pandas as pd
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.crypto import blind_index
from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.idnumber import parse_resident_id
from eldercare.importing import EXAMPLE_ID, EXAMPLE_NAME, TemplateColumn, import_template
from eldercare.models import Division, Elder, Role, User
from eldercare.periods import Month, Quarter
from eldercare.scoping import scope_for
from eldercare.uploads import KINDS, check_upload
from eldercare.workdays import add_workdays
from eldercare.workflow import Move, Workflow, transition

from .. import rules
from ..models import Provider, Rectification, RectificationStep, SatisfactionSurvey, SurveyAnswer
from ..services.notices import rectification_opened_notify, rectification_step_notify

SV = SatisfactionSurvey.Status
RS = Rectification.Status

# --- who may do what ------------------------------------------------------------------------


def _is_town_of(user: User, street_id: int) -> bool:
    scope = scope_for(user)
    return scope.all or (user.has_role(Role.STREET_REVIEWER) and street_id in scope.street_ids)


def _is_admin_of(user: User, provider_id: int) -> bool:
    scope = scope_for(user)
    return scope.all or (user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope.provider_ids)


def can_enter_survey(user: User, survey: SatisfactionSurvey) -> bool:
    return survey.status == SV.OPEN and _is_town_of(user, survey.street_id)


def can_answer_rectification(user: User, rectification: Rectification) -> bool:
    return rectification.status == RS.OPEN and _is_admin_of(user, rectification.provider_id)


def can_decide_rectification(user: User, rectification: Rectification) -> bool:
    return rectification.status == RS.ANSWERED and _is_town_of(user, rectification.survey.street_id)


# --- selectors ------------------------------------------------------------------------------


def survey_list(*, user: User, status: str | None = None) -> QuerySet[SatisfactionSurvey]:
    """Surveys of the user's streets (town, district, supervisor) or of the user's provider."""
    scope = scope_for(user)
    qs = SatisfactionSurvey.objects.select_related("provider", "street", "rectification").annotate(
        answer_count=Count("answers"), answer_satisfied=Count("answers", filter=Q(answers__satisfied=True))
    )
    if not scope.all:
        qs = qs.filter(Q(street_id__in=scope.street_ids) | Q(provider_id__in=scope.provider_ids))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-quarter", "street__code", "provider__name")


def survey_get(*, user: User, pk: int) -> SatisfactionSurvey:
    return get_object_or_404(survey_list(user=user), pk=pk)


def survey_answers(*, survey: SatisfactionSurvey) -> QuerySet[SurveyAnswer]:
    return survey.answers.select_related("elder", "elder__community", "by").order_by("-asked_on", "-id")


def survey_elders(*, survey: SatisfactionSurvey) -> QuerySet[Elder]:
    """Who may be asked: elders of the survey's street served by the provider during the quarter
    (an agreement signed by the quarter's end and not ended before it began). Asking anyone else
    would not measure this provider's service."""
    quarter = Month.of(survey.quarter).quarter
    served = Q(
        service_agreements__provider_id=survey.provider_id,
        service_agreements__signed_on__lte=quarter.last_day,
    ) & (Q(service_agreements__ends_on__isnull=True) | Q(service_agreements__ends_on__gte=quarter.first_day))
    ids = Elder.objects.filter(served, community__parent_id=survey.street_id).values("pk")
    return Elder.objects.filter(pk__in=ids).select_related("community")


def survey_streets(*, user: User) -> QuerySet[Division]:
    """Streets for which the user may open surveys."""
    qs = Division.objects.filter(level=Division.Level.STREET)
    scope = scope_for(user)
    if scope.all:
        return qs
    if not user.has_role(Role.STREET_REVIEWER):
        return qs.none()
    return qs.filter(pk__in=scope.street_ids)


def survey_providers(*, user: User) -> QuerySet[Provider]:
    """Providers serving a street the user may survey."""
    return (
        Provider.objects.filter(streets__in=survey_streets(user=user), status__in=SURVEYED_PROVIDER_STATUSES)
        .distinct()
        .order_by("name")
    )


def survey_quarters(today: datetime.date) -> list[Quarter]:
    """The quarters a survey may be opened for: the current one and the last closed one."""
    current = Month.of(today).quarter
    return [current.months[0].previous().quarter, current]


def rectification_list(*, user: User) -> QuerySet[Rectification]:
    scope = scope_for(user)
    qs = Rectification.objects.select_related("provider", "survey", "survey__street")
    if scope.all or user.has_role(Role.DISTRICT_REVIEWER, Role.SUPERVISOR):
        return qs
    return qs.filter(Q(survey__street_id__in=scope.street_ids) | Q(provider_id__in=scope.provider_ids))


def rectification_get(*, user: User, pk: int) -> Rectification:
    return get_object_or_404(rectification_list(user=user), pk=pk)


def rectification_overdue_q(today: datetime.date) -> Q:
    """Open (never answered, or answered and rejected) past the deadline: the ground for ending
    the provider's qualification. An answer awaiting the town's decision is not the provider's delay."""
    return Q(status=RS.OPEN, deadline__lt=today)


def is_overdue(rectification: Rectification, today: datetime.date) -> bool:
    return rectification.status == RS.OPEN and rectification.deadline < today


def rectifications_to_answer(*, user: User) -> QuerySet[Rectification]:
    """A provider admin's open rectifications."""
    if not user.has_role(Role.PROVIDER_ADMIN):
        return Rectification.objects.none()
    return rectification_list(user=user).filter(status=RS.OPEN, provider_id__in=scope_for(user).provider_ids)


def rectifications_to_decide(*, user: User) -> QuerySet[Rectification]:
    """A town's answered rectifications awaiting its decision."""
    if not user.has_role(Role.STREET_REVIEWER):
        return Rectification.objects.none()
    return rectification_list(user=user).filter(status=RS.ANSWERED, survey__street_id__in=scope_for(user).street_ids)


# --- surveys --------------------------------------------------------------------------------

# A provider is surveyed while it serves: contracted, or suspended within its contract.
SURVEYED_PROVIDER_STATUSES = (Provider.Status.CONTRACTED, Provider.Status.SUSPENDED)


def survey_open(*, provider: Provider, street: Division, quarter: Quarter, by: User) -> SatisfactionSurvey:
    """The town opens its survey of a provider serving its street for a quarter (one a quarter)."""
    if street.level != Division.Level.STREET or not _is_town_of(by, street.pk):
        raise NotAllowed(_("Only the street office or town may survey its own street."))
    if provider.status not in SURVEYED_PROVIDER_STATUSES or not provider.streets.filter(pk=street.pk).exists():
        raise ValidationFailed(_("This provider does not serve this street."))
    if quarter.first_day > timezone.localdate():
        raise ValidationFailed(_("A quarter that has not begun cannot be surveyed."))
    if not survey_elders(
        survey=SatisfactionSurvey(provider=provider, street=street, quarter=quarter.first_day)
    ).exists():
        raise ValidationFailed(
            _("%(provider)s served no elder of %(street)s in %(quarter)s: there is nobody to ask.")
            % {"provider": provider.name, "street": street.name, "quarter": quarter}
        )
    try:
        with transaction.atomic():
            return SatisfactionSurvey.objects.create(
                provider=provider, street=street, quarter=quarter.first_day, status=SV.OPEN, by=by
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(street)s already has a survey of %(provider)s for %(quarter)s.")
            % {"street": street.name, "provider": provider.name, "quarter": quarter}
        ) from exc


def _check_asked_on(survey: SatisfactionSurvey, asked_on: datetime.date) -> str:
    """The reason the date cannot be used, or ''."""
    if asked_on > timezone.localdate():
        return _("The date cannot be in the future.")
    if asked_on < survey.quarter:
        return _("The elder must be asked during or after the surveyed quarter (from %(day)s).") % {
            "day": survey.quarter
        }
    return ""


def _check_entry(survey: SatisfactionSurvey, by: User) -> None:
    if not _is_town_of(by, survey.street_id):
        raise NotAllowed(_("Only the street office or town that opened the survey may enter its answers."))
    if survey.status != SV.OPEN:
        raise Conflict(_("This survey is submitted; its answers can no longer change."))


@transaction.atomic
def survey_answer_record(
    *, survey: SatisfactionSurvey, elder: Elder, satisfied: bool, asked_on: datetime.date, by: User, note: str = ""
) -> SurveyAnswer:
    """One elder's answer, as the grid worker reports it."""
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    _check_entry(survey, by)
    if not survey_elders(survey=survey).filter(pk=elder.pk).exists():
        raise ValidationFailed(
            _("%(name)s is not an elder of this street served by %(provider)s in that quarter.")
            % {"name": elder.name, "provider": survey.provider.name}
        )
    problem = _check_asked_on(survey, asked_on)
    if problem:
        raise ValidationFailed(problem)
    try:
        with transaction.atomic():
            return SurveyAnswer.objects.create(
                survey=survey, elder=elder, satisfied=satisfied, asked_on=asked_on, note=note, by=by
            )
    except IntegrityError as exc:
        raise Conflict(_("%(name)s has already answered this survey.") % {"name": elder.name}) from exc


@transaction.atomic
def survey_answer_remove(*, answer: SurveyAnswer, by: User) -> None:
    """Take back an answer entered by mistake, while the survey is still being entered."""
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=answer.survey_id)
    _check_entry(survey, by)
    answer.delete()


# Columns of the import spreadsheet (the template's header row).
COL_ID, COL_NAME, COL_ANSWER, COL_DATE, COL_NOTE = "身份证号", "姓名", "是否满意", "询问日期", "备注"
IMPORT_COLUMNS = (COL_ID, COL_NAME, COL_ANSWER, COL_DATE, COL_NOTE)
REQUIRED_COLUMNS = (COL_ID, COL_NAME, COL_ANSWER, COL_DATE)
ANSWERS = {"满意": True, "不满意": False}
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 2000


class SurveyImportFailed(ValidationFailed):
    """Rows of an import that cannot be taken; nothing was written."""

    def __init__(self, message: str, errors: list[str]):
        super().__init__(message)
        self.errors = errors


def survey_import_template(*, today: datetime.date) -> bytes:
    """The spreadsheet grid workers fill in: the header row, one example row (the example elder of
    every import template, asked today) and the notes sheet."""
    notes = {
        COL_ID: ("18 位居民身份证号码，须为该街道、该服务商服务的老人", EXAMPLE_ID),
        COL_NAME: ("与身份证一致", EXAMPLE_NAME),
        COL_ANSWER: ("、".join(ANSWERS), "满意"),
        COL_DATE: ("日期，如 2026-03-20，须在测评季度内且不晚于今天", today.isoformat()),
        COL_NOTE: ("", ""),
    }
    return import_template(
        [TemplateColumn(c, c in REQUIRED_COLUMNS, *notes[c]) for c in IMPORT_COLUMNS], sheet="满意度测评"
    )


@dataclass
class _Row:
    line: int
    elder: Elder
    satisfied: bool
    asked_on: datetime.date
    note: str


def _read_sheet(upload) -> pd.DataFrame:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The spreadsheet is too large; at most 2 MB is accepted."))
    try:
        upload.seek(0)
        frame = pd.read_excel(upload, dtype=str, engine="openpyxl", keep_default_na=False)
    except Exception as exc:  # openpyxl raises many kinds on a file that is not a workbook
        raise ValidationFailed(_("The file is not an Excel workbook (.xlsx).")) from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValidationFailed(_("The spreadsheet lacks the columns: %(columns)s.") % {"columns": "、".join(missing)})
    if len(frame) > MAX_IMPORT_ROWS:
        raise ValidationFailed(_("At most %(n)s rows can be imported at once.") % {"n": MAX_IMPORT_ROWS})
    return frame


def _parse_day(text: str) -> datetime.date | None:
    text = text.strip()
    if not text:
        return None
    # Excel dates come back as "2026-03-20 00:00:00"; typed ones as 2026-03-20 or 2026/3/20.
    text = text.split(" ")[0].replace("/", "-").replace(".", "-")
    try:
        y, m, d = (int(x) for x in text.split("-"))
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _validate_rows(survey: SatisfactionSurvey, frame: pd.DataFrame) -> tuple[list[_Row], list[str]]:
    eligible = survey_elders(survey=survey)
    answered = set(survey.answers.values_list("elder_id", flat=True))
    digests: dict[int, str] = {}
    errors: list[str] = []
    parsed: list[tuple[int, str, dict]] = []
    for i, record in enumerate(frame.to_dict("records")):
        line = i + 2  # the header is row 1
        cells = {k: str(record.get(k, "") or "").strip() for k in IMPORT_COLUMNS}
        if not any(cells.values()):
            continue
        try:
            number = parse_resident_id(cells[COL_ID]).number
        except ValidationFailed as exc:
            errors.append(_("Row %(row)s: %(problem)s") % {"row": line, "problem": exc.message})
            continue
        digests[line] = blind_index(number)
        parsed.append((line, digests[line], cells))
    found = {e.id_digest: e for e in eligible.filter(id_digest__in=set(digests.values()))}
    seen: dict[int, int] = {}
    rows: list[_Row] = []
    for line, digest, cells in parsed:
        problems = []
        elder = found.get(digest)
        if elder is None:
            problems.append(_("no elder of this street served by this provider has this ID number"))
        elif cells[COL_NAME] != elder.name:
            problems.append(_("the name does not match the ID number"))
        elif elder.pk in answered:
            problems.append(_("this elder has already answered this survey"))
        elif elder.pk in seen:
            problems.append(_("the same elder as row %(row)s") % {"row": seen[elder.pk]})
        if cells[COL_ANSWER] not in ANSWERS:
            problems.append(_("write 满意 or 不满意 as the answer"))
        day = _parse_day(cells[COL_DATE])
        if day is None:
            problems.append(_("write the date asked like 2026-03-20"))
        else:
            problem = _check_asked_on(survey, day)
            if problem:
                problems.append(problem)
        if problems:
            errors.append(_("Row %(row)s: %(problem)s") % {"row": line, "problem": "；".join(problems)})
            continue
        assert elder is not None and day is not None
        seen[elder.pk] = line
        rows.append(_Row(line, elder, ANSWERS[cells[COL_ANSWER]], day, cells[COL_NOTE][:200]))
    return rows, errors


@transaction.atomic
def survey_answers_import(*, survey: SatisfactionSurvey, upload: UploadedFile, by: User) -> list[SurveyAnswer]:
    """Answers from a spreadsheet: every row is checked first; one bad row and nothing is written."""
    survey = SatisfactionSurvey.objects.select_for_update().get(pk=survey.pk)
    _check_entry(survey, by)
    frame = _read_sheet(upload)
    rows, errors = _validate_rows(survey, frame)
    if errors:
        raise SurveyImportFailed(
            _("%(n)s rows cannot be imported; nothing was saved. Correct them and import the file again.")
            % {"n": len(errors)},
            errors,
        )
    if not rows:
        raise ValidationFailed(_("The spreadsheet holds no answers."))
    return SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(survey=survey, elder=r.elder, satisfied=r.satisfied, asked_on=r.asked_on, note=r.note, by=by)
            for r in rows
        ]
    )


def _open_rectification_if_low(survey: SatisfactionSurvey, day: datetime.date) -> Rectification | None:
    """The one place where a survey's rate opens a rectification, due some working days after `day`."""
    rate = rules.satisfaction_rate(surveyed=survey.surveyed, satisfied=survey.satisfied)
    if not rules.needs_rectification(rate):
        return None
    rectification = Rectification.objects.create(
        provider=survey.provider, survey=survey, deadline=add_workdays(day, rules.RECTIFICATION_WORKDAYS)
    )
    rectification_opened_notify(rectification=rectification)
    return rectification


@transaction.atomic
def survey_submit(*, survey: SatisfactionSurvey, by: User) -> SatisfactionSurvey:
    """Roll the answers up into the persons surveyed and satisfied; below 80 % opens a rectification."""
    survey = SatisfactionSurvey.objects.select_for_update().select_related("provider").get(pk=survey.pk)
    if not _is_town_of(by, survey.street_id):
        raise NotAllowed(_("Only the street office or town that opened the survey may submit it."))
    if survey.status != SV.OPEN:
        raise Conflict(_("This survey is already submitted."))
    counts = survey.answers.aggregate(n=Count("pk"), yes=Count("pk", filter=Q(satisfied=True)))
    if not counts["n"]:
        raise ValidationFailed(_("Enter at least one answer before submitting."))
    now = timezone.now()
    survey.surveyed, survey.satisfied = counts["n"], counts["yes"]
    survey.status, survey.submitted_at = SV.SUBMITTED, now
    survey.save(update_fields=["surveyed", "satisfied", "status", "submitted_at", "updated_at"])
    _open_rectification_if_low(survey, timezone.localdate(now))
    return survey


@transaction.atomic
def survey_record(
    *, provider: Provider, street: Division, quarter: Quarter, surveyed: int, satisfied: int, by: User
) -> SatisfactionSurvey:
    """A town's survey already counted on paper: the totals only, submitted at once."""
    if not _is_town_of(by, street.pk):
        raise NotAllowed(_("Only the street office or town may record its satisfaction survey."))
    if surveyed <= 0 or not 0 <= satisfied <= surveyed:
        raise ValidationFailed(_("The numbers surveyed and satisfied do not add up."))
    now = timezone.now()
    try:
        with transaction.atomic():
            survey = SatisfactionSurvey.objects.create(
                provider=provider,
                street=street,
                quarter=quarter.first_day,
                surveyed=surveyed,
                satisfied=satisfied,
                status=SV.SUBMITTED,
                submitted_at=now,
                by=by,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(street)s already has a survey of %(provider)s for %(quarter)s.")
            % {"street": street.name, "provider": provider.name, "quarter": quarter}
        ) from exc
    _open_rectification_if_low(survey, timezone.localdate(now))
    return survey


# --- rectification --------------------------------------------------------------------------

# The provider answers an open rectification; the town accepts the answer, or rejects it with a
# reason and the rectification is open again (its deadline unchanged).
RECTIFICATION_WORKFLOW = Workflow(
    [
        Move(RS.OPEN, RS.ANSWERED, frozenset({Role.PROVIDER_ADMIN})),
        Move(RS.ANSWERED, RS.RESOLVED, frozenset({Role.STREET_REVIEWER})),
        Move(RS.ANSWERED, RS.OPEN, frozenset({Role.STREET_REVIEWER}), reason_required=True),
    ]
)


def check_evidence(upload: UploadedFile) -> str:
    """Evidence is a PDF or a JPEG or PNG image (UPLOAD_MAX_BYTES at most), judged from its whole
    content, not its name; its kind is returned."""
    return check_upload(upload, kinds=("pdf", "jpeg", "png"))


def _step(
    rectification: Rectification,
    kind: str,
    text: str,
    by: User,
    evidence: UploadedFile | None = None,
    evidence_kind: str = "",
):
    def record(_from: str) -> RectificationStep:
        step = RectificationStep(rectification=rectification, kind=kind, text=text, by=by)
        if evidence is not None:
            evidence.seek(0)
            extension = KINDS[evidence_kind].extension
            step.evidence.save(f"rectification-{rectification.pk}.{extension}", evidence, save=False)
        step.save()
        return step

    return record


def _locked(rectification: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("survey", "provider").get(pk=rectification.pk)


@transaction.atomic
def rectification_answer(
    *, rectification: Rectification, text: str, evidence: UploadedFile | None, by: User
) -> Rectification:
    """The provider states how it corrected the problem, with evidence; the town then decides."""
    rectification = _locked(rectification)
    if not text.strip():
        raise ValidationFailed(_("Describe how the problem was corrected."))
    if evidence is None:
        raise ValidationFailed(_("Attach the evidence of the correction (PDF, JPEG or PNG)."))
    evidence_kind = check_evidence(evidence)
    step = transition(
        rectification,
        workflow=RECTIFICATION_WORKFLOW,
        to=RS.ANSWERED,
        by=by,
        covers=lambda: _is_admin_of(by, rectification.provider_id),
        refused=lambda: Conflict(_("Only an open rectification can be answered.")),
        forbidden=lambda: NotAllowed(_("Only the provider's administrator may answer its rectification.")),
        record=_step(rectification, RectificationStep.Kind.ANSWER, text.strip(), by, evidence, evidence_kind),
    )
    rectification_step_notify(rectification=rectification, step=step)
    return rectification


@transaction.atomic
def rectification_accept(*, rectification: Rectification, resolution: str, by: User) -> Rectification:
    """The town accepts the provider's answer: the rectification is resolved."""
    rectification = _locked(rectification)
    resolution = resolution.strip() or _("Correction accepted.")
    transition(
        rectification,
        workflow=RECTIFICATION_WORKFLOW,
        to=RS.RESOLVED,
        by=by,
        covers=lambda: _is_town_of(by, rectification.survey.street_id),
        refused=lambda: Conflict(_("Only an answered rectification can be accepted or rejected.")),
        forbidden=lambda: NotAllowed(_("Only the street office or town that surveyed may decide.")),
        record=_step(rectification, RectificationStep.Kind.ACCEPT, resolution, by),
        fields={"resolution": resolution, "resolved_at": timezone.now()},
    )
    return rectification


@transaction.atomic
def rectification_reject(*, rectification: Rectification, reason: str, by: User) -> Rectification:
    """The town rejects the answer with a reason: open again, the deadline unchanged."""
    rectification = _locked(rectification)
    step = transition(
        rectification,
        workflow=RECTIFICATION_WORKFLOW,
        to=RS.OPEN,
        by=by,
        reason=reason,
        covers=lambda: _is_town_of(by, rectification.survey.street_id),
        refused=lambda: Conflict(_("Only an answered rectification can be accepted or rejected.")),
        forbidden=lambda: NotAllowed(_("Only the street office or town that surveyed may decide.")),
        reason_missing=lambda: ValidationFailed(_("Give the reason for rejecting the answer.")),
        record=_step(rectification, RectificationStep.Kind.REJECT, reason.strip(), by),
    )
    rectification_step_notify(rectification=rectification, step=step)
    return rectification
