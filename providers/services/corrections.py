"""Held visits and their corrections ("visit maintenance"): the provider's administrator proposes
the correct times with a reason code, a note and an evidence photo; the town or the district
approves (the visit is paid with the corrected times, or found short and served again) or rejects
(the visit is voided and served again). Every correction keeps the values it replaces; a visit
more than 95 days old is locked. The nightly task closes missed check-outs and no-shows as
exceptions."""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role, User
from eldercare.scoping import scope_for
from eldercare.uploads import check_upload

from .. import rules
from ..models import ExceptionKind, ReasonCode, VisitCorrection, VisitException, WorkOrder
from . import presence
from .access import is_admin
from .visits import _order_transition, _redeem, _reservice

S = WorkOrder.Status


def _refuse_locked(order: WorkOrder, today: datetime.date | None = None) -> None:
    day = timezone.localdate(order.scheduled_at)
    if rules.correction_locked(visit_day=day, today=today or timezone.localdate()):
        raise Conflict(
            _("The visit of %(day)s is more than %(n)d days old: its record is locked and can no longer be corrected.")
            % {"day": day.isoformat(), "n": rules.CORRECTION_LOCK_DAYS}
        )


def _lock_held(order: WorkOrder) -> WorkOrder:
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("elder", "item", "provider", "caregiver")
        .get(pk=order.pk)
    )
    if order.status != S.HELD:
        raise Conflict(
            _("Only a visit held for an exception is corrected here (this one is %(status)s).")
            % {"status": order.get_status_display()}
        )
    return order


@transaction.atomic
def correction_propose(
    *,
    order: WorkOrder,
    reason: ReasonCode,
    checked_in_at: datetime.datetime,
    checked_out_at: datetime.datetime,
    note: str = "",
    evidence: UploadedFile | None = None,
    by: User,
) -> VisitCorrection:
    """The provider's administrator proposes how a held visit really went."""
    order = _lock_held(order)
    if not (is_admin(by) or (by.has_role(Role.PROVIDER_ADMIN) and order.provider_id in scope_for(by).provider_ids)):
        raise NotAllowed(_("Only the administrator of the visit's provider proposes a correction."))
    _refuse_locked(order)
    if not reason.active:
        raise ValidationFailed(_("This reason code is no longer in use: choose another."))
    if reason.note_required and not note.strip():
        raise ValidationFailed(_("Explain the reason “%(reason)s” in the note.") % {"reason": reason.name})
    if checked_out_at <= checked_in_at:
        raise ValidationFailed(_("The check-out must come after the check-in."))
    if checked_out_at > timezone.now():
        raise ValidationFailed(_("A correction records what happened: the check-out cannot be in the future."))
    if evidence is not None:
        check_upload(evidence, kinds=("jpeg", "png"))
    if order.corrections.filter(status=VisitCorrection.Status.PROPOSED).exists():
        raise Conflict(_("A correction of this visit already awaits a decision."))
    correction = VisitCorrection(
        order=order,
        reason=reason,
        note=note.strip(),
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        original_checked_in_at=order.checked_in_at,
        original_checked_out_at=order.checked_out_at,
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    if evidence is not None:
        correction.evidence = evidence
    try:
        with transaction.atomic():
            correction.save()
    except IntegrityError as exc:
        raise Conflict(_("A correction of this visit already awaits a decision.")) from exc
    return correction


def _lock_proposed(correction: VisitCorrection, by: User) -> tuple[VisitCorrection, WorkOrder]:
    order = _lock_held(correction.order)
    correction = VisitCorrection.objects.select_for_update().select_related("reason").get(pk=correction.pk)
    if correction.status != VisitCorrection.Status.PROPOSED:
        raise Conflict(
            _("This correction was already decided (%(status)s).") % {"status": correction.get_status_display()}
        )
    if correction.proposed_by_id == by.pk:
        raise NotAllowed(_("The one who proposed a correction does not decide it."))
    _refuse_locked(order)
    return correction, order


def _resolve(order: WorkOrder, correction: VisitCorrection | None, at: datetime.datetime) -> None:
    VisitException.objects.filter(order=order, resolved_at__isnull=True).update(resolved_at=at, resolved_by=correction)


def _decided(correction: VisitCorrection, status: str, by: User, note: str, at: datetime.datetime) -> None:
    correction.status = status
    correction.decided_by = by
    correction.decided_at = at
    correction.decision_note = note.strip()
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def correction_approve(*, correction: VisitCorrection, by: User, note: str = "") -> WorkOrder:
    """The town or the district approves: the visit takes the corrected times and is paid (or, if
    the corrected visit is shorter than an hour, it is not paid and is served again)."""
    correction, order = _lock_proposed(correction, by)
    now = timezone.now()
    minutes = (correction.checked_out_at - correction.checked_in_at).total_seconds() / 60
    times = {"checked_in_at": correction.checked_in_at, "checked_out_at": correction.checked_out_at}
    label = _("Correction approved (%(reason)s).") % {"reason": correction.reason.name}
    if rules.is_short_visit(minutes):
        _order_transition(order, S.SHORT, by=by, at=now, note=label, **times)
        _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was too short.") % {"id": order.pk})
    else:
        result = _redeem(order, by, checked_out_at=correction.checked_out_at)
        _order_transition(order, S.COMPLETED, by=by, at=now, note=label, redemption=result.transaction, **times)
    _decided(correction, VisitCorrection.Status.APPROVED, by, note, now)
    _resolve(order, correction, now)
    return order


@transaction.atomic
def correction_reject(*, correction: VisitCorrection, by: User, note: str) -> WorkOrder:
    """The town or the district rejects: the visit is voided and served again."""
    if not note.strip():
        raise ValidationFailed(_("Give the reason the correction is rejected."))
    correction, order = _lock_proposed(correction, by)
    now = timezone.now()
    reason = _("Correction rejected: %(note)s") % {"note": note.strip()}
    _order_transition(order, S.VOIDED, by=by, at=now, note=reason, void_reason=reason)
    _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was voided.") % {"id": order.pk})
    _decided(correction, VisitCorrection.Status.REJECTED, by, note, now)
    _resolve(order, correction, now)
    return order


# --- the nightly task -----------------------------------------------------------------------


def close_overdue_visits(*, now: datetime.datetime | None = None, among=None) -> tuple[int, int]:
    """Close, as exceptions, the visits checked in more than `MISSED_CHECKOUT_HOURS` ago and never
    checked out, and the assigned visits of an earlier day never checked in. Returns the counts
    (missed check-outs, no-shows). Running it twice closes nothing more. `among`: only these
    work orders (a queryset), else all."""
    with translation.override(settings.LANGUAGE_CODE):  # the details are kept in the district's language
        return _close_overdue(now=now or timezone.now(), among=among)


def _close_overdue(*, now: datetime.datetime, among) -> tuple[int, int]:
    stale = now - datetime.timedelta(hours=rules.MISSED_CHECKOUT_HOURS)
    start_of_today = timezone.make_aware(datetime.datetime.combine(timezone.localdate(now), datetime.time.min))
    orders = WorkOrder.objects.all() if among is None else among
    missed = list(orders.filter(status=S.IN_PROGRESS, checked_in_at__lt=stale).values_list("pk", flat=True))
    absent = list(orders.filter(status=S.ASSIGNED, scheduled_at__lt=start_of_today).values_list("pk", flat=True))
    closed = [0, 0]
    for i, (ids, source, kind) in enumerate(
        ((missed, S.IN_PROGRESS, ExceptionKind.MISSED_CHECKOUT), (absent, S.ASSIGNED, ExceptionKind.NO_SHOW))
    ):
        for pk in ids:
            with transaction.atomic():
                order = WorkOrder.objects.select_for_update(of=("self",)).filter(pk=pk, status=source).first()
                if order is None:  # checked in or out meanwhile
                    continue
                if kind == ExceptionKind.MISSED_CHECKOUT:
                    assert order.checked_in_at is not None
                    detail = _("checked in at %(at)s, never checked out") % {
                        "at": timezone.localtime(order.checked_in_at).strftime("%Y-%m-%d %H:%M")
                    }
                else:
                    detail = _("booked for %(at)s, never checked in") % {
                        "at": timezone.localtime(order.scheduled_at).strftime("%Y-%m-%d %H:%M")
                    }
                _order_transition(order, S.HELD, by=None, at=now, note=detail)
                presence.exception_open(order, kind, detail, at=now)
                closed[i] += 1
    return closed[0], closed[1]
