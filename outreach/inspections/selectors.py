"""Reads of inspections and their problems. Every page, API list and work-list panel goes through these.

Who sees what: a community worker the problems of their community (found there or assigned to
it); a provider's administrator those assigned to the provider; a street office the inspections
it made and the problems of its communities; the district (reviewers, supervisors) everything of
its district; the system administrator everything.
"""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Role, User
from eldercare.scoping import scope_for
from outreach.models import EmergencyResponse
from outreach.selectors import response_list
from providers.models import Provider
from providers.selectors import provider_list

from . import rules
from .models import Inspection, Level, Problem, ProblemStatus, UnitKind

# Roles that see inspections and problems at all.
VIEW_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SUPERVISOR,
    Role.PROVIDER_ADMIN,
    Role.SYSADMIN,
)
# Roles that inspect: the district's reviewers and supervisors, the street offices' reviewers.
DISTRICT_INSPECTORS = (Role.DISTRICT_REVIEWER, Role.SUPERVISOR)
STREET_INSPECTORS = (Role.STREET_REVIEWER,)
INSPECTOR_ROLES = (*DISTRICT_INSPECTORS, *STREET_INSPECTORS, Role.SYSADMIN)

# The list's filters.
OPEN = "open"
OVERDUE = "overdue"
CORRECTED = "corrected"
CLOSED = "closed"
STATUS_FILTERS = (OPEN, OVERDUE, CORRECTED, CLOSED)
TO_CORRECT = "correct"  # the unit's problems to correct
TO_VERIFY = "verify"  # the inspector's level's corrections to verify


def _is_admin(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.SYSADMIN)


def inspector_seat(user: User) -> tuple[str, Division, Division | None] | None:
    """(level, district, street) the user inspects for, or None for someone who does not inspect.
    A district role wins over a street role; a system administrator inspects as the district."""
    scope = scope_for(user)
    if user.has_role(*DISTRICT_INSPECTORS) or _is_admin(user):
        district = Division.objects.filter(level=Division.Level.DISTRICT)
        if not scope.all:
            district = district.filter(pk__in=scope.district_ids)
        found = district.order_by("code").first()
        return (Level.DISTRICT, found, None) if found else None
    if user.has_role(*STREET_INSPECTORS) and scope.street_ids:
        street = Division.objects.filter(pk__in=scope.street_ids).select_related("parent").order_by("code").first()
        if street is not None and street.parent is not None:
            return (Level.STREET, street.parent, street)
    return None


def _visible_q(user: User) -> Q:
    """A filter on problems the user may see."""
    if _is_admin(user):
        return Q()
    if not user.has_role(*VIEW_ROLES):
        return Q(pk__in=[])
    scope = scope_for(user)
    q = Q(pk__in=[])
    if scope.district_ids:
        q |= Q(inspection__district_id__in=scope.district_ids)
    if scope.street_ids:
        q |= Q(inspection__street_id__in=scope.street_ids)
    if scope.community_ids:
        q |= Q(inspection__community_id__any_of=scope.community_ids) | Q(unit_community_id__any_of=scope.community_ids)
    if scope.provider_ids and user.has_role(Role.PROVIDER_ADMIN):
        q |= Q(unit_provider_id__any_of=scope.provider_ids)
    return q


def _inspection_visible_q(user: User) -> Q:
    if _is_admin(user):
        return Q()
    if not user.has_role(*VIEW_ROLES):
        return Q(pk__in=[])
    scope = scope_for(user)
    q = Q(pk__in=[])
    if scope.district_ids:
        q |= Q(district_id__in=scope.district_ids)
    if scope.street_ids:
        q |= Q(street_id__in=scope.street_ids)
    if scope.community_ids:
        q |= Q(community_id__any_of=scope.community_ids) | Q(problems__unit_community_id__any_of=scope.community_ids)
    if scope.provider_ids and user.has_role(Role.PROVIDER_ADMIN):
        q |= Q(problems__unit_provider_id__any_of=scope.provider_ids)
    return q


def inspection_list(*, user: User, response: int | None = None) -> QuerySet[Inspection]:
    ids = Inspection.objects.filter(_inspection_visible_q(user)).values("pk")
    qs = Inspection.objects.filter(pk__in=ids).select_related(
        "district", "street", "inspector", "community", "provider", "elder", "elder__community", "response"
    )
    if response:
        qs = qs.filter(response_id=response)
    return qs


def inspection_get(*, user: User, pk: int) -> Inspection:
    return get_object_or_404(inspection_list(user=user), pk=pk)


def _verifier_q(user: User) -> Q:
    """Problems whose inspection was made at the user's level (the level that verifies them)."""
    if _is_admin(user):
        return Q()
    scope = scope_for(user)
    q = Q(pk__in=[])
    if user.has_role(*DISTRICT_INSPECTORS) and scope.district_ids:
        q |= Q(inspection__level=Level.DISTRICT, inspection__district_id__in=scope.district_ids)
    if user.has_role(*STREET_INSPECTORS) and scope.street_ids:
        q |= Q(inspection__level=Level.STREET, inspection__street_id__in=scope.street_ids)
    return q


def _unit_q(user: User) -> Q:
    """Problems assigned to a unit the user answers for (a community worker's community, a
    provider administrator's provider)."""
    if _is_admin(user):
        return Q()
    scope = scope_for(user)
    q = Q(pk__in=[])
    if user.has_role(Role.COMMUNITY_WORKER) and scope.community_ids:
        q |= Q(unit_kind=UnitKind.COMMUNITY, unit_community_id__any_of=scope.community_ids)
    if user.has_role(Role.PROVIDER_ADMIN) and scope.provider_ids:
        q |= Q(unit_kind=UnitKind.PROVIDER, unit_provider_id__any_of=scope.provider_ids)
    return q


def problem_list(
    *,
    user: User,
    status: str = "",
    todo: str = "",
    inspection: Inspection | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Problem]:
    """The problems the user may see, filtered by status (open, overdue, corrected, closed) and by
    what the user has to do (`correct`: the unit's open problems; `verify`: the corrections
    waiting for the user's level). Open problems by deadline, the oldest first."""
    today = today or timezone.localdate()
    qs = Problem.objects.filter(_visible_q(user)).select_related(
        "inspection",
        "inspection__inspector",
        "inspection__community",
        "inspection__provider",
        "inspection__elder",
        "inspection__elder__community",
        "unit_community",
        "unit_provider",
    )
    if status == OPEN:
        qs = qs.filter(status=ProblemStatus.OPEN)
    elif status == OVERDUE:
        qs = qs.filter(status=ProblemStatus.OPEN, deadline__lt=today)
    elif status == CORRECTED:
        qs = qs.filter(status=ProblemStatus.CORRECTED)
    elif status == CLOSED:
        qs = qs.filter(status=ProblemStatus.CLOSED)
    if todo == TO_CORRECT:
        qs = qs.filter(_unit_q(user), status=ProblemStatus.OPEN)
    elif todo == TO_VERIFY:
        qs = qs.filter(_verifier_q(user), status=ProblemStatus.CORRECTED)
    if inspection is not None:
        qs = qs.filter(inspection=inspection)
    return qs.order_by("deadline", "id")


def problem_get(*, user: User, pk: int) -> Problem:
    """One problem, or 404 outside what the user may see (never 403)."""
    return get_object_or_404(problem_list(user=user), pk=pk)


def may_verify(user: User, problem: Problem) -> bool:
    return Problem.objects.filter(_verifier_q(user), pk=problem.pk).exists()


def may_correct(user: User, problem: Problem) -> bool:
    return Problem.objects.filter(_unit_q(user), pk=problem.pk).exists()


def may_add_problems(user: User, inspection: Inspection) -> bool:
    """The inspector's level records the problems of its inspections."""
    if _is_admin(user):
        return True
    scope = scope_for(user)
    if inspection.level == Level.DISTRICT:
        return user.has_role(*DISTRICT_INSPECTORS) and inspection.district_id in scope.district_ids
    return user.has_role(*STREET_INSPECTORS) and inspection.street_id in scope.street_ids


# What an inspector may choose.


def inspectable_communities(user: User) -> QuerySet[Division]:
    seat = inspector_seat(user)
    if seat is None:
        return Division.objects.none()
    level, district, street = seat
    qs = Division.objects.filter(level=Division.Level.COMMUNITY).select_related("parent")
    if street is not None:
        return qs.filter(parent=street).order_by("code")
    return qs.filter(parent__parent=district).order_by("code")


def inspectable_providers(user: User) -> QuerySet[Provider]:
    seat = inspector_seat(user)
    if seat is None:
        return Provider.objects.none()
    return provider_list(user=user).filter(district=seat[1]).order_by("name")


def responses_for(user: User, on: datetime.date | None = None) -> QuerySet[EmergencyResponse]:
    """The responses an inspection may be made under: those in progress in the user's district."""
    return response_list(user=user, active_on=on or timezone.localdate())


def overdue(problem: Problem, today: datetime.date | None = None) -> bool:
    return rules.is_overdue(problem.status, problem.deadline, today or timezone.localdate())
