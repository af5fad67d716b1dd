"""Paying for a visit from the vouchers (subsidy first, then the personal account, then cash at
the door, under the yearly cap), reversals, and deposits into the personal account.

The yearly cap reads two sentences of the policy together: 补贴账户中的余额可结转使用 (the balance
carries over) and 个人全年结算金额不得超过服务对象本人全年服务金额 (what is settled for a person in
a year may not exceed the person's service amount of the year). Subsidy already credited to the
account is always spendable, a balance carried in from earlier years included; the cap only stops
the subsidy account from paying more in a year than it held at the start of the year plus what
was granted in the year (`subsidy_year_room`). The excess is paid personally, like any price the
subsidy does not cover.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Elder, User
from eldercare.money import cny, round_cny
from eldercare.periods import Month

from ..errors import (
    AccountFrozen,
    AlreadyReversed,
    InsufficientBalance,
    NotReversible,
)
from ..models import Account, LedgerEntry, LedgerTransaction
from .ledger import (
    ELDER_KINDS,
    REVERSIBLE_KINDS,
    Payee,
    _amount,
    _ensure_open,
    _existing,
    _lock,
    _post,
    _require_key,
    account_for_elder,
    provider_account,
)

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
    paid: dict[str, Decimal] = {
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
    """What the yearly cap still lets the SUBSIDY account pay in `year` (see the module docstring):
    the balance carried in + the year's grants - the year's spending, never below 0.

    Entries are placed in a year by their transaction's `month` (the month a grant is for, the
    month a visit was paid in; a reversal keeps the month of what it reverses), not by the day
    they were booked:
    - carried in: every entry of the account dated before 1 January of `year`, whatever its
      kind, because it is the balance the year starts with. On a subsidy account these are grants,
      redemptions and their reversals, including the recovery of a grant paid after an
      entitlement ended (a REVERSAL of the grant, so what it takes back is not carried in). A
      fraud repayment, a refund or a deposit would count as well, being in the balance, but none
      touches a subsidy account: they move the elder's external or personal money;
    - granted: the year's GRANT entries net of their reversals (recoveries);
    - spent: the year's REDEMPTION entries net of their reversals (a voided visit gives its room
      back within the year).
    Any other kind dated in the year (none is booked on a subsidy account today) only counts once
    carried into the next year; a transaction without a month counts in neither part. The room
    does not replace the balance: the caller pays at most the lesser of the two.

    One aggregate query over the account's entries up to the end of the year.
    """
    first, last = _year_bounds(year)
    in_year = Q(transaction__month__gte=first)
    grant = in_year & (
        Q(transaction__kind=LedgerTransaction.Kind.GRANT)
        | Q(transaction__kind=LedgerTransaction.Kind.REVERSAL, transaction__reverses__kind=LedgerTransaction.Kind.GRANT)
    )
    spend = in_year & (
        Q(transaction__kind=LedgerTransaction.Kind.REDEMPTION)
        | Q(
            transaction__kind=LedgerTransaction.Kind.REVERSAL,
            transaction__reverses__kind=LedgerTransaction.Kind.REDEMPTION,
        )
    )
    totals = LedgerEntry.objects.filter(account=account, transaction__month__lte=last).aggregate(
        carried=Sum("amount", filter=Q(transaction__month__lt=first)),
        granted=Sum("amount", filter=grant),
        spent=Sum("amount", filter=spend),
    )
    carried = totals["carried"] or Decimal("0")
    granted = totals["granted"] or Decimal("0")
    spent = -(totals["spent"] or Decimal("0"))
    return max(round_cny(carried + granted - spent), Decimal("0"))


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


def redemption_fingerprint(
    *, elder_id: int, provider_id: int, amount: Decimal, allow_copay: bool, use_subsidy: bool = True
) -> str:
    text = f"redemption|elder={elder_id}|provider={provider_id}|amount={amount:.2f}"
    if not allow_copay:
        text += "|copay=no"
    if not use_subsidy:
        text += "|subsidy=no"
    return text


def redemption_create(
    *,
    elder: Elder,
    amount: Money,
    provider: Payee,
    idempotency_key: str,
    reference: str,
    by: User | None = None,
    allow_copay: bool = True,
    use_subsidy: bool = True,
    served_on: datetime.date | None = None,
    memo: str = "",
    savepoint: bool = True,
    new_key: bool = False,
) -> RedemptionResult:
    """Pay a service price: the subsidy account first (within the yearly cap), then the personal
    account, then cash co-pay at the door; the provider's account receives the whole price.

    `allow_copay=False`: the subsidy account must cover the whole price, otherwise nothing is
    booked and `InsufficientBalance` is raised (for services the subsidy alone must pay).
    `use_subsidy=False`: a self-paid service (bought at market price): the personal account, then
    cash co-pay; the subsidy account is neither charged nor required to be open.
    `served_on`: the day the service was given (default today): the redemption's business date,
    its month (its settlement month and the year of the cap). `memo`: what the elder reads on the
    statement (the service and its day). `savepoint=False`: inside a caller's transaction that any
    error of this one rolls back whole (a check-out), which then needs no savepoint of its own.
    `new_key=True`: the caller holds the lock of what is paid for, in a state that was never paid
    (a visit being checked out), so the key is not looked up before booking; were it taken after
    all, the booking finds the stored transaction and returns it.
    The caller (the work-order service) checks who may redeem; this function checks the money.
    """
    price = _amount(amount)
    if not (use_subsidy or allow_copay):
        raise ValidationFailed(_("A self-paid service is paid by the elder: co-pay cannot be refused."))
    fingerprint = redemption_fingerprint(
        elder_id=elder.pk, provider_id=provider.pk, amount=price, allow_copay=allow_copay, use_subsidy=use_subsidy
    )
    with transaction.atomic(savepoint=savepoint):
        # The key is looked up once, under the lock of the elder's accounts (a replay waits for
        # the first request and then finds its transaction); a check-out is on the hot path.
        subsidy, personal, external, payee = _redemption_accounts(elder, provider)
        locked = _lock([subsidy, personal, external, payee])
        if new_key:
            _require_key(idempotency_key)
            existing = None
        else:
            existing = _existing(idempotency_key, fingerprint)
        if existing is not None:
            return _redemption_result(existing)
        if not provider.may_be_paid:
            raise NotAllowed(_("This provider may not be paid with vouchers: its qualification is suspended or ended."))
        subsidy, personal, external, payee = (locked[a.pk] for a in (subsidy, personal, external, payee))
        served_on = served_on or timezone.localdate()
        from_subsidy = Decimal("0")
        if use_subsidy:
            _ensure_open(subsidy)
            room = subsidy_year_room(account=subsidy, year=served_on.year)
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
            month=Month.of(served_on).first_day,
            business_date=served_on,
            reference=reference,
            memo=memo,
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
        # The original's row serialises its reversals: when every leg is a pooled account, no
        # account lock would (NO KEY UPDATE: rows referring to it are not held up).
        original = LedgerTransaction.objects.select_for_update(no_key=True).get(pk=original.pk)
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
            reverses_id=original.pk,
        )
        return tx


# --------------------------------------------------------------------------------------------
# Personal account


def personal_transfer(
    *,
    kind: str,
    elder: Elder,
    amount: Money,
    idempotency_key: str,
    reference: str = "",
    memo: str = "",
    by: User | None = None,
) -> LedgerTransaction:
    """Money between the elder's pocket (EXTERNAL) and the personal account: a DEPOSIT pays in, a
    REFUND pays (part of) the balance back, never more than the balance. A replayed key is a no-op."""
    value = _amount(amount)
    deposit = kind == LedgerTransaction.Kind.DEPOSIT
    fingerprint = f"{'deposit' if deposit else 'refund'}|elder={elder.pk}|amount={value:.2f}"
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
        if not deposit and value > personal.balance.amount:
            raise InsufficientBalance(
                _("A refund of %(amount)s is more than the personal balance of %(balance)s; nothing was refunded.")
                % {"amount": cny(value), "balance": personal.balance}
            )
        into = value if deposit else -value
        tx, _created = _post(
            kind=kind,
            key=idempotency_key,
            fingerprint=fingerprint,
            legs=[(locked[external.pk], -into), (personal, into)],
            month=Month.current().first_day,
            reference=reference,
            memo=memo,
            by=by,
        )
        return tx


def personal_deposit(
    *,
    elder: Elder,
    amount: Money,
    idempotency_key: str,
    reference: str = "",
    memo: str = "",
    by: User | None = None,
) -> LedgerTransaction:
    """Money the elder or the family puts on the personal account (to pay co-pays from)."""
    return personal_transfer(
        kind=LedgerTransaction.Kind.DEPOSIT,
        elder=elder,
        amount=amount,
        idempotency_key=idempotency_key,
        reference=reference,
        memo=memo,
        by=by,
    )
