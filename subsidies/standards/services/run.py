# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""The monthly subsidy run, set-based.

1. Funding accounts of the district and towns, and missing subsidy accounts, are created in bulk.
2. The facts of every entitled elder as of the month (age bucket, categories as a bit mask, care
   level, refusal reason) are gathered in ONE query into a temporary table. The month of a death
   or a move is paid even when the run comes after its verification: the account frozen by it
   still takes that month's grant (`grant_accepted_sql`); later months are not paid, since the
   entitlement ended with that month.
3. The distinct combinations of facts (a few hundred at city scale) are evaluated by the pure
   `standard_for`, so the batch and the single case can never disagree; the results go into a
   second temporary table.
4. The rows to pay go into a third temporary table, numbered, each with its transaction id
   reserved. Ledger transactions, grants, entries and the subsidy accounts' cached balances are
   then written straight from it by INSERT … SELECT and one UPDATE … FROM, in chunks, each chunk
   in its own transaction: no statement looks up the big ledger tables. The unique keys (one
   grant per elder and month, one transaction per idempotency key) make a rerun add only what is
   missing: running a month twice creates nothing, and a run killed midway completes on rerun.
   The funding accounts are pooled (no cached balance), so only their entries are written.

The SQL is portable between PostgreSQL and SQLite (3.33+): ON CONFLICT DO NOTHING, UPDATE … FROM.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from eldercare.models import Division, Elder, ElderCategory
from eldercare.money import cny, round_cny
from eldercare.periods import Month
from eldercare.pgonly import analyze, keys_checked_by_batch, keys_held
from subsidies.standards.models import (
    Assessment,
    Entitlement,
    Grant,
    PolicyRow,
    PolicyVersion,
    RunRefusal,
    SubsidyRun,
)
from subsidies.standards.rules import (
    CATEGORY_ORDER,
    CATEGORY_SHORT,
    HIGH_AGE,
    MIN_AGE,
    PersonFacts,
    PolicySpec,
    split,
    standard_for,
)
from subsidies.standards.selectors import specs_for_month
from subsidies.standards.services.summary import T_SUMMARY, grant_summary_add_chunk
from vouchers.models import Account, LedgerEntry, LedgerTransaction
from vouchers.services.grants import (
    KeyMissing,
    grant_accepted_sql,
    grant_accounts_ensure,
    grant_balances_update,
    grant_entries_insert,
    grant_key_sql,
    grant_ledger_keys_hold,
    grant_next_tx_id,
    grant_transactions_insert,
    grant_tx_id_sql,
)
from vouchers.services.snapshots import balances_snapshot

CATEGORY_BITS = {code: 1 << i for i, code in enumerate(CATEGORY_ORDER)}
ProgressFn = Callable[[SubsidyRun], None]

T = {
    "elder": Elder._meta.db_table,
    "division": Division._meta.db_table,
    "category": ElderCategory._meta.db_table,
    "assessment": Assessment._meta.db_table,
    "entitlement": Entitlement._meta.db_table,
    "account": Account._meta.db_table,
    "tx": LedgerTransaction._meta.db_table,
    "entry": LedgerEntry._meta.db_table,
    "grant": Grant._meta.db_table,
    "version": PolicyVersion._meta.db_table,
    "row": PolicyRow._meta.db_table,
    "refusal": RunRefusal._meta.db_table,
    "run": SubsidyRun._meta.db_table,
}


# The foreign keys of the grants a chunk writes, when the database's row-by-row checks are off
# (`keys_checked_by_batch`), and what holds each of them instead: the referenced table and the pay
# table's column whose ids `_grant_keys_hold` locks and counts, or why none is needed.
GRANT_KEYS: dict[tuple[str, str], tuple[str, str | None] | str] = {
    # The elder: proven by the subsidy account the chunk updates (`grant_balances_update` updates
    # each one with its elder's id and locks it; the account's own key to its elder is checked by
    # the database, so the elder cannot go while it is locked); held like the others when a grant
    # is linked to a transaction booked before (no balance to update).
    (T["grant"], "elder_id"): "proven: each subsidy account updated (or held, on the careful path)",
    (T["grant"], "entitlement_id"): (T["entitlement"], "entitlement_id"),
    (T["grant"], "community_id"): (T["division"], "community_id"),
    (T["grant"], "policy_version_id"): (T["version"], "version_id"),
    (T["grant"], "row_id"): (T["row"], "row_id"),
    (T["grant"], "run_id"): (T["run"], None),  # the run's own row
    (T["grant"], "transaction_id"): "proven: the chunk's own transactions, or booked ones (never deleted)",
    (T["grant"], "recovery_id"): "NULL: a grant is written unrecovered",
}


class RunInterrupted(Exception):
    """Raised by the test hook `stop_after_chunks` to simulate a run killed midway."""


def categories_of_mask(mask: int) -> frozenset[str]:
    return frozenset(code for code, bit in CATEGORY_BITS.items() if mask & bit)


def _age_cutoff(month: Month, years: int) -> datetime.date:
    """Born on or before this day: the age `years` is reached by the month's last day."""
    end = month.last_day
    try:
        return end.replace(year=end.year - years)
    except ValueError:  # 29 February in a common year
        return end.replace(year=end.year - years, day=28)


def _facts_sql(month: Month, thresholds: list[int]) -> tuple[str, list]:
    first = month.first_day
    params: list = []
    age_case = "CASE"
    for t in sorted(set(thresholds), reverse=True):
        age_case += " WHEN e.birth_date <= %s THEN " + str(int(t))
        params.append(_age_cutoff(month, t))
    age_case += " ELSE 0 END"
    cat_case = "CASE ec.category " + " ".join(f"WHEN '{c}' THEN {b}" for c, b in CATEGORY_BITS.items()) + " ELSE 0 END"
    sql = f"""
        SELECT e.id AS elder_id, en.id AS entitlement_id, en.scheme_id AS scheme_id,
               e.community_id AS community_id, c.parent_id AS street_id, s.parent_id AS district_id,
               {age_case} AS age_bucket,
               COALESCE(cm.catmask, 0) AS catmask,
               COALESCE(al.care_level, '') AS care_level,
               CASE WHEN e.disqualified_at IS NOT NULL THEN 'disqualified'
                    WHEN e.life_status = 'deceased' AND e.life_status_date < %s THEN 'deceased'
                    WHEN e.life_status = 'moved' AND e.life_status_date < %s THEN 'moved'
                    WHEN acc.status = 'frozen' AND NOT {grant_accepted_sql("acc", "e")} THEN 'frozen'
                    WHEN acc.status = 'archived' THEN 'archived'
                    ELSE '' END AS refusal,
               acc.id AS account_id
        FROM {T["entitlement"]} en
        JOIN {T["elder"]} e ON e.id = en.elder_id
        JOIN {T["division"]} c ON c.id = e.community_id
        JOIN {T["division"]} s ON s.id = c.parent_id
        LEFT JOIN {T["account"]} acc ON acc.elder_id = e.id AND acc.kind = 'subsidy'
        LEFT JOIN (SELECT ec.elder_id, SUM({cat_case}) AS catmask FROM {T["category"]} ec
                   WHERE ec.evidence_date <= %s GROUP BY ec.elder_id) cm ON cm.elder_id = e.id
        LEFT JOIN (SELECT a.elder_id, a.care_level,
                          ROW_NUMBER() OVER (PARTITION BY a.elder_id ORDER BY a.effective_from DESC, a.id DESC) AS rn
                   FROM {T["assessment"]} a WHERE a.effective_from <= %s) al ON al.elder_id = e.id AND al.rn = 1
        WHERE en.start_month <= %s
          AND ((en.end_month IS NULL AND en.status = 'active') OR en.end_month >= %s)
    """
    params += [first] * 7  # refusal ×3, categories, assessment, period ×2
    return sql, params


@dataclass
class Combo:
    scheme_id: int
    district_id: int
    age_bucket: int
    catmask: int
    care_level: str
    count: int = 0

    @property
    def facts(self) -> PersonFacts:
        return PersonFacts(
            age=self.age_bucket, categories=categories_of_mask(self.catmask), care_level=self.care_level or None
        )


def spec_for(specs: dict, scheme_id: int, district_id: int) -> PolicySpec | None:
    return specs.get((scheme_id, district_id)) or specs.get((scheme_id, None))


def _thresholds(specs) -> list[int]:
    ages = {MIN_AGE, HIGH_AGE}
    for spec in specs:
        ages.update(r.min_age for r in spec.rules)
    return sorted(ages)


@dataclass
class RunResult:
    run: SubsidyRun
    created: int
    already: int
    refused: int
    total: Decimal
    messages: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def nothing_new(self) -> bool:
        return self.created == 0


def build_facts(cur, month: Month, specs: dict) -> None:
    sql, params = _facts_sql(month, _thresholds(specs.values()))
    cur.execute("DROP TABLE IF EXISTS run_facts")
    cur.execute(f"CREATE TEMP TABLE run_facts AS {sql}", params)
    cur.execute("CREATE INDEX run_facts_elder ON run_facts (elder_id)")
    analyze(cur, "run_facts")


def combos_of_facts(cur) -> list[Combo]:
    cur.execute(
        """SELECT scheme_id, district_id, age_bucket, catmask, care_level, COUNT(*) FROM run_facts
           WHERE refusal = '' GROUP BY scheme_id, district_id, age_bucket, catmask, care_level"""
    )
    return [Combo(int(a), int(b), int(c), int(d), e or "", int(n)) for a, b, c, d, e, n in cur.fetchall()]


def _build_standards(cur, month: Month, specs: dict, combos: list[Combo]) -> None:
    cur.execute("DROP TABLE IF EXISTS run_standard")
    cur.execute(
        """CREATE TEMP TABLE run_standard (
             scheme_id bigint, district_id bigint, age_bucket integer, catmask integer, care_level varchar(20),
             amount numeric(10, 2), amount_text varchar(20), district_share numeric(10, 2), town_share numeric(10, 2),
             version_id bigint, row_id bigint, reason varchar(300), categories varchar(100), refusal varchar(20))"""
    )
    rows = []
    for combo in combos:
        spec = spec_for(specs, combo.scheme_id, combo.district_id)
        cats = "、".join(CATEGORY_SHORT[c] for c in CATEGORY_ORDER if combo.catmask & CATEGORY_BITS[c])
        if spec is None:
            rows.append(
                (
                    *_key(combo),
                    Decimal("0"),
                    "0.00",
                    Decimal("0"),
                    Decimal("0"),
                    None,
                    None,
                    "该月无有效补贴政策",
                    cats,
                    "no_policy",
                )
            )
            continue
        standard = standard_for(combo.facts, month, spec)
        amount = standard.amount.amount
        if amount <= 0:
            rows.append(
                (
                    *_key(combo),
                    Decimal("0"),
                    "0.00",
                    Decimal("0"),
                    Decimal("0"),
                    standard.policy_version_id,
                    None,
                    standard.reason,
                    cats,
                    "no_standard",
                )
            )
            continue
        district, town = split(amount, spec.district_percent, spec.town_percent)
        rows.append(
            (
                *_key(combo),
                amount,
                f"{round_cny(amount):.2f}",
                district,
                town,
                standard.policy_version_id,
                standard.row_id,
                standard.reason[:300],
                cats,
                "",
            )
        )
    if rows:
        cur.executemany("INSERT INTO run_standard VALUES (" + ", ".join(["%s"] * 14) + ")", rows)
    cur.execute(
        "CREATE INDEX run_standard_key ON run_standard (scheme_id, district_id, age_bucket, catmask, care_level)"
    )
    analyze(cur, "run_standard")


def _key(combo: Combo) -> tuple:
    return (combo.scheme_id, combo.district_id, combo.age_bucket, combo.catmask, combo.care_level)


def _build_pay(cur, month: Month) -> int:
    """The rows to pay, numbered 1..N (`seq`, the chunks' ranges), each with the id its ledger
    transaction will get (`tx_id`): reserved from the sequence on PostgreSQL, so that the grant,
    the entries and the balance are written straight from this table, without looking the
    transaction up again by its key. (SQLite has no sequence: `_assign_tx_ids_sqlite`.)"""
    tx_id = grant_tx_id_sql(cur)
    cur.execute("DROP TABLE IF EXISTS run_pay")
    cur.execute(
        f"""CREATE TEMP TABLE run_pay AS
            SELECT q.*, {tx_id} AS tx_id FROM (
              SELECT ROW_NUMBER() OVER (ORDER BY f.elder_id) AS seq, f.elder_id, f.entitlement_id, f.community_id,
                     f.street_id, f.district_id, f.account_id, f.care_level, s.amount, s.amount_text,
                     s.district_share, s.town_share, s.version_id, s.row_id, s.reason, s.categories,
                     fd.id AS district_account_id, ft.id AS town_account_id
              FROM run_facts f
              LEFT JOIN {T["account"]} fd ON fd.division_id = f.district_id AND fd.kind = 'funding'
              LEFT JOIN {T["account"]} ft ON ft.division_id = f.street_id AND ft.kind = 'funding'
              JOIN run_standard s ON s.scheme_id = f.scheme_id AND s.district_id = f.district_id
                   AND s.age_bucket = f.age_bucket AND s.catmask = f.catmask AND s.care_level = f.care_level
              WHERE f.refusal = '' AND s.refusal = ''
                AND NOT EXISTS (SELECT 1 FROM {T["grant"]} g WHERE g.elder_id = f.elder_id AND g.month = %s)
            ) q ORDER BY q.seq""",
        [month.first_day],
    )
    cur.execute("CREATE INDEX run_pay_seq ON run_pay (seq)")
    analyze(cur, "run_pay")
    cur.execute("SELECT COUNT(*) FROM run_pay")
    return int(cur.fetchone()[0])


def _assign_tx_ids_sqlite(cur, run: SubsidyRun, lo: int, hi: int) -> None:
    # SQLite: take the database's write lock first (a no-op write on the run's row), then number
    # the chunk's transactions after the highest id; no other writer can come in between.
    cur.execute(f"UPDATE {T['run']} SET progress = progress WHERE id = %s", [run.pk])
    base = grant_next_tx_id(cur) - lo
    cur.execute("UPDATE run_pay SET tx_id = seq + %s WHERE seq BETWEEN %s AND %s", [base, lo, hi])


class _Clock:
    """Seconds per phase of the run, summed over the chunks (printed by the benchmark)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, phase: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(phase, time.perf_counter() - started)

    def add(self, phase: str, seconds: float) -> None:
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds


def _write_chunk(
    cur,
    *,
    run: SubsidyRun,
    month: Month,
    lo: int,
    hi: int,
    by_id: int | None,
    checked_by_batch: bool,
    clock: _Clock,
) -> tuple[int, Decimal]:
    """Write transactions, grants, entries and balances for run_pay rows seq in [lo, hi], in the
    caller's transaction. Returns (grants written, their total). `checked_by_batch`: the keys are
    held set-based (`keys_checked_by_batch`), not checked by the database row by row.

    Normally every row gets a new transaction (its key is new), and everything is written
    straight from run_pay by the reserved `tx_id`. When some key already exists (a grant booked
    by `grant_credit` outside a run, or the same month run concurrently), the chunk takes the
    careful path: those grants are linked to the transaction already booked, and entries and
    balances are written only for the transactions inserted now.
    """
    now = timezone.now()
    first = month.first_day
    rows = hi - lo + 1
    if connection.vendor == "postgresql":
        # Safe: a crash can only lose whole chunks committed in the last moments (never half of
        # one), and a rerun of the month writes exactly what is missing. The run's final status
        # update commits synchronously, which makes every chunk before it durable too.
        cur.execute("SET LOCAL synchronous_commit TO OFF")
        if checked_by_batch:
            # The keys are checked set-based, one statement per referenced table, each locking
            # the rows pointed at as the database's own check would; the database's check of
            # each key of each row (~400,000 a chunk, the larger part of the run) is then off
            # for the chunk's inserts.
            with clock("check keys"):
                _grant_keys_hold(cur, run=run, lo=lo, hi=hi)
                grant_ledger_keys_hold(cur, source="run_pay", lo=lo, hi=hi, by_id=by_id)
            cur.execute("SET LOCAL session_replication_role = replica")
        else:
            # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED: ~400,000 checks a chunk
            # would queue in memory for the commit (measured: ~6 s a 50,000 chunk at commit
            # against ~3 s at the end of each statement). The same constraints are checked, only
            # earlier.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    else:
        _assign_tx_ids_sqlite(cur, run, lo, hi)
    key = grant_key_sql("p.elder_id", month)
    chunk = "p.seq BETWEEN %s AND %s"
    grant_sql = f"""INSERT INTO {T["grant"]} (elder_id, entitlement_id, month, amount, amount_currency,
                district_share, district_share_currency, town_share, town_share_currency, policy_version_id,
                row_id, reason, care_level, categories, community_id, transaction_id, run_id, recovery_id,
                created_at)
            SELECT p.elder_id, p.entitlement_id, %s, p.amount, 'CNY', p.district_share, 'CNY', p.town_share,
                   'CNY', p.version_id, p.row_id, p.reason, p.care_level, p.categories, p.community_id,
                   {{tx}}, %s, NULL, %s
            FROM run_pay p {{join}}
            WHERE {chunk} {{only}}
            {{conflict}}"""
    ours = ""  # the careful path's filter: rows whose transaction was inserted just now
    try:
        # Every key new (the usual case): plain inserts, without checking each row's keys before
        # it is written (ON CONFLICT's cost); a key already there fails this savepoint, and the
        # chunk takes the careful path.
        with transaction.atomic():
            with clock("write transactions"):
                new_tx = grant_transactions_insert(
                    cur, source="run_pay", month=month, lo=lo, hi=hi, by_id=by_id, now=now, skip_existing=False
                )
            with clock("write grants"):
                cur.execute(grant_sql.format(tx="p.tx_id", join="", only="", conflict=""), [first, run.pk, now, lo, hi])
                created = linked = cur.rowcount
    except IntegrityError:
        with clock("write transactions"):
            new_tx = grant_transactions_insert(cur, source="run_pay", month=month, lo=lo, hi=hi, by_id=by_id, now=now)
        skip = "ON CONFLICT DO NOTHING"
        with clock("write grants"):
            ours = f"AND EXISTS (SELECT 1 FROM {T['tx']} t WHERE t.id = p.tx_id AND t.idempotency_key = {key})"
            if checked_by_batch:
                _hold(cur, run=run, target=T["elder"], column="elder_id", pay_column="elder_id", lo=lo, hi=hi)
            cur.execute(grant_sql.format(tx="p.tx_id", join="", only=ours, conflict=skip), [first, run.pk, now, lo, hi])
            linked = cur.rowcount
            cur.execute(
                grant_sql.format(
                    tx="t.id", join=f"JOIN {T['tx']} t ON t.idempotency_key = {key}", only="", conflict=skip
                ),
                [first, run.pk, now, lo, hi],
            )
            created = linked + cur.rowcount
    if linked != new_tx:
        # A transaction without its grant would be money without a reason: refuse the chunk.
        raise RuntimeError(f"run {run.pk}: {new_tx} grant transactions but {linked} grants in rows {lo}–{hi}")
    with clock("write entries"):
        grant_entries_insert(cur, source="run_pay", lo=lo, hi=hi, only=ours, now=now)
    if connection.vendor == "postgresql":
        cur.execute("SET LOCAL session_replication_role = DEFAULT")
    with clock("write summary"):
        grant_summary_add_chunk(
            cur, source="run_pay", month=month, lo=lo, hi=hi, run_id=run.pk, written_at=now, all_new=created == rows
        )
    with clock("update balances"):
        total = grant_balances_update(cur, source="run_pay", lo=lo, hi=hi, only=ours, now=now)
    return created, total


def _hold(cur, *, run: SubsidyRun, target: str, column: str, pay_column: str | None, lo: int, hi: int) -> None:
    """Hold (`keys_held`) the rows of `target` the chunk's `column` points at, read from the pay
    table's `pay_column` (None: the run's own row), or raise `KeyMissing`."""
    if pay_column is None:
        ids, params = "SELECT %s", [run.pk]
    else:
        ids, params = f"SELECT p.{pay_column} FROM run_pay p WHERE p.seq BETWEEN %s AND %s", [lo, hi]
    missing = keys_held(cur, table=target, ids=ids, params=params)
    if missing:
        raise KeyMissing(f"run {run.pk}: {missing} rows of {target} pointed at by {column} in rows {lo}–{hi} are gone")


def _grant_keys_hold(cur, *, run: SubsidyRun, lo: int, hi: int) -> None:
    """Hold every row the chunk's grants point at (`GRANT_KEYS`), or raise `KeyMissing`."""
    for (_table, column), how in GRANT_KEYS.items():
        if not isinstance(how, str):
            target, pay_column = how
            _hold(cur, run=run, target=target, column=column, pay_column=pay_column, lo=lo, hi=hi)


def _record_refusals(cur, run: SubsidyRun, month: Month) -> int:
    cur.execute(
        f"""INSERT INTO {T["refusal"]} (run_id, elder_id, reason, detail)
            SELECT %s, f.elder_id, f.refusal, '' FROM run_facts f
            WHERE f.refusal <> ''
              AND NOT EXISTS (SELECT 1 FROM {T["grant"]} g WHERE g.elder_id = f.elder_id AND g.month = %s)
            ON CONFLICT DO NOTHING""",
        [run.pk, month.first_day],
    )
    n = cur.rowcount
    cur.execute(
        f"""INSERT INTO {T["refusal"]} (run_id, elder_id, reason, detail)
            SELECT %s, f.elder_id, s.refusal, s.reason FROM run_facts f
            JOIN run_standard s ON s.scheme_id = f.scheme_id AND s.district_id = f.district_id
                 AND s.age_bucket = f.age_bucket AND s.catmask = f.catmask AND s.care_level = f.care_level
            WHERE f.refusal = '' AND s.refusal <> ''
              AND NOT EXISTS (SELECT 1 FROM {T["grant"]} g WHERE g.elder_id = f.elder_id AND g.month = %s)
            ON CONFLICT DO NOTHING""",
        [run.pk, month.first_day],
    )
    return n + cur.rowcount


def run_month(
    *,
    month: Month,
    by=None,
    chunk_size: int = 25_000,
    progress: ProgressFn | None = None,
    stop_after_chunks: int | None = None,
    run: SubsidyRun | None = None,
) -> RunResult:
    """Pay the month's subsidies to every entitled elder exactly once (see the module docstring).
    `run`: the row of a run asked for from the page (claimed by `run_queued`); else a new row."""
    runs_stalled_fail()
    if run is None:
        run = SubsidyRun.objects.create(month=month.first_day, started_at=timezone.now(), started_by=by)
    clock = _Clock()
    specs = specs_for_month(month)
    by_id = by.pk if by is not None else None
    try:
        with connection.cursor() as cur:
            with transaction.atomic():
                with clock("facts"):
                    build_facts(cur, month, specs)
                with clock("accounts"):
                    grant_accounts_ensure(cur, facts_table="run_facts", now=timezone.now())
                with clock("standards"):
                    combos = combos_of_facts(cur)
                    _build_standards(cur, month, specs, combos)
                with clock("rows to pay"):
                    to_pay = _build_pay(cur, month)
                cur.execute("SELECT COUNT(*) FROM run_facts")
                entitled = int(cur.fetchone()[0])
            cur.execute(
                f"SELECT COUNT(*) FROM {T['grant']} g JOIN run_facts f ON f.elder_id = g.elder_id WHERE g.month = %s",
                [month.first_day],
            )
            already = int(cur.fetchone()[0])
            # Each update of the run writes `updated_at`: its heartbeat (see `runs_stalled_fail`).
            SubsidyRun.objects.filter(pk=run.pk).update(entitled=entitled, already=already, updated_at=timezone.now())
            run.entitled, run.already = entitled, already
            created = 0
            total = Decimal("0")
            chunks = 0
            checked_by_batch = keys_checked_by_batch(cur)
            for lo in range(1, to_pay + 1, chunk_size):
                hi = min(lo + chunk_size - 1, to_pay)
                with transaction.atomic():
                    n, amount = _write_chunk(
                        cur,
                        run=run,
                        month=month,
                        lo=lo,
                        hi=hi,
                        by_id=by_id,
                        checked_by_batch=checked_by_batch,
                        clock=clock,
                    )
                    written = time.perf_counter()
                clock.add("commit", time.perf_counter() - written)
                created += n
                total += amount
                chunks += 1

                run.granted = created
                run.progress = int(hi * 100 / to_pay)
                SubsidyRun.objects.filter(pk=run.pk).update(
                    granted=created, progress=run.progress, updated_at=timezone.now()
                )
                if progress:
                    progress(run)
                if stop_after_chunks is not None and chunks >= stop_after_chunks:
                    raise RunInterrupted(f"stopped after {chunks} chunks")
            with clock("refusals"), transaction.atomic():
                refused = _record_refusals(cur, run, month)
            total = round_cny(total)
            for table in ("run_pay", "run_standard", "run_facts"):
                cur.execute(f"DROP TABLE IF EXISTS {table}")
            with clock("analyse"):
                # The planner's statistics of the tables just grown by a month: without them the
                # reports of the new month are planned as if it were empty (seconds become minutes).
                for table in (T["grant"], T["tx"], T["entry"], T_SUMMARY, T["refusal"]):
                    analyze(cur, table)
            with clock("snapshots"):
                # The funding accounts just took a month of grants: their balances are snapshotted,
                # so that no list sums those entries again.
                balances_snapshot()
    except BaseException as exc:
        SubsidyRun.objects.filter(pk=run.pk).update(
            status=SubsidyRun.Status.FAILED, finished_at=timezone.now(), message=str(exc)[:1000]
        )
        raise
    messages = []
    if created == 0:
        messages.append(
            _("%(month)s: nothing new to write; %(already)d grants already existed.")
            % {"month": month, "already": already}
        )
    else:
        messages.append(
            _("%(month)s: %(created)d grants written (%(already)d existed before), total %(total)s.")
            % {"month": month, "created": created, "already": already, "total": total}
        )
    if refused:
        messages.append(_("%(refused)d refused (see the report).") % {"refused": refused})
    SubsidyRun.objects.filter(pk=run.pk).update(
        status=SubsidyRun.Status.DONE,
        finished_at=timezone.now(),
        granted=created,
        refused=refused,
        total=cny(total),
        progress=100,
        message=" ".join(messages),
    )
    run.refresh_from_db()
    return RunResult(
        run=run,
        created=created,
        already=already,
        refused=refused,
        total=total,
        messages=messages,
        timings=clock.seconds,
    )


def run_queued(*, run_id: int) -> RunResult | None:
    """Do a run asked for from the page. Only one worker claims it (a task delivered twice, or
    enqueued again by the sweeper, finds it taken and does nothing)."""
    now = timezone.now()
    claimed = SubsidyRun.objects.filter(pk=run_id, status=SubsidyRun.Status.QUEUED).update(
        status=SubsidyRun.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    run = SubsidyRun.objects.select_related("started_by").get(pk=run_id)
    return run_month(month=Month.of(run.month), by=run.started_by, run=run)


def runs_waiting(*, older_than_minutes: int = 2) -> list[int]:
    """Runs asked for but not yet taken by a worker after a while (the broker was down when they
    were asked for): the sweeper enqueues them again."""
    since = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    return list(
        SubsidyRun.objects.filter(status=SubsidyRun.Status.QUEUED, updated_at__lt=since).values_list("pk", flat=True)
    )


def runs_stalled_fail() -> int:
    """Mark failed, with the reason, the runs still "running" with no sign of life (`updated_at`, its
    heartbeat, written at each step) for RUN_STALE_MINUTES: their worker died (killed, machine
    restarted). They are not resumed here: a run of the month started again adds exactly what is
    missing (the unique keys), and resuming a run whose worker is only slow would run it twice.
    Returns how many were marked."""
    now = timezone.now()
    stale = SubsidyRun.objects.filter(
        status=SubsidyRun.Status.RUNNING,
        updated_at__lt=now - datetime.timedelta(minutes=settings.RUN_STALE_MINUTES),
    )
    marked = 0
    for run in stale:
        with translation.override(settings.LANGUAGE_CODE):  # stored, like the run's other messages
            message = _(
                "Stopped at %(progress)d %%: no sign of life since %(time)s (its worker died). "
                "Start the month again: the run adds only what is missing."
            ) % {"progress": run.progress, "time": timezone.localtime(run.updated_at).strftime("%Y-%m-%d %H:%M")}
        marked += SubsidyRun.objects.filter(pk=run.pk, status=SubsidyRun.Status.RUNNING).update(
            status=SubsidyRun.Status.FAILED, finished_at=now, message=message, updated_at=now
        )
    return marked
