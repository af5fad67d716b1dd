"""Applications and their review: filing, materials, the workflow, objections, batches, reminders.

The workflow is the table `MOVES`; `application_transition` is the only code that changes an
application's status. It locks the row (select_for_update), checks the user's role and
jurisdiction, the case's state and readiness, writes the status and one `ApplicationEvent` row in
the same transaction.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import DifficultyCategory, Division, Elder, LifeStatus, Role, User
from eldercare.periods import Month
from eldercare.scoping import scope_for
from eldercare.tasks import enqueue_on_commit
from eldercare.workdays import CalendarCache, add_workdays, workdays_between
from eldercare.workflow import Move, Workflow, transition_apply
from subsidies.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    CareSituation,
    DecisionNotice,
    IntakeBatch,
    MaterialType,
    Objection,
    RequiredMaterial,
)
from subsidies.applications.models import ApplicationStatus as S
from subsidies.applications.rules import (
    COMMUNITY_STAGES,
    COMMUNITY_WORKDAYS,
    DISTRICT_WORKDAYS,
    NOTICE_MIN_WORKDAYS,
    STAGE_ROLE,
    STREET_WORKDAYS,
    EligibilityFacts,
    eligibility_problems,
)
from subsidies.applications.services.approval import approval_standard
from subsidies.applications.services.notices import application_event_notify
from subsidies.applications.services.numbering import decision_notice_create
from subsidies.applications.tasks import generate_decision_notice
from subsidies.standards.models import CareLevel, Entitlement, Scheme
from subsidies.standards.rules import PersonFacts, standard_for
from subsidies.standards.selectors import policy_spec_for


class Ineligible(ValidationFailed):
    code = "ineligible"


class MaterialMissing(ValidationFailed):
    code = "material_missing"


class NoticeTooShort(ValidationFailed):
    code = "notice_too_short"


class NoStandard(ValidationFailed):
    code = "no_standard"


class ObjectionsOpen(Conflict):
    code = "objections_open"


class AlreadyMoved(Conflict):
    code = "already_moved"


def today() -> datetime.date:
    return timezone.localdate()


# --- who acts at which stage -------------------------------------------------------------------

# Returning a case goes one step back, for correction.
RETURN_TO: dict[str, str] = {
    S.COMMUNITY_REVIEW: S.FILED,
    S.PUBLIC_NOTICE: S.COMMUNITY_REVIEW,
    S.COMMUNITY_DECISION: S.COMMUNITY_REVIEW,
    S.STREET_REVIEW: S.COMMUNITY_DECISION,
    S.ASSESSMENT: S.STREET_REVIEW,
    S.DISTRICT_DECISION: S.ASSESSMENT,
}


@dataclass(frozen=True)
class Action:
    """A named step of the review as the pages offer it; the workflow table is built from these."""

    label: object  # lazy translation
    sources: tuple[str, ...]
    target: str | None  # None: RETURN_TO[source]
    roles: tuple[str, ...] = ()  # empty: the role responsible for the source stage
    opinion_required: bool = False
    forward: bool = False  # a forward move re-checks materials and eligibility
    manual: bool = True  # offered as a button (False: done through its own page or service)


MOVES: dict[str, Action] = {
    "accept": Action(gettext_lazy("Accept (materials complete)"), (S.FILED,), S.COMMUNITY_REVIEW, forward=True),
    "notice_start": Action(
        gettext_lazy("Post the public notice"), (S.COMMUNITY_REVIEW,), S.PUBLIC_NOTICE, forward=True
    ),
    "notice_close": Action(gettext_lazy("Close the public notice"), (S.PUBLIC_NOTICE,), S.COMMUNITY_DECISION),
    "forward": Action(
        gettext_lazy("Community approval: send to the street office"),
        (S.COMMUNITY_DECISION,),
        S.STREET_REVIEW,
        opinion_required=True,
        forward=True,
    ),
    "street_approve": Action(
        gettext_lazy("Street office approval: send to assessment"),
        (S.STREET_REVIEW,),
        S.ASSESSMENT,
        opinion_required=True,
        forward=True,
    ),
    "assess": Action(gettext_lazy("Record the assessment"), (S.ASSESSMENT,), S.DISTRICT_DECISION, manual=False),
    "approve": Action(
        gettext_lazy("District approval"), (S.DISTRICT_DECISION,), S.APPROVED, opinion_required=True, forward=True
    ),
    "reject": Action(
        gettext_lazy("Reject"),
        (S.COMMUNITY_REVIEW, S.PUBLIC_NOTICE, S.COMMUNITY_DECISION, S.STREET_REVIEW, S.DISTRICT_DECISION),
        S.REJECTED,
        opinion_required=True,
    ),
    "return": Action(gettext_lazy("Return one step for correction"), tuple(RETURN_TO), None, opinion_required=True),
    "withdraw": Action(
        gettext_lazy("Withdraw (at the applicant's request)"),
        OPEN_STATUSES,
        S.WITHDRAWN,
        (Role.COMMUNITY_WORKER,),
        True,
    ),
}


def _target(action: Action, source: str) -> str:
    return action.target or RETURN_TO[source]


def _roles_for(action: Action, status: str) -> tuple[str, ...]:
    return action.roles or (STAGE_ROLE[status],)


# The workflow table: every (from, to) move of every action, with the roles that may make it.
WORKFLOW = Workflow(
    Move(source, _target(action, source), frozenset(_roles_for(action, source)), action.opinion_required)
    for action in MOVES.values()
    for source in action.sources
)


def in_scope(user: User, community_id: int) -> bool:
    scope = scope_for(user)
    return scope.covers_community(community_id)


def allowed_actions(*, application: Application, user: User) -> list[str]:
    """The moves the user could make now (readiness is checked when the move is made)."""
    if not in_scope(user, application.community_id):
        return []
    return [
        name
        for name, move in MOVES.items()
        if move.manual
        and application.status in move.sources
        and WORKFLOW.allows(user, application.status, _target(move, application.status))
    ]


# --- readiness: eligibility and materials ------------------------------------------------------


def _facts(elder: Elder, *, exclude_application_id: int | None) -> EligibilityFacts:
    others = Application.objects.filter(elder=elder, status__in=OPEN_STATUSES)
    if exclude_application_id:
        others = others.exclude(pk=exclude_application_id)
    return EligibilityFacts(
        birth_date=elder.birth_date,
        hukou_in_district=elder.hukou_in_district,
        resident_since=elder.resident_since,
        alive_and_present=elder.life_status == LifeStatus.ACTIVE,
        disqualified=elder.disqualified_at is not None,
        has_other_open_application=others.exists(),
        has_active_entitlement=Entitlement.objects.filter(elder=elder, status=Entitlement.Status.ACTIVE).exists(),
    )


def application_eligibility(*, application: Application) -> list[str]:
    """The failing rules for the case, judged on its filing date."""
    facts = _facts(application.elder, exclude_application_id=application.pk)
    return eligibility_problems(facts, on=application.filed_on)


def required_materials(*, care_situation: str, categories: list[str]) -> list[str]:
    conditions = [RequiredMaterial.ALWAYS, *categories]
    if care_situation == CareSituation.NON_SELF_CARE:
        conditions.append(RequiredMaterial.NON_SELF_CARE)
    types = RequiredMaterial.objects.filter(condition__in=conditions).values_list("material_type", flat=True)
    order = list(MaterialType.values)
    return sorted(set(types), key=order.index)


def missing_materials(*, application: Application) -> list[str]:
    """The required material types not yet uploaded, in the table's order."""
    present = set(application.materials.values_list("material_type", flat=True))
    return [
        t
        for t in required_materials(care_situation=application.care_situation, categories=application.categories)
        if t not in present
    ]


def _check_ready(application: Application) -> None:
    missing = missing_materials(application=application)
    if missing:
        labels = dict(MaterialType.choices)
        raise MaterialMissing(
            _("Required material missing: %(names)s.") % {"names": "、".join(str(labels[m]) for m in missing)},
            missing=missing,
        )
    problems = application_eligibility(application=application)
    if problems:
        raise Ineligible(" ".join(problems), problems=problems)


# --- deadlines ---------------------------------------------------------------------------------


def _enter_stage(application: Application, source: str, target: str, day: datetime.date) -> None:
    if target in COMMUNITY_STAGES:
        if source not in COMMUNITY_STAGES or application.deadline is None:
            application.stage_started_on = day
            application.deadline = add_workdays(day, COMMUNITY_WORKDAYS)
        return
    application.stage_started_on = day
    if target == S.STREET_REVIEW:
        application.deadline = add_workdays(day, STREET_WORKDAYS)
    elif target == S.DISTRICT_DECISION:
        application.deadline = add_workdays(day, DISTRICT_WORKDAYS)
    else:
        application.deadline = None


def days_left(
    application: Application, on: datetime.date | None = None, *, calendar: CalendarCache | None = None
) -> int | None:
    """Working days until the stage's deadline; negative when overdue, None without a deadline.

    A list passes one `calendar` for all its rows, so that each year is looked up once."""
    if application.deadline is None or not application.is_open:
        return None
    return workdays_between(on or today(), application.deadline, calendar=calendar)


# --- the one transition function ---------------------------------------------------------------


def _hook_notice_start(app: Application, *, starts_on=None, ends_on=None, investigation_notes="", **_kw) -> None:
    if investigation_notes:
        app.investigation_notes = investigation_notes
    if not app.investigation_notes.strip():
        raise ValidationFailed(_("Record the home investigation notes before posting the public notice."))
    if starts_on is None or ends_on is None:
        raise ValidationFailed(_("Give the first and last day of the public notice."))
    if starts_on < app.filed_on or ends_on < starts_on:
        raise ValidationFailed(_("The public notice must start after filing and end after it starts."))
    length = workdays_between(starts_on - datetime.timedelta(days=1), ends_on)
    if length < NOTICE_MIN_WORKDAYS:
        raise NoticeTooShort(
            _("The public notice must last at least %(min)d working days; %(start)s to %(end)s has %(n)d.")
            % {"min": NOTICE_MIN_WORKDAYS, "start": starts_on, "end": ends_on, "n": length}
        )
    app.notice_starts_on, app.notice_ends_on = starts_on, ends_on


def _hook_notice_close(app: Application, **_kw) -> None:
    if app.notice_ends_on and today() <= app.notice_ends_on:
        raise Conflict(
            _("The public notice runs until %(end)s; it can be closed from the next day.") % {"end": app.notice_ends_on}
        )
    if app.objections.filter(status=Objection.Status.OPEN).exists():
        raise ObjectionsOpen(_("Every objection must be resolved before the case moves on."))


def _hook_assess(app: Application, *, assessment=None, **_kw) -> None:
    if assessment is None or assessment.elder_id != app.elder_id:
        raise ValidationFailed(_("Record the assessment on the assessment page."))
    app.assessment = assessment


def _hook_approve(app: Application, *, by: User, **_kw) -> None:
    if app.assessment is None:
        raise ValidationFailed(_("The care level must be assessed before approval."))
    check = approval_standard(application=app, day=today(), care_level=app.assessment.care_level)
    if check.standard is None:
        raise NoStandard(
            _("No subsidy standard applies to %(name)s, so the case cannot be approved: %(problem)s")
            % {"name": app.elder.name, "problem": check.problem},
            problems=[check.problem],
        )
    app.standard_amount = check.standard.amount
    app.standard_reason = check.reason


HOOKS = {
    "notice_start": _hook_notice_start,
    "notice_close": _hook_notice_close,
    "assess": _hook_assess,
    "approve": _hook_approve,
}


def application_transition(
    *, application: Application, action: str, by: User, opinion: str = "", **params
) -> Application:
    """Make one move of the workflow (see MOVES), or refuse with a message saying why."""
    move = MOVES.get(action)
    if move is None:
        raise ValidationFailed(_("Unknown action."))
    with transaction.atomic():
        app = (
            Application.objects.select_for_update(of=("self",)).select_related("elder", "scheme").get(pk=application.pk)
        )
        if not in_scope(by, app.community_id):
            raise NotAllowed(_("This case is outside your jurisdiction."))
        if app.status not in move.sources:
            raise AlreadyMoved(
                _("This case is now at “%(status)s”; “%(action)s” is no longer possible.")
                % {"status": app.get_status_display(), "action": move.label}
            )
        source = app.status
        target = _target(move, source)
        WORKFLOW.check(
            source=source,
            target=target,
            by=by,
            reason=opinion,
            forbidden=lambda: NotAllowed(
                _("Your role may not do “%(action)s” at this stage.") % {"action": move.label}
            ),
            reason_missing=lambda: ValidationFailed(_("Write an opinion (the reasons) for this step.")),
        )
        hook = HOOKS.get(action)
        if hook:
            hook(app, by=by, **params)
        if move.forward:
            _check_ready(app)
        now = timezone.now()
        day = timezone.localdate(now)
        _enter_stage(app, source, target, day)
        fields: dict[str, object] = {}
        if target in (S.APPROVED, S.REJECTED):
            fields.update(decided_at=now, decision_reasons=opinion)
        if target == S.APPROVED:
            fields["entitlement"] = Entitlement.objects.create(
                elder=app.elder,
                scheme=app.scheme,
                start_month=Month.of(day).next().first_day,
                approved_at=now,
                approved_by=by,
            )
        event = transition_apply(
            app,
            to=target,
            fields=fields,
            record=lambda from_status: ApplicationEvent.objects.create(
                application=app,
                action=action,
                from_status=from_status,
                to_status=target,
                by=by,
                at=now,
                opinion=opinion,
            ),
        )
        if target in (S.APPROVED, S.REJECTED):
            kind = DecisionNotice.Kind.APPROVAL if target == S.APPROVED else DecisionNotice.Kind.REJECTION
            notice = decision_notice_create(application=app, kind=kind, year=day.year)
            # Never a failure after the decision is committed: a lost task is swept up later.
            enqueue_on_commit(generate_decision_notice, notice.pk)
        application_event_notify(application=app, event=event)
    application.refresh_from_db()
    return application


# --- named use cases (all through application_transition) --------------------------------------


def application_accept(*, application: Application, by: User, opinion: str = "") -> Application:
    return application_transition(application=application, action="accept", by=by, opinion=opinion)


def application_notice_start(
    *,
    application: Application,
    starts_on: datetime.date,
    ends_on: datetime.date,
    by: User,
    investigation_notes: str = "",
    opinion: str = "",
) -> Application:
    return application_transition(
        application=application,
        action="notice_start",
        by=by,
        opinion=opinion,
        starts_on=starts_on,
        ends_on=ends_on,
        investigation_notes=investigation_notes,
    )


def application_notice_close(*, application: Application, by: User, opinion: str = "") -> Application:
    return application_transition(application=application, action="notice_close", by=by, opinion=opinion)


def application_forward(*, application: Application, by: User, opinion: str) -> Application:
    """Community approval after the public notice: send the case to the street office."""
    return application_transition(application=application, action="forward", by=by, opinion=opinion)


def application_street_approve(*, application: Application, by: User, opinion: str) -> Application:
    return application_transition(application=application, action="street_approve", by=by, opinion=opinion)


def application_approve(*, application: Application, by: User, opinion: str) -> Application:
    return application_transition(application=application, action="approve", by=by, opinion=opinion)


def application_reject(*, application: Application, by: User, opinion: str) -> Application:
    return application_transition(application=application, action="reject", by=by, opinion=opinion)


def application_return(*, application: Application, by: User, opinion: str) -> Application:
    return application_transition(application=application, action="return", by=by, opinion=opinion)


def application_withdraw(*, application: Application, by: User, opinion: str) -> Application:
    return application_transition(application=application, action="withdraw", by=by, opinion=opinion)


def application_set_investigation(*, application: Application, notes: str, by: User) -> Application:
    """The community's home-investigation notes (not a move: the status stays)."""
    if not (in_scope(by, application.community_id) and by.has_role(Role.COMMUNITY_WORKER)):
        raise NotAllowed(_("Only the community's workers record the home investigation."))
    if application.status not in (S.FILED, S.COMMUNITY_REVIEW):
        raise Conflict(_("The home investigation is recorded during the community review."))
    Application.objects.filter(pk=application.pk).update(investigation_notes=notes, updated_at=timezone.now())
    application.refresh_from_db()
    return application


# --- filing ------------------------------------------------------------------------------------


def _open_batch(district: Division, day: datetime.date) -> IntakeBatch:
    """The district's open intake batch, when `day` lies within its filing dates."""
    batch = IntakeBatch.objects.filter(district=district, status=IntakeBatch.Status.OPEN).first()
    if batch is None:
        raise Conflict(_("No intake batch is open: the district opens one every half year."))
    if not (batch.opens_on <= day <= batch.closes_on):
        raise Conflict(
            _("%(batch)s takes applications from %(opens)s to %(closes)s: %(day)s is outside its dates.")
            % {"batch": batch.name, "opens": batch.opens_on, "closes": batch.closes_on, "day": day}
        )
    return batch


def _refuse_without_standard(elder: Elder, scheme: Scheme, categories: list[str], day: datetime.date) -> None:
    """The claim must match a standard of the scheme in force for the first month it would pay
    (the next month), at some care level (the assessment sets it later): otherwise an approval
    would promise a subsidy that no month pays."""
    month = Month.of(day).next()
    spec = policy_spec_for(scheme_id=scheme.pk, district_id=elder.community.district.pk, month=month)
    if spec is None:  # the district has not loaded the scheme's figures yet: judged at approval
        return
    levels = [None, *CareLevel.values]
    facts = [
        PersonFacts.of(birth_date=elder.birth_date, month=month, categories=categories, care_level=c) for c in levels
    ]
    if all(standard_for(f, month, spec).amount.amount == 0 for f in facts):
        problem = _(
            "Under %(scheme)s, %(name)s (age %(age)d in %(month)s, categories claimed: %(categories)s) matches "
            "no standard at any care level: below the high age and without a difficulty category, no subsidy applies."
        ) % {
            "scheme": scheme.name,
            "name": elder.name,
            "age": facts[0].age,
            "month": month,
            "categories": "、".join(str(DifficultyCategory(c).label) for c in categories) or _("none"),
        }
        raise Ineligible(problem, problems=[problem])


def application_file(
    *,
    elder: Elder,
    scheme: Scheme,
    categories: list[str],
    care_situation: str,
    by: User,
    high_age: bool = False,
    applicant_note: str = "",
) -> Application:
    """File an application at the elder's community; eligibility is checked on the filing date."""
    if not (by.has_role(Role.COMMUNITY_WORKER) and in_scope(by, elder.community_id)):
        raise NotAllowed(_("Applications are filed by a worker of the elder's community."))
    unknown = set(categories) - set(DifficultyCategory.values)
    if unknown:
        raise ValidationFailed(_("Unknown category: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    if care_situation not in CareSituation.values:
        raise ValidationFailed(_("Choose the care situation."))
    day = today()
    with transaction.atomic():
        elder = (
            Elder.objects.select_for_update(of=("self",)).select_related("community__parent__parent").get(pk=elder.pk)
        )
        problems = eligibility_problems(_facts(elder, exclude_application_id=None), on=day)
        if problems:
            raise Ineligible(" ".join(problems), problems=problems)
        district = elder.community.district
        if scheme.jurisdiction_id != district.pk:
            raise ValidationFailed(
                _("%(scheme)s is not a scheme of %(district)s: choose one of the district's schemes.")
                % {"scheme": scheme.name, "district": district.name}
            )
        _refuse_without_standard(elder, scheme, categories, day)
        batch = _open_batch(district, day)
        try:
            with transaction.atomic():
                app = Application.objects.create(
                    elder=elder,
                    community=elder.community,
                    scheme=scheme,
                    batch=batch,
                    categories=sorted(set(categories)),
                    high_age=high_age,
                    care_situation=care_situation,
                    filed_on=day,
                    filed_by=by,
                    applicant_note=applicant_note,
                    status=S.FILED,
                    stage_started_on=day,
                    deadline=add_workdays(day, COMMUNITY_WORKDAYS),
                )
        except IntegrityError as exc:
            raise Conflict(_("Open application: the elder already has an application under review.")) from exc
        ApplicationEvent.objects.create(
            application=app, action="file", from_status="", to_status=S.FILED, by=by, at=timezone.now()
        )
    return app
