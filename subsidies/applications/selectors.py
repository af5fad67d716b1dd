"""Reads of applications: every list, detail and download goes through these, within scope."""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Elder, Role, User
from eldercare.scoping import scope_for
from eldercare.selectors import elder_search_q
from subsidies.applications.models import (
    OPEN_STATUSES,
    Application,
    AssessmentSlot,
    IntakeBatch,
    Material,
    Objection,
    RequiredMaterial,
)
from subsidies.applications.models import ApplicationStatus as S
from subsidies.applications.rules import STAGE_ROLE
from subsidies.standards.models import Assessment


def application_list(*, user: User, filters: dict | None = None) -> QuerySet[Application]:
    scope = scope_for(user)
    qs = Application.objects.select_related("elder", "community", "community__parent", "scheme", "batch")
    if not scope.all:
        qs = qs.filter(scope.communities_q())
    f = filters or {}
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("batch"):
        qs = qs.filter(batch_id=f["batch"])
    if f.get("community"):
        qs = qs.filter(community_id=f["community"])
    if f.get("q"):
        qs = qs.filter(elder_search_q(f["q"], "elder"))
    if f.get("overdue"):
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=f.get("today") or timezone.localdate())
    return qs


def application_get(*, user: User, pk: int) -> Application:
    """One case, or 404 outside the user's scope."""
    return get_object_or_404(application_list(user=user), pk=pk)


def application_worklist(*, user: User) -> QuerySet[Application]:
    """Open cases waiting for one of the user's roles, earliest deadline first."""
    statuses = [status for status, role in STAGE_ROLE.items() if user.has_role(role)]
    return application_list(user=user).filter(status__in=statuses).order_by("deadline", "id")


def material_get(*, user: User, pk: int) -> Material:
    scope = scope_for(user)
    qs = Material.objects.select_related("application")
    if not scope.all:
        qs = qs.filter(scope.communities_q("application__community"))
    return get_object_or_404(qs, pk=pk)


def objection_get(*, user: User, pk: int) -> Objection:
    scope = scope_for(user)
    qs = Objection.objects.select_related("application")
    if not scope.all:
        qs = qs.filter(scope.communities_q("application__community"))
    return get_object_or_404(qs, pk=pk)


def batch_list(*, user: User) -> QuerySet[IntakeBatch]:
    scope = scope_for(user)
    qs = IntakeBatch.objects.select_related("district")
    if scope.all:
        return qs
    districts = set(scope.district_ids) | set(
        Division.objects.filter(pk__any_of=scope.community_ids).values_list("parent__parent_id", flat=True)
    )
    return qs.filter(district_id__in=districts)


def batch_get(*, user: User, pk: int) -> IntakeBatch:
    return get_object_or_404(batch_list(user=user), pk=pk)


def notice_list_applications(*, user: User, batch: IntakeBatch, community: Division) -> QuerySet[Application]:
    """The cases of one community and batch on (or past) the public notice, for the 公示名单."""
    return (
        application_list(user=user)
        .filter(batch=batch, community=community, notice_starts_on__isnull=False)
        .exclude(status__in=[S.WITHDRAWN])
        .order_by("elder__name", "id")
    )


def care_level_on(*, elder: Elder, day: datetime.date) -> Assessment | None:
    """The assessment in force on `day`: the latest one effective on or before it."""
    return Assessment.objects.filter(elder=elder, effective_from__lte=day).order_by("-effective_from", "-id").first()


# --- the batch's assessment schedule --------------------------------------------------------------


def assessment_slot_list(*, user: User, batch: IntakeBatch | None = None) -> QuerySet[AssessmentSlot]:
    """The scheduled assessment days the user may see: batches of the user's district, communities
    within the user's scope."""
    qs = AssessmentSlot.objects.select_related("batch", "community", "community__parent", "assessor").filter(
        batch__in=batch_list(user=user)
    )
    scope = scope_for(user)
    if not scope.all:
        qs = qs.filter(scope.communities_q("community"))
    if batch is not None:
        qs = qs.filter(batch=batch)
    return qs.order_by("batch_id", "on", "community__code", "id")


def assessment_slot_get(*, user: User, pk: int) -> AssessmentSlot:
    return get_object_or_404(assessment_slot_list(user=user), pk=pk)


@dataclass
class ScheduleGroup:
    """Cases of one batch awaiting assessment in one community, and the day they are scheduled
    for (None: not scheduled yet)."""

    batch: IntakeBatch
    community: Division
    on: datetime.date | None
    slot: AssessmentSlot | None
    applications: list[Application] = field(default_factory=list)


def assessment_schedule_worklist(*, user: User) -> list[ScheduleGroup]:
    """The cases awaiting assessment in the user's scope, grouped by batch and scheduled day: a
    community's cases go under each day scheduled for it, unscheduled ones last in their batch."""
    waiting: dict[tuple[int, int], list[Application]] = {}
    for app in application_list(user=user).filter(status=S.ASSESSMENT).order_by("elder__name", "id"):
        waiting.setdefault((app.batch_id, app.community_id), []).append(app)
    if not waiting:
        return []
    batch_ids = {batch_id for batch_id, _community in waiting}
    groups: list[ScheduleGroup] = []
    scheduled: set[tuple[int, int]] = set()
    for slot in assessment_slot_list(user=user).filter(batch_id__in=batch_ids):
        key = (slot.batch_id, slot.community_id)
        if key in waiting:
            scheduled.add(key)
            groups.append(ScheduleGroup(slot.batch, slot.community, slot.on, slot, waiting[key]))
    for key, apps in waiting.items():
        if key not in scheduled:
            groups.append(ScheduleGroup(apps[0].batch, apps[0].community, None, None, apps))
    groups.sort(key=lambda g: (-g.batch.opens_on.toordinal(), g.batch.pk, g.on is None, g.on or datetime.date.min))
    return groups


def batch_notice_materials() -> list[tuple[str, list[str]]]:
    """The materials an applicant brings, by condition (always, non-self-care, per category)."""
    by_condition: dict[str, list[str]] = {}
    for row in RequiredMaterial.objects.order_by("condition", "material_type"):
        by_condition.setdefault(row.condition, []).append(str(row.get_material_type_display()))
    return sorted(by_condition.items(), key=lambda item: (item[0] != RequiredMaterial.ALWAYS, item[0]))


def district_assessors(*, district: Division) -> QuerySet[User]:
    """The assessors working for the district (to be named on its schedule)."""
    return (
        User.objects.filter(role_assignments__role=Role.ASSESSOR, role_assignments__division=district)
        .distinct()
        .order_by("id")
    )
