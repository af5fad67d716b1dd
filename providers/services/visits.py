"""Work orders and home visits: booking, assignment, check-in and check-out on the caregiver's
phone, payment through the ledger at check-out, re-service of a short visit, voids.

Work orders move only through `_order_transition`, along `ORDER_WORKFLOW`, writing one event row.
Lock order when money is involved: the work order with the caregiver's overlapping visits (one
statement, ascending id), then (inside the ledger) the accounts.
"""

import datetime
from decimal import Decimal
from typing import TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.inserts import insert_unless_taken
from eldercare.models import Elder, LifeStatus, Role, User
from eldercare.money import cny
from eldercare.scoping import scope_for
from eldercare.selectors import ENCRYPTED_FIELDS
from eldercare.workflow import BadTransition, Move, Workflow, transition
from vouchers.errors import AccountFrozen
from vouchers.models import Account
from vouchers.services import redemption_create, redemption_reverse

from .. import rules, tokens
from ..errors import AlreadyCheckedIn, CertificateMissing, NotAssigned, UnpaidCheckOut, VisitHeld, WrongElder
from ..models import (
    Approval,
    Caregiver,
    CheckRequest,
    ElderCard,
    ExceptionKind,
    Provider,
    ServiceAgreement,
    ServiceItem,
    ServicePackage,
    VisitException,
    WorkOrder,
    WorkOrderEvent,
)
from ..selectors import card_from_code
from . import presence
from .access import in_community_scope, is_admin
from .catalogue import entry_in_force, package_shares
from .library import caregiver_may_serve

S = WorkOrder.Status
PS = Provider.Status


# --- work orders ----------------------------------------------------------------------------

ASSIGNERS = frozenset({Role.PROVIDER_ADMIN})
VOIDERS = frozenset({Role.PROVIDER_ADMIN, Role.DISTRICT_REVIEWER})
CANCELLERS = frozenset({Role.PROVIDER_ADMIN, Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER})
CAREGIVERS = frozenset({Role.CAREGIVER})
# The town (street reviewer) or the district decides a held visit's correction.
DECIDERS = frozenset({Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER})

# The work order workflow: (from, to) → roles that may make the move.
ORDER_WORKFLOW = Workflow(
    [
        Move(S.BOOKED, S.ASSIGNED, ASSIGNERS),
        Move(S.ASSIGNED, S.ASSIGNED, ASSIGNERS),  # reassign to another caregiver
        Move(S.ASSIGNED, S.IN_PROGRESS, CAREGIVERS),
        Move(S.IN_PROGRESS, S.COMPLETED, CAREGIVERS),
        Move(S.IN_PROGRESS, S.SHORT, CAREGIVERS),
        # Held for an exception: at check-out, or by the nightly task (a missed check-out or a
        # no-show, `by=None`); a correction's decision pays it, finds it short, or voids it.
        Move(S.IN_PROGRESS, S.HELD, CAREGIVERS),
        Move(S.ASSIGNED, S.HELD, frozenset()),
        Move(S.HELD, S.COMPLETED, DECIDERS),
        Move(S.HELD, S.SHORT, DECIDERS),
        Move(S.HELD, S.VOIDED, DECIDERS | ASSIGNERS),
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
        # Only what the move writes: the UPDATE stays short on the check-in and check-out path.
        update_fields=["status", "updated_at", *fields],
        record=lambda from_status: WorkOrderEvent.objects.create(
            order=order, from_status=from_status, to_status=to, note=note, by=by, created_at=at
        ),
    )
    return order


def _refuse_unserved(elder: Elder) -> None:
    if elder.life_status != LifeStatus.ACTIVE:
        raise Conflict(
            _("%(name)s is no longer served (%(status)s): no visit can be booked.")
            % {"name": elder.name, "status": elder.get_life_status_display()}
        )


def _check_may_serve(caregiver: Caregiver, provider: Provider, items: list[ServiceItem], day: datetime.date) -> None:
    """The caregiver is active, trained, of the provider, and holds each certificate the items need
    valid on the visit's day."""
    if caregiver.provider_id != provider.pk or not caregiver.active:
        raise ValidationFailed(_("Choose an active caregiver of this provider."))
    if caregiver.trained_on is None:
        raise Conflict(_("%(name)s has not completed the training yet.") % {"name": caregiver.name})
    for item in items:
        if not caregiver_may_serve(caregiver=caregiver, item=item, on=day):
            raise CertificateMissing(
                _("%(name)s has no %(kind)s certificate valid on %(day)s, which %(item)s needs.")
                % {
                    "name": caregiver.name,
                    "kind": item.get_certificate_kind_display(),
                    "day": day.isoformat(),
                    "item": item.name,
                }
            )


def _check_booking(
    *, elder: Elder, provider: Provider, scheduled_at: datetime.datetime, by: User
) -> tuple[str, datetime.date]:
    """Who may book for this elder with this provider, and when: the booker's default channel and
    the visit's day."""
    is_provider = by.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(by).provider_ids
    if not (is_admin(by) or is_provider or (by.has_role(Role.COMMUNITY_WORKER) and in_community_scope(by, elder))):
        raise NotAllowed(_("You may not book visits for this elder."))
    if scheduled_at <= timezone.now():
        raise ValidationFailed(_("A visit is booked in advance: choose a time later than now."))
    _refuse_unserved(elder)
    if provider.status != PS.CONTRACTED:
        raise Conflict(_("%(provider)s is not contracted at the moment.") % {"provider": provider.name})
    day = timezone.localdate(scheduled_at)
    agreements = ServiceAgreement.objects.filter(elder=elder, provider=provider)
    in_force = Q(signed_on__lte=day) & (Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    if not agreements.filter(in_force).exists():
        later = agreements.filter(signed_on__gt=day).order_by("signed_on").first()
        if later is not None:
            raise Conflict(
                _("%(name)s's agreement with %(provider)s starts on %(date)s: book a visit from that day.")
                % {"name": elder.name, "provider": provider.name, "date": later.signed_on.isoformat()}
            )
        raise Conflict(
            _("%(name)s has no open service agreement with %(provider)s: sign one before booking.")
            % {"name": elder.name, "provider": provider.name}
        )
    channel = WorkOrder.BookedVia.PROVIDER if is_provider else WorkOrder.BookedVia.COMMUNITY
    return channel, day


def _refuse_not_in_force(entry: ServiceItem | ServicePackage, day: datetime.date) -> None:
    if entry.approval != Approval.APPROVED:
        raise Conflict(
            _("%(name)s is not approved by the district (%(state)s) and cannot be booked.")
            % {"name": entry.name, "state": entry.get_approval_display()}
        )
    if not entry_in_force(entry, day):
        raise Conflict(_("%(name)s is not in force on %(day)s.") % {"name": entry.name, "day": day.isoformat()})


def _create_orders(
    *,
    elder: Elder,
    provider: Provider,
    lines: list[tuple[ServiceItem, Money, datetime.datetime]],
    package: ServicePackage | None,
    self_paid: bool,
    via: str,
    caregiver: Caregiver | None,
    note: str,
    by: User,
) -> list[WorkOrder]:
    now = timezone.now()
    orders = []
    for item, price, at in lines:
        order = WorkOrder.objects.create(
            elder=elder,
            provider=provider,
            item=item,
            price=price,
            package=package,
            self_paid=self_paid or not item.subsidised,
            scheduled_at=at,
            booked_via=via,
            booked_by=by,
            caregiver=caregiver,
            status=S.ASSIGNED if caregiver else S.BOOKED,
        )
        WorkOrderEvent.objects.create(order=order, from_status="", to_status=S.BOOKED, note=note, by=by, created_at=now)
        if caregiver is not None:
            # Chosen at booking (the family asked for this caregiver): assigned in the same step.
            WorkOrderEvent.objects.create(
                order=order, from_status=S.BOOKED, to_status=S.ASSIGNED, note=caregiver.name, by=by, created_at=now
            )
        orders.append(order)
    return orders


@transaction.atomic
def order_book(
    *,
    elder: Elder,
    item: ServiceItem,
    scheduled_at: datetime.datetime,
    by: User,
    via: str = "",
    note: str = "",
    caregiver: Caregiver | None = None,
    self_paid: bool = False,
) -> WorkOrder:
    """Book a visit: the family through the community worker, the community itself, or the provider.

    The item must be approved and in force on the visit's day and its provider hold an open
    agreement with the elder. `self_paid` ("pay it myself"), or an item outside the subsidy, is
    paid from the elder's own money at check-out. A caregiver chosen now must be able to serve it.
    """
    channel, day = _check_booking(elder=elder, provider=item.provider, scheduled_at=scheduled_at, by=by)
    _refuse_not_in_force(item, day)
    if caregiver is not None:
        _check_may_serve(caregiver, item.provider, [item], day)
    (order,) = _create_orders(
        elder=elder,
        provider=item.provider,
        lines=[(item, item.price, scheduled_at)],
        package=None,
        self_paid=self_paid,
        via=via or channel,
        caregiver=caregiver,
        note=note,
        by=by,
    )
    return order


@transaction.atomic
def package_book(
    *,
    elder: Elder,
    package: ServicePackage,
    scheduled_at: datetime.datetime,
    by: User,
    via: str = "",
    note: str = "",
    caregiver: Caregiver | None = None,
    self_paid: bool = False,
) -> list[WorkOrder]:
    """Book a package: one work order per item, one after the other from `scheduled_at` (each the
    item's minutes after the previous one), each priced at its share of the package price."""
    channel, day = _check_booking(elder=elder, provider=package.provider, scheduled_at=scheduled_at, by=by)
    _refuse_not_in_force(package, day)
    items = list(package.items.order_by("pk"))
    if not items:
        raise Conflict(_("This package holds no items."))
    for item in items:
        _refuse_not_in_force(item, day)
    if caregiver is not None:
        _check_may_serve(caregiver, package.provider, items, day)
    shares = package_shares(package.price.amount, [i.price.amount for i in items])
    lines = []
    at = scheduled_at
    for item, share in zip(items, shares, strict=True):
        lines.append((item, cny(share), at))
        at += datetime.timedelta(minutes=item.minutes)
    return _create_orders(
        elder=elder,
        provider=package.provider,
        lines=lines,
        package=package,
        self_paid=self_paid,
        via=via or channel,
        caregiver=caregiver,
        note=note,
        by=by,
    )


@transaction.atomic
def order_assign(*, order: WorkOrder, caregiver: Caregiver, by: User) -> WorkOrder:
    order = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("item", "elder", "provider").get(pk=order.pk)
    )
    _check_may_serve(caregiver, order.provider, [order.item], timezone.localdate(order.scheduled_at))
    return _order_transition(order, S.ASSIGNED, by=by, caregiver=caregiver, note=caregiver.name)


@transaction.atomic
def order_cancel(*, order: WorkOrder, reason: str, by: User) -> WorkOrder:
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("elder").get(pk=order.pk)
    return _order_transition(order, S.CANCELLED, by=by, note=reason)


def _claimed_before(key: str, order: WorkOrder, action: str, by: User) -> bool:
    """Keep the client's request id for this visit and action before doing the work (one INSERT,
    no savepoint: a refusal further on rolls it back with the rest). True when it was kept
    already: a retry of a request handled before, answered with the visit as it is now. A request
    id already used for another visit or action is refused."""
    if not key:
        return False
    if insert_unless_taken(CheckRequest(key=key, order=order, action=action, user=by)):
        return False
    done = CheckRequest.objects.get(key=key)
    if done.order_id != order.pk or done.action != action:
        raise Conflict(_("This request id was already used for another request."))
    return True


def _check_caregiver(order: WorkOrder, by: User) -> None:
    if order.caregiver is None or order.caregiver.user_id != by.pk:
        raise NotAssigned(_("You are not the caregiver assigned to this work order."))


def _check_elder(order: WorkOrder, code: str) -> ElderCard:
    card = card_from_code(code)
    if card.elder_id != order.elder_id:
        raise WrongElder(_("This card belongs to another elder, not to the elder of this work order."))
    return card


def _refuse_frozen(elder_id: int) -> None:
    """A visit cannot start when the subsidy account is frozen or archived (death, move, fraud)."""
    account = (
        Account.objects.filter(elder_id=elder_id, kind=Account.Kind.SUBSIDY)
        .exclude(status=Account.Status.ACTIVE)
        .first()
    )
    if account is not None:
        raise AccountFrozen.for_account(account)


def _overlapping(order: WorkOrder, start, end) -> Q:
    """The caregiver's other visits whose time overlaps [start, end): checked out after `start`, or
    still in progress."""
    # Only checked-in visits come here, and those have a caregiver (workorder_assigned_has_caregiver).
    assert order.caregiver_id is not None
    return (
        Q(caregiver_id=order.caregiver_id, checked_in_at__lt=end)
        & ~Q(pk=order.pk)
        & (Q(checked_out_at__gt=start) | Q(checked_out_at__isnull=True, status=S.IN_PROGRESS))
    )


# The elder's personal data (its encrypted fields and what is derived from them) and the
# provider's and caregiver's contact details, which no check-in or check-out reads: not loaded,
# nor decrypted.
UNREAD = (
    *(
        f"elder__{name}"
        for name in (
            *ENCRYPTED_FIELDS,
            "id_digest",
            "id_masked",
            "address",
            "phone_masked",
            "agent_name",
            "agent_relation",
            "agent_phone_masked",
            "disqualified_reason",
            "name_initials",
            "id_tail",
            "phone_tail",
        )
    ),
    *(
        f"provider__{name}"
        for name in (
            "licence_number",
            "other_licences",
            "status_reason",
            "phone",
            "address",
            "contact_name",
            "contact_phone",
        )
    ),
    *(f"caregiver__{name}" for name in ("photo", "phone", "phone_masked")),
)


def _lock_visit(given: WorkOrder, span) -> tuple[WorkOrder, list[int]]:
    """Lock a visit for check-in or check-out, with the caregiver's visits that overlap
    `span(order)`, all in one statement in ascending id (then, inside the ledger, the accounts in
    ascending id): two check-outs of one caregiver, or of one elder, wait for each other instead
    of deadlocking. The overlaps are those of the caller's copy of the visit (the page or the API
    has just read it); should the locked row say otherwise (another caregiver, another check-in
    time), they are found again from it and locked too. Returns the locked visit, read again under
    the lock (`has_open_exceptions` says whether it holds an open exception), and the overlapping
    ids."""
    window = span(given) if given.caregiver_id else None
    wanted = (Q(pk=given.pk) | _overlapping(given, *window)) if window else Q(pk=given.pk)
    locked = list(
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("caregiver", "elder", "item", "provider")
        .defer(*UNREAD)
        .annotate(
            has_open_exceptions=Exists(VisitException.objects.filter(order=OuterRef("pk"), resolved_at__isnull=True))
        )
        .filter(wanted)
        .order_by("pk")
    )
    order = next(o for o in locked if o.pk == given.pk)
    overlapping = [o.pk for o in locked if o.pk != given.pk]
    if (order.caregiver_id, order.checked_in_at) != (given.caregiver_id, given.checked_in_at):
        window = span(order) if order.caregiver_id else None
        found = WorkOrder.objects.filter(_overlapping(order, *window)) if window else WorkOrder.objects.none()
        again = sorted(found.values_list("pk", flat=True))
        more = sorted(set(again) - set(overlapping))
        if more:
            list(WorkOrder.objects.select_for_update(of=("self",)).filter(pk__in=more).order_by("pk"))
        overlapping = again
    return order, overlapping


def _flag_overlaps(order: WorkOrder, overlapping: list[int]) -> bool:
    """Flag this visit and the caregiver's overlapping ones (all locked by `_lock_visit`)."""
    if not overlapping:
        return False
    WorkOrder.objects.filter(pk__in=[*overlapping, order.pk]).update(overlap_flagged=True)
    order.overlap_flagged = True
    return True


def _refuse_held(order: WorkOrder) -> None:
    if order.status == S.HELD:
        raise VisitHeld(
            _(
                "This visit was closed as an exception (%(what)s): it can no longer be checked in or out. "
                "Your provider proposes the correct times for the town or district to approve."
            )
            % {"what": "、".join(e.get_kind_display() for e in order.exceptions.all()) or order.get_status_display()}
        )


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
    """The caregiver scans (or types) the elder's card at the door. A retried request id is a no-op.

    A check-in outside the district's time window, away from the home, or overlapping another of
    the caregiver's visits is allowed, and opens an exception that holds the visit's payment."""
    now = timezone.now()
    order, overlapping = _lock_visit(order, lambda o: (now, now + datetime.timedelta(minutes=o.item.minutes)))
    if _claimed_before(request_id, order, "in", by):
        return order
    _check_caregiver(order, by)
    _check_elder(order, code)
    _refuse_held(order)
    if order.status != S.ASSIGNED:
        if order.checked_in_at is not None:
            raise AlreadyCheckedIn(
                _("This work order was already checked in at %(at)s.")
                % {"at": timezone.localtime(order.checked_in_at).strftime("%Y-%m-%d %H:%M")}
            )
        raise BadTransition(
            _("This work order cannot be checked in (%(status)s).") % {"status": order.get_status_display()}
        )
    caregiver = order.caregiver
    assert caregiver is not None  # _check_caregiver found the caregiver
    if not caregiver_may_serve(caregiver=caregiver, item=order.item, on=timezone.localdate(now)):
        # Assigned while the certificate was valid; it has lapsed since: another caregiver serves.
        raise CertificateMissing(
            _(
                "Your %(kind)s certificate is not valid today (%(day)s): %(item)s cannot be served by you. "
                "Ask your provider to assign another caregiver."
            )
            % {
                "kind": order.item.get_certificate_kind_display(),
                "day": timezone.localdate(now).isoformat(),
                "item": order.item.name,
            }
        )
    if order.self_paid:
        _refuse_unserved(order.elder)
    else:
        _refuse_frozen(order.elder_id)
    policy = presence.policy_for(order.elder)
    _home, distance = presence.home_and_distance(order, policy, lat, lng)
    method = WorkOrder.CheckMethod.SCANNED if tokens.looks_like_token(code) else WorkOrder.CheckMethod.TYPED
    _order_transition(
        order,
        S.IN_PROGRESS,
        by=by,
        at=now,
        checked_in_at=now,
        check_in_lat=lat,
        check_in_lng=lng,
        check_in_method=method,
        check_in_distance_m=distance,
    )
    findings = presence.check_in_findings(order=order, policy=policy, now=now, distance=distance)
    if _flag_overlaps(order, overlapping):
        findings.append((ExceptionKind.OVERLAP, _("with visit #%(ids)s") % {"ids": ", #".join(map(str, overlapping))}))
    for kind, detail in findings:
        presence.exception_open(order, kind, detail, at=now)
    return order


def _reservice(order: WorkOrder, *, by: User | None, reason: str) -> WorkOrder:
    """The order to serve again, for the same elder, item and caregiver, a day later."""
    again = WorkOrder.objects.create(
        elder=order.elder,
        provider=order.provider,
        item=order.item,
        # Served again at the price booked (a package's share, an earlier version's price).
        price=order.price,
        package=order.package,
        self_paid=order.self_paid,
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


def redemption_memo(order: WorkOrder, served_on: datetime.date) -> str:
    """What the elder's statement says of a paid visit: the service and its day."""
    return f"{order.item.name} {served_on:%Y-%m-%d}"


def _redeem(order: WorkOrder, by: User, *, checked_out_at: datetime.datetime, check_out: bool = False):
    """Pay the visit. Its business date is the day it ended (the day settlement counts it in).
    `check_out=True` in a check-out: its transaction any error rolls back whole (no savepoint of
    the ledger's own), and the visit it pays, in progress and locked, was never paid (its key is
    not looked up before booking)."""
    served_on = timezone.localtime(checked_out_at).date()
    return redemption_create(
        elder=order.elder,
        amount=order.price,
        provider=order.provider,
        idempotency_key=redeem_key(order),
        reference=f"workorder:{order.pk}",
        by=by,
        use_subsidy=not order.self_paid,
        served_on=served_on,
        memo=redemption_memo(order, served_on),
        savepoint=not check_out,
        new_key=check_out,
    )


class _CheckOutFields(TypedDict, total=False):
    checked_out_at: datetime.datetime
    check_out_lat: Decimal | None
    check_out_lng: Decimal | None
    check_out_distance_m: int | None
    confirmed_by: str
    confirmation_card_version: int | None
    confirmation_code_no: int | None
    notes: str
    signature: FieldFile


def _attach_signature(order: WorkOrder, confirmation: presence.Confirmation | None, fields: _CheckOutFields) -> None:
    """Keep the elder's signature with the visit (once the check-out is going through), among the
    `fields` the check-out writes."""
    if confirmation is not None and confirmation.signature is not None:
        order.signature.save(confirmation.signature.name or f"visit-{order.pk}.png", confirmation.signature, save=False)
        fields["signature"] = order.signature


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
    elder_code: str = "",
    signature: str = "",
    accept_unpaid: bool = False,
) -> WorkOrder:
    """The caregiver scans the card again when leaving, with the elder's confirmation (a one-time
    code from the back of the card, or a signature drawn on the phone as a PNG data URL).

    A visit of an hour or more with no open exception is redeemed (subsidy first, co-pay for the
    rest). One with an exception (from the check-in, or found now: far too long, away from the
    home, unconfirmed, overlapping) is held unpaid until a correction is decided; a visit shorter
    than an hour is not paid and is served again. Both ask for `accept_unpaid` first: without it
    `UnpaidCheckOut` says why the visit will not be paid, and nothing is written."""
    now = timezone.now()
    order, overlapping = _lock_visit(order, lambda o: (o.checked_in_at, now) if o.checked_in_at else None)
    if _claimed_before(request_id, order, "out", by):
        return order
    _check_caregiver(order, by)
    card = _check_elder(order, code)
    _refuse_held(order)
    if order.status != S.IN_PROGRESS:
        if order.checked_out_at is not None:
            raise Conflict(_("This work order was already checked out."))
        raise BadTransition(_("Check in before checking out."))
    checked_in_at = order.checked_in_at
    assert checked_in_at is not None  # an order in progress was checked in (workorder_started_has_checkin)
    minutes = (now - checked_in_at).total_seconds() / 60
    confirmation = presence.confirmation_check(order=order, card=card, elder_code=elder_code, signature=signature)
    policy = presence.policy_for(order.elder)
    home, distance = presence.home_and_distance(order, policy, lat, lng)
    fields: _CheckOutFields = {
        "checked_out_at": now,
        "check_out_lat": lat,
        "check_out_lng": lng,
        "check_out_distance_m": distance,
    }
    if confirmation is not None:
        fields["confirmed_by"] = confirmation.method
        fields["confirmation_card_version"] = confirmation.card_version
        fields["confirmation_code_no"] = confirmation.number
    if notes:
        fields["notes"] = notes
    if rules.is_short_visit(minutes):
        if not accept_unpaid:
            raise UnpaidCheckOut(
                _(
                    "This visit lasted %(n)d minutes, shorter than one hour: it will not be paid and will be served again."
                )
                % {"n": int(minutes)},
                reasons=[_("shorter than one hour")],
            )
        _attach_signature(order, confirmation, fields)
        _order_transition(
            order,
            S.SHORT,
            by=by,
            at=now,
            note=_("Visit of %(n)d minutes, shorter than one hour: not redeemed.") % {"n": int(minutes)},
            **fields,
        )
        _flag_overlaps(order, overlapping)
        _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was too short.") % {"id": order.pk})
    else:
        findings = presence.check_out_findings(
            order=order, policy=policy, minutes=minutes, distance=distance, confirmed=confirmation is not None
        )
        if _flag_overlaps(order, overlapping):
            findings.append(
                (ExceptionKind.OVERLAP, _("with visit #%(ids)s") % {"ids": ", #".join(map(str, overlapping))})
            )
        for kind, detail in findings:
            presence.exception_open(order, kind, detail, at=now)
        # Read only when there may be one: opened at the check-in (the lock said so) or just now.
        may_hold = bool(findings) or getattr(order, "has_open_exceptions", True)
        open_now = list(order.exceptions.filter(resolved_at__isnull=True)) if may_hold else []
        if open_now:
            if not accept_unpaid:
                raise UnpaidCheckOut(
                    _("This visit will be held and not paid until your provider's correction is approved: %(why)s.")
                    % {"why": "；".join(e.get_kind_display() for e in open_now)},
                    reasons=[
                        f"{e.get_kind_display()}（{e.detail}）" if e.detail else e.get_kind_display() for e in open_now
                    ],
                )
            _attach_signature(order, confirmation, fields)
            _order_transition(
                order,
                S.HELD,
                by=by,
                at=now,
                note="；".join(e.get_kind_display() for e in open_now),
                **fields,
            )
        else:
            _attach_signature(order, confirmation, fields)
            result = _redeem(order, by, checked_out_at=now, check_out=True)
            _order_transition(order, S.COMPLETED, by=by, at=now, redemption=result.transaction, **fields)
            if home is None:
                presence.learn_home(order)
    return order


@transaction.atomic
def order_add_notes(*, order: WorkOrder, notes: str, by: User) -> WorkOrder:
    _check_caregiver(order, by)
    order.notes = notes
    order.save(update_fields=["notes", "updated_at"])
    return order


@transaction.atomic
def order_void(*, order: WorkOrder, reason: str, by: User) -> WorkOrder:
    """作废单: a visit found non-compliant is voided, its redemption reversed, and served again. A
    held visit the provider admits did not happen as recorded is voided the same way."""
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
    # A held visit voided (it did not take place as recorded): its exceptions are settled.
    VisitException.objects.filter(order=order, resolved_at__isnull=True).update(resolved_at=timezone.now())
    _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was voided.") % {"id": order.pk})
    return order
