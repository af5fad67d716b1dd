"""Whole-database invariants of the ledger, each one SQL aggregate (fine on 300,000 accounts).

Amounts are compared to half a fen: SQLite keeps decimals as binary floats, so its sums carry
float noise; on PostgreSQL (numeric) this is an exact comparison to the fen.

Used by `manage.py check_ledger` and by the tests after every step of the state machine.
"""

from dataclasses import dataclass, field

from django.db import connection as default_connection

# (code, description, SQL returning the ids of offending rows)
CHECKS: list[tuple[str, str, str]] = [
    (
        "unbalanced",
        "transactions whose entries do not sum to zero",
        """SELECT transaction_id FROM vouchers_ledgerentry
           GROUP BY transaction_id HAVING ABS(SUM(amount)) >= 0.005""",
    ),
    (
        "empty",
        "transactions without any entry",
        """SELECT t.id FROM vouchers_ledgertransaction t
           WHERE NOT EXISTS (SELECT 1 FROM vouchers_ledgerentry e WHERE e.transaction_id = t.id)""",
    ),
    # Only an elder's subsidy and personal accounts cache their balance (they must never go below
    # zero, which the database checks on that column, and each is touched by one elder's
    # transactions only). Pooled accounts (funding, provider, external) keep no cache, so that
    # concurrent redemptions and grants do not queue on one row: their balance IS the sum of their
    # entries, there is nothing to compare, and their cached column must stay 0 (a non-zero value
    # means some code wrote a cache nobody maintains).
    (
        "cache",
        "elder subsidy or personal accounts whose cached balance differs from the sum of their entries",
        """SELECT a.id FROM vouchers_account a
           LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM vouchers_ledgerentry GROUP BY account_id) s
             ON s.account_id = a.id
           WHERE a.kind IN ('subsidy', 'personal') AND ABS(a.balance - COALESCE(s.total, 0)) >= 0.005""",
    ),
    (
        "pooled_cache",
        "pooled accounts (funding, provider, external) with a cached balance, which they must not keep",
        """SELECT id FROM vouchers_account WHERE kind NOT IN ('subsidy', 'personal') AND balance <> 0""",
    ),
    (
        "negative",
        "elder subsidy or personal accounts below zero (cached balance or sum of entries)",
        """SELECT a.id FROM vouchers_account a
           LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM vouchers_ledgerentry GROUP BY account_id) s
             ON s.account_id = a.id
           WHERE a.kind IN ('subsidy', 'personal') AND (a.balance < -0.005 OR COALESCE(s.total, 0) < -0.005)""",
    ),
    # A pooled account's balance is its latest snapshot plus the entries since: each snapshot must
    # equal the one before it plus the account's entries in between (each entry read once), and
    # only pooled accounts have snapshots.
    (
        "snapshot",
        "balance snapshots that differ from the previous snapshot plus the entries in between",
        """SELECT s.id FROM (
             SELECT id, account_id, through_entry, balance,
                    LAG(through_entry, 1, 0) OVER (PARTITION BY account_id ORDER BY through_entry) AS prev_through,
                    LAG(balance, 1, 0) OVER (PARTITION BY account_id ORDER BY through_entry) AS prev_balance
             FROM vouchers_balancesnapshot) s
           JOIN vouchers_account a ON a.id = s.account_id
           WHERE a.kind IN ('subsidy', 'personal')
              OR ABS(s.balance - s.prev_balance - COALESCE((SELECT SUM(e.amount) FROM vouchers_ledgerentry e
                      WHERE e.account_id = s.account_id AND e.id > s.prev_through AND e.id <= s.through_entry), 0))
                 >= 0.005""",
    ),
    (
        "currency",
        "entries or balances not in CNY",
        """SELECT id FROM vouchers_ledgerentry WHERE amount_currency <> 'CNY'
           UNION SELECT id FROM vouchers_account WHERE balance_currency <> 'CNY'""",
    ),
    (
        "key",
        "idempotency keys used more than once",
        """SELECT MIN(id) FROM vouchers_ledgertransaction GROUP BY idempotency_key HAVING COUNT(*) > 1""",
    ),
    (
        "reversed_twice",
        "transactions reversed more than once",
        """SELECT reverses_id FROM vouchers_ledgertransaction
           WHERE reverses_id IS NOT NULL GROUP BY reverses_id HAVING COUNT(*) > 1""",
    ),
    (
        "reversal_kind",
        "reversals without the transaction they reverse, or reverses set on another kind",
        """SELECT id FROM vouchers_ledgertransaction
           WHERE (kind = 'reversal') <> (reverses_id IS NOT NULL)""",
    ),
    (
        "reversal_mismatch",
        "reversals that are not the exact opposite of what they reverse (per account)",
        """SELECT DISTINCT r.id FROM vouchers_ledgertransaction r
           JOIN vouchers_ledgerentry e ON e.transaction_id = r.id OR e.transaction_id = r.reverses_id
           WHERE r.reverses_id IS NOT NULL
           GROUP BY r.id, e.account_id HAVING ABS(SUM(e.amount)) >= 0.005""",
    ),
]

SAMPLE = 20


@dataclass
class LedgerProblem:
    code: str
    description: str
    count: int
    sample_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        ids = ", ".join(str(i) for i in self.sample_ids)
        more = " …" if self.count > len(self.sample_ids) else ""
        return f"[{self.code}] {self.count} {self.description}: {ids}{more}"


def ledger_problems(connection=None) -> list[LedgerProblem]:
    """Every broken invariant with a count and the first offending ids; empty when all hold.
    `connection`: another database than the default (the backup drill checks its restored copy)."""
    problems = []
    with (connection or default_connection).cursor() as cursor:
        for code, description, sql in CHECKS:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) q")  # noqa: S608 - constant SQL above
            count = cursor.fetchone()[0]
            if count:
                cursor.execute(f"SELECT * FROM ({sql}) q ORDER BY 1 LIMIT {SAMPLE}")  # noqa: S608
                problems.append(LedgerProblem(code, description, count, [row[0] for row in cursor.fetchall()]))
    return problems
