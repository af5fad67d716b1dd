# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""The settlement benchmark: a synthetic quarter built set-based, then settled and timed.

Build (INSERT … SELECT over a number series, no per-row Python): a district of 10 towns × 20
communities, P providers, elders, their subsidy and external accounts, N completed work orders over
the three months of 2025Q1 with their redemption transactions and ledger entries (subsidy leg,
cash co-pay leg on every fifth order, provider leg), and a void (reversal) on 1% of the orders.

Measured, each against a bare `GROUP BY` of the same ledger entries run under the same planner
settings in the same run:
- the live settlement of the three months (`months_figures`: one pass over their redemptions,
  one over their reversals) plus the reconciliation with the ledger (`ledger_totals`, one pass
  over the entries), as `check_month_figures` computes it;
- the stored figures: the refresh that stores the quarter (the first counts the whole ledger, a
  reused database's adds nothing), then the quarterly pass that reads them (`figures.months_read`:
  the generations plus the entries since) with the same reconciliation; a read that adds the
  largest delta a periodic refresh leaves (`REFRESH_MIN_ENTRIES` entries); and the finance
  dashboard over the open quarter, through `django.test.Client` (median of three, queries counted);
then the months are locked, the quarter prepared and its PDF rendered.
"""

import datetime
import resource
import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eldercare.models import Division, Elder, Role, RoleAssignment, User
from eldercare.money import round_cny
from eldercare.periods import Quarter
from providers.models import Approval, Caregiver, Provider, ServiceItem, WorkOrder
from settlement.compute import Locks, Slice, _planner_settings, ledger_totals, months_figures, parts_count
from settlement.figures import REFRESH_MIN_ENTRIES, figures_refresh, months_read
from settlement.models import ServiceMonth
from settlement.reports import quarter_report_data, settlement_pdf
from settlement.services import _lock, quarter_prepare
from vouchers.models import Account, LedgerEntry, LedgerTransaction

QUARTER = Quarter(2025, 1)
STREETS, COMMUNITIES_PER_STREET = 10, 20


@dataclass
class BenchResult:
    orders: int
    providers: int
    build_seconds: float
    settle_seconds: float
    group_by_seconds: float
    peak_python_mb: float
    max_rss_mb: float
    lines: int
    pdf_seconds: float | None = None
    pdf_bytes: int = 0
    live_seconds: float = 0.0
    refresh_seconds: float = 0.0
    refresh_generations: int = 0
    delta_read_seconds: float = 0.0
    dashboard_ms: float = 0.0
    dashboard_queries: int = 0
    same_as_live: bool | None = None

    def _to_group_by(self, seconds: float) -> float:
        return seconds / self.group_by_seconds if self.group_by_seconds else 0.0

    @property
    def ratio(self) -> float:
        """The quarterly pass over the stored figures (plus the reconciliation) to the GROUP BY."""
        return self._to_group_by(self.settle_seconds)

    @property
    def live_ratio(self) -> float:
        return self._to_group_by(self.live_seconds)

    @property
    def refresh_ratio(self) -> float:
        return self._to_group_by(self.refresh_seconds)

    @property
    def delta_ratio(self) -> float:
        return self._to_group_by(self.delta_read_seconds)


def _series(n: int, alias: str = "s") -> str:
    """A derived table `s(i)` (or `alias(i)`) with i = 0 .. n-1 on both PostgreSQL and SQLite."""
    if connection.vendor == "postgresql":
        return f"(SELECT generate_series(0, {int(n) - 1}) AS i) {alias}"
    return (
        f"(WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM t WHERE i < {int(n) - 1}) SELECT i FROM t)"
        f" {alias}"
    )


def _next_id(cur, model) -> int:
    cur.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
    return int(cur.fetchone()[0])


def _fix_sequence(cur, model) -> None:
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def build(*, orders: int, providers: int = 200, elders: int | None = None) -> dict:
    """Create the synthetic quarter; returns the ids the measurement needs."""
    elders = elders or max(orders // 30, 10)
    now = timezone.now()
    with transaction.atomic():
        district = Division.objects.create(code="BENCHD000000", name="基准区", level="district")
        streets = Division.objects.bulk_create(
            [
                Division(code=f"BENCH{s:03d}0000", name=f"基准镇{s:02d}", level="street", parent=district)
                for s in range(STREETS)
            ]
        )
        communities = Division.objects.bulk_create(
            [
                Division(code=f"BENCH{s:03d}{c:04d}", name=f"基准社区{s:02d}-{c:02d}", level="community", parent=street)
                for s, street in enumerate(streets)
                for c in range(1, COMMUNITIES_PER_STREET + 1)
            ]
        )
        booker = User.objects.create(username=f"bench-booker-{now.timestamp():.0f}")
        RoleAssignment.objects.create(user=booker, role=Role.SYSADMIN, division=district)
        provs = Provider.objects.bulk_create(
            [
                Provider(
                    name=f"基准服务商{p:03d}",
                    kind=Provider.Kind.BUSINESS,
                    licence_number=f"BENCH-{now.timestamp():.0f}-{p}",
                    district=district,
                    status=Provider.Status.CONTRACTED,
                )
                for p in range(providers)
            ]
        )
        items = ServiceItem.objects.bulk_create(
            [
                ServiceItem(provider=p, kind="cleaning", name="助洁", price=50, minutes=60, approval=Approval.APPROVED)
                for p in provs
            ]
        )
        carers = Caregiver.objects.bulk_create(
            [Caregiver(provider=p, name="护工", staff_number="B1", phone="1", phone_masked="1") for p in provs]
        )
        accounts = Account.objects.bulk_create([Account(kind=Account.Kind.PROVIDER, provider=p) for p in provs])
        with connection.cursor() as cur:
            t_el, t_acc, t_tx, t_le, t_wo = (
                Elder._meta.db_table,
                Account._meta.db_table,
                LedgerTransaction._meta.db_table,
                LedgerEntry._meta.db_table,
                WorkOrder._meta.db_table,
            )
            c0, nc = communities[0].pk, len(communities)
            e0 = _next_id(cur, Elder)
            cur.execute(
                f"""INSERT INTO {t_el} (id, name, gender, id_number, id_digest, id_masked, birth_date, community_id,
                    hukou_in_district, resident_since, address, phone, phone_masked, agent_name, agent_relation,
                    agent_phone, agent_phone_masked, life_status, disqualified_reason, created_at, updated_at)
                SELECT {e0} + i, 'bench', 'F', 'x', 'bench-' || ({e0} + i), 'x', %s, {c0} + (i %% {nc}),
                    %s, %s, '', '', '', '', '', '', '', 'active', '', %s, %s FROM {_series(elders)}""",
                [datetime.date(1945, 1, 1), True, datetime.date(2000, 1, 1), now, now],
            )
            _fix_sequence(cur, Elder)
            # Account ids: subsidy = a0 + 2k, external = a0 + 2k + 1 for elder k.
            a0 = _next_id(cur, Account)
            cur.execute(
                f"""INSERT INTO {t_acc} (id, kind, elder_id, status, status_cause, status_reason, balance,
                    balance_currency, created_at, updated_at)
                SELECT {a0} + i, CASE WHEN i %% 2 = 0 THEN 'subsidy' ELSE 'external' END, {e0} + i / 2,
                    'active', '', '', 0, 'CNY', %s, %s FROM {_series(elders * 2)}""",
                [now, now],
            )
            _fix_sequence(cur, Account)
            p0, pa0, it0, cg0 = provs[0].pk, accounts[0].pk, items[0].pk, carers[0].pk
            tx0 = _next_id(cur, LedgerTransaction)
            months = [m.first_day for m in QUARTER.months]
            # Order i: elder i %% E, provider i %% P, month i %% 3; price 50, every fifth with 10 cash.
            month_case = "CASE i %% 3 WHEN 0 THEN %s WHEN 1 THEN %s ELSE %s END"
            cur.execute(
                f"""INSERT INTO {t_tx} (id, kind, idempotency_key, fingerprint, reference, month, business_date,
                    memo, created_at)
                SELECT {tx0} + i, 'redemption', 'bench:' || ({tx0} + i), 'bench', '', {month_case}, {month_case},
                    '', %s
                FROM {_series(orders)}""",
                [*months, *months, now],
            )
            if connection.vendor == "postgresql":
                subsidy_sql = "CASE WHEN i %% 5 = 0 THEN -40 ELSE -50 END"
            else:
                subsidy_sql = "CASE WHEN i %% 5 = 0 THEN -40.0 ELSE -50.0 END"
            for leg_sql, account_sql, where in (
                (subsidy_sql, f"{a0} + 2 * (i %% {elders})", "1 = 1"),
                ("-10", f"{a0} + 2 * (i %% {elders}) + 1", "i %% 5 = 0"),
                ("50", f"{pa0} + (i %% {providers})", "1 = 1"),
            ):
                cur.execute(
                    f"""INSERT INTO {t_le} (transaction_id, account_id, amount, amount_currency, created_at)
                    SELECT {tx0} + i, {account_sql}, {leg_sql}, 'CNY', %s FROM {_series(orders)} WHERE {where}""",
                    [now],
                )
            # Voids: 1% of the orders, reversed in their own month (before it locks).
            r0 = tx0 + orders
            cur.execute(
                f"""INSERT INTO {t_tx} (id, kind, idempotency_key, fingerprint, reference, month, business_date,
                    memo, reverses_id, created_at)
                SELECT {r0} + i, 'reversal', 'bench-void:' || ({r0} + i), 'bench', '', {month_case}, {month_case},
                    'void', {tx0} + i, %s FROM {_series(orders)} WHERE i %% 100 = 7""",
                [*months, *months, now],
            )
            cur.execute(
                f"""INSERT INTO {t_le} (transaction_id, account_id, amount, amount_currency, created_at)
                SELECT {r0} + le.transaction_id - {tx0}, le.account_id, -le.amount, 'CNY', %s
                FROM {t_le} le WHERE le.transaction_id >= {tx0} AND le.transaction_id < {r0}
                  AND (le.transaction_id - {tx0}) %% 100 = 7""",
                [now],
            )
            _fix_sequence(cur, LedgerTransaction)
            if connection.vendor == "postgresql":
                check_in = "(%s::timestamptz + ((i / 3) %% 27) * interval '1 day' + interval '9 hours')"
                check_out = "(%s::timestamptz + ((i / 3) %% 27) * interval '1 day' + interval '10 hours 15 minutes')"
                params_in = [[datetime.datetime.combine(m, datetime.time(), tzinfo=datetime.UTC) for m in months]]
            else:
                check_in = "datetime(%s, '+' || ((i / 3) %% 27) || ' days', '+9 hours')"
                check_out = "datetime(%s, '+' || ((i / 3) %% 27) || ' days', '+10 hours', '+15 minutes')"
                params_in = [[m.isoformat() for m in months]]
            in_case = f"CASE i %% 3 WHEN 0 THEN {check_in} WHEN 1 THEN {check_in} ELSE {check_in} END"
            out_case = f"CASE i %% 3 WHEN 0 THEN {check_out} WHEN 1 THEN {check_out} ELSE {check_out} END"
            cur.execute(
                f"""INSERT INTO {t_wo} (elder_id, provider_id, item_id, price, price_currency, scheduled_at,
                    booked_via, booked_by_id, caregiver_id, status, checked_in_at, checked_out_at, notes,
                    overlap_flagged, redemption_id, reversal_id, void_reason, created_at, updated_at)
                SELECT {e0} + (i %% {elders}), {p0} + (i %% {providers}), {it0} + (i %% {providers}), 50, 'CNY',
                    {in_case}, 'provider', {booker.pk}, {cg0} + (i %% {providers}),
                    CASE WHEN i %% 100 = 7 THEN 'voided' ELSE 'completed' END, {in_case}, {out_case}, '', %s,
                    {tx0} + i, CASE WHEN i %% 100 = 7 THEN {r0} + i END, '', %s, %s
                FROM {_series(orders)}""",
                [*params_in[0], *params_in[0], *params_in[0], False, now, now],
            )
            if connection.vendor == "postgresql":
                for table in (t_tx, t_le, t_wo, t_acc, t_el):
                    cur.execute(f"ANALYZE {table}")
    return {"district": district, "providers": provs}


BARE_GROUP_BY_READS = (
    "every ledger entry of the quarter's transactions joined to its transaction (month) and account "
    "(provider), summed per provider and month; same session settings as the settlement"
)


def bare_group_by() -> float:
    """A bare GROUP BY of the same ledger rows: the entries of the quarter's transactions (the
    settlement's redemptions and reversals) by provider account and month, under the settlement's
    own planner settings (`compute._planner_settings`), so that the ratio compares SQL with SQL."""
    t_le, t_acc, t_tx = LedgerEntry._meta.db_table, Account._meta.db_table, LedgerTransaction._meta.db_table
    months = [m.first_day for m in QUARTER.months]
    start = time.perf_counter()
    with _planner_settings(), connection.cursor() as cur:
        cur.execute(
            f"""SELECT a.provider_id, r.month, SUM(le.amount) FROM {t_le} le
                JOIN {t_acc} a ON a.id = le.account_id JOIN {t_tx} r ON r.id = le.transaction_id
                WHERE r.month IN (%s, %s, %s) GROUP BY a.provider_id, r.month""",
            months,
        )
        cur.fetchall()
    return time.perf_counter() - start


def settle(*, stored: bool = True) -> tuple[float, float, list]:
    """The settlement computation of the quarter (three months + reconciliation): seconds, peak MB.
    `stored`: the months read from their stored figures; otherwise counted live."""
    tracemalloc.start()
    start = time.perf_counter()
    figures = months_read(QUARTER.months) if stored else months_figures(QUARTER.months)
    ledger_totals(QUARTER)
    seconds = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6, figures


def _rounded(figures: list) -> list:
    """Every figure of every line as the lock freezes it (money to the fen)."""
    return [
        [
            (
                x.provider_id,
                x.community_id,
                x.kind,
                x.visits,
                x.minutes,
                x.voided_visits,
                x.short_visits,
                round_cny(x.total),
                round_cny(x.voided_amount),
                x.district_share,
                x.town_share,
                x.work_order_id,
            )
            for x in f.lines
        ]
        for f in figures
    ]


def delta_read() -> float:
    """What a read adds at most between two periodic refreshes: the parts of the last
    `REFRESH_MIN_ENTRIES` entries of the ledger, counted as after a watermark."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {LedgerEntry._meta.db_table}")
        last = int(cur.fetchone()[0])
    locks = [Locks.for_month(m) for m in QUARTER.months]
    start = time.perf_counter()
    parts_count(QUARTER.months, locks, Slice(after=max(last - REFRESH_MIN_ENTRIES, 0)))
    return time.perf_counter() - start


def dashboard(district: Division, runs: int = 3) -> tuple[float, int]:
    """The finance dashboard over the bench's open quarter: median milliseconds, queries."""
    user = User.objects.filter(username="bench-dashboard").first()
    if user is None:
        user = User.objects.create(username="bench-dashboard")
        RoleAssignment.objects.create(user=user, role=Role.FINANCE, division=district)
    client = Client()
    client.force_login(user)
    path = f"/settlement/?q={QUARTER}"
    samples, queries = [], 0
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        response = client.get(path)  # warm-up
        assert response.status_code == 200, response.status_code
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                client.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            queries = len(ctx.captured_queries)
    return statistics.median(samples), queries


def run(
    *,
    orders: int,
    providers: int = 200,
    pdf: bool = True,
    reuse: bool = False,
    pdf_out: str = "",
    work_mem: str = "",
    live: bool = True,
    log=print,
) -> BenchResult:
    """Build (or, with `reuse`, take the quarter an earlier run built in this database) and measure."""
    t0 = time.perf_counter()
    existing = Division.objects.filter(code="BENCHD000000").first()
    if reuse and existing is not None:
        built = {"district": existing}
        orders = WorkOrder.objects.filter(provider__district=existing).count()
        providers = Provider.objects.filter(district=existing).count()
        log(f"reusing the {orders} orders built before")
    else:
        built = build(orders=orders, providers=providers)
        log(f"built {orders} orders in {time.perf_counter() - t0:.1f} s")
    build_seconds = time.perf_counter() - t0
    if work_mem and connection.vendor == "postgresql":
        # The same session setting for the bare GROUP BY and the settlement: a fair comparison.
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('work_mem', %s, false)", [work_mem])
    group_by = min(bare_group_by() for _ in range(2))
    live_seconds = 0.0
    if live:
        live_seconds, _peak, live_figures = settle(stored=False)
        log(f"live settlement: {live_seconds:.2f} s")
    start = time.perf_counter()
    refreshed = figures_refresh(months=QUARTER.months)
    refresh_seconds = time.perf_counter() - start
    log(f"refresh: {refresh_seconds:.2f} s, {refreshed.generations} generations written")
    settle_seconds, peak, figures = settle()
    result = BenchResult(
        orders=orders,
        providers=providers,
        build_seconds=build_seconds,
        settle_seconds=settle_seconds,
        group_by_seconds=group_by,
        peak_python_mb=peak,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        lines=sum(len(f.lines) for f in figures),
        live_seconds=live_seconds,
        refresh_seconds=refresh_seconds,
        refresh_generations=refreshed.generations,
    )
    if live:
        result.same_as_live = _rounded(figures) == _rounded(live_figures)
    result.delta_read_seconds = delta_read()
    result.dashboard_ms, result.dashboard_queries = dashboard(built["district"])
    if pdf:
        # Lock the months with the computed figures (the towns' confirmations are not the bench's
        # subject), prepare the quarter and render its PDF.
        with transaction.atomic():
            for f in figures:
                sm, _created = ServiceMonth.objects.get_or_create(month=f.month.first_day)
                if sm.status == ServiceMonth.Status.OPEN:
                    _lock(sm, f)
        finance = User.objects.create(username=f"bench-finance-{timezone.now().timestamp():.0f}")
        RoleAssignment.objects.create(user=finance, role=Role.FINANCE, division=built["district"])
        settlement = quarter_prepare(quarter=QUARTER, by=finance)
        start = time.perf_counter()
        content = settlement_pdf(quarter_report_data(settlement))
        result.pdf_seconds = time.perf_counter() - start
        result.pdf_bytes = len(content)
        if pdf_out:
            with open(pdf_out, "wb") as handle:
                handle.write(content)
    return result
