# ruff: noqa: S608 -- table names come from model metadata; every value is a bound parameter
"""Balance snapshots of the pooled accounts (funding, provider, external).

A pooled account keeps no cached balance (see `vouchers.models`): its balance is the sum of its
entries, and a district's funding account gains one entry per elder each month. A snapshot holds
that sum up to one entry (`through_entry`); the balance is then the latest snapshot plus the
entries with a higher id, which the index (account, id) reads directly.

`balances_snapshot` takes one for every pooled account with entries since its latest, in one
INSERT … SELECT over the entries written since the last call (every pooled account with an entry
up to the last watermark already has a snapshot through its last entry up to it). It is exact
under concurrent writers: on PostgreSQL it first takes a SHARE lock on the entry table, which waits
for the transactions inserting entries to commit and holds new ones back until this transaction
ends (a fraction of a second: only the entries since the last snapshot are read), so every entry
up to the watermark is committed and counted. On SQLite the one statement runs under the
database's write lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from ..models import POOLED_KINDS, Account, BalanceSnapshot, LedgerEntry

T = {
    "account": Account._meta.db_table,
    "entry": LedgerEntry._meta.db_table,
    "snapshot": BalanceSnapshot._meta.db_table,
}
POOLED_SQL = ", ".join(f"'{kind}'" for kind in POOLED_KINDS)


@dataclass(frozen=True)
class SnapshotResult:
    through_entry: int
    accounts: int  # snapshots written


def balances_snapshot() -> SnapshotResult:
    """Snapshot every pooled account with entries since its latest snapshot (see the module
    docstring). Idempotent: with no new entry it writes nothing."""
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {T['entry']} IN SHARE MODE")
        cur.execute(f"SELECT COALESCE(MAX(through_entry), 0) FROM {T['snapshot']}")
        since = int(cur.fetchone()[0])
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {T['entry']}")
        through = int(cur.fetchone()[0])
        if through <= since:
            return SnapshotResult(through_entry=since, accounts=0)
        cur.execute(
            f"""INSERT INTO {T["snapshot"]} (account_id, through_entry, balance, balance_currency, entries, created_at)
                SELECT n.account_id, %s, ROUND(COALESCE(p.balance, 0) + n.total, 2), 'CNY', n.entries, %s
                FROM (SELECT e.account_id, SUM(e.amount) AS total, COUNT(*) AS entries
                      FROM {T["entry"]} e JOIN {T["account"]} a ON a.id = e.account_id
                      WHERE e.id > %s AND e.id <= %s AND a.kind IN ({POOLED_SQL})
                      GROUP BY e.account_id) n
                LEFT JOIN {T["snapshot"]} p ON p.account_id = n.account_id
                     AND p.through_entry = (SELECT MAX(s.through_entry) FROM {T["snapshot"]} s
                                            WHERE s.account_id = n.account_id)""",
            [through, now, since, through],
        )
        written = cur.rowcount
    return SnapshotResult(through_entry=through, accounts=written)
