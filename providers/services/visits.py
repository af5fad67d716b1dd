"""Work orders and home visits: booking, assignment, check-in and check-out on the caregiver's
phone, payment through the ledger at check-out, re-service of a short visit, voids.

Work orders move only through `_order_transition`, along `ORDER_WORKFLOW`, writing one event row.
Lock order when money is involved: the work order first, then (inside the ledger) the accounts.
"""

import datetime
from decimal import Decimal
from typing import TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Elder, Role, User
from eldercare.scoping import scope_for
from eldercare.workflow import BadTransition, Move, Workflow, transition
from vouchers.errors import AccountFrozen
from vouchers.models import Account
from vouchers.services import redemption_create, redemption_reverse

from .. import rules
from ..errors import AlreadyCheckedIn, CertificateMissing, NotAssigned, WrongElder
from ..models import (
    Caregiver,
    CheckRequest,
    Provider,
    ServiceAgreement,
    ServiceItem,
    WorkOrder,
    WorkOrderEvent,
)
from .access import in_community_scope, is_admin
from .agreements import elder_from_code
from .library import caregiver_may_serve

S = WorkOrder.Status
PS = Provider.Status


# --- work orders ----------------------------------------------------------------------------

ASSIGNERS = frozenset({Role.PROVIDER_ADMIN})
VOIDERS = frozenset({Role.PROVIDER_ADMIN, Role.DISTRICT_REVIEWER})
CANCELLERS = frozenset({Role.PROVIDER_ADMIN, Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER})
CAREGIVERS = frozenset({Role.CAREGIVER})

# The work order workflow: (from, to) → roles that may make the move.
ORDER_WORKFLOW = Workflow(
    [
        Move(S.BOOKED, S.ASSIGNED, ASSIGNERS),
        Move(S.ASSIGNED, S.ASSIGNED, ASSIGNERS),  # reassign to another caregiver
        Move(S.ASSIGNED, S.IN_PROGRESS, CAREGIVERS),
        Move(S.IN_PROGRESS, S.COMPLETED, CAREGIVERS),
        Move(S.IN_PROGRESS, S.SHORT, CAREGIVERS),
        Move(S.COMPLETED, S.VOIDED, VOIDERS),
        Move(S.BOOKED, S.CANCELLED, CANCELLERS),
        Move(S.ASSIGNED, S.CANCELLED, CANCELLERS),
    ]
)


def _may_touch(user: User, order: WorkOrder) -> bool:
    scope = scope_for(user)
    return scope.covers_provider(order.provider_id) or scope.covers_community(order.elder.community_id)


def _order_transition(order: WorkOrder, to: str, *, by: User | None, note: str = "", at=None, **fields) -> WorkOrder:
    """The one guarded move of a work order: role and jurisdiction, new status, one event row."""
    at = at or timezone.now()
    transition(
        order,
        workflow=ORDER_WORKFLOW,
        to=to,
        by=by,
        bypass=by is not None and is_admin(by),
        covers=lambda: by is not None and _may_touch(by, order),
        refused=lambda: BadTransition(
            _("A work order that is %(from)s cannot become %(to)s.")
            % {"from": order.get_status_display(), "to": WorkOrder.Status(to).label}
        ),
        forbidden=lambda: NotAllowed(_("You may not do this with this work order.")),
        fields=fields,
        record=lambda from_status: WorkOrderEvent.objects.create(
            order=order, from_status=from_status, to_status=to, note=note, by=by, created_at=at
        ),
    )
    return order


@transaction.atomic
def order_book(
    *, elder: Elder, item: ServiceItem, scheduled_at: datetime.datetime, by: User, via: str = "", note: str = ""
) -> WorkOrder:
    """Book a visit: the family through the community worker, the community itself, or the provider."""
    provider = item.provider
    is_provider = by.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(by).provider_ids
    if not (is_admin(by) or is_provider or (by.has_role(Role.COMMUNITY_WORKER) and in_community_scope(by, elder))):
        raise NotAllowed(_("You may not book visits for this elder."))
    via = via or (WorkOrder.BookedVia.PROVIDER if is_provider else WorkOrder.BookedVia.COMMUNITY)
    if provider.status != PS.CONTRACTED:
        raise Conflict(_("This provider is not contracted at the moment."))
    if not item.active:
        raise Conflict(_("This service item is no longer offered."))
    if not ServiceAgreement.objects.filter(elder=elder, provider=provider, ends_on__isnull=True).exists():
        raise Conflict(_("The elder has no service agreement with this provider."))
    if elder.life_status != "active":
        raise Conflict(_("This elder is no longer served (moved away or deceased)."))
    order = WorkOrder.objects.create(
        elder=elder,
        provider=provider,
        item=item,
        price=item.price,
        scheduled_at=scheduled_at,
        booked_via=via,
        booked_by=by,
    )
    WorkOrderEvent.objects.create(
        order=order, from_status="", to_status=S.BOOKED, note=note, by=by, created_at=timezone.now()
    )
    return order


@transaction.atomic
def order_assign(*, order: WorkOrder, caregiver: Caregiver, by: User) -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("item", "elder").get(pk=order.pk)
    if caregiver.provider_id != order.provider_id or not caregiver.active:
        raise ValidationFailed(_("Choose an active caregiver of this provider."))
    if caregiver.trained_on is None:
        raise Conflict(_("%(name)s has not completed the training yet.") % {"name": caregiver.name})
    if not caregiver_may_serve(caregiver=caregiver, item=order.item, on=timezone.localdate(order.scheduled_at)):
        raise CertificateMissing(
            _("%(name)s has no valid %(kind)s certificate, which this service needs.")
            % {"name": caregiver.name, "kind": order.item.get_certificate_kind_display()}
        )
    return _order_transition(order, S.ASSIGNED, by=by, caregiver=caregiver, note=caregiver.name)


@transaction.atomic
def order_cancel(*, order: WorkOrder, reason: str, by: User) -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("elder").get(pk=order.pk)
    return _order_transition(order, S.CANCELLED, by=by, note=reason)


def _replayed(key: str, order: WorkOrder, action: str) -> WorkOrder | None:
    """The order as it is when this request id was already handled (a retry), else None."""
    if not key:
        return None
    done = CheckRequest.objects.filter(key=key).first()
    if done is None:
        return None
    if done.order_id != order.pk or done.action != action:
        raise Conflict(_("This request id was already used for another request."))
    return order


def _check_caregiver(order: WorkOrder, by: User) -> None:
    if order.caregiver is None or order.caregiver.user_id != by.pk:
        raise NotAssigned(_("You are not the caregiver assigned to this work order."))


def _check_elder(order: WorkOrder, code: str) -> None:
    elder = elder_from_code(code)
    if elder.pk != order.elder_id:
        raise WrongElder(_("This card belongs to another elder, not to the elder of this work order."))


def _refuse_frozen(elder_id: int) -> None:
    """A visit cannot start when the subsidy account is frozen or archived (death, move, fraud)."""
    account = (
        Account.objects.filter(elder_id=elder_id, kind=Account.Kind.SUBSIDY)
        .exclude(status=Account.Status.ACTIVE)
        .first()
    )
    if account is not None:
        raise AccountFrozen.for_account(account)


def _flag_overlaps(order: WorkOrder, start, end) -> None:
    """Flag this and every visit of the same caregiver whose time overlaps [start, end)."""
    # Only checked-in visits come here, and those have a caregiver (workorder_assigned_has_caregiver).
    assert order.caregiver_id is not None
    others = WorkOrder.objects.filter(caregiver_id=order.caregiver_id, checked_in_at__lt=end).exclude(pk=order.pk)
    others = others.filter(checked_out_at__gt=start) | others.filter(checked_out_at__isnull=True, status=S.IN_PROGRESS)
    ids = list(others.values_list("pk", flat=True))
    if ids:
        WorkOrder.objects.filter(pk__in=ids + [order.pk]).update(overlap_flagged=True)
        order.overlap_flagged = True


@transaction.atomic
def visit_check_in(
    *,
    order: WorkOrder,
    code: str,
    by: User,
    request_id: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
) -> WorkOrder:
    """The caregiver scans (or types) the elder's card at the door. A retried request id is a no-op."""
    order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("caregiver", "elder", "item").get(pk=order.pk)
    )
    if (replay := _replayed(request_id, order, "in")) is not None:
        return replay
    _check_caregiver(order, by)
    _check_elder(order, code)
    if order.status != S.ASSIGNED:
        if order.checked_in_at is not None:
            raise AlreadyCheckedIn(
                _("This work order was already checked in at %(at)s.")
                % {"at": timezone.localtime(order.checked_in_at).strftime("%Y-%m-%d %H:%M")}
            )
        raise BadTransition(
            _("This work order cannot be checked in (%(status)s).") % {"status": order.get_status_display()}
        )
    _refuse_frozen(order.elder_id)
    now = timezone.now()
    _order_transition(order, S.IN_PROGRESS, by=by, at=now, checked_in_at=now, check_in_lat=lat, check_in_lng=lng)
    _flag_overlaps(order, now, now + datetime.timedelta(minutes=order.item.minutes))
    if request_id:
        CheckRequest.objects.create(key=request_id, order=order, action="in", user=by)
    return order


def _reservice(order: WorkOrder, *, by: User | None, reason: str) -> WorkOrder:
    """The order to serve again, for the same elder, item and caregiver, a day later."""
    again = WorkOrder.objects.create(
        elder=order.elder,
        provider=order.provider,
        item=order.item,
        price=order.item.price,
        scheduled_at=order.scheduled_at + datetime.timedelta(days=1),
        booked_via=WorkOrder.BookedVia.PROVIDER,
        booked_by=by or order.booked_by,
        caregiver=order.caregiver,
        status=S.ASSIGNED,
        reservice_of=order,
    )
    WorkOrderEvent.objects.create(
        order=again, from_status="", to_status=S.ASSIGNED, note=reason, by=by, created_at=timezone.now()
    )
    return again


def redeem_key(order: WorkOrder) -> str:
    return f"workorder:{order.pk}:redeem"


def _redeem(order: WorkOrder, by: User):
    return redemption_create(
        elder=order.elder,
        amount=order.price,
        provider=order.provider,
        idempotency_key=redeem_key(order),
        reference=f"workorder:{order.pk}",
        by=by,
    )


class _CheckOutFields(TypedDict, total=False):
    checked_out_at: datetime.datetime
    check_out_lat: Decimal | None
    check_out_lng: Decimal | None
    notes: str


@transaction.atomic
def visit_check_out(
    *,
    order: WorkOrder,
    code: str,
    by: User,
    request_id: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    notes: str = "",
) -> WorkOrder:
    """The caregiver scans the card again when leaving. A visit of an hour or more is redeemed
    (subsidy first, co-pay for the rest); a shorter one is flagged and served again."""
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("caregiver", "elder", "item", "provider")
        .get(pk=order.pk)
    )
    if (replay := _replayed(request_id, order, "out")) is not None:
        return replay
    _check_caregiver(order, by)
    _check_elder(order, code)
    if order.status != S.IN_PROGRESS:
        if order.checked_out_at is not None:
            raise Conflict(_("This work order was already checked out."))
        raise BadTransition(_("Check in before checking out."))
    now = timezone.now()
    checked_in_at = order.checked_in_at
    assert checked_in_at is not None  # an order in progress was checked in (workorder_started_has_checkin)
    minutes = (now - checked_in_at).total_seconds() / 60
    fields: _CheckOutFields = {"checked_out_at": now, "check_out_lat": lat, "check_out_lng": lng}
    if notes:
        fields["notes"] = notes
    if rules.is_short_visit(minutes):
        _order_transition(
            order,
            S.SHORT,
            by=by,
            at=now,
            note=_("Visit of %(n)d minutes, shorter than one hour: not redeemed.") % {"n": int(minutes)},
            **fields,
        )
        _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was too short.") % {"id": order.pk})
    else:
        result = _redeem(order, by)
        _order_transition(order, S.COMPLETED, by=by, at=now, redemption=result.transaction, **fields)
    _flag_overlaps(order, checked_in_at, now)
    if request_id:
        CheckRequest.objects.create(key=request_id, order=order, action="out", user=by)
    return order


@transaction.atomic
def order_add_notes(*, order: WorkOrder, notes: str, by: User) -> WorkOrder:
    _check_caregiver(order, by)
    order.notes = notes
    order.save(update_fields=["notes", "updated_at"])
    return order


@transaction.atomic
def order_void(*, order: WorkOrder, reason: str, by: User) -> WorkOrder:
    """作废单: a visit found non-compliant is voided, its redemption reversed, and served again."""
    if not reason.strip():
        raise ValidationFailed(_("Give the reason the visit is voided."))
    order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("elder", "item", "provider").get(pk=order.pk)
    )
    if order.status == S.VOIDED:
        raise Conflict(_("This work order is already voided."))
    reversal = None
    if order.redemption is not None:
        reversal = redemption_reverse(
            transaction=order.redemption, reason=reason, idempotency_key=f"workorder:{order.pk}:void", by=by
        )
    _order_transition(order, S.VOIDED, by=by, note=reason, void_reason=reason, reversal=reversal)
    _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was voided.") % {"id": order.pk})
    return order
