"""A provider's catalogue: items and packages, approved by the district, versioned from a date.

A provider adds an item or a package, or changes one's price or content as a *new version from a
date*; every new entry waits for the district (PENDING). Approving a new version ends the one it
replaces the day before the new one starts; orders already booked keep the price they were
booked at. Only APPROVED entries in force on the visit's day can be booked (`entry_in_force`).

The reads of this area (`catalogue_items`, `catalogue_packages`, `entries_pending`) take the
viewer and stay inside `providers.selectors.provider_list`.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import Conflict, ValidationFailed
from eldercare.models import Role, User
from eldercare.money import cny, finite_cny, round_cny

from .. import rules
from ..models import Approval, Provider, ServiceItem, ServicePackage
from ..selectors import provider_list
from .access import require_district, require_provider_admin

Entry = ServiceItem | ServicePackage

# Prices are stored with max_digits=10 and 2 decimals: any price is below this.
PRICE_LIMIT = Decimal(10) ** 8


# --- pure rules ------------------------------------------------------------------------------


def package_shares(total: Decimal, prices: list[Decimal]) -> list[Decimal]:
    """The package price shared among its items pro rata to their own prices, each rounded to the
    fen; the last item takes the remainder so that the shares add up to the package price exactly.

    85.00 for items of 45.00 and 50.00 → 40.26 and 44.74.
    """
    if not prices:
        return []
    whole = sum(prices, Decimal("0"))
    shares = [round_cny(total * p / whole) for p in prices[:-1]]
    shares.append(round_cny(total) - sum(shares, Decimal("0")))
    return shares


def _amount(price) -> Decimal:
    value = price.amount if isinstance(price, Money) else price
    amount = finite_cny(value) or Decimal("0")
    if amount <= 0:
        raise ValidationFailed(_("The price must be more than zero."))
    if amount >= PRICE_LIMIT:
        raise ValidationFailed(_("The price must be less than %(limit)s.") % {"limit": cny(PRICE_LIMIT)})
    return amount


def _check_minutes(minutes: int, subsidised: bool) -> None:
    if minutes <= 0:
        raise ValidationFailed(_("Give the standard duration in minutes."))
    if subsidised and minutes < rules.MIN_VISIT_MINUTES:
        raise ValidationFailed(
            _("A subsidised item lasts at least %(n)s minutes (one home visit); shorter services are self-paid.")
            % {"n": rules.MIN_VISIT_MINUTES}
        )


def _check_start(valid_from: datetime.date) -> None:
    if valid_from < timezone.localdate():
        raise ValidationFailed(_("A catalogue entry takes effect from today or a later date, never in the past."))


# --- reads -----------------------------------------------------------------------------------


def catalogue_items(*, user: User) -> QuerySet[ServiceItem]:
    """Every version of the items of the providers the user may see."""
    return ServiceItem.objects.select_related("provider", "replaces", "approved_by").filter(
        provider__in=provider_list(user=user).values("pk")
    )


def catalogue_packages(*, user: User) -> QuerySet[ServicePackage]:
    return (
        ServicePackage.objects.select_related("provider", "replaces", "approved_by")
        .prefetch_related("items")
        .filter(provider__in=provider_list(user=user).values("pk"))
    )


def in_force_q(day: datetime.date) -> Q:
    """Entries that may be booked for a visit on `day`."""
    return Q(approval=Approval.APPROVED, active=True, valid_from__lte=day) & (
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def bookable_q(day: datetime.date) -> Q:
    """Entries that may be booked for some visit from `day` on (in force then or later)."""
    return Q(approval=Approval.APPROVED, active=True) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def entry_in_force(entry: Entry, day: datetime.date) -> bool:
    return (
        entry.approval == Approval.APPROVED
        and entry.active
        and entry.valid_from <= day
        and (entry.valid_until is None or entry.valid_until >= day)
    )


def entries_pending(*, user: User) -> tuple[list[ServiceItem], list[ServicePackage]]:
    """What awaits the district's decision (for the district; a provider admin sees their own)."""
    if not (user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER, Role.PROVIDER_ADMIN, Role.SYSADMIN)):
        return [], []
    items = catalogue_items(user=user).filter(approval=Approval.PENDING).order_by("created_at", "id")
    packages = catalogue_packages(user=user).filter(approval=Approval.PENDING).order_by("created_at", "id")
    return list(items), list(packages)


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def item_create(
    *,
    provider: Provider,
    kind: str,
    name: str,
    price,
    minutes: int = rules.MIN_VISIT_MINUTES,
    certificate_kind: str = "",
    subsidised: bool = True,
    valid_from: datetime.date | None = None,
    by: User,
) -> ServiceItem:
    """A new item of the provider's catalogue, awaiting the district's approval."""
    require_provider_admin(by, provider)
    amount = _amount(price)
    _check_minutes(minutes, subsidised)
    valid_from = valid_from or timezone.localdate()
    _check_start(valid_from)
    if not name.strip():
        raise ValidationFailed(_("Give the item a name."))
    return ServiceItem.objects.create(
        provider=provider,
        kind=kind,
        name=name.strip(),
        price=cny(amount),
        minutes=minutes,
        certificate_kind=certificate_kind,
        subsidised=subsidised,
        valid_from=valid_from,
        approval=Approval.PENDING,
    )


def _check_revisable(old: Entry, valid_from: datetime.date) -> None:
    if old.approval != Approval.APPROVED or not old.active:
        raise Conflict(_("Only an approved entry in the catalogue can be changed; this one is not."))
    if old.valid_until is not None:
        raise Conflict(_("This entry has already been replaced by a newer version."))
    if old.versions.exists():
        raise Conflict(_("A new version of this entry is already awaiting the district's decision."))
    _check_start(valid_from)
    if valid_from <= old.valid_from:
        raise ValidationFailed(
            _("The new version must start after %(day)s, when the current one started.") % {"day": old.valid_from}
        )


@transaction.atomic
def item_revise(
    *,
    item: ServiceItem,
    valid_from: datetime.date,
    price=None,
    name: str | None = None,
    minutes: int | None = None,
    certificate_kind: str | None = None,
    subsidised: bool | None = None,
    by: User,
) -> ServiceItem:
    """A change of an item's price or content: a new version from `valid_from`, awaiting the
    district. The current version stays in force until the new one is approved and starts."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    require_provider_admin(by, item.provider)
    _check_revisable(item, valid_from)
    amount = _amount(price if price is not None else item.price)
    minutes = item.minutes if minutes is None else minutes
    subsidised = item.subsidised if subsidised is None else subsidised
    _check_minutes(minutes, subsidised)
    return ServiceItem.objects.create(
        provider=item.provider,
        kind=item.kind,
        name=(name or item.name).strip(),
        price=cny(amount),
        minutes=minutes,
        certificate_kind=item.certificate_kind if certificate_kind is None else certificate_kind,
        subsidised=subsidised,
        valid_from=valid_from,
        replaces=item,
        approval=Approval.PENDING,
    )


def _check_package(provider: Provider, items: list[ServiceItem], amount: Decimal) -> None:
    if not items:
        raise ValidationFailed(_("Choose the items of the package."))
    if any(i.provider_id != provider.pk for i in items):
        raise ValidationFailed(_("A package holds only the provider's own items."))
    if any(i.approval == Approval.REJECTED or not i.active or i.valid_until is not None for i in items):
        raise ValidationFailed(_("A package holds only current items that the district has not rejected."))
    if any(s <= 0 for s in package_shares(amount, [i.price.amount for i in items])):
        raise ValidationFailed(_("The package price is too small to share among its items."))


@transaction.atomic
def package_create(
    *,
    provider: Provider,
    name: str,
    items: list[ServiceItem],
    price,
    valid_from: datetime.date | None = None,
    by: User,
) -> ServicePackage:
    """A package of the provider's own items at one package price, awaiting the district."""
    require_provider_admin(by, provider)
    amount = _amount(price)
    _check_package(provider, items, amount)
    valid_from = valid_from or timezone.localdate()
    _check_start(valid_from)
    if not name.strip():
        raise ValidationFailed(_("Give the package a name."))
    package = ServicePackage.objects.create(
        provider=provider, name=name.strip(), price=cny(amount), valid_from=valid_from, approval=Approval.PENDING
    )
    package.items.set(items)
    return package


@transaction.atomic
def package_revise(
    *,
    package: ServicePackage,
    valid_from: datetime.date,
    price=None,
    items: list[ServiceItem] | None = None,
    name: str | None = None,
    by: User,
) -> ServicePackage:
    """A change of a package's price or items: a new version from `valid_from`, awaiting the district."""
    package = ServicePackage.objects.select_for_update().get(pk=package.pk)
    require_provider_admin(by, package.provider)
    _check_revisable(package, valid_from)
    amount = _amount(price if price is not None else package.price)
    items = list(package.items.all()) if items is None else items
    _check_package(package.provider, items, amount)
    new = ServicePackage.objects.create(
        provider=package.provider,
        name=(name or package.name).strip(),
        price=cny(amount),
        valid_from=valid_from,
        replaces=package,
        approval=Approval.PENDING,
    )
    new.items.set(items)
    return new


def _locked(entry: Entry) -> Entry:
    return type(entry).objects.select_for_update().get(pk=entry.pk)


@transaction.atomic
def entry_approve(*, entry: Entry, by: User, note: str = "") -> Entry:
    """The district approves a pending item or package; a new version ends the one it replaces the
    day before it starts (orders already booked keep their price)."""
    require_district(by)
    entry = _locked(entry)
    if entry.approval != Approval.PENDING:
        raise Conflict(_("This catalogue entry was already decided."))
    if entry.replaces is not None:
        old = _locked(entry.replaces)
        old.valid_until = entry.valid_from - datetime.timedelta(days=1)
        old.save(update_fields=["valid_until", "updated_at"])
    entry.approval = Approval.APPROVED
    entry.approval_note = note.strip()
    entry.approved_by = by
    entry.approved_at = timezone.now()
    entry.save(update_fields=["approval", "approval_note", "approved_by", "approved_at", "updated_at"])
    return entry


@transaction.atomic
def entry_reject(*, entry: Entry, by: User, note: str) -> Entry:
    """The district refuses a pending item or package, saying why; a refused version leaves the
    one it would have replaced in force."""
    require_district(by)
    if not note.strip():
        raise ValidationFailed(_("Give the reason for the refusal; the provider reads it."))
    entry = _locked(entry)
    if entry.approval != Approval.PENDING:
        raise Conflict(_("This catalogue entry was already decided."))
    entry.approval = Approval.REJECTED
    entry.approval_note = note.strip()
    entry.approved_by = by
    entry.approved_at = timezone.now()
    fields = ["approval", "approval_note", "approved_by", "approved_at", "updated_at"]
    if entry.replaces_id is not None:
        # One successor per entry (service_*_one_successor): a refused version gives up its place
        # so that the provider can propose another; the link stays in the entry's history.
        entry.replaces = None
        fields.append("replaces")
    entry.save(update_fields=fields)
    return entry
