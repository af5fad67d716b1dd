"""Half-yearly intake batches: collected, noticed and approved together (集中申报、集中审批)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from eldercare.models import Division, Role, User
from eldercare.scoping import scope_for
from eldercare.workdays import workdays_between
from subsidies.applications.models import (
    Application,
    AssessmentSlot,
    IntakeBatch,
)
from subsidies.applications.models import ApplicationStatus as S
from subsidies.applications.rules import (
    NOTICE_MIN_WORKDAYS,
)

from .review import NoticeTooShort, application_transition, in_scope


def _require_district(by: User, district: Division) -> None:
    scope = scope_for(by)
    if not (by.has_role(Role.DISTRICT_REVIEWER) and (scope.all or district.pk in scope.district_ids)):
        raise NotAllowed(_("Only the district's reviewers manage intake batches."))


def intake_batch_open(
    *, district: Division, name: str, opens_on: datetime.date, closes_on: datetime.date, by: User
) -> IntakeBatch:
    _require_district(by, district)
    if closes_on < opens_on:
        raise ValidationFailed(_("The batch must close after it opens."))
    try:
        with transaction.atomic():
            return IntakeBatch.objects.create(district=district, name=name, opens_on=opens_on, closes_on=closes_on)
    except IntegrityError as exc:
        raise Conflict(_("Another intake batch is still open; close it first.")) from exc


def intake_batch_close(*, batch: IntakeBatch, by: User) -> IntakeBatch:
    _require_district(by, batch.district)
    IntakeBatch.objects.filter(pk=batch.pk).update(status=IntakeBatch.Status.CLOSED, updated_at=timezone.now())
    batch.refresh_from_db()
    return batch


@dataclass
class BatchResult:
    moved: list[Application]
    refused: list[tuple[Application, str]]


def _batch_move(apps, action: str, by: User, **params) -> BatchResult:
    result = BatchResult([], [])
    for app in apps:
        try:
            result.moved.append(application_transition(application=app, action=action, by=by, **params))
        except DomainError as exc:
            result.refused.append((app, exc.message))
    return result


def batch_notice_start(
    *, batch: IntakeBatch, community: Division, starts_on: datetime.date, ends_on: datetime.date, by: User
) -> BatchResult:
    """Post one public notice for every case of the batch in the community's review."""
    if not (by.has_role(Role.COMMUNITY_WORKER) and in_scope(by, community.pk)):
        raise NotAllowed(_("The public notice is posted by the community."))
    if workdays_between(starts_on - datetime.timedelta(days=1), ends_on) < NOTICE_MIN_WORKDAYS:
        raise NoticeTooShort(
            _("The public notice must last at least %(min)d working days.") % {"min": NOTICE_MIN_WORKDAYS}
        )
    apps = Application.objects.filter(batch=batch, community=community, status=S.COMMUNITY_REVIEW).order_by("id")
    return _batch_move(list(apps), "notice_start", by, starts_on=starts_on, ends_on=ends_on)


def batch_approve(*, batch: IntakeBatch, by: User, opinion: str) -> BatchResult:
    """District approval of every case of the batch awaiting its decision (each checked as usual)."""
    _require_district(by, batch.district)
    apps = Application.objects.filter(batch=batch, status=S.DISTRICT_DECISION).order_by("id")
    return _batch_move(list(apps), "approve", by, opinion=opinion)


# --- the batch's assessment schedule (集中评估) ---------------------------------------------------


def _require_scheduler(by: User, district: Division) -> None:
    """The district's reviewers, or the assessor organisation working for the district, set it."""
    scope = scope_for(by)
    if not (by.has_role(Role.DISTRICT_REVIEWER, Role.ASSESSOR) and (scope.all or district.pk in scope.district_ids)):
        raise NotAllowed(_("Only the district's reviewers or its assessors set the assessment schedule."))


def assessment_slot_create(
    *,
    batch: IntakeBatch,
    community: Division,
    on: datetime.date,
    by: User,
    assessor: User | None = None,
    place: str = "",
    note: str = "",
) -> AssessmentSlot:
    """Schedule the assessors' visit to one community's applicants of the batch on one day."""
    _require_scheduler(by, batch.district)
    if (
        community.level != Division.Level.COMMUNITY
        or community.parent is None
        or community.parent.parent_id != (batch.district_id)
    ):
        raise ValidationFailed(_("Choose a community of the batch's district."))
    if on < batch.opens_on:
        raise ValidationFailed(_("The assessment cannot be scheduled before the batch opens."))
    if assessor is not None and not (
        assessor.has_role(Role.ASSESSOR) and batch.district_id in scope_for(assessor).district_ids
    ):
        raise ValidationFailed(_("%(name)s is not an assessor of the district.") % {"name": assessor})
    try:
        with transaction.atomic():
            return AssessmentSlot.objects.create(
                batch=batch, community=community, on=on, assessor=assessor, place=place, note=note
            )
    except IntegrityError as exc:
        raise Conflict(
            _("%(community)s already has an assessment day on %(day)s in this batch.")
            % {"community": community.name, "day": on}
        ) from exc


def assessment_slot_delete(*, slot: AssessmentSlot, by: User) -> None:
    _require_scheduler(by, slot.batch.district)
    slot.delete()
