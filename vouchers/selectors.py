"""Reads of the voucher ledger, scoped by the viewer.

Community, street and district roles see the accounts of the elders of their communities; a
provider's staff see their provider's own account only; district roles (reviewer, finance,
supervisor) also see the funding accounts of the district and its streets and the provider
accounts of the district's providers. Anything outside the scope answers 404.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from djmoney.money import Money

from eldercare.models import Elder, Role, User
from eldercare.money import cny
from eldercare.periods import Month
from eldercare.scoping import scope_for
from eldercare.selectors import elder_search_q

from .models import POOLED_KINDS, Account, BalanceSnapshot, LedgerEntry
from .services.redemption import subsidy_year_room

VIEW_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.FINANCE,
    Role.SUPERVISOR,
    Role.SYSADMIN,
    Role.PROVIDER_ADMIN,
)
ELDER_VIEW_ROLES = tuple(r for r in VIEW_ROLES if r != Role.PROVIDER_ADMIN)


def _can_view(user: User, roles=VIEW_ROLES) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(*roles))


def with_ledger_balance(qs: QuerySet[Account]) -> QuerySet[Account]:
    """Annotate `ledger_balance`: the cached balance of an elder's subsidy and personal accounts;
    for a pooled account (funding, provider, external), which keeps no cache, its latest balance
    snapshot plus the entries written since (an index range, never the account's whole history).
    Computed only for the pooled rows of the page shown."""
    money = DecimalField(max_digits=14, decimal_places=2)
    latest = BalanceSnapshot.objects.filter(account=OuterRef("pk")).order_by("-through_entry")
    entries = (
        LedgerEntry.objects.filter(account=OuterRef("pk"), pk__gt=OuterRef("snapshot_through"))
        .order_by()
        .values("account")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    pooled = Q(kind__in=POOLED_KINDS)
    return qs.annotate(
        snapshot_through=Case(
            When(pooled, then=Coalesce(Subquery(latest.values("through_entry")[:1]), Value(0))),
            default=Value(0),
        ),
        ledger_balance=Case(
            When(
                pooled,
                then=Coalesce(Subquery(latest.values("balance")[:1], output_field=money), Value(0, money))
                + Coalesce(Subquery(entries, output_field=money), Value(0, money)),
            ),
            default="balance",
            output_field=money,
        ),
    )


def account_list(*, user: User, kind: str = "", search: str = "") -> QuerySet[Account]:
    """Accounts the user may see, newest owners first within the default ordering, each with its
    `ledger_balance` (read it as `account.current_balance`)."""
    qs = with_ledger_balance(
        Account.objects.select_related("elder", "elder__community", "elder__community__parent", "provider", "division")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        # The elder by the registry's one search (name, initials, ID or phone tail), or a provider.
        qs = qs.filter(elder_search_q(search, "elder") | Q(provider__name__icontains=search))
    scope = scope_for(user)
    if not _can_view(user):
        return qs.none()
    if scope.all:
        return qs
    q = (
        Q(elder__isnull=False) & scope.communities_q("elder__community")
        if user.has_role(*ELDER_VIEW_ROLES)
        else Q(pk__in=[])
    )
    if scope.provider_ids and user.has_role(Role.PROVIDER_ADMIN):
        q |= Q(kind=Account.Kind.PROVIDER, provider_id__in=scope.provider_ids)
    if user.has_role(Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.FINANCE, Role.SUPERVISOR):
        divisions = scope.street_ids | scope.district_ids
        if divisions:
            q |= Q(kind=Account.Kind.FUNDING, division_id__in=divisions)
    if scope.district_ids and user.has_role(Role.DISTRICT_REVIEWER, Role.FINANCE, Role.SUPERVISOR):
        q |= Q(kind=Account.Kind.PROVIDER, provider__district_id__in=scope.district_ids)
    return qs.filter(q)


def account_get(*, user: User, pk: int) -> Account:
    return get_object_or_404(account_list(user=user), pk=pk)


def elder_for_accounts(*, user: User, pk: int) -> Elder:
    """An elder whose accounts the user may see (by community; not through a provider), or 404."""
    scope = scope_for(user)
    qs = Elder.objects.select_related("community", "community__parent")
    if not _can_view(user, ELDER_VIEW_ROLES):
        qs = qs.none()
    elif not scope.all:
        qs = qs.filter(scope.communities_q())
    return get_object_or_404(qs, pk=pk)


def elder_accounts(*, elder: Elder) -> dict[str, Account | None]:
    """The elder's subsidy, personal and external accounts (None where not opened yet)."""
    found = {a.kind: a for a in with_ledger_balance(Account.objects.filter(elder=elder))}
    return {kind: found.get(kind) for kind in (Account.Kind.SUBSIDY, Account.Kind.PERSONAL, Account.Kind.EXTERNAL)}


def entry_list(*, accounts: list[Account], since=None, until=None) -> QuerySet[LedgerEntry]:
    """Entries of accounts the caller already obtained through a scoped selector."""
    qs = LedgerEntry.objects.filter(account__in=accounts).select_related(
        "transaction", "transaction__created_by", "account"
    )
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("-created_at", "-id")


@dataclass
class AccountStatement:
    account: Account
    opening: object
    closing: object
    credits: object
    debits: object
    entries: list[LedgerEntry] = field(default_factory=list)


@dataclass
class MonthStatement:
    elder: Elder
    month: Month
    accounts: list[AccountStatement]


def month_statement(*, elder: Elder, month: Month) -> MonthStatement:
    """Opening balance, the month's entries and the closing balance of the subsidy and personal
    accounts (the elder comes from `elder_for_accounts`, which checked the scope).

    Entries are placed by their business date (the month a grant is for, the day a visit was
    served, the day money was paid in or back), not by the moment they were written: October's
    subsidy credited on 3 November is on October's statement."""
    first, after = month.first_day, month.next().first_day
    rows = []
    for kind, account in elder_accounts(elder=elder).items():
        if account is None or kind == Account.Kind.EXTERNAL:
            continue
        before = account.entries.filter(transaction__business_date__lt=first).aggregate(total=Sum("amount"))[
            "total"
        ] or Decimal("0")
        entries = list(
            LedgerEntry.objects.filter(
                account=account, transaction__business_date__gte=first, transaction__business_date__lt=after
            )
            .select_related("transaction")
            .order_by("transaction__business_date", "created_at", "id")
        )
        credits = sum((e.amount.amount for e in entries if e.amount.amount > 0), Decimal("0"))
        debits = sum((-e.amount.amount for e in entries if e.amount.amount < 0), Decimal("0"))
        rows.append(
            AccountStatement(
                account=account,
                opening=cny(before),
                closing=cny(before + credits - debits),
                credits=cny(credits),
                debits=cny(debits),
                entries=entries,
            )
        )
    return MonthStatement(elder=elder, month=month, accounts=rows)


def frozen_accounts(*, user: User) -> QuerySet[Account]:
    """Frozen subsidy accounts in the user's scope (the district reviewers' work list)."""
    return account_list(user=user, kind=Account.Kind.SUBSIDY).filter(status=Account.Status.FROZEN)


@dataclass(frozen=True)
class PaymentPreview:
    """How a price would be paid now: the subsidy part, then the personal account, then cash at the
    door (the same order and yearly cap as `redemption_create`)."""

    price: Money
    subsidy: Money
    personal: Money
    cash: Money

    @property
    def copay(self) -> Money:
        return self.personal + self.cash


def payment_preview(*, elder: Elder, amount: Money, use_subsidy: bool = True) -> PaymentPreview:
    price = amount.amount
    accounts = {
        a.kind: a for a in Account.objects.filter(elder=elder, kind__in=[Account.Kind.SUBSIDY, Account.Kind.PERSONAL])
    }
    from_subsidy = Decimal("0")
    subsidy = accounts.get(Account.Kind.SUBSIDY)
    if use_subsidy and subsidy is not None and subsidy.status == Account.Status.ACTIVE:
        room = subsidy_year_room(account=subsidy, year=timezone.localdate().year)
        from_subsidy = max(min(price, subsidy.balance.amount, room), Decimal("0"))
    rest = price - from_subsidy
    personal = accounts.get(Account.Kind.PERSONAL)
    from_personal = Decimal("0")
    if personal is not None and personal.status == Account.Status.ACTIVE:
        from_personal = max(min(rest, personal.balance.amount), Decimal("0"))
    return PaymentPreview(
        price=cny(price), subsidy=cny(from_subsidy), personal=cny(from_personal), cash=cny(rest - from_personal)
    )
