"""A death or a move away, from the report to the end of service.

It lives here, the highest app it touches, because verification reaches down into three: the
standards (the entitlement ends), the vouchers (the accounts freeze) and this app's visits.

The provider (or anyone who learns of it) reports; the community or the town verifies. On
verification the registry records the status, the entitlement ends after that month (grants paid
for later months are recovered), the subsidy and personal accounts are frozen, and visits still
booked after the date are cancelled.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Elder, LifeStatus, Role, User
from eldercare.periods import Month, local_day_bounds
from eldercare.scoping import scope_for
from eldercare.services import elder_set_life_status, notification_send
from subsidies.standards.services.entitlements import entitlement_end
from vouchers.models import Account
from vouchers.services import account_freeze

from ..models import WorkOrder
from .visits import order_cancel

VERIFIERS = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
# The life events a verifier records, and the cause the elder's accounts are frozen with.
EVENTS: dict[str, str] = {LifeStatus.DECEASED: Account.Cause.DECEASED, LifeStatus.MOVED: Account.Cause.MOVED}


@dataclass(frozen=True)
class LifeEventResult:
    elder: Elder
    entitlement_ended: bool
    grants_recovered: int
    orders_cancelled: int


def life_event_report(*, elder: Elder, status: str, on: datetime.date, by: User, note: str = "") -> int:
    """A provider's (or anyone's) report: the elder's community workers are asked to verify it.
    Returns how many people were notified."""
    if status not in EVENTS:
        raise ValidationFailed(_("Report a death or a move away."))
    label = LifeStatus(status).label
    message = _("Please verify: %(name)s — %(event)s on %(date)s, reported by %(by)s. %(note)s") % {
        "name": elder.name,
        "event": label,
        "date": on.isoformat(),
        "by": by,
        "note": note,
    }
    workers = User.objects.filter(
        role_assignments__role=Role.COMMUNITY_WORKER, role_assignments__division_id=elder.community_id
    ).distinct()
    url = reverse("life_event_verify", args=[elder.pk])
    for worker in workers:
        notification_send(
            user=worker, message=message, url=url, dedupe_key=f"life-event:{elder.pk}:{status}:{on.isoformat()}"
        )
    return len(workers)


def life_event_verify(*, elder: Elder, status: str, on: datetime.date, by: User, note: str = "") -> LifeEventResult:
    """The community or town confirms a death or a move: everything that follows happens at once."""
    if status not in EVENTS:
        raise ValidationFailed(_("Report a death or a move away."))
    if not (by.is_superuser or by.has_role(*VERIFIERS)):
        raise NotAllowed(_("Only the community, the town or the district may verify a death or a move."))
    scope = scope_for(by)
    if not scope.covers_community(elder.community_id):
        raise NotAllowed(_("This elder is outside your jurisdiction."))
    if elder.life_status != LifeStatus.ACTIVE:
        raise Conflict(
            _("This elder's status is already recorded as %(status)s.") % {"status": elder.get_life_status_display()}
        )
    reason = note or str(LifeStatus(status).label)
    with transaction.atomic():
        elder_set_life_status(elder=elder, status=status, on=on, by=by)
        ended, recovered = False, 0
        if elder.entitlements.filter(status="active").exists():
            result = entitlement_end(elder=elder, last_month=Month.of(on), reason=reason, by=by)
            ended, recovered = True, len(result.recovered)
        if Account.objects.filter(elder=elder, kind=Account.Kind.SUBSIDY).exists():
            account_freeze(elder=elder, reason=EVENTS[status], note=reason, by=by)
        start_of_next_day = local_day_bounds(on)[1]
        cancelled = 0
        for order in WorkOrder.objects.filter(
            elder=elder,
            status__in=[WorkOrder.Status.BOOKED, WorkOrder.Status.ASSIGNED],
            scheduled_at__gte=start_of_next_day,
        ):
            order_cancel(order=order, reason=reason, by=by)
            cancelled += 1
    return LifeEventResult(elder=elder, entitlement_ended=ended, grants_recovered=recovered, orders_cancelled=cancelled)
