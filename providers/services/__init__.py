"""Writes of the providers app: the library, staff, catalogue, agreements, work orders and visits.

Every service checks the role and the jurisdiction of `by` and runs in one transaction. Work
orders move only through `_order_transition`, along `ORDER_TRANSITIONS`, writing one event row.
Lock order when money is involved: the work order first, then (inside the ledger) the accounts.
"""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Division, Elder, Role, User
from eldercare.scoping import scope_for
from vouchers.errors import AccountFrozen
from vouchers.models import Account

from .. import rules, tokens
from ..models import (
    Caregiver,
    Certificate,
    CheckRequest,
    Contract,
    ElderCard,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    ServiceAgreement,
    ServiceItem,
    ServicePackage,
    WorkOrder,
    WorkOrderEvent,
)

S = WorkOrder.Status
PS = Provider.Status


# --- errors ---------------------------------------------------------------------------------


class NotAssigned(NotAllowed):
    code = "not_assigned"


class WrongElder(Conflict):
    code = "wrong_elder"


class AlreadyCheckedIn(Conflict):
    code = "already_checked_in"


class CertificateMissing(Conflict):
    code = "certificate_missing"


class BadTransition(Conflict):
    code = "bad_transition"


# --- role helpers ---------------------------------------------------------------------------


def _is_admin(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.SYSADMIN)


def _require_district(user: User) -> None:
    if not (_is_admin(user) or user.has_role(Role.DISTRICT_REVIEWER)):
        raise NotAllowed(_("Only the district civil-affairs bureau may do this."))


def _require_provider_admin(user: User, provider: Provider) -> None:
    if _is_admin(user):
        return
    if not (user.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(user).provider_ids):
        raise NotAllowed(_("Only this provider's administrator may do this."))


def _in_community_scope(user: User, elder: Elder) -> bool:
    scope = scope_for(user)
    return scope.covers_community(elder.community_id)


# --- provider library -----------------------------------------------------------------------

# Allowed moves of a provider's status and whether the move needs a stated reason.
PROVIDER_TRANSITIONS: dict[tuple[str, str], bool] = {
    (PS.CANDIDATE, PS.CONTRACTED): False,
    (PS.CONTRACTED, PS.SUSPENDED): True,
    (PS.SUSPENDED, PS.CONTRACTED): True,
    (PS.CONTRACTED, PS.TERMINATED): True,
    (PS.SUSPENDED, PS.TERMINATED): True,
    (PS.CANDIDATE, PS.TERMINATED): True,
}


class TerminationGround:
    """Grounds for ending a provider's qualification (domain: "Providers")."""

    UNABLE_TO_DELIVER = "unable_to_deliver"
    FRAUD = "fraud"
    VIOLATION = "violation"
    RECTIFICATION_OVERDUE = "rectification_overdue"
    ALL = (UNABLE_TO_DELIVER, FRAUD, VIOLATION, RECTIFICATION_OVERDUE)


@transaction.atomic
def provider_create(
    *,
    name: str,
    kind: str,
    licence_number: str,
    district: Division,
    streets: list[Division],
    by: User,
    other_licences: str = "",
    phone: str = "",
    address: str = "",
) -> Provider:
    _require_district(by)
    provider = Provider.objects.create(
        name=name,
        kind=kind,
        licence_number=licence_number,
        district=district,
        other_licences=other_licences,
        phone=phone,
        address=address,
    )
    provider.streets.set(streets)
    return provider


@transaction.atomic
def provider_set_status(*, provider: Provider, to: str, reason: str, by: User, ground: str = "") -> Provider:
    """Move a provider along PROVIDER_TRANSITIONS with one event row.

    Terminating for an uncorrected satisfaction problem needs an open rectification past its deadline.
    """
    _require_district(by)
    provider = Provider.objects.select_for_update().get(pk=provider.pk)
    needs_reason = PROVIDER_TRANSITIONS.get((provider.status, to))
    if needs_reason is None:
        raise BadTransition(
            _("A provider cannot go from %(from)s to %(to)s.")
            % {"from": provider.get_status_display(), "to": Provider.Status(to).label}
        )
    if needs_reason and not reason.strip():
        raise ValidationFailed(_("Give the reason for this change."))
    if to == PS.TERMINATED and ground == TerminationGround.RECTIFICATION_OVERDUE:
        overdue = provider.rectifications.filter(status="open", deadline__lt=timezone.localdate()).exists()
        if not overdue:
            raise Conflict(_("There is no unresolved rectification past its deadline for this provider."))
    ProviderStatusEvent.objects.create(
        provider=provider,
        from_status=provider.status,
        to_status=to,
        reason=f"[{ground}] {reason}".strip() if ground else reason,
        by=by,
    )
    provider.status = to
    provider.status_reason = reason
    provider.save(update_fields=["status", "status_reason", "updated_at"])
    if to == PS.TERMINATED:
        provider.contracts.filter(terminated_on__isnull=True, ends_on__gte=timezone.localdate()).update(
            terminated_on=timezone.localdate()
        )
    return provider


@transaction.atomic
def contract_create(*, provider: Provider, number: str, starts_on: datetime.date, by: User) -> Contract:
    """A one-year contract; a candidate becomes contracted with its first one."""
    _require_district(by)
    if provider.status == PS.TERMINATED:
        raise Conflict(_("A terminated provider cannot be contracted again."))
    previous = provider.contracts.order_by("-ends_on").first()
    if previous and starts_on <= previous.ends_on and previous.terminated_on is None:
        raise Conflict(
            _("The new contract must start after the current one ends (%(date)s).") % {"date": previous.ends_on}
        )
    contract = Contract.objects.create(
        provider=provider,
        number=number,
        starts_on=starts_on,
        ends_on=starts_on + relativedelta(years=1) - datetime.timedelta(days=1),
        renews=previous,
    )
    if provider.status == PS.CANDIDATE:
        provider_set_status(
            provider=provider, to=PS.CONTRACTED, reason=_("Contract %(n)s signed") % {"n": number}, by=by
        )
    return contract


@transaction.atomic
def contract_renew(*, contract: Contract, number: str, by: User) -> Contract:
    return contract_create(
        provider=contract.provider, number=number, starts_on=contract.ends_on + datetime.timedelta(days=1), by=by
    )


@transaction.atomic
def assessment_record(
    *, provider: Provider, quarter: datetime.date, score: Decimal, result: str, notes: str = "", by: User
) -> QuarterlyAssessment:
    _require_district(by)
    obj, _created = QuarterlyAssessment.objects.update_or_create(
        provider=provider, quarter=quarter, defaults={"score": score, "result": result, "notes": notes, "by": by}
    )
    return obj


# --- staff and catalogue --------------------------------------------------------------------


@transaction.atomic
def caregiver_create(
    *,
    provider: Provider,
    name: str,
    staff_number: str,
    phone: str,
    by: User,
    trained_on: datetime.date | None = None,
    photo=None,
    user: User | None = None,
) -> Caregiver:
    _require_provider_admin(by, provider)
    if provider.caregivers.filter(staff_number=staff_number).exists():
        raise ValidationFailed(_("This staff number is already used."))
    caregiver = Caregiver(
        provider=provider, name=name, staff_number=staff_number, phone=phone, trained_on=trained_on, user=user
    )
    if photo:
        caregiver.photo = photo
    caregiver.save()
    return caregiver


@transaction.atomic
def caregiver_update(*, caregiver: Caregiver, by: User, **fields) -> Caregiver:
    _require_provider_admin(by, caregiver.provider)
    allowed = {"name", "phone", "trained_on", "photo", "active"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationFailed(f"unknown field {key}")
        setattr(caregiver, key, value)
    caregiver.save()
    return caregiver


@transaction.atomic
def certificate_add(
    *, caregiver: Caregiver, kind: str, number: str, valid_until: datetime.date, by: User
) -> Certificate:
    _require_provider_admin(by, caregiver.provider)
    return Certificate.objects.create(caregiver=caregiver, kind=kind, number=number, valid_until=valid_until)


def caregiver_may_serve(*, caregiver: Caregiver, item: ServiceItem, on: datetime.date) -> bool:
    """A regulated service needs a certificate of its kind valid on the day of the visit."""
    if not item.certificate_kind:
        return True
    return caregiver.certificates.filter(kind=item.certificate_kind, valid_until__gte=on).exists()


@transaction.atomic
def item_create(
    *, provider: Provider, kind: str, name: str, price, minutes: int = 60, certificate_kind: str = "", by: User
) -> ServiceItem:
    _require_provider_admin(by, provider)
    if minutes < rules.MIN_VISIT_MINUTES:
        raise ValidationFailed(_("A home visit lasts at least %(n)s minutes.") % {"n": rules.MIN_VISIT_MINUTES})
    return ServiceItem.objects.create(
        provider=provider, kind=kind, name=name, price=price, minutes=minutes, certificate_kind=certificate_kind
    )


@transaction.atomic
def package_create(*, provider: Provider, name: str, items: list[ServiceItem], price, by: User) -> ServicePackage:
    _require_provider_admin(by, provider)
    if any(i.provider_id != provider.pk for i in items):
        raise ValidationFailed(_("A package holds only the provider's own items."))
    package = ServicePackage.objects.create(provider=provider, name=name, price=price)
    package.items.set(items)
    return package


# --- agreements and cards -------------------------------------------------------------------


@transaction.atomic
def agreement_sign(*, elder: Elder, provider: Provider, signed_on: datetime.date, by: User) -> ServiceAgreement:
    """The elder signs with the provider of their choice (entered by the community or the provider)."""
    if not (
        _in_community_scope(by, elder)
        or (by.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(by).provider_ids)
    ):
        raise NotAllowed(_("You may not enter agreements for this elder."))
    if provider.status != PS.CONTRACTED:
        raise Conflict(_("Only a contracted provider can sign service agreements."))
    if not provider.streets.filter(pk=elder.community.parent_id).exists():
        raise Conflict(_("This provider does not serve the elder's street or town."))
    if ServiceAgreement.objects.filter(elder=elder, provider=provider, ends_on__isnull=True).exists():
        raise Conflict(_("The elder already has an agreement with this provider."))
    return ServiceAgreement.objects.create(elder=elder, provider=provider, signed_on=signed_on)


@transaction.atomic
def agreement_end(*, agreement: ServiceAgreement, ends_on: datetime.date, by: User) -> ServiceAgreement:
    if not (_in_community_scope(by, agreement.elder) or agreement.provider_id in scope_for(by).provider_ids):
        raise NotAllowed(_("You may not end this agreement."))
    agreement.ends_on = ends_on
    agreement.save(update_fields=["ends_on", "updated_at"])
    return agreement


def _unique_short_code() -> str:
    for _attempt in range(20):
        code = tokens.new_short_code()
        if not ElderCard.objects.filter(short_code=code).exists():
            return code
    raise Conflict("could not find a free short code")  # pragma: no cover - 31^8 codes


@transaction.atomic
def card_issue(*, elder: Elder, by: User | None, reissue: bool = False) -> ElderCard:
    """The elder's card (created on first use). `reissue` replaces a lost card: old codes stop working."""
    card = ElderCard.objects.select_for_update().filter(elder=elder).first()
    if card is None:
        return ElderCard.objects.create(elder=elder, short_code=_unique_short_code(), issued_at=timezone.now())
    if reissue:
        card.short_code = _unique_short_code()
        card.version += 1
        card.issued_at = timezone.now()
        card.save()
    return card


def card_token_for(card: ElderCard) -> str:
    return tokens.card_token(elder_id=card.elder_id, version=card.version)


def elder_from_code(code: str) -> Elder:
    """The elder a scanned token or a typed short code belongs to; refuses forged or expired codes."""
    if tokens.looks_like_token(code):
        elder_id, version = tokens.card_token_payload(code)
        card = ElderCard.objects.select_related("elder").filter(elder_id=elder_id).first()
        if card is None or card.version != version:
            raise tokens.ExpiredCard(_("This card was replaced by a newer one. Use the elder's current card."))
        return card.elder
    card = ElderCard.objects.select_related("elder").filter(short_code=tokens.normalise_code(code)).first()
    if card is None:
        raise tokens.InvalidCard(_("No elder card has this code. Check the code and type it again."))
    if timezone.now() - card.issued_at > tokens.CARD_MAX_AGE:
        raise tokens.ExpiredCard(_("This elder's card has expired. Ask the community to print a new card."))
    return card.elder


# --- work orders ----------------------------------------------------------------------------

ASSIGNERS = frozenset({Role.PROVIDER_ADMIN})
VOIDERS = frozenset({Role.PROVIDER_ADMIN, Role.DISTRICT_REVIEWER})
CANCELLERS = frozenset({Role.PROVIDER_ADMIN, Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER})
CAREGIVERS = frozenset({Role.CAREGIVER})

# The work order workflow: (from, to) → roles that may make the move.
ORDER_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.BOOKED, S.ASSIGNED): ASSIGNERS,
    (S.ASSIGNED, S.ASSIGNED): ASSIGNERS,  # reassign to another caregiver
    (S.ASSIGNED, S.IN_PROGRESS): CAREGIVERS,
    (S.IN_PROGRESS, S.COMPLETED): CAREGIVERS,
    (S.IN_PROGRESS, S.SHORT): CAREGIVERS,
    (S.COMPLETED, S.VOIDED): VOIDERS,
    (S.BOOKED, S.CANCELLED): CANCELLERS,
    (S.ASSIGNED, S.CANCELLED): CANCELLERS,
}


def _may_touch(user: User, order: WorkOrder) -> bool:
    scope = scope_for(user)
    return scope.covers_provider(order.provider_id) or scope.covers_community(order.elder.community_id)


def _order_transition(order: WorkOrder, to: str, *, by: User | None, note: str = "", at=None, **fields) -> WorkOrder:
    """The one guarded move of a work order: role and jurisdiction, new status, one event row."""
    roles = ORDER_TRANSITIONS.get((order.status, to))
    if roles is None:
        raise BadTransition(
            _("A work order that is %(from)s cannot become %(to)s.")
            % {"from": order.get_status_display(), "to": WorkOrder.Status(to).label}
        )
    if by is not None and not _is_admin(by):
        if not (by.has_role(*roles) and _may_touch(by, order)):
            raise NotAllowed(_("You may not do this with this work order."))
    at = at or timezone.now()
    from_status = order.status
    order.status = to
    for key, value in fields.items():
        setattr(order, key, value)
    order.save()
    WorkOrderEvent.objects.create(order=order, from_status=from_status, to_status=to, note=note, by=by, created_at=at)
    return order


@transaction.atomic
def order_book(
    *, elder: Elder, item: ServiceItem, scheduled_at: datetime.datetime, by: User, via: str = "", note: str = ""
) -> WorkOrder:
    """Book a visit: the family through the community worker, the community itself, or the provider."""
    provider = item.provider
    is_provider = by.has_role(Role.PROVIDER_ADMIN) and provider.pk in scope_for(by).provider_ids
    if not (_is_admin(by) or is_provider or (by.has_role(Role.COMMUNITY_WORKER) and _in_community_scope(by, elder))):
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
    from vouchers.services import redemption_create

    return redemption_create(
        elder=order.elder,
        amount=order.price,
        provider=order.provider,
        idempotency_key=redeem_key(order),
        reference=f"workorder:{order.pk}",
        by=by,
    )


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
    minutes = (now - order.checked_in_at).total_seconds() / 60
    fields = {"checked_out_at": now, "check_out_lat": lat, "check_out_lng": lng}
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
    _flag_overlaps(order, order.checked_in_at, now)
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
    if order.redemption_id:
        from vouchers.services import redemption_reverse

        reversal = redemption_reverse(
            transaction=order.redemption, reason=reason, idempotency_key=f"workorder:{order.pk}:void", by=by
        )
    _order_transition(order, S.VOIDED, by=by, note=reason, void_reason=reason, reversal=reversal)
    _reservice(order, by=by, reason=_("Served again: the visit #%(id)s was voided.") % {"id": order.pk})
    return order
