"""Writes of the voucher ledger: credits, redemptions with co-pay, reversals, freezing, refunds, fraud.

Every movement is one `LedgerTransaction` whose entries sum to zero. The rules that hold money
together:

- **Idempotency.** Every transaction carries a unique key and a fingerprint (the canonical text of
  the request). The same key again returns the stored transaction; the same key with another
  fingerprint is refused (`IdempotencyMismatch`).
- **Serialisation.** Only an elder's SUBSIDY and PERSONAL accounts keep a cached
  `Account.balance` (`CACHED_KINDS`): they are the ones that must never go below zero, so every
  transaction locks those it touches with `select_for_update`, always in ascending id order (no
  deadlock between two transactions on the same accounts), checks and updates their cached
  balance in the same database transaction. The database CheckConstraint
  `elder_account_not_negative` refuses an overdrawn elder account whatever the code.
- **Pooled accounts** (FUNDING, PROVIDER, EXTERNAL: `POOLED_KINDS`) may go negative and are
  written by many elders' transactions at once. They keep no cached balance (the column stays 0)
  and are never locked: their balance is the sum of their entries
  (`vouchers.selectors.account_balance`). Otherwise every check-out of a provider, and every
  grant of a district, would queue on one row.
- **Signs.** A positive entry adds to the account's balance. Funding accounts go negative as they
  pay out grants; an elder's EXTERNAL account goes negative by the cash the elder brought in
  (co-pay at the door, deposits) and positive by what was paid back out (refunds).

The yearly cap (domain: "a person's settled amount in a year cannot exceed that person's annual
subsidy"): the amount paid from a person's SUBSIDY account for redemptions in calendar year Y,
net of reversed redemptions, never exceeds the sum of the GRANT credits of year Y booked on that
account so far (net of reversed grants). Years are those of the transactions' `month`; a
redemption's month is the month it happened, a reversal takes the month of what it reverses.
Year-to-date grants never exceed the year's subsidy, so the cap holds at every moment of the year;
in practice it bites when a balance carried over from last year would be spent on top of this
year's full subsidy. What the cap keeps from the subsidy account becomes co-pay.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Division, Elder, Role, User
from eldercare.money import cny, round_cny
from eldercare.periods import Month
from eldercare.scoping import scope_for

from ..errors import (
    AccountFrozen,
    AlreadyReversed,
    ElderDisqualified,
    IdempotencyMismatch,
    InsufficientBalance,
    InvalidAmount,
    NotReversible,
)
from ..models import CACHED_KINDS, Account, AccountEvent, LedgerEntry, LedgerTransaction
from .grants import grant_fingerprint, grant_key

__all__ = [
    "RedemptionResult",
    "account_cancel",
    "account_for_elder",
    "account_freeze",
    "account_unfreeze",
    "fraud_repay",
    "funding_account",
    "grant_credit",
    "grant_fingerprint",
    "grant_key",
    "personal_deposit",
    "provider_account",
    "redemption_create",
    "redemption_reverse",
]


class Payee(Protocol):
    """What the ledger needs of a provider (`providers.Provider`; the ledger sits below that app)."""

    pk: int

    @property
    def may_be_paid(self) -> bool: ...


ELDER_KINDS = (Account.Kind.SUBSIDY, Account.Kind.PERSONAL, Account.Kind.EXTERNAL)
NON_NEGATIVE_KINDS = CACHED_KINDS
REVERSIBLE_KINDS = (LedgerTransaction.Kind.REDEMPTION, LedgerTransaction.Kind.GRANT, LedgerTransaction.Kind.DEPOSIT)

# Who may move an account's status; jurisdiction is checked on top (the elder's community).
FREEZE_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
CANCEL_ROLES = (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
DISTRICT_ROLES = (Role.DISTRICT_REVIEWER, Role.SYSADMIN)

# The account workflow: (from, to) -> roles allowed to make the move.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    (Account.Status.ACTIVE, Account.Status.FROZEN): FREEZE_ROLES,
    (Account.Status.FROZEN, Account.Status.ACTIVE): DISTRICT_ROLES,
    (Account.Status.ACTIVE, Account.Status.ARCHIVED): CANCEL_ROLES,
    (Account.Status.FROZEN, Account.Status.ARCHIVED): CANCEL_ROLES,
}


# --------------------------------------------------------------------------------------------
# Accounts


def account_for_elder(*, elder: Elder, kind: str) -> Account:
    """The elder's account of `kind` (subsidy, personal or external), created active if missing."""
    if kind not in ELDER_KINDS:
        raise ValidationFailed(_("An elder has no account of this kind."))
    account, _created = Account.objects.get_or_create(elder=elder, kind=kind)
    return account


def funding_account(*, division: Division) -> Account:
    """The FUNDING account of a district or a street/town (its share of the subsidy budget)."""
    if division.level not in (Division.Level.DISTRICT, Division.Level.STREET):
        raise ValidationFailed(_("Only a district or a street office / town has a funding account."))
    account, _created = Account.objects.get_or_create(division=division, kind=Account.Kind.FUNDING)
    return account


def provider_account(*, provider: Payee) -> Account:
    """What the platform owes the provider for the services redeemed with it."""
    account, _created = Account.objects.get_or_create(provider=provider, kind=Account.Kind.PROVIDER)
    return account


# --------------------------------------------------------------------------------------------
# Posting


def _amount(value) -> Decimal:
    """A positive amount in CNY, rounded to the fen; anything else is refused."""
    if isinstance(value, Money):
        if str(value.currency) != "CNY":
            raise InvalidAmount(_("Amounts are in CNY."))
        value = value.amount
    amount = round_cny(value)
    if amount <= 0:
        raise InvalidAmount(_("The amount must be more than zero."))
    return amount


def _existing(key: str, fingerprint: str) -> LedgerTransaction | None:
    """The transaction already booked under `key`, if the request is the same; refused otherwise."""
    if not key:
        raise ValidationFailed(_("An idempotency key is required."))
    existing = LedgerTransaction.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyMismatch(_("This request key was already used for a different operation; nothing was booked."))
    return existing


def _lock(accounts: list[Account]) -> dict[int, Account]:
    """Lock the accounts that keep a cached balance (an elder's subsidy and personal accounts) in
    ascending id order and return fresh copies by id; pooled accounts are returned as given,
    unlocked (their balance is the sum of their entries, nothing to serialise)."""
    cached = sorted({a.pk for a in accounts if a.kind in CACHED_KINDS})
    result = {a.pk: a for a in accounts if a.kind not in CACHED_KINDS}
    if cached:
        result.update((a.pk, a) for a in Account.objects.select_for_update().filter(pk__in=cached).order_by("pk"))
    return result


def _post(
    *,
    kind: str,
    key: str,
    fingerprint: str,
    legs: list[tuple[Account, Decimal]],
    month: datetime.date | None,
    reference: str = "",
    memo: str = "",
    by: User | None = None,
    reverses: LedgerTransaction | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Book one balanced transaction on already locked accounts.

    Returns (transaction, created). When another request booked the same key in the meantime
    the stored transaction is returned with created=False (or refused if it differs).
    """
    legs = [(account, amount) for account, amount in legs if amount]
    if sum((amount for _account, amount in legs), Decimal("0")) != 0:
        raise AssertionError(f"unbalanced transaction {fingerprint}")  # a bug, never a user error
    for account, amount in legs:
        if account.kind in NON_NEGATIVE_KINDS and account.balance.amount + amount < 0:
            raise InsufficientBalance(_("The balance of the account is not enough."))
    now = timezone.now()
    try:
        with transaction.atomic():
            tx = LedgerTransaction.objects.create(
                kind=kind,
                idempotency_key=key,
                fingerprint=fingerprint,
                reference=reference[:120],
                reverses=reverses,
                month=month,
                memo=memo[:300],
                created_by=by if by is not None and by.pk else None,
                created_at=now,
            )
    except IntegrityError:
        existing = _existing(key, fingerprint)
        if existing is None:
            raise
        return existing, False
    LedgerEntry.objects.bulk_create(
        [LedgerEntry(transaction=tx, account=account, amount=cny(amount), created_at=now) for account, amount in legs]
    )
    for account, amount in legs:
        if account.kind not in CACHED_KINDS:
            continue  # a pooled account: its balance is the sum of its entries
        account.balance = cny(account.balance.amount + amount)
        # A queryset update: the ledger is the balance's history, not one history row per payment.
        Account.objects.filter(pk=account.pk).update(balance=account.balance.amount, updated_at=now)
    return tx, True


def _ensure_open(account: Account) -> None:
    if account.status != Account.Status.ACTIVE:
        raise AccountFrozen.for_account(account)


# --------------------------------------------------------------------------------------------
# Grants


def grant_credit(
    *,
    elder: Elder,
    month: Month,
    amount: Money,
    shares: dict[Division, Money],
    idempotency_key: str,
    reference: str = "",
    by: User | None = None,
) -> LedgerTransaction:
    """Credit a month's subsidy to the elder's SUBSIDY account, paid by the funding accounts in `shares`.

    The monthly run writes the same shape set-based; key `grant:<elder_id>:<YYYY-MM>`.
    """
    value = _amount(amount)
    split = {
        division: round_cny(share.amount if isinstance(share, Money) else share) for division, share in shares.items()
    }
    if not split or any(v < 0 for v in split.values()) or sum(split.values(), Decimal("0")) != value:
        raise InvalidAmount(_("The funding shares must add up to the amount granted."))
    fingerprint = grant_fingerprint(elder_id=elder.pk, month=month, amount=value)
    with transaction.atomic():
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        if elder.disqualified_at is not None:
            raise ElderDisqualified(
                _("This elder was disqualified for life on %(date)s: %(reason)s")
                % {"date": timezone.localtime(elder.disqualified_at).date(), "reason": elder.disqualified_reason}
            )
        subsidy = account_for_elder(elder=elder, kind=Account.Kind.SUBSIDY)
        funders = {division: funding_account(division=division) for division in split}
        locked = _lock([subsidy, *funders.values()])
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        subsidy = locked[subsidy.pk]
        _ensure_open(subsidy)
        legs = [(subsidy, value)] + [(locked[funders[d].pk], -share) for d, share in split.items()]
        tx, _created = _post(
            kind=LedgerTransaction.Kind.GRANT,
            key=idempotency_key,
            fingerprint=fingerprint,
            legs=legs,
            month=month.first_day,
            reference=reference,
            by=by,
        )
        return tx


# --------------------------------------------------------------------------------------------
# Redemption


@dataclass(frozen=True)
class RedemptionResult:
    transaction: LedgerTransaction
    subsidy_paid: Money
    personal_paid: Money
    copay_cash: Money

    @property
    def copay(self) -> Money:
        """What the elder paid personally: from the personal account plus cash at the door."""
        return self.personal_paid + self.copay_cash

    @property
    def total(self) -> Money:
        return self.subsidy_paid + self.copay


def _redemption_result(tx: LedgerTransaction) -> RedemptionResult:
    paid = {
        Account.Kind.SUBSIDY: Decimal("0"),
        Account.Kind.PERSONAL: Decimal("0"),
        Account.Kind.EXTERNAL: Decimal("0"),
    }
    for entry in tx.entries.select_related("account"):
        if entry.account.kind in paid:
            paid[entry.account.kind] -= entry.amount.amount
    return RedemptionResult(
        transaction=tx,
        subsidy_paid=cny(paid[Account.Kind.SUBSIDY]),
        personal_paid=cny(paid[Account.Kind.PERSONAL]),
        copay_cash=cny(paid[Account.Kind.EXTERNAL]),
    )


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def subsidy_year_room(*, account: Account, year: int) -> Decimal:
    """What the yearly cap still lets the SUBSIDY account pay in `year` (see the module docstring)."""
    first, last = _year_bounds(year)
    grant = Q(transaction__kind=LedgerTransaction.Kind.GRANT) | Q(
        transaction__kind=LedgerTransaction.Kind.REVERSAL, transaction__reverses__kind=LedgerTransaction.Kind.GRANT
    )
    spend = Q(transaction__kind=LedgerTransaction.Kind.REDEMPTION) | Q(
        transaction__kind=LedgerTransaction.Kind.REVERSAL,
        transaction__reverses__kind=LedgerTransaction.Kind.REDEMPTION,
    )
    totals = LedgerEntry.objects.filter(
        account=account, transaction__month__gte=first, transaction__month__lte=last
    ).aggregate(granted=Sum("amount", filter=grant), spent=Sum("amount", filter=spend))
    granted = totals["granted"] or Decimal("0")
    spent = -(totals["spent"] or Decimal("0"))
    return max(round_cny(granted - spent), Decimal("0"))


def _redemption_accounts(elder: Elder, provider: Payee) -> tuple[Account, Account, Account, Account]:
    """The elder's subsidy, personal and external accounts and the provider's account, in one
    query (each opened on first use)."""
    found = {
        (a.kind, a.elder_id is not None): a
        for a in Account.objects.filter(
            Q(elder=elder, kind__in=ELDER_KINDS) | Q(provider=provider, kind=Account.Kind.PROVIDER)
        )
    }
    accounts = [found.get((kind, True)) or account_for_elder(elder=elder, kind=kind) for kind in ELDER_KINDS]
    payee = found.get((Account.Kind.PROVIDER, False)) or provider_account(provider=provider)
    return accounts[0], accounts[1], accounts[2], payee


def redemption_fingerprint(*, elder_id: int, provider_id: int, amount: Decimal, allow_copay: bool) -> str:
    text = f"redemption|elder={elder_id}|provider={provider_id}|amount={amount:.2f}"
    return text if allow_copay else text + "|copay=no"


def redemption_create(
    *,
    elder: Elder,
    amount: Money,
    provider: Payee,
    idempotency_key: str,
    reference: str,
    by: User | None = None,
    allow_copay: bool = True,
) -> RedemptionResult:
    """Pay a service price: the subsidy account first (within the yearly cap), then the personal
    account, then cash co-pay at the door; the provider's account receives the whole price.

    `allow_copay=False`: the subsidy account must cover the whole price, otherwise nothing is
    booked and `InsufficientBalance` is raised (for services the subsidy alone must pay).
    The caller (the work-order service) checks who may redeem; this function checks the money.
    """
    price = _amount(amount)
    fingerprint = redemption_fingerprint(
        elder_id=elder.pk, provider_id=provider.pk, amount=price, allow_copay=allow_copay
    )
    with transaction.atomic():
        # The key is looked up once, under the lock of the elder's accounts (a replay waits for
        # the first request and then finds its transaction); a check-out is on the hot path.
        subsidy, personal, external, payee = _redemption_accounts(elder, provider)
        locked = _lock([subsidy, personal, external, payee])
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return _redemption_result(existing)
        if not provider.may_be_paid:
            raise NotAllowed(_("This provider may not be paid with vouchers: its qualification is suspended or ended."))
        subsidy, personal, external, payee = (locked[a.pk] for a in (subsidy, personal, external, payee))
        _ensure_open(subsidy)
        today = timezone.localdate()
        room = subsidy_year_room(account=subsidy, year=today.year)
        from_subsidy = min(price, subsidy.balance.amount, room)
        rest = price - from_subsidy
        if rest and not allow_copay:
            raise InsufficientBalance(
                _("The subsidy account cannot cover %(price)s (it can pay %(paid)s this year); nothing was charged.")
                % {"price": cny(price), "paid": cny(from_subsidy)}
            )
        from_personal = min(rest, personal.balance.amount) if personal.status == Account.Status.ACTIVE else Decimal("0")
        cash = rest - from_personal
        tx, _created = _post(
            kind=LedgerTransaction.Kind.REDEMPTION,
            key=idempotency_key,
            fingerprint=fingerprint,
            legs=[(subsidy, -from_subsidy), (personal, -from_personal), (external, -cash), (payee, price)],
            month=Month.of(today).first_day,
            reference=reference,
            by=by,
        )
        if not _created:
            return _redemption_result(tx)
        return RedemptionResult(
            transaction=tx, subsidy_paid=cny(from_subsidy), personal_paid=cny(from_personal), copay_cash=cny(cash)
        )


def redemption_reverse(
    *, transaction: LedgerTransaction, reason: str, idempotency_key: str, by: User | None = None
) -> LedgerTransaction:
    """Compensate a redemption (a voided visit), a grant booked by mistake or a deposit: a REVERSAL
    with the exact opposite entries. A transaction is reversed once; a reversal is not reversed.

    Reversals go through on frozen accounts (a correction must stay possible) but not on archived
    ones, whose personal balance was already refunded.
    """
    from django.db import transaction as db

    if not (reason or "").strip():
        raise ValidationFailed(_("A reason is required."))
    original = transaction
    fingerprint = f"reversal|of={original.pk}"
    with db.atomic():
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        original = LedgerTransaction.objects.get(pk=original.pk)
        if original.kind not in REVERSIBLE_KINDS:
            raise NotReversible(_("This kind of transaction cannot be reversed."))
        entries = list(original.entries.select_related("account"))
        locked = _lock([e.account for e in entries])
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        if LedgerTransaction.objects.filter(reverses=original).exists():
            raise AlreadyReversed(_("This transaction has already been reversed."))
        for account in locked.values():
            if account.elder_id and account.status == Account.Status.ARCHIVED:
                raise AccountFrozen.for_account(account)
        legs = [(locked[e.account_id], -e.amount.amount) for e in entries]
        tx, _created = _post(
            kind=LedgerTransaction.Kind.REVERSAL,
            key=idempotency_key,
            fingerprint=fingerprint,
            legs=legs,
            month=original.month,
            reference=original.reference,
            memo=reason.strip(),
            by=by,
            reverses=original,
        )
        return tx


# --------------------------------------------------------------------------------------------
# Personal account


def personal_deposit(
    *, elder: Elder, amount: Money, idempotency_key: str, reference: str = "", by: User | None = None
) -> LedgerTransaction:
    """Money the elder or the family puts on the personal account (to pay co-pays from)."""
    value = _amount(amount)
    fingerprint = f"deposit|elder={elder.pk}|amount={value:.2f}"
    with transaction.atomic():
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        personal = account_for_elder(elder=elder, kind=Account.Kind.PERSONAL)
        external = account_for_elder(elder=elder, kind=Account.Kind.EXTERNAL)
        locked = _lock([personal, external])
        existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return existing
        personal = locked[personal.pk]
        _ensure_open(personal)
        tx, _created = _post(
            kind=LedgerTransaction.Kind.DEPOSIT,
            key=idempotency_key,
            fingerprint=fingerprint,
            legs=[(locked[external.pk], -value), (personal, value)],
            month=Month.current().first_day,
            reference=reference,
            by=by,
        )
        return tx


# --------------------------------------------------------------------------------------------
# Status: freezing, unfreezing, cancellation


def _cause_of(reason: str, elder: Elder, default: str) -> tuple[str, str]:
    """(cause, note): `reason` may be a cause code (deceased, moved, cancelled, fraud, other) or text."""
    text = (reason or "").strip()
    if text in Account.Cause.values:
        return text, ""
    if default == Account.Cause.OTHER and elder.life_status in (Account.Cause.DECEASED, Account.Cause.MOVED):
        return elder.life_status, text
    return default, text


def _check_actor(by: User | None, roles: tuple[str, ...], elder: Elder) -> None:
    if by is None or not by.is_authenticated:
        raise NotAllowed(_("You must be signed in."))
    if not (by.is_superuser or by.has_role(*roles)):
        raise NotAllowed(_("Your role may not change the status of subsidy accounts."))
    scope = scope_for(by)
    if not scope.covers_community(elder.community_id):
        raise NotAllowed(_("This elder is outside your jurisdiction."))


def _transition(*, account: Account, to: str, cause: str, reason: str, by: User) -> AccountEvent:
    """The one guarded move of an account's status, with its event row."""
    roles = TRANSITIONS.get((account.status, to))
    if roles is None:
        raise (
            AccountFrozen.for_account(account)
            if account.status != Account.Status.ACTIVE
            else ValidationFailed(_("This change of status is not allowed."))
        )
    if not (by.is_superuser or by.has_role(*roles)):
        raise NotAllowed(_("Your role may not make this change of status."))
    label = str(Account.Cause(cause).label) if cause else ""
    event = AccountEvent.objects.create(
        account=account, from_status=account.status, to_status=to, cause=cause, reason=reason or label, by=by
    )
    account.status = to
    account.status_cause = "" if to == Account.Status.ACTIVE else cause
    account.status_reason = reason
    account.status_changed_at = event.created_at
    account.save(update_fields=["status", "status_cause", "status_reason", "status_changed_at", "updated_at"])
    return event


def _elder_accounts_locked(elder: Elder) -> tuple[Account, Account, Account]:
    accounts = [account_for_elder(elder=elder, kind=k) for k in ELDER_KINDS]
    locked = _lock(accounts)
    return tuple(locked[a.pk] for a in accounts)  # type: ignore[return-value]


def _freeze(subsidy: Account, personal: Account, cause: str, reason: str, by: User) -> None:
    for account in (subsidy, personal):
        if account.status == Account.Status.ACTIVE:
            _transition(account=account, to=Account.Status.FROZEN, cause=cause, reason=reason, by=by)


@transaction.atomic
def account_freeze(*, elder: Elder, reason: str, by: User, note: str = "") -> Account:
    """Freeze the elder's subsidy and personal accounts (death, moving away, suspected fraud...).

    `reason`: a cause code (`Account.Cause`) or a text; a text on a deceased or moved elder takes
    that cause. `note` explains a cause code. Returns the subsidy account. Freezing a frozen
    account changes nothing.
    """
    _check_actor(by, FREEZE_ROLES, elder)
    cause, text = _cause_of(reason, elder, Account.Cause.OTHER)
    note = (note or "").strip() or text
    if cause == Account.Cause.OTHER and not note:
        raise ValidationFailed(_("A reason is required."))
    subsidy, personal, _external = _elder_accounts_locked(elder)
    if subsidy.status == Account.Status.ARCHIVED:
        raise AccountFrozen.for_account(subsidy)
    _freeze(subsidy, personal, cause, note, by)
    return subsidy


@transaction.atomic
def account_unfreeze(*, elder: Elder, reason: str, by: User) -> Account:
    """Undo a freeze (e.g. a wrong death report): a district reviewer, with a reason.

    An archived account stays archived, and a person disqualified for fraud stays frozen.
    """
    _check_actor(by, DISTRICT_ROLES, elder)
    if not (reason or "").strip():
        raise ValidationFailed(_("A reason is required to unfreeze an account."))
    if elder.disqualified_at is not None:
        raise ElderDisqualified(
            _("This elder was disqualified for life: %(reason)s") % {"reason": elder.disqualified_reason}
        )
    subsidy, personal, _external = _elder_accounts_locked(elder)
    if subsidy.status == Account.Status.ARCHIVED:
        raise AccountFrozen.for_account(subsidy)
    for account in (subsidy, personal):
        if account.status == Account.Status.FROZEN:
            _transition(account=account, to=Account.Status.ACTIVE, cause="", reason=reason.strip(), by=by)
    return subsidy


@transaction.atomic
def account_cancel(*, elder: Elder, reason: str, by: User) -> LedgerTransaction | None:
    """Cancel the elder's accounts: freeze, refund the personal balance to the person or agent
    (a REFUND to the elder's EXTERNAL account), archive. Returns the refund (None when nothing
    was left). The subsidy balance stays in the archived account: it is public money, not refunded.
    """
    _check_actor(by, CANCEL_ROLES, elder)
    cause, note = _cause_of(reason, elder, Account.Cause.CANCELLED)
    subsidy, personal, external = _elder_accounts_locked(elder)
    if subsidy.status == Account.Status.ARCHIVED:
        raise AccountFrozen.for_account(subsidy)
    _freeze(subsidy, personal, cause, note, by)
    refund = None
    if personal.balance.amount > 0:
        value = personal.balance.amount
        refund, _created = _post(
            kind=LedgerTransaction.Kind.REFUND,
            key=f"refund:{personal.pk}",
            fingerprint=f"refund|account={personal.pk}|amount={value:.2f}",
            legs=[(personal, -value), (external, value)],
            month=Month.current().first_day,
            reference=f"cancel:{elder.pk}",
            memo=note or str(Account.Cause(cause).label),
            by=by,
        )
    for account in (subsidy, personal):
        _transition(account=account, to=Account.Status.ARCHIVED, cause=cause, reason=note, by=by)
    return refund


# --------------------------------------------------------------------------------------------
# Fraud


@transaction.atomic
def fraud_repay(
    *, elder: Elder, amount: Money, reason: str, by: User, idempotency_key: str = ""
) -> LedgerTransaction | None:
    """Voucher fraud or diversion, in the ledger: the diverted amount is repaid (a FRAUD_REPAYMENT
    from the elder's EXTERNAL account back to the district's funding account), the accounts are
    frozen and the elder is disqualified for life. A district reviewer only. (The entitlement's
    end is `subsidies.standards.services.entitlements.fraud_record`, which calls this.)
    """
    _check_actor(by, DISTRICT_ROLES, elder)
    if not (reason or "").strip():
        raise ValidationFailed(_("A reason is required."))
    reason = reason.strip()
    value = round_cny(amount.amount if isinstance(amount, Money) else amount)
    if value < 0:
        raise InvalidAmount(_("The amount cannot be negative."))
    elder = Elder.objects.select_for_update().get(pk=elder.pk)
    subsidy, personal, external = _elder_accounts_locked(elder)
    district = funding_account(division=elder.community.district)
    repayment = None
    if value > 0:
        key = idempotency_key or f"fraud:{elder.pk}:{uuid.uuid4().hex}"
        fingerprint = f"fraud|elder={elder.pk}|amount={value:.2f}"
        existing = _existing(key, fingerprint)
        if existing is not None:
            return existing
        locked = _lock([district])
        repayment, _created = _post(
            kind=LedgerTransaction.Kind.FRAUD_REPAYMENT,
            key=key,
            fingerprint=fingerprint,
            legs=[(external, -value), (locked[district.pk], value)],
            month=Month.current().first_day,
            reference=f"fraud:{elder.pk}",
            memo=reason,
            by=by,
        )
    if subsidy.status == Account.Status.ACTIVE or personal.status == Account.Status.ACTIVE:
        _freeze(subsidy, personal, Account.Cause.FRAUD, reason, by)
    for account in (subsidy, personal):
        if account.status == Account.Status.FROZEN and account.status_cause != Account.Cause.FRAUD:
            # Already frozen for another cause: fraud now explains the freeze (no status move).
            Account.objects.filter(pk=account.pk).update(status_cause=Account.Cause.FRAUD, status_reason=reason)
    if elder.disqualified_at is None:
        elder.disqualified_at = timezone.now()
        elder.disqualified_reason = reason
        elder.save(update_fields=["disqualified_at", "disqualified_reason", "updated_at"])
    return repayment
