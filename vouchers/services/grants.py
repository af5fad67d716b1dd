# ruff: noqa: S608 -- table names come from model metadata, the pay table and conditions from the run; every value is a bound parameter
"""Monthly subsidy grants in the ledger: their keys, one grant at a time, the set-based writer the
monthly run calls, and the recovery of a grant paid after the end of an entitlement. The monthly run owns
the grant rows themselves (`subsidies.standards`); it calls, in one transaction per chunk:

1. `grant_transactions_insert`: one GRANT transaction per row of the run's pay table;
2. (the run writes its grant rows, each linked to its transaction);
3. `grant_entries_insert`: the legs (subsidy account +, district and town funding accounts −);
4. `grant_balances_update`: the cached balance of the subsidy accounts.

The pay table (`source`) has, per row: `seq` (the chunk ranges), `tx_id` (the transaction's id,
reserved from the sequence on PostgreSQL, numbered after `grant_next_tx_id` on SQLite),
`elder_id`, `account_id` (the subsidy account), `amount`, `amount_text`, `district_share`,
`town_share`, `district_account_id` and `town_account_id`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.models import Division, Elder, User
from eldercare.money import round_cny
from eldercare.periods import Month
from eldercare.pgonly import keys_held

from ..errors import AccountFrozen, ElderDisqualified, InvalidAmount
from ..models import Account, LedgerEntry, LedgerTransaction
from .ledger import _amount, _existing, _lock, _post, account_for_elder, funding_account

T = {
    "user": User._meta.db_table,
    "division": Division._meta.db_table,
    "account": Account._meta.db_table,
    "tx": LedgerTransaction._meta.db_table,
    "entry": LedgerEntry._meta.db_table,
}


# --- keys: the one place their formats are written ---------------------------------------------


def grant_key(*, elder_id: int, month: Month) -> str:
    return f"grant:{elder_id}:{month}"


def grant_key_sql(elder_column: str, month: Month) -> str:
    """`grant_key` as an SQL expression over a column holding the elder's id."""
    return f"'grant:' || CAST({elder_column} AS TEXT) || ':{month}'"


def grant_memo(month: Month) -> str:
    """What the elder's statement says of a grant."""
    return f"{month} 居家养老服务补贴"


def grant_fingerprint(*, elder_id: int, month: Month, amount: Decimal) -> str:
    return f"grant|elder={elder_id}|month={month}|amount={round_cny(amount):.2f}"


def grant_fingerprint_sql(elder_column: str, amount_text_column: str, month: Month) -> str:
    """`grant_fingerprint` as an SQL expression (the amount already as text with two decimals)."""
    return f"'grant|elder=' || CAST({elder_column} AS TEXT) || '|month={month}|amount=' || {amount_text_column}"


def grant_recovery_key(*, elder_id: int, month: Month) -> str:
    return f"grant-recovery:{elder_id}:{month}"


# --- which subsidy accounts take a month's grant ---------------------------------------------

# The freezes that follow a verified life event (`eldercare.models.LifeStatus` has the same codes).
LIFE_EVENT_CAUSES = (Account.Cause.DECEASED, Account.Cause.MOVED)


def grant_accepted(*, account: Account, elder: Elder, month: Month) -> bool:
    """Whether the elder's subsidy account takes the grant of `month`.

    An active account does. An account frozen because the elder died or moved away still takes
    the grant of a month up to the month of the death or the move: that month is paid whenever
    the run happens and whenever the death is verified, and the freeze only stops the money from
    being spent. Any other freeze refuses (fraud, a suspicion, a freeze by hand), and so does an
    archived account: it was cancelled, the personal balance refunded, and it takes nothing more.
    `grant_accepted_sql` is the same rule for the monthly run.
    """
    if account.status == Account.Status.ACTIVE:
        return True
    return (
        account.status == Account.Status.FROZEN
        and account.status_cause in LIFE_EVENT_CAUSES
        and elder.life_status == account.status_cause
        and elder.life_status_date is not None
        and elder.life_status_date >= month.first_day
    )


def grant_accepted_sql(account: str, elder: str) -> str:
    """`grant_accepted` as an SQL condition over a subsidy account's and its elder's table aliases,
    never NULL for an existing account; one parameter: the month's first day."""
    causes = ", ".join(f"'{cause}'" for cause in LIFE_EVENT_CAUSES)
    return f"""({account}.status = 'active' OR ({account}.status = 'frozen' AND {account}.status_cause IN ({causes})
              AND {elder}.life_status = {account}.status_cause AND {elder}.life_status_date IS NOT NULL
              AND {elder}.life_status_date >= %s))"""


# --- one grant at a time (a month outside the run, imports, tests) ----------------------------


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

    A frozen or archived account is refused, except a month the elder lived in (`grant_accepted`).
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
        # The life status as it is now (the caller's copy may predate a verified death).
        current = Elder.objects.only("life_status", "life_status_date").get(pk=elder.pk)
        if not grant_accepted(account=subsidy, elder=current, month=month):
            raise AccountFrozen.for_account(subsidy)
        legs = [(subsidy, value)] + [(locked[funders[d].pk], -share) for d, share in split.items()]
        tx, _created = _post(
            kind=LedgerTransaction.Kind.GRANT,
            key=idempotency_key,
            fingerprint=fingerprint,
            legs=legs,
            month=month.first_day,
            business_date=month.first_day,
            reference=reference,
            memo=grant_memo(month),
            by=by,
        )
        return tx


# --- the set-based writer -------------------------------------------------------------------------


def grant_accounts_ensure(cur, *, facts_table: str, now: datetime.datetime) -> None:
    """Funding accounts of every district and street; subsidy accounts of the elders in
    `facts_table` (columns `elder_id`, `account_id`) lacking one, whose `account_id` is filled in."""
    cur.execute(
        f"""INSERT INTO {T["account"]} (kind, division_id, status, status_reason, status_cause, balance, balance_currency, created_at, updated_at)
            SELECT 'funding', d.id, 'active', '', '', 0, 'CNY', %s, %s FROM {T["division"]} d
            WHERE d.level IN ('district', 'street')
              AND NOT EXISTS (SELECT 1 FROM {T["account"]} a WHERE a.division_id = d.id AND a.kind = 'funding')
            ON CONFLICT DO NOTHING""",
        [now, now],
    )
    cur.execute(
        f"""INSERT INTO {T["account"]} (kind, elder_id, status, status_reason, status_cause, balance, balance_currency, created_at, updated_at)
            SELECT 'subsidy', f.elder_id, 'active', '', '', 0, 'CNY', %s, %s FROM {facts_table} f
            WHERE f.account_id IS NULL
            ON CONFLICT DO NOTHING""",
        [now, now],
    )
    cur.execute(
        f"""UPDATE {facts_table} SET account_id = (SELECT a.id FROM {T["account"]} a
              WHERE a.elder_id = {facts_table}.elder_id AND a.kind = 'subsidy')
            WHERE account_id IS NULL"""
    )


def grant_next_tx_id(cur) -> int:
    """SQLite has no sequence to reserve from: the next free transaction id (under the caller's
    write lock, so that no other writer comes in between)."""
    cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {T['tx']}")
    return int(cur.fetchone()[0]) + 1


def grant_tx_id_sql(cur) -> str:
    """The expression that reserves a transaction id for each pay row (NULL on SQLite). The
    sequence is named once here: looked up in the expression, it would be looked up for every row
    (a second for 300,000)."""
    if connection.vendor != "postgresql":
        return "NULL"
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [T["tx"]])
    sequence = cur.fetchone()[0]
    return f"nextval('{sequence}'::regclass)"


def grant_transactions_insert(
    cur,
    *,
    source: str,
    month: Month,
    lo: int,
    hi: int,
    by_id: int | None,
    now: datetime.datetime,
    skip_existing: bool = True,
) -> int:
    """One GRANT transaction per pay row seq in [lo, hi] whose key is new; returns how many.
    Without `skip_existing` a key already booked fails the statement (unique violation)."""
    cur.execute(
        f"""INSERT INTO {T["tx"]} (id, kind, idempotency_key, fingerprint, reference, month,
                business_date, memo, created_by_id, created_at)
            SELECT p.tx_id, 'grant', {grant_key_sql("p.elder_id", month)},
                   {grant_fingerprint_sql("p.elder_id", "p.amount_text", month)},
                   '', %s, %s, %s, %s, %s
            FROM {source} p WHERE p.seq BETWEEN %s AND %s
            {"ON CONFLICT DO NOTHING" if skip_existing else ""}""",
        [month.first_day, month.first_day, grant_memo(month), by_id, now, lo, hi],
    )
    return cur.rowcount


def grant_entries_insert(cur, *, source: str, lo: int, hi: int, only: str, now: datetime.datetime) -> None:
    """One entry per leg: the subsidy account, the district's and the town's funding accounts.
    `only` narrows the rows (an SQL condition on `p`) to the transactions inserted just now."""
    cur.execute(
        f"""INSERT INTO {T["entry"]} (transaction_id, account_id, amount, amount_currency, created_at)
            SELECT p.tx_id,
                   CASE k.n WHEN 1 THEN p.account_id WHEN 2 THEN p.district_account_id ELSE p.town_account_id END,
                   CASE k.n WHEN 1 THEN p.amount WHEN 2 THEN -p.district_share ELSE -p.town_share END,
                   'CNY', %s
            FROM {source} p
            CROSS JOIN (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) k
            WHERE p.seq BETWEEN %s AND %s {only}
              AND (k.n = 1 OR (k.n = 2 AND p.district_share > 0) OR (k.n = 3 AND p.town_share > 0))""",
        [now, lo, hi],
    )


# The foreign keys of the ledger rows the set-based writer inserts, when the database's row-by-row
# checks are off (`eldercare.pgonly.keys_checked_by_batch`), and what holds each of them instead.
GRANT_LEDGER_KEYS = {
    (T["tx"], "created_by_id"): "held: the run's user (grant_ledger_keys_hold)",
    (T["tx"], "reverses_id"): "NULL: a grant reverses nothing",
    (T["entry"], "transaction_id"): "proven: the chunk's own transactions, inserted before their entries",
    (T["entry"], "account_id"): "held: funding accounts (grant_ledger_keys_hold); subsidy accounts counted by "
    "grant_balances_update, which updates each of them",
}


class KeyMissing(IntegrityError):
    """A row the batch writes points at a row that is not there (deleted while the run ran)."""


def grant_ledger_keys_hold(cur, *, source: str, lo: int, hi: int, by_id: int | None) -> None:
    """Hold (`keys_held`) the funding accounts the chunk's entries are written to and the run's
    user, or raise `KeyMissing`."""
    chunk = f"FROM {source} p WHERE p.seq BETWEEN %s AND %s"
    ids = f"SELECT p.district_account_id {chunk} UNION SELECT p.town_account_id {chunk}"
    if keys_held(cur, table=T["account"], ids=ids, params=[lo, hi, lo, hi]):
        raise KeyMissing(f"a funding account of rows {lo}–{hi} is gone")
    if by_id is not None and keys_held(cur, table=T["user"], ids="SELECT %s", params=[by_id]):
        raise KeyMissing(f"user {by_id} is gone")


def grant_balances_update(cur, *, source: str, lo: int, hi: int, only: str, now: datetime.datetime) -> Decimal:
    """Add the grants to the subsidy accounts' cached balance; returns the chunk's total.

    Only the subsidy accounts cache a balance; the funding accounts are pooled (the sum of their
    entries, see vouchers.models), so the run never queues on the district's row."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        # The chunk's accounts by primary key, one index look-up per row: the cost follows the
        # chunk. Left to itself the planner hashes the chunk and reads the whole account table for
        # each chunk, the earlier chunks' dead row versions included: quadratic over a run
        # (measured at 300,000 elders: 274 ms against 240 ms for the fifth chunk, growing with N).
        cur.execute("SET LOCAL enable_hashjoin TO off")
        cur.execute("SET LOCAL enable_mergejoin TO off")
    cur.execute(
        f"""UPDATE {T["account"]} SET balance = ROUND(balance + p.amount, 2), updated_at = %s
            FROM {source} p
            WHERE {T["account"]}.id = p.account_id AND {T["account"]}.elder_id = p.elder_id
              AND p.seq BETWEEN %s AND %s {only}""",
        [now, lo, hi],
    )
    updated = cur.rowcount
    if postgresql:
        cur.execute("SET LOCAL enable_hashjoin TO DEFAULT")
        cur.execute("SET LOCAL enable_mergejoin TO DEFAULT")
    cur.execute(
        f"SELECT COALESCE(SUM(p.amount), 0), COUNT(DISTINCT p.account_id) FROM {source} p"
        f" WHERE p.seq BETWEEN %s AND %s {only}",
        [lo, hi],
    )
    total, accounts = cur.fetchone()
    if updated != accounts:
        # An account the entries were written to is gone, or is no longer its elder's (each one
        # updated is locked until the chunk commits, and so is its elder through its key).
        raise KeyMissing(f"{accounts - updated} subsidy accounts of rows {lo}–{hi} are gone")
    return Decimal(str(total or 0))


# --- recovery of a grant paid after the end of the entitlement ------------------------------------


def _pooled_account(division_id: int, kind: str = Account.Kind.FUNDING) -> Account:
    account, _ = Account.objects.get_or_create(division_id=division_id, kind=kind)
    return account


def grant_recover(
    *,
    elder_id: int,
    month: datetime.date,
    amount: Decimal,
    district_share: Decimal,
    town_share: Decimal,
    district_id: int,
    street_id: int,
    grant_transaction_id: int,
    reason: str,
    by: User | None,
) -> tuple[LedgerTransaction, Decimal, Decimal]:
    """Compensate one grant: (the reversal, amount taken back from the subsidy account, amount owed
    by the estate). The subsidy account gives back what it still holds, the rest is booked as owed
    (the district's external account), and the funding accounts are restored. Posted like every
    other transaction: one key per grant, balanced legs, the cached balance updated with them.
    The subsidy account is locked here (the caller's transaction locked it first already).
    """
    subsidy = Account.objects.select_for_update().get(elder_id=elder_id, kind=Account.Kind.SUBSIDY)
    back = min(subsidy.balance.amount, amount)
    owed = amount - back
    legs: list[tuple[Account, Decimal]] = []
    if back > 0:
        legs.append((subsidy, -back))
    if owed > 0:
        legs.append((_pooled_account(district_id, Account.Kind.EXTERNAL), -owed))
    if district_share > 0:
        legs.append((_pooled_account(district_id), district_share))
    if town_share > 0:
        legs.append((_pooled_account(street_id), town_share))
    ym = Month.of(month)
    tx, _created = _post(
        kind=LedgerTransaction.Kind.REVERSAL,
        key=grant_recovery_key(elder_id=elder_id, month=ym),
        fingerprint=f"grant-recovery|elder={elder_id}|month={ym}|amount={amount:.2f}",
        legs=legs,
        month=month,
        reference=grant_key(elder_id=elder_id, month=ym),
        memo=f"追回 {ym} 补贴：{reason}",
        by=by,
        reverses_id=grant_transaction_id,
    )
    return tx, back, owed
