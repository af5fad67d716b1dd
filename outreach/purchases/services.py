"""Writes of buy-on-behalf: a household's order, the community's purchase run, the supermarket's
packing and hand-over, the contactless delivery and the payment.

Each step is one guarded transition (`_move`): it checks the state table of `rules`, writes the
new status and one event row in the same transaction, the order's row locked.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import NotAllowed
from eldercare.models import Division, Elder, LifeStatus, Role, User
from eldercare.money import cny, finite_cny
from eldercare.scoping import scope_for
from outreach.services import OUTREACH_EDITORS, is_responsible_for, may_assign

from . import rules, selectors
from .errors import NoPartnerSupermarket, NothingToRun, OrderInvalid, OrderStateConflict, PaymentReferenceTaken
from .models import (
    Delivery,
    Necessity,
    OrderEvent,
    OrderStatus,
    PartnerSupermarket,
    Payment,
    PaymentMethod,
    PurchaseItem,
    PurchaseRequest,
    PurchaseRun,
    RunKind,
    SupermarketStaff,
)

# Roles that make the community's runs and record its deliveries and payments, in their area.
COMMUNITY_ROLES = OUTREACH_EDITORS
MAX_ITEMS = 20


@dataclass
class ItemData:
    """One line of an order: a catalogue item, or `free_text` for something else."""

    quantity: int
    necessity: Necessity | None = None
    free_text: str = ""


# Who may do what.


def may_manage(user: User, community_id: int | None) -> bool:
    """The community's workers and the street and district above it run its buy-on-behalf."""
    return (user.is_superuser or user.has_role(*COMMUNITY_ROLES)) and scope_for(user).covers_community(community_id)


def may_request(user: User, elder: Elder) -> bool:
    """A household's responsible persons, and those who assign them, report its needs."""
    return is_responsible_for(user, elder) or may_assign(user, elder)


def may_follow_up(user: User, request: PurchaseRequest) -> bool:
    """Cancel before packing, record the delivery and the payment: the community or the household's
    responsible person."""
    return may_manage(user, request.community_id) or is_responsible_for(user, request.elder)


def is_staff_of(user: User, supermarket: PartnerSupermarket) -> bool:
    if user.is_superuser or user.has_role(Role.SYSADMIN):
        return True
    return (
        user.has_role(Role.SUPERMARKET)
        and SupermarketStaff.objects.filter(user=user, supermarket=supermarket, supermarket__active=True).exists()
    )


# The one transition function.


def _move(
    request: PurchaseRequest, target: str, *, by: User, note: str = "", at: datetime.datetime | None = None
) -> None:
    """Change an order's state along `rules.TRANSITIONS` and write its event; the caller holds the
    row lock and has set the fields the new state needs."""
    current = request.status
    if not rules.may_move(current, target):
        raise OrderStateConflict(
            _("This order is %(status)s: it cannot become %(target)s.")
            % {"status": OrderStatus(current).label, "target": OrderStatus(target).label}
        )
    request.status = target
    request.save()
    OrderEvent.objects.create(
        request=request, from_status=current, to_status=target, by=by, at=at or timezone.now(), note=note[:300]
    )


def _locked(request: PurchaseRequest) -> PurchaseRequest:
    """The order read again under a row lock (its state may have moved since it was shown)."""
    return PurchaseRequest.objects.select_for_update(of=("self",)).select_related("elder", "run").get(pk=request.pk)


# The household's order.


def _check_items(items: list[ItemData]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not items:
        errors["items"] = _("Choose at least one item.")
    elif len(items) > MAX_ITEMS:
        errors["items"] = _("At most %(count)s items in one order.") % {"count": MAX_ITEMS}
    seen: set[int] = set()
    for item in items:
        if not 1 <= item.quantity <= rules.MAX_QUANTITY:
            errors["quantity"] = _("A quantity is between 1 and %(max)s.") % {"max": rules.MAX_QUANTITY}
        if item.necessity is not None:
            if not item.necessity.active:
                errors["items"] = _("%(name)s is no longer offered.") % {"name": item.necessity.name}
            if item.necessity.pk in seen:
                errors["items"] = _("%(name)s is listed twice.") % {"name": item.necessity.name}
            seen.add(item.necessity.pk)
        elif not item.free_text.strip():
            errors["free_text"] = _("Describe the item.")
        elif len(item.free_text.strip()) > 100:
            errors["free_text"] = _("Describe the item in at most 100 characters.")
    return errors


@transaction.atomic
def purchase_request(
    *, elder: Elder, by: User, items: list[ItemData], urgent: bool = False, note: str = ""
) -> PurchaseRequest:
    """A household's needs reported to its community; urgent ones go to the supermarket today."""
    if not may_request(by, elder):
        raise NotAllowed(_("You may not order necessities for this household."))
    if elder.life_status != LifeStatus.ACTIVE:
        raise OrderInvalid(_("This elder no longer lives at home in the registry."))
    errors = _check_items(items)
    if len(note.strip()) > 300:
        errors["note"] = _("The note is at most 300 characters.")
    if errors:
        raise OrderInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    now = timezone.now()
    request = PurchaseRequest.objects.create(
        elder=elder,
        community_id=elder.community_id,
        urgent=urgent,
        note=note.strip(),
        requested_by=by,
        requested_at=now,
        status=OrderStatus.REQUESTED,
    )
    PurchaseItem.objects.bulk_create(
        PurchaseItem(
            request=request,
            necessity=item.necessity,
            free_text="" if item.necessity is not None else item.free_text.strip(),
            quantity=item.quantity,
        )
        for item in items
    )
    OrderEvent.objects.create(request=request, from_status="", to_status=OrderStatus.REQUESTED, by=by, at=now)
    return request


@transaction.atomic
def request_cancel(*, request: PurchaseRequest, by: User, note: str = "") -> PurchaseRequest:
    """Cancel an order not yet packed (the household no longer needs it, or it cannot be found)."""
    request = _locked(request)
    if not (may_follow_up(by, request) or (request.run is not None and is_staff_of(by, request.run.supermarket))):
        raise NotAllowed(_("You may not cancel this order."))
    _move(request, OrderStatus.CANCELLED, by=by, note=note.strip())
    return request


# The community's purchase run.


@transaction.atomic
def purchase_run_make(*, community: Division, by: User, supermarket: PartnerSupermarket | None = None) -> PurchaseRun:
    """Send the community's waiting needs to its partner supermarket: all of them when the 3-day
    cycle is due, only the urgent ones before then (`rules.run_kind`)."""
    if community.level != Division.Level.COMMUNITY or not may_manage(by, community.pk):
        raise NotAllowed(_("You may not make purchase runs for this community."))
    # One run at a time per community: the community's row is the lock.
    Division.objects.select_for_update(of=("self",)).get(pk=community.pk)
    today = timezone.localdate()
    waiting = PurchaseRequest.objects.select_for_update(of=("self",)).filter(
        community=community, status=OrderStatus.REQUESTED
    )
    last = selectors.last_regular_run_on(community=community)
    kind = rules.run_kind(
        last_run_on=last,
        today=today,
        waiting=waiting.count(),
        urgent_waiting=waiting.filter(urgent=True).count(),
    )
    if kind is None:
        if waiting.exists():
            raise NothingToRun(
                _("No urgent need is waiting; the next regular run is due on %(date)s.")
                % {"date": rules.next_run_on(last, today).isoformat()}
            )
        raise NothingToRun(_("No need is waiting for a run."))
    supermarket = supermarket or selectors.serving_supermarket(community=community)
    if supermarket is None or not supermarket.active:
        raise NoPartnerSupermarket(_("No partner supermarket serves this community: ask the district to name one."))
    cycle = (PurchaseRun.objects.filter(community=community).aggregate(n=Max("cycle"))["n"] or 0) + 1
    run = PurchaseRun.objects.create(
        community=community, supermarket=supermarket, run_date=today, cycle=cycle, kind=kind, created_by=by
    )
    taken = waiting if kind == RunKind.REGULAR else waiting.filter(urgent=True)
    for request in taken.order_by("-urgent", "requested_at", "id"):
        request.run = run
        _move(request, OrderStatus.IN_RUN, by=by)
    return run


# The supermarket.


def _check_staff(by: User, run: PurchaseRun) -> None:
    if not is_staff_of(by, run.supermarket):
        raise NotAllowed(_("Only the supermarket's staff pack its orders."))


@transaction.atomic
def request_pack(*, request: PurchaseRequest, by: User, prices: dict[int, Decimal | None]) -> PurchaseRequest:
    """The supermarket packs one household's order: the actual price of each line, or None for a
    line it could not get. The amount to pay is the sum of the prices."""
    request = _locked(request)
    if request.run is None:
        raise OrderStateConflict(_("This order is not in a purchase run."))
    _check_staff(by, request.run)
    items = list(request.items.all())
    errors: dict[str, str] = {}
    total = Decimal("0.00")
    for item in items:
        if item.pk not in prices:
            errors[f"item_{item.pk}"] = _("Enter the price of %(item)s, or mark it not available.") % {
                "item": item.label
            }
            continue
        raw = prices[item.pk]
        if raw is None:
            item.price, item.unavailable = None, True
            continue
        price = finite_cny(raw)
        if price is None or price < 0:
            errors[f"item_{item.pk}"] = _("Enter a price of 0 or more for %(item)s.") % {"item": item.label}
            continue
        item.price, item.unavailable = cny(price), False
        total += price
    if not errors and all(item.unavailable for item in items):
        errors["items"] = _("Nothing of this order could be packed: cancel it instead.")
    if errors:
        raise OrderInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    now = timezone.now()
    for item in items:
        item.save(update_fields=["price", "price_currency", "unavailable", "updated_at"])
    request.amount_due = cny(total)
    request.packed_at = now
    request.packed_by = by
    _move(request, OrderStatus.PACKED, by=by, at=now)
    return request


@transaction.atomic
def run_hand_over(*, run: PurchaseRun, by: User) -> PurchaseRun:
    """The supermarket hands the run's packed orders over to the community."""
    run = PurchaseRun.objects.select_for_update(of=("self",)).select_related("supermarket").get(pk=run.pk)
    _check_staff(by, run)
    if run.handed_over_at is not None:
        raise OrderStateConflict(_("This run has already been handed over."))
    requests = list(PurchaseRequest.objects.select_for_update(of=("self",)).filter(run=run).order_by("pk"))
    waiting = [r for r in requests if r.status == OrderStatus.IN_RUN]
    if waiting:
        raise OrderStateConflict(
            _("%(n)d households of this run are not packed yet: pack or cancel them first.") % {"n": len(waiting)}
        )
    packed = [r for r in requests if r.status == OrderStatus.PACKED]
    if not packed:
        raise OrderStateConflict(_("Nothing of this run is packed."))
    now = timezone.now()
    run.handed_over_at = now
    run.handed_over_by = by
    run.save(update_fields=["handed_over_at", "handed_over_by", "updated_at"])
    for request in packed:
        _move(request, OrderStatus.HANDED_OVER, by=by, at=now)
    return run


# The community at the household's door.


@transaction.atomic
def request_deliver(*, request: PurchaseRequest, by: User, note: str = "", contactless: bool = True) -> PurchaseRequest:
    """Record the delivery at the household's door (left at the door, nobody touching)."""
    request = _locked(request)
    if not may_follow_up(by, request):
        raise NotAllowed(_("You may not record deliveries for this household."))
    now = timezone.now()
    _move(request, OrderStatus.DELIVERED, by=by, at=now)
    Delivery.objects.create(request=request, contactless=contactless, by=by, at=now, note=note.strip()[:300])
    return request


@transaction.atomic
def payment_record(*, request: PurchaseRequest, by: User, method: str, reference: str = "") -> Payment:
    """The household's payment of a delivered order, for its amount to pay: by scanning the
    supermarket's code (with the payment's reference), in cash, or by the assistance fund."""
    request = _locked(request)
    if not may_follow_up(by, request):
        raise NotAllowed(_("You may not record payments for this household."))
    reference = reference.strip()
    errors: dict[str, str] = {}
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how the household paid.")
    elif method == PaymentMethod.QR and not reference:
        errors["reference"] = _("Enter the reference of the code payment (on the payment receipt).")
    if len(reference) > 64:
        errors["reference"] = _("The reference is at most 64 characters.")
    if errors:
        raise OrderInvalid("; ".join(dict.fromkeys(errors.values())), errors=errors)
    if reference and Payment.objects.filter(method=method, reference=reference).exists():
        raise PaymentReferenceTaken(_("This payment reference has already been recorded."))
    amount = request.amount_due
    assert amount is not None  # a packed order has its amount (a database constraint)
    now = timezone.now()
    _move(request, OrderStatus.PAID, by=by, at=now, note=str(PaymentMethod(method).label))
    try:
        with transaction.atomic():
            return Payment.objects.create(
                request=request, method=method, reference=reference, amount=amount, by=by, at=now
            )
    except IntegrityError as exc:  # another recording of the same reference won the race
        raise PaymentReferenceTaken(_("This payment reference has already been recorded.")) from exc
