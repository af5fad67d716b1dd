# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""The set-based figures of the settlement: a handful of SQL aggregates, never one query per order.

Attribution rules (the contract of the whole settlement):

- A REDEMPTION belongs to its ledger `month` (the month it happened).
- A REVERSAL (a voided visit) carries the month of what it reverses (`m`). It is settled in
  the first month N >= m that was still open when the reversal was booked: N = m while m is
  open (edited into m's own figures), otherwise the month locking after it, as an ADJUSTMENT
  line that names the redemption it corrects. Months lock in order, so for a month M:

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
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

from eldercare.models import Division, Elder
from eldercare.money import round_cny
from eldercare.periods import Month, Quarter, local_day_bounds
from providers.models import WorkOrder
from subsidies.models import Grant
from vouchers.models import Account, LedgerEntry, LedgerTransaction

from .models import ServiceMonth

DEFAULT_DISTRICT_RATIO = Decimal("0.7")
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

    def reversal_filter(self, alias: str = "r") -> tuple[str, list]:
        """The SQL condition `in_M` on a reversal transaction `alias`, and its parameters."""
        sql = f"{alias}.kind = 'reversal' AND {alias}.month <= %s"
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


def _ratio_join(month: Month) -> tuple[str, list]:
    """A derived table (elder_id, ratio) of each elder's district share of their grants."""
    sql = (
        f"LEFT JOIN (SELECT g.elder_id, SUM(g.district_share) * 1.0 / SUM(g.amount) AS ratio "
        f"FROM {T_GRANT} g WHERE g.month <= %s GROUP BY g.elder_id) gr ON gr.elder_id = w.elder_id"
    )
    return sql, [month.first_day]


def _legs(join_column: str, where: str, params: list, month: Month, extra_group: str = "") -> list[tuple]:
    """Per (provider, community[, extra]) the elder legs of the transactions the orders point to."""
    ratio_sql, ratio_params = _ratio_join(month)
    group = "w.provider_id, el.community_id" + (f", {extra_group}" if extra_group else "")
    sql = f"""
        SELECT {group},
          SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'personal' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'external' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount * COALESCE(gr.ratio, %s) ELSE 0 END),
          {"COUNT(DISTINCT w.id)" if join_column == "reversal_id" else "0"},
          SUM(CASE WHEN a.kind = 'provider' THEN 1 ELSE 0 END),
          SUM(CASE WHEN a.kind = 'provider' THEN {_minutes_sql()} ELSE 0 END),
          SUM(CASE WHEN a.kind = 'provider' AND w.reservice_of_id IS NOT NULL THEN 1 ELSE 0 END)
        FROM {T_ORDER} w
        JOIN {T_TX} r ON r.id = w.{join_column}
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {T_ELDER} el ON el.id = w.elder_id
        {ratio_sql}
        WHERE a.kind IN ('subsidy', 'personal', 'external', 'provider') AND {where}
        GROUP BY {group}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [DEFAULT_DISTRICT_RATIO, *ratio_params, *params])
        return cursor.fetchall()


def month_figures(month: Month) -> MonthFigures:
    """The month's figures as the ledger and the work orders say now (four aggregate queries)."""
    locks = Locks.for_month(month)
    lines: dict[tuple[int, int], Line] = {}

    def line(provider_id: int, community_id: int) -> Line:
        key = (provider_id, community_id)
        if key not in lines:
            lines[key] = Line(provider_id, community_id)
        return lines[key]

    with connection.cursor() as cursor:
        # Visits held for being too short (checked out in the month, not redeemed).
        start, _end = local_day_bounds(month.first_day)
        end, _end2 = local_day_bounds(month.next().first_day)
        cursor.execute(
            f"""
            SELECT w.provider_id, el.community_id, COUNT(*)
            FROM {T_ORDER} w JOIN {T_ELDER} el ON el.id = w.elder_id
            WHERE w.status = 'short' AND w.checked_out_at >= %s AND w.checked_out_at < %s
            GROUP BY w.provider_id, el.community_id
            """,
            [start, end],
        )
        for provider_id, community_id, short in cursor.fetchall():
            line(provider_id, community_id).short_visits = int(short)

    # The month's redemptions: visits (one provider leg each), minutes, re-served ones, money.
    for provider_id, community_id, subsidy, personal, cash, district, _n, visits, minutes, reserved in _legs(
        "redemption_id", "r.month = %s AND r.kind = 'redemption'", [month.first_day], month
    ):
        x = line(provider_id, community_id)
        x.visits, x.minutes, x.reserved_visits = int(visits), int(round(float(minutes or 0))), int(reserved or 0)
        x.subsidy += _dec(subsidy)
        x.personal += _dec(personal)
        x.cash += _dec(cash)
        x.district_raw += _dec(district)

    # Voids of this month's own visits booked while it was open: edited into its figures.
    where, params = locks.reversal_filter("r")
    for provider_id, community_id, subsidy, personal, cash, district, n, *_visits in _legs(
        "reversal_id", where + " AND r.month = %s", [*params, month.first_day], month
    ):
        x = line(provider_id, community_id)
        x.subsidy += _dec(subsidy)
        x.personal += _dec(personal)
        x.cash += _dec(cash)
        x.district_raw += _dec(district)
        x.voided_visits += int(n)
        x.voided_amount -= _dec(subsidy) + _dec(personal) + _dec(cash)

    # Late voids of locked months: one adjustment line each, naming what it corrects.
    adjustments: list[Line] = []
    for provider_id, community_id, order_id, subsidy, personal, cash, district, *_rest in _legs(
        "reversal_id", where + " AND r.month < %s", [*params, month.first_day], month, extra_group="w.id"
    ):
        adjustments.append(
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
    if adjustments:
        refs = {
            row["pk"]: row
            for row in WorkOrder.objects.filter(pk__in=[a.work_order_id for a in adjustments]).values(
                "pk", "redemption_id", "reversal_id", "redemption__month"
            )
        }
        for a in adjustments:
            ref = refs[a.work_order_id]
            a.corrects_id, a.reversal_id, a.corrects_month = (
                ref["redemption_id"],
                ref["reversal_id"],
                ref["redemption__month"],
            )

    result = list(lines.values()) + adjustments
    streets = dict(Division.objects.filter(pk__in={x.community_id for x in result}).values_list("pk", "parent_id"))
    for x in result:
        x.street_id = streets[x.community_id]
    result.sort(key=lambda x: (x.provider_id, x.community_id, x.kind, x.work_order_id or 0))
    return MonthFigures(month, result)


# --------------------------------------------------------------------------------------------
# The ledger side of the reconciliation


@dataclass
class LedgerTotals:
    by_provider: dict[int, Decimal]
    by_street: dict[int, Decimal]


def ledger_totals(quarter: Quarter) -> LedgerTotals:
    """Redemptions minus reversals of the quarter's settlement months, straight from the ledger:
    per provider from the provider accounts' entries, per town from the elders' entries."""
    by_provider: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_street: dict[int, Decimal] = defaultdict(lambda: ZERO)
    # One pass over the quarter: the months' conditions are OR-ed (a reversal falls in one month).
    conditions, params = [], []
    for month in quarter.months:
        where, month_params = Locks.for_month(month).reversal_filter("r")
        conditions.append(f"(r.kind = 'redemption' AND r.month = %s) OR ({where})")
        params += [month.first_day, *month_params]
    period = "(" + " OR ".join(f"({c})" for c in conditions) + ")"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT a.provider_id, SUM(le.amount)
            FROM {T_ENTRY} le JOIN {T_ACCOUNT} a ON a.id = le.account_id
            JOIN {T_TX} r ON r.id = le.transaction_id
            WHERE a.kind = 'provider' AND {period}
            GROUP BY a.provider_id
            """,
            params,
        )
        for provider_id, amount in cursor.fetchall():
            by_provider[provider_id] += _dec(amount)
        cursor.execute(
            f"""
            SELECT c.parent_id, SUM(-le.amount)
            FROM {T_ENTRY} le JOIN {T_ACCOUNT} a ON a.id = le.account_id
            JOIN {T_TX} r ON r.id = le.transaction_id
            JOIN {T_ELDER} el ON el.id = a.elder_id JOIN {T_DIV} c ON c.id = el.community_id
            WHERE a.kind IN ('subsidy', 'personal', 'external') AND {period}
            GROUP BY c.parent_id
            """,
            params,
        )
        for street_id, amount in cursor.fetchall():
            by_street[street_id] += _dec(amount)
    return LedgerTotals(
        {k: round_cny(v) for k, v in by_provider.items()}, {k: round_cny(v) for k, v in by_street.items()}
    )
