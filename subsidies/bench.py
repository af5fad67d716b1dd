# ruff: noqa: S608 -- table names come from model metadata; values are bound parameters
"""The monthly-run benchmark: time and memory of a run over the synthetic district, against a bare
INSERT … SELECT writing the same number of rows on the same database."""

from __future__ import annotations

import resource
import time
from dataclasses import dataclass

from django.db import connection, transaction

from eldercare.models import Elder
from eldercare.periods import Month
from vouchers.models import LedgerEntry, LedgerTransaction

from .models import Grant
from .run import run_month
from .synthetic import generate, synthetic_district


@dataclass
class BenchResult:
    elders: int
    month: Month
    grants: int
    rows: int
    seconds: float
    peak_mb: float
    bare_seconds: float

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


def _bare_insert(rows: int, month: Month) -> float:
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
        cur.execute("DROP TABLE bench_bare")
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
    started = time.perf_counter()
    result = run_month(month=month, chunk_size=chunk_size, progress=progress)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = (
        result.created
        + (LedgerTransaction.objects.count() - tx_before)
        + (LedgerEntry.objects.count() - entries_before)
    )
    bare = _bare_insert(rows, month)
    return BenchResult(
        elders=max(have, elders),
        month=month,
        grants=result.created,
        rows=rows,
        seconds=seconds,
        peak_mb=peak_mb,
        bare_seconds=bare,
    )
