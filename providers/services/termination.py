"""Ending a provider's qualification and what follows from it: its contract ends, its elders'
agreements end, its open work orders are cancelled, all in one transaction.

It sits above `library`, `agreements` and `visits` and calls their writes, so that none of them
needs to know about the others.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import ValidationFailed
from eldercare.models import User

from ..models import Provider, WorkOrder
from .agreements import agreements_end_for_terminated_provider
from .library import TerminationGround, provider_set_status
from .visits import order_cancel

OPEN_ORDER_STATUSES = (WorkOrder.Status.BOOKED, WorkOrder.Status.ASSIGNED)


@dataclass(frozen=True)
class TerminationResult:
    provider: Provider
    agreements_ended: int
    orders_cancelled: int


@transaction.atomic
def provider_terminate(*, provider: Provider, ground: str, reason: str, by: User) -> TerminationResult:
    """Terminate on one of the grounds; end the open agreements (the elders must choose another
    provider) and cancel the booked and assigned visits with the reason."""
    if ground not in TerminationGround.values:
        raise ValidationFailed(_("Choose a ground for the termination."))
    provider = provider_set_status(
        provider=provider, to=Provider.Status.TERMINATED, reason=reason, ground=ground, by=by, cascaded=True
    )
    ended = agreements_end_for_terminated_provider(provider=provider, ends_on=timezone.localdate(), by=by)
    note = _("provider terminated: %(reason)s") % {"reason": reason}
    cancelled = 0
    for order in WorkOrder.objects.filter(provider=provider, status__in=OPEN_ORDER_STATUSES).order_by("pk"):
        order_cancel(order=order, reason=note, by=by)
        cancelled += 1
    return TerminationResult(provider, ended, cancelled)
