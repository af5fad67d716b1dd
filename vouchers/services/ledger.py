"""The ledger's posting: accounts, idempotency keys and fingerprints, locks in one order, balanced
transactions.

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
  (`Account.current_balance`). Otherwise every check-out of a provider, and every
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
from decimal import Decimal
from typing import Protocol

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import ValidationFailed
from eldercare.inserts import insert_unless_taken
from eldercare.models import Division, Elder, User
from eldercare.money import cny, finite_cny

from ..errors import (
    AccountFrozen,
    IdempotencyMismatch,
    InsufficientBalance,
    InvalidAmount,
)
from ..models import CACHED_KINDS, Account, LedgerEntry, LedgerTransaction


class Payee(Protocol):
    """What the ledger needs of a provider (`providers.Provider`; the ledger sits below that app)."""

    pk: int

    @property
    def may_be_paid(self) -> bool: ...


ELDER_KINDS = (Account.Kind.SUBSIDY, Account.Kind.PERSONAL, Account.Kind.EXTERNAL)
NON_NEGATIVE_KINDS = CACHED_KINDS
# The ledger's money columns hold max_digits=14 with 2 decimals: any amount is below this.
AMOUNT_LIMIT = Decimal(10) ** 12
REVERSIBLE_KINDS = (LedgerTransaction.Kind.REDEMPTION, LedgerTransaction.Kind.GRANT, LedgerTransaction.Kind.DEPOSIT)

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
    # By id: `provider` is any Payee, and the look-up of the foreign key wants a Provider.
    account, _created = Account.objects.get_or_create(provider_id=provider.pk, kind=Account.Kind.PROVIDER)
    return account


# --------------------------------------------------------------------------------------------
# Posting


def _amount(value) -> Decimal:
    """A positive amount in CNY below `AMOUNT_LIMIT`, rounded to the fen; anything else is refused."""
    if isinstance(value, Money):
        if str(value.currency) != "CNY":
            raise InvalidAmount(_("Amounts are in CNY."))
        value = value.amount
    amount = finite_cny(value)
    if amount is None:
        raise InvalidAmount(_("The amount is not a number."))
    if amount <= 0:
        raise InvalidAmount(_("The amount must be more than zero."))
    if amount >= AMOUNT_LIMIT:
        raise InvalidAmount(_("The amount must be less than %(limit)s.") % {"limit": cny(AMOUNT_LIMIT)})
    return amount


def _require_key(key: str) -> None:
    if not key:
        raise ValidationFailed(_("An idempotency key is required."))


def _existing(key: str, fingerprint: str) -> LedgerTransaction | None:
    """The transaction already booked under `key`, if the request is the same; refused otherwise."""
    _require_key(key)
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
    business_date: datetime.date | None = None,
    reference: str = "",
    memo: str = "",
    by: User | None = None,
    reverses_id: int | None = None,
) -> tuple[LedgerTransaction, bool]:
    """Book one balanced transaction on already locked accounts.

    `business_date`: the day the money belongs to (default: today).
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
    tx = LedgerTransaction(
        kind=kind,
        idempotency_key=key,
        fingerprint=fingerprint,
        reference=reference[:120],
        reverses_id=reverses_id,
        month=month,
        business_date=business_date or timezone.localdate(now),
        memo=memo[:300],
        created_by=by if by is not None and by.pk else None,
        created_at=now,
    )
    # No savepoint: a key booked by another request in the meantime leaves this transaction usable.
    if not insert_unless_taken(tx):
        existing = _existing(key, fingerprint)
        if existing is None:
            raise IntegrityError(f"ledger transaction {fingerprint} conflicts with a stored one")
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
