# ruff: noqa: S608 -- table names come from model metadata; values are bound parameters
"""The monthly-run benchmark: time and memory of a run over the synthetic district, against a bare
INSERT … SELECT writing the same number of rows on the same database."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field

from django.db import connection, transaction

from devtools.synthetic import generate, synthetic_district
from eldercare.models import Elder
from eldercare.periods import Month
from subsidies.standards.models import Grant
from subsidies.standards.services.run import run_month
from vouchers.models import LedgerEntry, LedgerTransaction


@dataclass
class BenchResult:
    elders: int
    month: Month
    grants: int
    rows: int
    seconds: float
    peak_mb: float
    bare_seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    wal_mb: float | None = None
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    bare_wal_mb: float | None = None
    floor_seconds: float | None = None  # PostgreSQL only (see FLOOR_DESCRIPTION)
    copies_seconds: float | None = None  # PostgreSQL only (see COPIES_DESCRIPTION)

    @property
    def copies_ratio(self) -> float | None:
        return self.seconds / self.copies_seconds if self.copies_seconds else None

    @property
    def floor_ratio(self) -> float | None:
        return self.seconds / self.floor_seconds if self.floor_seconds else None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float:
        return self.seconds / self.bare_seconds if self.bare_seconds else 0.0


def _free_month(district) -> Month:
    latest = (
        Grant.objects.filter(community__parent__parent=district)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    return Month.of(latest).next() if latest else Month(2027, 1)


def _wal_lsn(cur) -> int | None:
    """The position in PostgreSQL's write-ahead log, in bytes (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    cur.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
    return int(cur.fetchone()[0])


def _wal_mb(before: int | None, after: int | None) -> float | None:
    return None if before is None or after is None else (after - before) / 2**20


BARE_DESCRIPTION = (
    "one INSERT … SELECT in one transaction of the same number of rows (elder id, month, an amount and a"
    " 'grant:<id>:<month>' text) from the elder table into a fresh table with only a primary key:"
    " the floor of writing that many rows on this database, without the ledger's indexes, constraints,"
    " lookups or chunked commits"
)


def _bare_insert(rows: int, month: Month) -> tuple[float, float | None]:
    elder_table = Elder._meta.db_table
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_bare")
        cur.execute(
            "CREATE TABLE bench_bare (id integer PRIMARY KEY, elder_id bigint, month date, amount numeric(10, 2),"
            " note varchar(120))"
            if connection.vendor == "sqlite"
            else "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, elder_id bigint, month date, amount numeric(10, 2),"
            " note varchar(120))"
        )
        wal = _wal_lsn(cur)
        started = time.perf_counter()
        with transaction.atomic():
            cur.execute(
                f"""INSERT INTO bench_bare (elder_id, month, amount, note)
                    SELECT e.id, %s, 80, 'grant:' || CAST(e.id AS TEXT) || ':{month}'
                    FROM {elder_table} e
                    CROSS JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
                                UNION ALL SELECT 5 UNION ALL SELECT 6) k
                    LIMIT %s""",
                [month.first_day, rows],
            )
        seconds = time.perf_counter() - started
        wal_mb = _wal_mb(wal, _wal_lsn(cur))
        cur.execute("DROP TABLE bench_bare")
    return seconds, wal_mb


COPIES_DESCRIPTION = (
    "the run's own rows (its ledger transactions, grants and entries, staged beforehand in temporary"
    " tables) written again in one transaction into copies of the three tables with the same indexes"
    " and checks (CREATE TABLE … LIKE … INCLUDING ALL), then every foreign key of those rows validated"
    " set-based (one anti-join per key): the same rows into empty tables, whose indexes are small"
)
FLOOR_MODELS = (LedgerTransaction, Grant, LedgerEntry)


def _floor_foreign_keys(model) -> list[tuple[str, str]]:
    """(column, referenced table) of each foreign key the database enforces."""
    return [
        (f.column, f.related_model._meta.db_table)
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.db_constraint
    ]


def _stage(cur, run_id: int, prefix: str) -> dict[str, str]:
    """The run's ledger transactions, grants and entries, each table's copied untimed into a
    temporary table named `<prefix>_<table>`: {table: its stage}."""
    tx, grant, entry = (m._meta.db_table for m in FLOOR_MODELS)
    stage = {table: f"{prefix}_{table}" for table in (tx, grant, entry)}
    cur.execute(f"CREATE TEMP TABLE {stage[grant]} AS SELECT * FROM {grant} WHERE run_id = %s", [run_id])
    cur.execute(
        f"CREATE TEMP TABLE {stage[tx]} AS SELECT t.* FROM {tx} t JOIN {stage[grant]} g ON g.transaction_id = t.id"
    )
    cur.execute(
        f"CREATE TEMP TABLE {stage[entry]} AS SELECT e.* FROM {entry} e"
        f" JOIN {stage[grant]} g ON g.transaction_id = e.transaction_id"
    )
    return stage


def _keys_validated(cur, rows: dict[str, str], targets: dict[str, str]) -> None:
    """Every foreign key of the rows written, one anti-join per key: `rows` names where each
    table's rows are ({table: relation}), `targets` the relations that stand for a referenced
    table (the others are read as they are)."""
    for model in FLOOR_MODELS:
        table = model._meta.db_table
        for column, target in _floor_foreign_keys(model):
            cur.execute(
                f"SELECT COUNT(*) FROM {rows[table]} x WHERE x.{column} IS NOT NULL"
                f" AND NOT EXISTS (SELECT 1 FROM {targets.get(target, target)} y WHERE y.id = x.{column})"
            )
            missing = cur.fetchone()[0]
            if missing:
                raise RuntimeError(f"{missing} rows of {table} point nowhere by {column}")


def _floor_on_copies(run_id: int, month: Month) -> float | None:
    """The floor of COPIES_DESCRIPTION; None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        stage = _stage(cur, run_id, "stage")  # the rows exactly as the run wrote them
        floor = {table: f"bench_floor_{table}" for table in stage}
        for table, copy in floor.items():
            cur.execute(f"DROP TABLE IF EXISTS {copy}")
            cur.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
        cur.execute("CHECKPOINT")
        started = time.perf_counter()
        with transaction.atomic():
            for model in FLOOR_MODELS:
                table = model._meta.db_table
                cur.execute(f"INSERT INTO {floor[table]} SELECT * FROM {stage[table]}")
            _keys_validated(cur, rows=floor, targets=floor)
        seconds = time.perf_counter() - started
        for table, copy in floor.items():
            cur.execute(f"DROP TABLE {copy}")
            cur.execute(f"DROP TABLE {stage[table]}")
    return seconds


FLOOR_DESCRIPTION = (
    "the run's own rows (keys and ids shifted to be new) written again in one transaction into the run's own"
    " tables, full of the months before with all their indexes and checks, every foreign key validated"
    " set-based (one anti-join per key), then rolled back: the least any writer of these rows pays on these"
    " tables"
)


def _floor(run_id: int, month: Month) -> float | None:
    """The true floor of writing what the run wrote (see FLOOR_DESCRIPTION); None off PostgreSQL."""
    if connection.vendor != "postgresql":
        return None
    tx, grant, entry = (m._meta.db_table for m in FLOOR_MODELS)
    with connection.cursor() as cur:
        # Staged first, untimed: the run's rows with new ids (after the tables' highest), new
        # transaction keys and the next month, so that they fit beside the rows they copy.
        shift = {}
        for table in (tx, grant, entry):
            cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            shift[table] = int(cur.fetchone()[0])
        stage = _stage(cur, run_id, "stage_in_place")
        cur.execute(f"UPDATE {stage[tx]} SET id = id + %s, idempotency_key = 'floor:' || idempotency_key", [shift[tx]])
        cur.execute(
            f"UPDATE {stage[grant]} SET id = id + %s, transaction_id = transaction_id + %s, month = %s",
            [shift[grant], shift[tx], month.next().first_day],
        )
        cur.execute(
            f"UPDATE {stage[entry]} SET id = id + %s, transaction_id = transaction_id + %s", [shift[entry], shift[tx]]
        )
        cur.execute("CHECKPOINT")
        started = time.perf_counter()
        with transaction.atomic():
            cur.execute("SET LOCAL session_replication_role = replica")
            for model in FLOOR_MODELS:
                table = model._meta.db_table
                cur.execute(f"INSERT INTO {table} SELECT * FROM {stage[table]}")
            _keys_validated(cur, rows=stage, targets={})
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        for table in stage.values():
            cur.execute(f"DROP TABLE {table}")
    return seconds


def bench(*, elders: int, chunk_size: int = 50_000, progress=None) -> BenchResult:
    district = synthetic_district()
    have = Elder.objects.filter(community__parent__parent=district).count() if district else 0
    if have < elders:
        generate(elders=elders - have)
        district = synthetic_district()
    month = _free_month(district)
    tx_before = LedgerTransaction.objects.count()
    entries_before = LedgerEntry.objects.count()
    load_before = os.getloadavg()
    with connection.cursor() as cur:
        wal = _wal_lsn(cur)
    started = time.perf_counter()
    result = run_month(month=month, chunk_size=chunk_size, progress=progress)
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        wal_mb = _wal_mb(wal, _wal_lsn(cur))
    load_after = os.getloadavg()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = (
        result.created
        + (LedgerTransaction.objects.count() - tx_before)
        + (LedgerEntry.objects.count() - entries_before)
    )
    bare, bare_wal = _bare_insert(rows, month)
    copies = _floor_on_copies(result.run.pk, month)
    floor = _floor(result.run.pk, month)
    return BenchResult(
        elders=max(have, elders),
        month=month,
        grants=result.created,
        rows=rows,
        seconds=seconds,
        peak_mb=peak_mb,
        bare_seconds=bare,
        timings=result.timings,
        wal_mb=wal_mb,
        load_before=load_before,
        load_after=load_after,
        bare_wal_mb=bare_wal,
        floor_seconds=floor,
        copies_seconds=copies,
    )
