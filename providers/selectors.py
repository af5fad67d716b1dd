"""Reads of the providers app, scoped to the viewer (an object outside the scope answers 404)."""

import datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.models import Division, Elder, Role, RoleAssignment, User
from eldercare.money import cny
from eldercare.periods import local_day_bounds
from eldercare.scoping import scope_for
from vouchers.models import Account, LedgerEntry
from vouchers.selectors import PaymentPreview, payment_preview

from . import tokens
from .models import (
    Caregiver,
    Certificate,
    Contract,
    ElderCard,
    Provider,
    ReasonCode,
    ServiceItem,
    VisitCorrection,
    VisitException,
    WorkOrder,
)

# Contracts and certificates show on the work lists this many days before they end.
EXPIRY_NOTICE_DAYS = 30


def provider_list(*, user: User) -> QuerySet[Provider]:
    """District roles see the district's library; towns and communities the providers serving
    them; provider staff their own provider."""
    scope = scope_for(user)
    qs = Provider.objects.select_related("district").prefetch_related("streets")
    if scope.all:
        return qs
    q = Q(pk__any_of=scope.provider_ids) | Q(district_id__in=scope.district_ids)
    # EXISTS on the streets served rather than a join: no duplicate rows to sort away with DISTINCT.
    serves = Provider.streets.through.objects.filter(provider_id=OuterRef("pk"))
    if scope.street_ids:
        q |= Q(Exists(serves.filter(division_id__in=scope.street_ids)))
    if scope.community_ids:
        parents = Division.objects.filter(pk__any_of=scope.community_ids).values("parent_id")
        q |= Q(Exists(serves.filter(division_id__in=parents)))
    return qs.filter(q)


def provider_get(*, user: User, pk: int) -> Provider:
    return get_object_or_404(provider_list(user=user), pk=pk)


def caregiver_list(*, user: User) -> QuerySet[Caregiver]:
    scope = scope_for(user)
    qs = Caregiver.objects.select_related("provider").prefetch_related("certificates")
    if scope.all:
        return qs
    return qs.filter(provider__in=provider_list(user=user).values("pk"))


def caregiver_search_q(text: str) -> Q:
    """Caregivers whose name or staff number begins with `text`, or whose provider's name holds it."""
    return (
        Q(name__startswith=text)
        | Q(staff_number__startswith=text)
        | Q(provider__in=Provider.objects.filter(name__icontains=text).values("pk"))
    )


def caregiver_get(*, user: User, pk: int) -> Caregiver:
    return get_object_or_404(caregiver_list(user=user), pk=pk)


def contract_list(*, user: User) -> QuerySet[Contract]:
    return Contract.objects.select_related("provider").filter(provider__in=provider_list(user=user).values("pk"))


def contract_get(*, user: User, pk: int) -> Contract:
    return get_object_or_404(contract_list(user=user), pk=pk)


def contracts_expiring(*, user: User, today: datetime.date, days: int = EXPIRY_NOTICE_DAYS) -> QuerySet[Contract]:
    """Running contracts that end within `days` and have no following contract yet (to renew)."""
    later = Contract.objects.filter(provider_id=OuterRef("provider_id"), starts_on__gt=OuterRef("starts_on"))
    return (
        contract_list(user=user)
        .filter(
            terminated_on__isnull=True,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=days),
            provider__status__in=(Provider.Status.CONTRACTED, Provider.Status.SUSPENDED),
        )
        .exclude(Exists(later))
        .order_by("ends_on", "pk")
    )


def certificates_expiring(*, user: User, today: datetime.date, days: int = EXPIRY_NOTICE_DAYS) -> QuerySet[Certificate]:
    """Certificates of active caregivers that have ended or end within `days`, unless a later one
    of the same kind was already entered (an ended one stays listed until it is replaced)."""
    later = Certificate.objects.filter(
        caregiver_id=OuterRef("caregiver_id"), kind=OuterRef("kind"), valid_until__gt=OuterRef("valid_until")
    )
    return (
        Certificate.objects.select_related("caregiver", "caregiver__provider")
        .filter(
            caregiver__in=caregiver_list(user=user).filter(active=True).values("pk"),
            valid_until__lte=today + datetime.timedelta(days=days),
        )
        .exclude(Exists(later))
        .order_by("valid_until", "pk")
    )


def orders_to_reassign(*, user: User) -> list[WorkOrder]:
    """Assigned visits whose caregiver may no longer make them: the item needs a certificate that
    is not valid on the visit day, or the caregiver was deactivated."""
    orders = (
        order_list(user=user, status=WorkOrder.Status.ASSIGNED)
        .filter(Q(item__certificate_kind__gt="") | Q(caregiver__active=False))
        .prefetch_related("caregiver__certificates")
        .order_by("scheduled_at", "pk")
    )
    due = []
    for order in orders:
        caregiver = order.caregiver
        if caregiver is None:
            continue
        if not caregiver.active:
            due.append(order)
            continue
        day = timezone.localdate(order.scheduled_at)
        kind = order.item.certificate_kind
        if not any(c.kind == kind and c.valid_until >= day for c in caregiver.certificates.all()):
            due.append(order)
    return due


def item_list(*, user: User) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.select_related("provider").filter(provider__in=provider_list(user=user).values("pk"))


def order_list(*, user: User, day: datetime.date | None = None, status: str | None = None) -> QuerySet[WorkOrder]:
    """Work orders: a caregiver sees only the orders assigned to them, a provider admin all of its
    provider's, public roles those of elders in their communities."""
    scope = scope_for(user)
    qs = WorkOrder.objects.select_related("elder", "elder__community", "provider", "item", "caregiver")
    if not scope.all:
        # The elders of the viewer's communities first, then their orders (index elder, scheduled_at),
        # rather than every order newest first, each joined to its elder to test the community.
        communities = scope.community_ids
        q = (
            Q(elder_id__in=Elder.objects.filter(community_id__any_of=communities).values("pk"))
            if communities
            else Q(pk__in=[])
        )
        if user.has_role(Role.PROVIDER_ADMIN):
            q |= scope.providers_q()
        elif user.has_role(Role.CAREGIVER):
            q |= Q(provider_id__any_of=scope.provider_ids, caregiver__user=user)
        qs = qs.filter(q)
        if not scope.district_ids:
            # Newest first as always, but sorted from the few orders of the viewer's elders: a
            # plain `scheduled_at` would have PostgreSQL walk every order of the district newest
            # first on its index and test each elder's community, many thousands of rows for a
            # community's page of twenty.
            qs = qs.order_by(Coalesce("scheduled_at", "scheduled_at").desc(), "-id")
    if day is not None:
        start, end = local_day_bounds(day)
        qs = qs.filter(scheduled_at__gte=start, scheduled_at__lt=end)
    if status:
        qs = qs.filter(status=status)
    return qs


def order_get(*, user: User, pk: int) -> WorkOrder:
    return get_object_or_404(order_list(user=user), pk=pk)


def order_for_check(*, user: User, pk: int) -> WorkOrder:
    """The visit a check-in or check-out is sent for, scoped as `order_get` (404 out of scope), with
    only what the services read before they lock it (who serves it, when it was checked in, the
    item's minutes): they read it whole under the lock.

    The caregiver's own visit, at a provider the caregiver works for (what `order_list` shows a
    caregiver, and what a phone asks for all day), is found in one statement; any other goes
    through `order_list` (404 out of scope; the services refuse one not assigned to the user)."""
    read = ("id", "elder_id", "caregiver_id", "checked_in_at", "item__minutes")
    own = (
        WorkOrder.objects.select_related("item")
        .only(*read)
        .filter(
            pk=pk,
            caregiver__user=user,
            provider_id__in=RoleAssignment.objects.filter(user=user, role=Role.CAREGIVER).values("provider_id"),
        )
        .first()
    )
    if own is not None:
        return own
    visits = order_list(user=user).select_related(None).select_related("item")
    return get_object_or_404(visits.only(*read), pk=pk)


def caregiver_today(*, user: User, day: datetime.date) -> QuerySet[WorkOrder]:
    """The caregiver's own visits of the day, plus any still checked in from earlier."""
    start, end = local_day_bounds(day)
    return (
        WorkOrder.objects.select_related("elder", "item", "provider")
        .filter(caregiver__user=user)
        .filter(Q(scheduled_at__gte=start, scheduled_at__lt=end) | Q(status=WorkOrder.Status.IN_PROGRESS))
        .order_by("scheduled_at", "id")
    )


def card_for_elder(*, elder) -> ElderCard | None:
    return ElderCard.objects.filter(elder=elder).first()


def card_from_code(code: str) -> ElderCard:
    """The elder's card a scanned token or a typed short code is of; refuses forged or expired codes."""
    if tokens.looks_like_token(code):
        elder_id, version = tokens.card_token_payload(code)
        card = ElderCard.objects.select_related("elder").filter(elder_id=elder_id).first()
        if card is None or card.version != version:
            raise tokens.ExpiredCard(_("This card was replaced by a newer one. Use the elder's current card."))
        return card
    card = ElderCard.objects.select_related("elder").filter(short_code=tokens.normalise_code(code)).first()
    if card is None:
        raise tokens.InvalidCard(_("No elder card has this code. Check the code and type it again."))
    if timezone.now() - card.issued_at > tokens.CARD_MAX_AGE:
        raise tokens.ExpiredCard(_("This elder's card has expired. Ask the community to print a new card."))
    return card


def elder_from_code(code: str) -> Elder:
    """The elder a scanned token or a typed short code belongs to; refuses forged or expired codes."""
    return card_from_code(code).elder


def provider_admins(provider: Provider) -> QuerySet[User]:
    """The logins of the provider's administrators."""
    return User.objects.filter(
        role_assignments__provider=provider, role_assignments__role=Role.PROVIDER_ADMIN
    ).order_by("username")


def visit_charge(order: WorkOrder) -> PaymentPreview:
    """The price of the visit, the subsidy part and the co-pay to collect: as paid once redeemed,
    else as it would be paid now."""
    if order.redemption_id is not None:
        paid: dict[str, Decimal] = {Account.Kind.SUBSIDY: Decimal("0"), Account.Kind.PERSONAL: Decimal("0")}
        cash = Decimal("0")
        for kind, amount in LedgerEntry.objects.filter(transaction_id=order.redemption_id).values_list(
            "account__kind", "amount"
        ):
            value = amount.amount if isinstance(amount, Money) else Decimal(amount)
            if kind in paid:
                paid[kind] -= value
            elif kind == Account.Kind.EXTERNAL:
                cash -= value
        return PaymentPreview(
            price=order.price,
            subsidy=cny(paid[Account.Kind.SUBSIDY]),
            personal=cny(paid[Account.Kind.PERSONAL]),
            cash=cny(cash),
        )
    return payment_preview(elder=order.elder, amount=order.price, use_subsidy=not order.self_paid)


def held_visits(*, user: User) -> QuerySet[WorkOrder]:
    """Visits held for an exception that the user may see, the oldest exception first, with the
    open correction's status (`pending`: a correction awaits a decision)."""
    oldest = (
        VisitException.objects.filter(order=OuterRef("pk"), resolved_at__isnull=True)
        .order_by("opened_at")
        .values("opened_at")[:1]
    )
    pending = VisitCorrection.objects.filter(order=OuterRef("pk"), status=VisitCorrection.Status.PROPOSED)
    return (
        order_list(user=user, status=WorkOrder.Status.HELD)
        .annotate(held_since=Subquery(oldest), pending=Exists(pending))
        .prefetch_related("exceptions")
        .order_by("held_since", "pk")
    )


def correction_get(*, user: User, pk: int) -> VisitCorrection:
    return get_object_or_404(
        VisitCorrection.objects.select_related("order", "reason").filter(order__in=order_list(user=user)), pk=pk
    )


def reason_codes() -> QuerySet[ReasonCode]:
    return ReasonCode.objects.filter(active=True)
