"""Reads of applications: every list, detail and download goes through these, within scope."""

import datetime

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Elder, User
from eldercare.scoping import scope_for
from subsidies.applications.models import OPEN_STATUSES, Application, IntakeBatch, Material, Objection
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
        qs = qs.filter(elder__name__icontains=f["q"])
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
        Division.objects.filter(pk__in=scope.community_ids).values_list("parent__parent_id", flat=True)
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
