"""Writes of inspections: an inspection, the problems it found, their correction and verification,
and the daily reminder of deadlines. A problem's status changes only in `problem_transition`."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed
from eldercare.models import Division, Elder, Role, User
from eldercare.services import notification_send
from outreach.models import EmergencyResponse
from providers.models import Provider
from providers.selectors import provider_admins

from . import rules, selectors
from .errors import InspectionInvalid, ProblemMoveRefused
from .models import (
    Category,
    Correction,
    Inspection,
    Level,
    PlaceKind,
    Problem,
    ProblemEvent,
    ProblemStatus,
    Severity,
    UnitKind,
)


def _invalid(errors: dict[str, str]) -> InspectionInvalid:
    return InspectionInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)


@transaction.atomic
def inspection_record(
    *,
    by: User,
    inspected_on: datetime.date,
    place_kind: str,
    community: Division | None = None,
    provider: Provider | None = None,
    elder: Elder | None = None,
    response: EmergencyResponse | None = None,
    findings: str = "",
) -> Inspection:
    """Record an unannounced inspection of a community, a provider or a household, made by the
    district or by a street office in its own area."""
    seat = selectors.inspector_seat(by)
    if seat is None:
        raise NotAllowed(_("Only the district's reviewers and supervisors and the street offices inspect."))
    level, district, street = seat
    errors: dict[str, str] = {}
    if inspected_on is None or inspected_on > timezone.localdate():
        errors["inspected_on"] = _("The inspection date cannot be in the future.")
    communities = selectors.inspectable_communities(by)
    if place_kind == PlaceKind.COMMUNITY:
        if community is None or not communities.filter(pk=community.pk).exists():
            errors["community"] = _("Choose a community of your area.")
        provider = elder = None
    elif place_kind == PlaceKind.PROVIDER:
        if provider is None or not selectors.inspectable_providers(by).filter(pk=provider.pk).exists():
            errors["provider"] = _("Choose a provider of your district.")
        community = elder = None
    elif place_kind == PlaceKind.HOUSEHOLD:
        if elder is None or not communities.filter(pk=elder.community_id).exists():
            errors["elder"] = _("Choose a household of your area.")
        else:
            community = elder.community
        provider = None
    else:
        errors["place_kind"] = _("Choose what was inspected.")
    if response is not None and (
        response.district_id != district.pk
        or (inspected_on is not None and not (response.starts_on <= inspected_on))
        or (inspected_on is not None and response.ends_on is not None and response.ends_on < inspected_on)
    ):
        errors["response"] = _("The inspection date is outside this emergency response.")
    if errors:
        raise _invalid(errors)
    return Inspection.objects.create(
        level=level,
        district=district,
        street=street if level == Level.STREET else None,
        inspector=by,
        inspected_on=inspected_on,
        place_kind=place_kind,
        community=community,
        provider=provider,
        elder=elder,
        response=response,
        findings=findings.strip(),
    )


def _unit_users(problem: Problem):
    if problem.unit_provider is not None:
        return provider_admins(problem.unit_provider).filter(is_active=True)
    if problem.unit_community_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.COMMUNITY_WORKER,
            role_assignments__division_id=problem.unit_community_id,
        )
        .distinct()
        .order_by("username")
    )


def _notify_unit(problem: Problem, message: str, dedupe_key: str, sms: bool = False) -> None:
    url = reverse("outreach_inspections:problem", args=[problem.pk])
    for user in _unit_users(problem):
        notification_send(user=user, message=message, url=url, dedupe_key=dedupe_key, sms=sms)


@transaction.atomic
def problem_add(
    *,
    inspection: Inspection,
    by: User,
    category: str,
    description: str,
    severity: str,
    unit_kind: str,
    unit_community: Division | None = None,
    unit_provider: Provider | None = None,
    deadline: datetime.date | None = None,
) -> Problem:
    """A problem found by the inspection, assigned to the community or provider that must correct
    it by the deadline (by default: `rules.DEFAULT_DAYS_TO_CORRECT` of its severity)."""
    if not selectors.may_add_problems(by, inspection):
        raise NotAllowed(_("Only the inspection's level records its problems."))
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = _("Choose the category.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose the severity.")
    if not description.strip():
        errors["description"] = _("Describe the problem.")
    if unit_kind == UnitKind.COMMUNITY:
        area = Division.objects.filter(level=Division.Level.COMMUNITY, parent__parent_id=inspection.district_id)
        if inspection.street_id:
            area = area.filter(parent_id=inspection.street_id)
        if unit_community is None or not area.filter(pk=unit_community.pk).exists():
            errors["unit_community"] = _("Choose the community responsible, in the inspection's area.")
        unit_provider = None
    elif unit_kind == UnitKind.PROVIDER:
        if unit_provider is None or unit_provider.district_id != inspection.district_id:
            errors["unit_provider"] = _("Choose the provider responsible, of the inspection's district.")
        unit_community = None
    else:
        errors["unit_kind"] = _("Choose the unit responsible.")
    if deadline is None and severity in Severity.values:
        deadline = rules.default_deadline(inspection.inspected_on, severity)
    if deadline is not None and deadline < inspection.inspected_on:
        errors["deadline"] = _("The deadline cannot be before the inspection.")
    if errors or deadline is None:
        raise _invalid(errors or {"deadline": _("Choose the deadline.")})
    problem = Problem.objects.create(
        inspection=inspection,
        category=category,
        description=description.strip(),
        severity=severity,
        unit_kind=unit_kind,
        unit_community=unit_community,
        unit_provider=unit_provider,
        deadline=deadline,
        status=ProblemStatus.OPEN,
    )
    ProblemEvent.objects.create(
        problem=problem,
        action=rules.CREATE,
        from_status="",
        to_status=ProblemStatus.OPEN,
        note=problem.description,
        deadline=deadline,
        by=by,
        created_at=timezone.now(),
    )
    _notify_unit(
        problem,
        _("An inspection found a problem to correct by %(deadline)s: %(problem)s")
        % {"deadline": f"{deadline:%Y-%m-%d}", "problem": problem.description[:60]},
        f"inspection-problem:{problem.pk}:assigned",
    )
    return problem


def problem_transition(
    *, problem: Problem, to_status: str, by: User, note: str = "", deadline: datetime.date | None = None
) -> Problem:
    """The one guarded move of a problem: checks the move is allowed from its status and that the
    user acts for the right side (the unit corrects; the inspector's level verifies and reopens),
    writes the new status and one event in the same transaction."""
    with transaction.atomic():
        problem = Problem.objects.select_for_update(of=("self",)).get(pk=problem.pk)
        from_status = problem.status
        if not rules.move_allowed(from_status, to_status):
            raise ProblemMoveRefused(
                _("This problem is %(status)s: it cannot move to %(to)s.")
                % {"status": problem.get_status_display(), "to": ProblemStatus(to_status).label}
            )
        action = rules.MOVES[(from_status, to_status)]
        if action == rules.CORRECT and not selectors.may_correct(by, problem):
            raise NotAllowed(_("Only the unit responsible reports the correction of this problem."))
        if action in (rules.VERIFY, rules.REOPEN) and not selectors.may_verify(by, problem):
            raise NotAllowed(_("Only the level that inspected verifies or reopens this problem."))
        now = timezone.now()
        problem.status = to_status
        fields = ["status", "updated_at"]
        if to_status == ProblemStatus.CORRECTED:
            problem.corrected_at = now
            fields.append("corrected_at")
        elif to_status == ProblemStatus.CLOSED:
            problem.closed_at = now
            fields.append("closed_at")
        else:
            problem.corrected_at = problem.closed_at = None
            fields += ["corrected_at", "closed_at"]
            if deadline is not None:
                problem.deadline = deadline
                fields.append("deadline")
        problem.save(update_fields=fields)
        ProblemEvent.objects.create(
            problem=problem,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note.strip(),
            deadline=deadline if action == rules.REOPEN else None,
            by=by,
            created_at=now,
        )
    return problem


def problem_correct(*, problem: Problem, by: User, action_taken: str, evidence: str = "") -> Problem:
    """The unit reports what it did (and its evidence): the problem waits for verification."""
    if not action_taken.strip():
        raise _invalid({"action_taken": _("Say what was done.")})
    with transaction.atomic():
        problem = problem_transition(problem=problem, to_status=ProblemStatus.CORRECTED, by=by, note=action_taken)
        Correction.objects.create(
            problem=problem,
            action_taken=action_taken.strip(),
            evidence=evidence.strip(),
            by=by,
            created_at=problem.corrected_at or timezone.now(),
        )
    inspector = problem.inspection.inspector
    if inspector.is_active:
        notification_send(
            user=inspector,
            message=_("A correction to verify: %(problem)s (%(unit)s)")
            % {"problem": problem.description[:60], "unit": problem.unit_label},
            url=reverse("outreach_inspections:problem", args=[problem.pk]),
            dedupe_key=f"inspection-problem:{problem.pk}:corrected:{problem.corrected_at:%Y%m%d%H%M%S}",
        )
    return problem


def problem_verify(*, problem: Problem, by: User, note: str = "") -> Problem:
    """The inspector's level finds the correction done: the problem is closed."""
    return problem_transition(problem=problem, to_status=ProblemStatus.CLOSED, by=by, note=note)


def problem_reopen(*, problem: Problem, by: User, note: str, deadline: datetime.date | None = None) -> Problem:
    """The correction does not hold (or the problem came back): back to the unit, with a reason and
    optionally a new deadline (without one, the old deadline stands and may already be passed)."""
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = _("Say why the problem is reopened.")
    if deadline is not None and deadline < timezone.localdate():
        errors["deadline"] = _("The new deadline cannot be in the past.")
    if errors:
        raise _invalid(errors)
    problem = problem_transition(problem=problem, to_status=ProblemStatus.OPEN, by=by, note=note, deadline=deadline)
    _notify_unit(
        problem,
        _("A problem was reopened, to correct by %(deadline)s: %(problem)s")
        % {"deadline": f"{problem.deadline:%Y-%m-%d}", "problem": problem.description[:60]},
        f"inspection-problem:{problem.pk}:reopened:{timezone.now():%Y%m%d%H%M%S}",
    )
    return problem


def problem_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind each unit, in the app and by text message, of its open problems due within two days
    (`rules.reminder_due`); once per problem and day, however often it runs. Returns the problems."""
    today = today or timezone.localdate()
    due = Problem.objects.filter(
        status=ProblemStatus.OPEN,
        deadline__gte=today,
        deadline__lte=today + datetime.timedelta(days=rules.REMINDER_DAYS),
    ).select_related("unit_community", "unit_provider")
    count = 0
    for problem in due:
        _notify_unit(
            problem,
            _("Problem to correct by %(deadline)s: %(problem)s")
            % {"deadline": f"{problem.deadline:%Y-%m-%d}", "problem": problem.description[:60]},
            f"inspection-problem-due:{problem.pk}:{today:%Y-%m-%d}",
            sms=True,
        )
        count += 1
    return count
