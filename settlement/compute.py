# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""The set-based figures of the settlement: a handful of SQL aggregates, never one query per order.

Attribution rules (the contract of the whole settlement):

- A REDEMPTION belongs to its ledger `month`: the month of the day the visit was served.
- A REVERSAL (a voided visit) carries the month of what it reverses.
- Either, of month `m`, is settled in the first month N >= m that was still open when it was
  booked: N = m while m is open (in m's own figures), otherwise the month locking after it, as
  an ADJUSTMENT line naming the redemption it adds (a visit paid late, e.g. a correction approved
  after its month locked) or corrects (a late void). Months lock in order, so for a month M:

      in_M(R) = R.month <= M
                and (M is open or R.created_at <= lock(M))
                and (R.month = M or (M-1 is locked and R.created_at > lock(M-1)))

- The subsidy part of a payment is split between the district and the town by the elder's own
  funding ratio: the sum of `district_share` over the sum of `amount` of the elder's grants up to
  the end of the month (the grants that funded the subsidy account). An elder without grants
  takes the default split (70:30, scheme A). Rounded once per line, the town share is the rest.

The ledger side of the reconciliation is computed independently of the work orders: the
provider accounts' entries (per provider) and the elders' entries (per town) of the same
redemptions and reversals.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from eldercare.models import Division, Elder
from eldercare.money import round_cny
from eldercare.periods import Month, Quarter, local_day_bounds
from providers.models import WorkOrder
from subsidies.standards.models import Grant
from subsidies.standards.rules import DEFAULT_DISTRICT_PERCENT
from vouchers.models import Account, LedgerEntry, LedgerTransaction

from .models import ServiceMonth

# The district's fraction of the subsidy of an elder without grants: the policies' default split.
DEFAULT_DISTRICT_RATIO = DEFAULT_DISTRICT_PERCENT / 100
ZERO = Decimal("0")

T_ORDER = WorkOrder._meta.db_table
T_TX = LedgerTransaction._meta.db_table
T_ENTRY = LedgerEntry._meta.db_table
T_ACCOUNT = Account._meta.db_table
T_ELDER = Elder._meta.db_table
T_DIV = Division._meta.db_table
T_GRANT = Grant._meta.db_table


def _dec(value) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


def _minutes_sql(alias: str = "w") -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({alias}.checked_out_at - {alias}.checked_in_at)) / 60"
    return f"(julianday({alias}.checked_out_at) - julianday({alias}.checked_in_at)) * 1440"


@dataclass(frozen=True)
class Locks:
    """Lock times of a month and of the month before it (None: open or not settled)."""

    month: datetime.date
    lock: datetime.datetime | None
    previous_lock: datetime.datetime | None

    @classmethod
    def for_month(cls, month: Month) -> "Locks":
        rows = dict(
            ServiceMonth.objects.filter(month__in=[month.first_day, month.previous().first_day]).values_list(
                "month", "locked_at"
            )
        )
        return cls(month.first_day, rows.get(month.first_day), rows.get(month.previous().first_day))

    def own_filter(self, alias: str = "r") -> tuple[str, list]:
        """`in_M` of the redemptions of M itself: booked while M was open."""
        sql = f"{alias}.kind = 'redemption' AND {alias}.month = %s"
        params: list = [self.month]
        if self.lock is not None:
            sql += f" AND {alias}.created_at <= %s"
            params.append(self.lock)
        return sql, params

    def late_filter(self, alias: str = "r") -> tuple[str, list] | None:
        """`in_M` of the redemptions of earlier months paid late (None: M takes none, the month
        before it is not locked)."""
        if self.previous_lock is None:
            return None
        sql = f"{alias}.kind = 'redemption' AND {alias}.month < %s AND {alias}.created_at > %s"
        params: list = [self.month, self.previous_lock]
        if self.lock is not None:
            sql += f" AND {alias}.created_at <= %s"
            params.append(self.lock)
        return sql, params

    def reversal_filter(self, alias: str = "r", kind: str = "reversal") -> tuple[str, list]:
        """The SQL condition `in_M` on a transaction `alias` of `kind`, and its parameters."""
        sql = f"{alias}.kind = '{kind}' AND {alias}.month <= %s"
        params: list = [self.month]
        if self.lock is not None:
            sql += f" AND {alias}.created_at <= %s"
            params.append(self.lock)
        if self.previous_lock is not None:
            sql += f" AND ({alias}.month = %s OR {alias}.created_at > %s)"
            params += [self.month, self.previous_lock]
        else:
            sql += f" AND {alias}.month = %s"
            params.append(self.month)
        return sql, params


@dataclass
class Line:
    """Figures of one provider and community in one month (or of one adjustment)."""

    provider_id: int
    community_id: int
    street_id: int = 0
    kind: str = "service"
    visits: int = 0
    minutes: int = 0
    voided_visits: int = 0
    reserved_visits: int = 0
    short_visits: int = 0
    subsidy: Decimal = ZERO
    personal: Decimal = ZERO
    cash: Decimal = ZERO
    voided_amount: Decimal = ZERO
    district_raw: Decimal = ZERO
    corrects_month: datetime.date | None = None
    corrects_id: int | None = None
    reversal_id: int | None = None
    work_order_id: int | None = None

    @property
    def total(self) -> Decimal:
        return self.subsidy + self.personal + self.cash

    @property
    def district_share(self) -> Decimal:
        return round_cny(self.district_raw)

    @property
    def town_share(self) -> Decimal:
        return round_cny(self.subsidy) - self.district_share


@dataclass
class MonthFigures:
    month: Month
    lines: list[Line] = field(default_factory=list)

    def for_street(self, street_id: int) -> list[Line]:
        return [x for x in self.lines if x.street_id == street_id]

    def streets(self) -> set[int]:
        return {x.street_id for x in self.lines}


@contextmanager
def _planner_settings():
    """The session settings of the settlement's aggregates, local to one transaction.

    JIT compilation is turned off: on these few large aggregates PostgreSQL spent seconds compiling
    (6 s of a 10 s query measured at 3,000,000 orders) for no gain. work_mem is raised so that the
    hash of a quarter's transactions (3,000,000 rows) is built in memory instead of in 32-64 batches
    on disk; it is a per-transaction setting of this batch job only. The benchmark runs its bare
    GROUP BY under the same settings."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for name, value in PLANNER_SETTINGS.items():
                    cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        yield


PLANNER_SETTINGS = {"jit": "off", "work_mem": "256MB"}  # PostgreSQL only, SET LOCAL


def _ratios(months: Sequence[Month]) -> tuple[str, list]:
    """A derived table (month, elder_id, ratio): each elder's district share of their grants up
    to each month, one block of rows per month."""
    parts, params = [], []
    for month in months:
        parts.append(
            f"SELECT %s AS month, g.elder_id, SUM(g.district_share) * 1.0 / SUM(g.amount) AS ratio "
            f"FROM {T_GRANT} g WHERE g.month <= %s GROUP BY g.elder_id"
        )
        params += [month.first_day, month.first_day]
    return " UNION ALL ".join(parts), params


_MONEY_COLUMNS = """
          SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'personal' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'external' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount * COALESCE(gr.ratio, %s) ELSE 0 END)"""


def _redemptions(months: Sequence[Month], locks: Sequence[Locks]) -> list[tuple]:
    """One pass over the months' own redemptions: per (month, provider, community) the money of
    the elder legs and the visits (one provider leg each), minutes and re-served visits."""
    ratio_sql, ratio_params = _ratios(months)
    conditions, params = [], []
    for lock in locks:
        where, where_params = lock.own_filter("r")
        conditions.append(f"({where})")
        params += where_params
    sql = f"""
        SELECT r.month, w.provider_id, el.community_id, {_MONEY_COLUMNS},
          SUM(CASE WHEN a.kind = 'provider' THEN 1 ELSE 0 END),
          SUM(CASE WHEN a.kind = 'provider' THEN {_minutes_sql()} ELSE 0 END),
          SUM(CASE WHEN a.kind = 'provider' AND w.reservice_of_id IS NOT NULL THEN 1 ELSE 0 END)
        FROM {T_TX} r
        JOIN {T_ORDER} w ON w.redemption_id = r.id
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {T_ELDER} el ON el.id = w.elder_id
        LEFT JOIN ({ratio_sql}) gr ON gr.elder_id = w.elder_id AND gr.month = r.month
        WHERE r.kind = 'redemption' AND ({" OR ".join(conditions)})
          AND a.kind IN ('subsidy', 'personal', 'external', 'provider')
        GROUP BY r.month, w.provider_id, el.community_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [DEFAULT_DISTRICT_RATIO, *ratio_params, *params])
        return cursor.fetchall()


def _late_redemptions(months: Sequence[Month], locks: Sequence[Locks]) -> list[tuple]:
    """Visits of locked months paid late: per (settlement month, order) the money of the elder
    legs and the minutes. Few rows (corrections approved after a month locked)."""
    cases: list[tuple[str, list]] = []
    for month, lock in zip(months, locks, strict=True):
        found = lock.late_filter("t")
        if found is not None:
            cases.append((found[0], [*found[1], month.first_day]))
    if not cases:
        return []
    case_sql = " ".join(f"WHEN {where} THEN %s" for where, _p in cases)
    case_params = [p for _w, ps in cases for p in ps]
    condition_sql = " OR ".join(f"({where})" for where, _p in cases)
    condition_params = [p for _w, ps in cases for p in ps[:-1]]
    ratio_sql, ratio_params = _ratios(months)
    sql = f"""
        SELECT r.settled, r.month, w.provider_id, el.community_id, w.id, {_MONEY_COLUMNS},
          MAX({_minutes_sql()}), MAX(CASE WHEN w.reservice_of_id IS NOT NULL THEN 1 ELSE 0 END)
        FROM (
          SELECT t.id, t.month, CASE {case_sql} END AS settled
          FROM {T_TX} t WHERE t.kind = 'redemption' AND ({condition_sql})
        ) r
        JOIN {T_ORDER} w ON w.redemption_id = r.id
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {T_ELDER} el ON el.id = w.elder_id
        LEFT JOIN ({ratio_sql}) gr ON gr.elder_id = w.elder_id AND gr.month = r.settled
        WHERE a.kind IN ('subsidy', 'personal', 'external')
        GROUP BY r.settled, r.month, w.provider_id, el.community_id, w.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [DEFAULT_DISTRICT_RATIO, *case_params, *condition_params, *ratio_params])
        return cursor.fetchall()


def _reversals(months: Sequence[Month], locks: Sequence[Locks]) -> list[tuple]:
    """One pass over the reversals settled in the months: per (settlement month, order) the money
    of the elder legs, with the month of the reversal itself (earlier: an adjustment)."""
    cases, conditions, params = [], [], []
    for month, lock in zip(months, locks, strict=True):
        where, where_params = lock.reversal_filter("t")
        cases.append(f"WHEN {where} THEN %s")
        conditions.append(f"({where})")
        params += [*where_params, month.first_day]
    condition_params = [p for lock in locks for p in lock.reversal_filter("t")[1]]
    ratio_sql, ratio_params = _ratios(months)
    sql = f"""
        SELECT r.settled, r.month, w.provider_id, el.community_id, w.id, {_MONEY_COLUMNS}
        FROM (
          SELECT t.id, t.month, CASE {" ".join(cases)} END AS settled
          FROM {T_TX} t WHERE t.kind = 'reversal' AND ({" OR ".join(conditions)})
        ) r
        JOIN {T_ORDER} w ON w.reversal_id = r.id AND w.reversal_id IS NOT NULL
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {T_ELDER} el ON el.id = w.elder_id
        LEFT JOIN ({ratio_sql}) gr ON gr.elder_id = w.elder_id AND gr.month = r.settled
        WHERE a.kind IN ('subsidy', 'personal', 'external')
        GROUP BY r.settled, r.month, w.provider_id, el.community_id, w.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [DEFAULT_DISTRICT_RATIO, *params, *condition_params, *ratio_params])
        return cursor.fetchall()


def _short_visits(months: Sequence[Month]) -> list[tuple]:
    """Visits held for being too short, per (month checked out, provider, community)."""
    bounds = [local_day_bounds(m.first_day)[0] for m in months] + [local_day_bounds(months[-1].next().first_day)[0]]
    cases, params = [], []
    for month, end in zip(months, bounds[1:], strict=True):
        cases.append("WHEN w.checked_out_at < %s THEN %s")
        params += [end, month.first_day]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT CASE {" ".join(cases)} END, w.provider_id, el.community_id, COUNT(*)
            FROM {T_ORDER} w JOIN {T_ELDER} el ON el.id = w.elder_id
            WHERE w.status = 'short' AND w.checked_out_at >= %s AND w.checked_out_at < %s
            GROUP BY 1, w.provider_id, el.community_id
            """,
            [*params, bounds[0], bounds[-1]],
        )
        return cursor.fetchall()


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def month_figures(month: Month) -> MonthFigures:
    """The month's figures as the ledger and the work orders say now."""
    return months_figures([month])[0]


def months_figures(months: Sequence[Month]) -> list[MonthFigures]:
    """The figures of consecutive months, as `month_figures` of each, in one pass over their
    redemptions and one over their reversals (three aggregate queries whatever the number of months)."""
    months = list(months)
    if any(b != a.next() for a, b in zip(months, months[1:], strict=False)):
        raise ValueError("months_figures takes consecutive months")
    locks = [Locks.for_month(m) for m in months]
    index = {m.first_day: i for i, m in enumerate(months)}
    per_month: list[dict[tuple[int, int], Line]] = [{} for _ in months]
    adjustments: list[list[Line]] = [[] for _ in months]

    def line(day, provider_id: int, community_id: int) -> Line:
        lines = per_month[index[_as_date(day)]]
        key = (provider_id, community_id)
        if key not in lines:
            lines[key] = Line(provider_id, community_id)
        return lines[key]

    with _planner_settings():
        short = _short_visits(months)
        redemptions = _redemptions(months, locks)
        late = _late_redemptions(months, locks)
        reversals = _reversals(months, locks)

    for day, provider_id, community_id, n in short:
        line(day, provider_id, community_id).short_visits = int(n)

    # The months' redemptions: visits (one provider leg each), minutes, re-served ones, money.
    for day, provider_id, community_id, subsidy, personal, cash, district, visits, minutes, reserved in redemptions:
        x = line(day, provider_id, community_id)
        x.visits, x.minutes, x.reserved_visits = int(visits), int(round(float(minutes or 0))), int(reserved or 0)
        x.subsidy += _dec(subsidy)
        x.personal += _dec(personal)
        x.cash += _dec(cash)
        x.district_raw += _dec(district)

    # Visits of locked months paid late: one adjustment line each, naming the redemption it adds.
    for (
        settled,
        paid_month,
        provider_id,
        community_id,
        order_id,
        subsidy,
        personal,
        cash,
        district,
        minutes,
        again,
    ) in sorted(late, key=lambda row: (_as_date(row[0]), row[2], row[3], row[4])):
        adjustments[index[_as_date(settled)]].append(
            Line(
                provider_id,
                community_id,
                kind="adjustment",
                visits=1,
                minutes=int(round(float(minutes or 0))),
                reserved_visits=int(again or 0),
                subsidy=_dec(subsidy),
                personal=_dec(personal),
                cash=_dec(cash),
                district_raw=_dec(district),
                corrects_month=_as_date(paid_month),
                work_order_id=order_id,
            )
        )

    # Voids of a month's own visits booked while it was open are edited into its figures;
    # late voids of locked months are one adjustment line each, naming what it corrects.
    for settled, reversed_month, provider_id, community_id, order_id, subsidy, personal, cash, district in sorted(
        reversals, key=lambda row: (_as_date(row[0]), row[2], row[3], row[4])
    ):
        settled = _as_date(settled)
        if _as_date(reversed_month) == settled:
            x = line(settled, provider_id, community_id)
            x.subsidy += _dec(subsidy)
            x.personal += _dec(personal)
            x.cash += _dec(cash)
            x.district_raw += _dec(district)
            x.voided_visits += 1
            x.voided_amount -= _dec(subsidy) + _dec(personal) + _dec(cash)
        else:
            adjustments[index[settled]].append(
                Line(
                    provider_id,
                    community_id,
                    kind="adjustment",
                    voided_visits=1,
                    subsidy=_dec(subsidy),
                    personal=_dec(personal),
                    cash=_dec(cash),
                    district_raw=_dec(district),
                    voided_amount=-(_dec(subsidy) + _dec(personal) + _dec(cash)),
                    work_order_id=order_id,
                )
            )
    pending = [a for month_adjustments in adjustments for a in month_adjustments]
    if pending:
        refs = {
            row["pk"]: row
            for row in WorkOrder.objects.filter(pk__in=[a.work_order_id for a in pending]).values(
                "pk", "redemption_id", "reversal_id", "redemption__month"
            )
        }
        for a in pending:
            ref = refs[a.work_order_id]
            a.corrects_id, a.corrects_month = ref["redemption_id"], ref["redemption__month"]
            if a.voided_visits:
                a.reversal_id = ref["reversal_id"]

    communities = {c for lines in per_month for (_p, c) in lines} | {a.community_id for a in pending}
    streets = dict(Division.objects.filter(pk__in=communities).values_list("pk", "parent_id"))
    out = []
    for month, lines, month_adjustments in zip(months, per_month, adjustments, strict=True):
        result = list(lines.values()) + month_adjustments
        for x in result:
            x.street_id = streets[x.community_id]
        result.sort(key=lambda x: (x.provider_id, x.community_id, x.kind, x.work_order_id or 0))
        out.append(MonthFigures(month, result))
    return out


# --------------------------------------------------------------------------------------------
# The ledger side of the reconciliation


@dataclass
class LedgerTotals:
    by_provider: dict[int, Decimal]
    by_street: dict[int, Decimal]


def ledger_totals(quarter: Quarter) -> LedgerTotals:
    """Redemptions (own and late) minus reversals of the quarter's settlement months, straight from the ledger:
    per provider from the provider accounts' entries, per town from the elders' entries.

    One pass over the quarter's entries (the months' conditions are OR-ed: a reversal falls in one
    month), each entry tagged through the small map account → provider or account → elder → town."""
    by_provider: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_street: dict[int, Decimal] = defaultdict(lambda: ZERO)
    conditions, params = [], []
    for month in quarter.months:
        locks = Locks.for_month(month)
        for found in (locks.own_filter("r"), locks.late_filter("r"), locks.reversal_filter("r")):
            if found is not None:
                conditions.append(found[0])
                params += found[1]
    period = "(" + " OR ".join(f"({c})" for c in conditions) + ")"
    with _planner_settings(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT m.provider_id, m.street_id, SUM(le.amount)
            FROM {T_ENTRY} le
            JOIN {T_TX} r ON r.id = le.transaction_id
            JOIN (
              SELECT a.id, a.provider_id, NULL AS street_id FROM {T_ACCOUNT} a WHERE a.kind = 'provider'
              UNION ALL
              SELECT a.id, NULL, c.parent_id FROM {T_ACCOUNT} a
              JOIN {T_ELDER} el ON el.id = a.elder_id JOIN {T_DIV} c ON c.id = el.community_id
              WHERE a.kind IN ('subsidy', 'personal', 'external')
            ) m ON m.id = le.account_id
            WHERE {period}
            GROUP BY m.provider_id, m.street_id
            """,
            params,
        )
        for provider_id, street_id, amount in cursor.fetchall():
            if provider_id is not None:
                by_provider[provider_id] += _dec(amount)
            else:
                by_street[street_id] -= _dec(amount)
    return LedgerTotals(
        {k: round_cny(v) for k, v in by_provider.items()}, {k: round_cny(v) for k, v in by_street.items()}
    )
