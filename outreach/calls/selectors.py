"""Reads of active care calls, scoped as the register: area roles see their part of the tree
(`scope_for`), a plan's hotline operators its call lists, anyone else (a volunteer) only the
households in their care (`outreach.selectors.visible_q`)."""

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Elder, LifeStatus, Role, User
from eldercare.scoping import scope_for
from outreach import rules as outreach_rules
from outreach import selectors as outreach_selectors
from outreach.models import RiskLevel

from . import rules
from .models import CallListEntry, CallOutcome, CallPlan, CallTarget, HomeVisitRequest

# The register's filter of each target (the high-risk target is the derived risk level).
TARGET_FILTERS: dict[str, Q] = {
    **{key: q for key, q in outreach_selectors.FLAG_FILTERS.items() if key in CallTarget.values},
    CallTarget.HIGH_RISK: Q(vulnerability__risk_level=RiskLevel.HIGH),
}


def may_manage_plans(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.SYSADMIN)


def manageable_districts(user: User) -> QuerySet[Division]:
    """The districts whose plans the user manages (a district reviewer: their own)."""
    qs = Division.objects.filter(level=Division.Level.DISTRICT)
    if not may_manage_plans(user):
        return qs.none()
    scope = scope_for(user)
    return qs if scope.all else qs.filter(pk__in=scope.district_ids)


def caller_choices(district: Division) -> QuerySet[User]:
    """Who may be named a hotline operator of a district's plan: the active logins holding a
    role of the district's offices (community workers, street and district reviewers)."""
    return (
        User.objects.filter(
            Q(role_assignments__division=district)
            | Q(role_assignments__division__parent=district)
            | Q(role_assignments__division__parent__parent=district),
            is_active=True,
            role_assignments__role__in=(Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER),
        )
        .distinct()
        .order_by("username")
    )


def plan_list(*, user: User, active_on: datetime.date | None = None) -> QuerySet[CallPlan]:
    """Plans of the districts the user manages, and those the user calls for."""
    qs = CallPlan.objects.filter(Q(district__in=manageable_districts(user)) | Q(callers=user)).distinct()
    if active_on is not None:
        qs = qs.filter(Q(starts_on__lte=active_on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=active_on)))
    return qs.select_related("district", "created_by").prefetch_related("callers")


def plan_get(*, user: User, pk: int) -> CallPlan:
    return get_object_or_404(plan_list(user=user), pk=pk)


def plan_elders(*, plan: CallPlan, on: datetime.date) -> QuerySet[Elder]:
    """The register's households a plan targets on a day: living at home in its district, aged
    60 or more, screened with the plan's flag."""
    return Elder.objects.filter(
        community__parent__parent_id=plan.district_id,
        life_status=LifeStatus.ACTIVE,
        birth_date__lte=outreach_rules.born_on_or_before(outreach_rules.OUTREACH_MIN_AGE, on),
        vulnerability__isnull=False,
    ).filter(TARGET_FILTERS[plan.target])


def due_elders(*, plan: CallPlan, on: datetime.date) -> list[int]:
    """The ids of the plan's households due for a call on `on` (`rules.call_due`), in one query."""
    outcomes = CallOutcome.objects.filter(plan=plan, elder=OuterRef("pk"), day__lt=on).order_by("-at", "-id")
    rows = (
        plan_elders(plan=plan, on=on)
        .annotate(
            last_attempt=Subquery(outcomes.values("day")[:1]),
            last_reached=Subquery(outcomes.filter(result__in=rules.REACHED).values("day")[:1]),
            called_today=Exists(CallOutcome.objects.filter(plan=plan, elder=OuterRef("pk"), day=on)),
            visit_pending=Exists(
                HomeVisitRequest.objects.filter(plan=plan, elder=OuterRef("pk"), visited_at__isnull=True)
            ),
        )
        .values_list("pk", "last_attempt", "last_reached", "called_today", "visit_pending")
        .order_by("pk")
    )
    return [
        pk
        for pk, last_attempt, last_reached, called_today, visit_pending in rows
        if not called_today
        and rules.call_due(
            on=on,
            interval_days=plan.interval_days,
            last_attempt_day=last_attempt,
            last_reached_day=last_reached,
            visit_pending=visit_pending,
        )
    ]


def entries_visible_q(user: User) -> Q:
    """Entries a user may see: those of the plans they call for, and the households they see in
    the register (area roles: their area; a volunteer: the households in their care)."""
    return Q(plan__callers=user) | outreach_selectors.visible_q(user, "elder")


def entry_list(
    *, user: User, day: datetime.date | None = None, open_only: bool = False, plan: CallPlan | None = None
) -> QuerySet[CallListEntry]:
    qs = (
        CallListEntry.objects.filter(pk__in=CallListEntry.objects.filter(entries_visible_q(user)).values("pk"))
        .select_related("plan", "elder", "elder__community", "outcome", "outcome__by")
        .order_by("day", "elder__community__code", "elder__name", "pk")
    )
    if day is not None:
        qs = qs.filter(day=day)
    if open_only:
        qs = qs.filter(outcome__isnull=True)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs


def today_calls(*, user: User, on: datetime.date | None = None) -> QuerySet[CallListEntry]:
    """The caller's list of the day: entries of the plans the user calls for, not yet called."""
    on = on or timezone.localdate()
    return (
        CallListEntry.objects.filter(plan__callers=user, day=on, outcome__isnull=True)
        .select_related("plan", "elder", "elder__community", "elder__vulnerability")
        .order_by("elder__community__code", "elder__name", "pk")
    )


def today_call_get(*, user: User, pk: int) -> CallListEntry:
    """An entry of a plan the user calls for (any day), or 404."""
    return get_object_or_404(
        CallListEntry.objects.filter(plan__callers=user).select_related("plan", "elder", "elder__community"), pk=pk
    )


def entry_get(*, user: User, pk: int) -> CallListEntry:
    return get_object_or_404(entry_list(user=user), pk=pk)


def outcome_list(*, user: User, elder: Elder | None = None, plan: CallPlan | None = None) -> QuerySet[CallOutcome]:
    qs = CallOutcome.objects.filter(
        pk__in=CallOutcome.objects.filter(Q(plan__callers=user) | outreach_selectors.visible_q(user, "elder")).values(
            "pk"
        )
    ).select_related("plan", "elder", "elder__community", "by")
    if elder is not None:
        qs = qs.filter(elder=elder)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs


def visit_list(*, user: User, open_only: bool | None = None) -> QuerySet[HomeVisitRequest]:
    """Home visits of the households the user may see: a responsible person's own households, a
    community worker's community (who stands in for a responsible person without a login)."""
    qs = HomeVisitRequest.objects.filter(outreach_selectors.visible_q(user, "elder")).select_related(
        "plan", "elder", "elder__community", "outcome", "responsible", "responsible__user", "visited_by"
    )
    if open_only is True:
        qs = qs.filter(visited_at__isnull=True)
    elif open_only is False:
        qs = qs.filter(visited_at__isnull=False)
    return qs


def visit_get(*, user: User, pk: int) -> HomeVisitRequest:
    return get_object_or_404(visit_list(user=user), pk=pk)
