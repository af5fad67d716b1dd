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
T_ELDER_HISTORY = Elder.history.model._meta.db_table  # type: ignore[attr-defined]


def _dec(value) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


def _seconds_sql(alias: str = "w") -> str:
    """Seconds served by an order (exact to the microsecond on PostgreSQL): summed as seconds so
    that sums of parts are the sum of the whole, rounded to minutes once per line."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({alias}.checked_out_at - {alias}.checked_in_at))"
    return f"ROUND((julianday({alias}.checked_out_at) - julianday({alias}.checked_in_at)) * 86400, 6)"


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


@dataclass(frozen=True)
class Slice:
    """Which ledger entries a pass counts, and as of when it reads the elders and their grants.

    The default is the whole ledger as it is now: the live figures. The stored figures
    (`settlement.figures`) count the entries up to a watermark (`through`) and add those after it
    (`after`); `elders` keeps the orders of these elders only, `grants_through` reads their funding
    ratio from the grants up to that id and `elders_as_of` their community as of that id of the
    elders' history: what a stored generation counted them with, to take it back out."""

    after: int = 0
    through: int | None = None
    elders: tuple[int, ...] | None = None
    grants_through: int | None = None
    elders_as_of: int | None = None

    @property
    def wide(self) -> bool:
        """A pass over (nearly) every entry: the ratios are joined once for all elders."""
        return not self.after and self.elders is None and self.grants_through is None

    def _in(self, column: str) -> tuple[str, list]:
        ids = list(self.elders or ())
        return f"{column} IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", ids

    def transactions(self, alias: str, order_fk: str) -> tuple[str, list]:
        """A condition on the transactions `alias` that lets the database start from the few
        entries after the watermark, or from the orders of the few elders."""
        if self.elders is not None:
            where, ids = self._in("w2.elder_id")
            return f" AND {alias}.id IN (SELECT w2.{order_fk} FROM {T_ORDER} w2 WHERE {where})", ids
        if self.after:
            sql, params = f" AND {alias}.id IN (SELECT e.transaction_id FROM {T_ENTRY} e WHERE e.id > %s", [self.after]
            if self.through is not None:
                sql += " AND e.id <= %s"
                params.append(self.through)
            return sql + ")", params
        return "", []

    def entries(self, alias: str = "le") -> tuple[str, list]:
        sql, params = "", []
        if self.after:
            sql += f" AND {alias}.id > %s"
            params.append(self.after)
        if self.through is not None:
            sql += f" AND {alias}.id <= %s"
            params.append(self.through)
        if self.elders is not None:
            where, ids = self._in("w.elder_id")
            sql += f" AND {where}"
            params += ids
        return sql, params

    def elder_table(self) -> tuple[str, list]:
        """The elders as the pass reads them: a table or derived table (id, community_id). As of
        a history id: the community of the elder's latest history row up to it, or the current one
        for an elder without such a row (never changed since: written without history)."""
        if self.elders_as_of is None:
            return T_ELDER, []
        where, ids = self._in("e0.id")
        return (
            f"(SELECT e0.id, COALESCE((SELECT h.community_id FROM {T_ELDER_HISTORY} h WHERE h.id = e0.id"
            f" AND h.history_id <= %s ORDER BY h.history_id DESC LIMIT 1), e0.community_id) AS community_id"
            f" FROM {T_ELDER} e0 WHERE {where})",
            [self.elders_as_of, *ids],
        )

    def ratio(self, months: Sequence[Month], month_sql: str) -> tuple[str, list, str, list]:
        """The elder's funding ratio of the month `month_sql`: (expression, its parameters, join,
        its parameters). The whole ledger joins the ratios of every elder once; a slice looks up
        the few elders it meets (the index on grants (elder, month))."""
        if self.wide:
            ratio_sql, ratio_params = _ratios(months)
            join = f"LEFT JOIN ({ratio_sql}) gr ON gr.elder_id = w.elder_id AND gr.month = {month_sql}"
            return "COALESCE(gr.ratio, %s)", [DEFAULT_DISTRICT_RATIO], join, ratio_params
        sql = (
            f"COALESCE((SELECT SUM(g.district_share) * 1.0 / SUM(g.amount) FROM {T_GRANT} g "
            f"WHERE g.elder_id = w.elder_id AND g.month <= {month_sql}"
        )
        params: list = []
        if self.grants_through is not None:
            sql += " AND g.id <= %s"
            params.append(self.grants_through)
        return sql + "), %s)", [*params, DEFAULT_DISTRICT_RATIO], "", []


WHOLE = Slice()


def _money_columns(ratio: str) -> str:
    return f"""
          SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'personal' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'external' THEN -le.amount ELSE 0 END),
          SUM(CASE WHEN a.kind = 'subsidy' THEN -le.amount * {ratio} ELSE 0 END)"""


def _redemptions(months: Sequence[Month], locks: Sequence[Locks], cut: Slice = WHOLE) -> list[tuple]:
    """One pass over the months' own redemptions: per (month, provider, community) the money of
    the elder legs and the visits (one provider leg each), seconds served, re-served visits and
    entries counted."""
    ratio, ratio_params, ratio_join, join_params = cut.ratio(months, "r.month")
    elders, elder_params = cut.elder_table()
    restrict, restrict_params = cut.transactions("r", "redemption_id")
    entries, entry_params = cut.entries()
    conditions, params = [], []
    for lock in locks:
        where, where_params = lock.own_filter("r")
        conditions.append(f"({where})")
        params += where_params
    sql = f"""
        SELECT r.month, w.provider_id, el.community_id, {_money_columns(ratio)},
          SUM(CASE WHEN a.kind = 'provider' THEN 1 ELSE 0 END),
          SUM(CASE WHEN a.kind = 'provider' THEN {_seconds_sql()} ELSE 0 END),
          SUM(CASE WHEN a.kind = 'provider' AND w.reservice_of_id IS NOT NULL THEN 1 ELSE 0 END),
          COUNT(*)
        FROM {T_TX} r
        JOIN {T_ORDER} w ON w.redemption_id = r.id
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {elders} el ON el.id = w.elder_id
        {ratio_join}
        WHERE r.kind = 'redemption' AND ({" OR ".join(conditions)}){restrict}
          AND a.kind IN ('subsidy', 'personal', 'external', 'provider'){entries}
        GROUP BY r.month, w.provider_id, el.community_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ratio_params, *elder_params, *join_params, *params, *restrict_params, *entry_params])
        return cursor.fetchall()


def _late_redemptions(months: Sequence[Month], locks: Sequence[Locks], cut: Slice = WHOLE) -> list[tuple]:
    """Visits of locked months paid late: per (settlement month, order) the money of the elder
    legs, the seconds served and the entries counted. Few rows (corrections approved after a month
    locked)."""
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
    ratio, ratio_params, ratio_join, join_params = cut.ratio(months, "r.settled")
    elders, elder_params = cut.elder_table()
    restrict, restrict_params = cut.transactions("t", "redemption_id")
    entries, entry_params = cut.entries()
    sql = f"""
        SELECT r.settled, r.month, w.provider_id, el.community_id, w.id, {_money_columns(ratio)},
          MAX({_seconds_sql()}), MAX(CASE WHEN w.reservice_of_id IS NOT NULL THEN 1 ELSE 0 END), COUNT(*)
        FROM (
          SELECT t.id, t.month, CASE {case_sql} END AS settled
          FROM {T_TX} t WHERE t.kind = 'redemption' AND ({condition_sql}){restrict}
        ) r
        JOIN {T_ORDER} w ON w.redemption_id = r.id
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {elders} el ON el.id = w.elder_id
        {ratio_join}
        WHERE a.kind IN ('subsidy', 'personal', 'external'){entries}
        GROUP BY r.settled, r.month, w.provider_id, el.community_id, w.id
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *ratio_params,
                *case_params,
                *condition_params,
                *restrict_params,
                *elder_params,
                *join_params,
                *entry_params,
            ],
        )
        return cursor.fetchall()


def _reversals(months: Sequence[Month], locks: Sequence[Locks], cut: Slice = WHOLE) -> list[tuple]:
    """One pass over the reversals settled in the months: per (settlement month, order) the money
    of the elder legs and the entries counted, with the month of the reversal itself (earlier: an
    adjustment)."""
    cases, conditions, params = [], [], []
    for month, lock in zip(months, locks, strict=True):
        where, where_params = lock.reversal_filter("t")
        cases.append(f"WHEN {where} THEN %s")
        conditions.append(f"({where})")
        params += [*where_params, month.first_day]
    condition_params = [p for lock in locks for p in lock.reversal_filter("t")[1]]
    ratio, ratio_params, ratio_join, join_params = cut.ratio(months, "r.settled")
    elders, elder_params = cut.elder_table()
    restrict, restrict_params = cut.transactions("t", "reversal_id")
    entries, entry_params = cut.entries()
    sql = f"""
        SELECT r.settled, r.month, w.provider_id, el.community_id, w.id, {_money_columns(ratio)}, COUNT(*)
        FROM (
          SELECT t.id, t.month, CASE {" ".join(cases)} END AS settled
          FROM {T_TX} t WHERE t.kind = 'reversal' AND ({" OR ".join(conditions)}){restrict}
        ) r
        JOIN {T_ORDER} w ON w.reversal_id = r.id AND w.reversal_id IS NOT NULL
        JOIN {T_ENTRY} le ON le.transaction_id = r.id
        JOIN {T_ACCOUNT} a ON a.id = le.account_id
        JOIN {elders} el ON el.id = w.elder_id
        {ratio_join}
        WHERE a.kind IN ('subsidy', 'personal', 'external'){entries}
        GROUP BY r.settled, r.month, w.provider_id, el.community_id, w.id
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *ratio_params,
                *params,
                *condition_params,
                *restrict_params,
                *elder_params,
                *join_params,
                *entry_params,
            ],
        )
        return cursor.fetchall()


def _short_visits(months: Sequence[Month]) -> list[tuple]:
    """Visits held for being too short, per (month checked out, provider, community). Always read
    live: an order becomes short at any time (a correction's decision), never in id order, and
    the short ones are few (the partial index `work_order_short_checked_out` finds them)."""
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


# --------------------------------------------------------------------------------------------
# Parts: the additive figures of one line, so that figures counted through a watermark plus
# those counted after it are the figures of the whole ledger.


class PartKind:
    SERVICE = "service"  # the month's own visits and their voids booked while it was open
    LATE_VISIT = "late_visit"  # a visit of a locked month paid late (one per order)
    LATE_VOID = "late_void"  # a void of a locked month's visit (one per order)


# (settlement month, part kind, provider, community, work order or 0)
PartKey = tuple[datetime.date, str, int, int, int]


@dataclass
class Part:
    entries: int = 0
    visits: int = 0
    seconds: Decimal = ZERO
    voided_visits: int = 0
    reserved_visits: int = 0
    subsidy: Decimal = ZERO
    personal: Decimal = ZERO
    cash: Decimal = ZERO
    voided_amount: Decimal = ZERO
    district_raw: Decimal = ZERO
    corrects_month: datetime.date | None = None

    ADDITIVE = (
        "entries",
        "visits",
        "seconds",
        "voided_visits",
        "reserved_visits",
        "subsidy",
        "personal",
        "cash",
        "voided_amount",
        "district_raw",
    )

    def add(self, other: "Part", sign: int = 1) -> None:
        for name in self.ADDITIVE:
            setattr(self, name, getattr(self, name) + sign * getattr(other, name))
        self.corrects_month = self.corrects_month or other.corrects_month


Parts = dict[PartKey, Part]


def parts_add(into: Parts, parts: Parts, sign: int = 1) -> Parts:
    """Add (or with sign -1 take out) `parts` into `into`; a line left without entries is gone."""
    for key, part in parts.items():
        into.setdefault(key, Part()).add(part, sign)
        if into[key].entries == 0:
            del into[key]
    return into


def _dec_seconds(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.000001")) if value is not None else ZERO


def parts_count(months: Sequence[Month], locks: Sequence[Locks], cut: Slice = WHOLE) -> Parts:
    """The additive figures of the months counted from the slice of the ledger `cut`: one pass
    over the redemptions, one over late ones (rare), one over the reversals."""
    parts: Parts = {}
    with _planner_settings():
        redemptions = _redemptions(months, locks, cut)
        late = _late_redemptions(months, locks, cut)
        reversals = _reversals(months, locks, cut)

    def part(key: PartKey) -> Part:
        return parts.setdefault(key, Part())

    for day, provider_id, community_id, subsidy, personal, cash, district, visits, seconds, reserved, n in redemptions:
        x = part((_as_date(day), PartKind.SERVICE, provider_id, community_id, 0))
        x.entries += int(n)
        x.visits += int(visits or 0)
        x.seconds += _dec_seconds(seconds)
        x.reserved_visits += int(reserved or 0)
        x.subsidy += _dec(subsidy)
        x.personal += _dec(personal)
        x.cash += _dec(cash)
        x.district_raw += _dec(district)
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
        seconds,
        again,
        n,
    ) in late:
        x = part((_as_date(settled), PartKind.LATE_VISIT, provider_id, community_id, order_id))
        x.entries += int(n)
        x.visits += 1
        x.seconds += _dec_seconds(seconds)
        x.reserved_visits += int(again or 0)
        x.subsidy += _dec(subsidy)
        x.personal += _dec(personal)
        x.cash += _dec(cash)
        x.district_raw += _dec(district)
        x.corrects_month = _as_date(paid_month)
    for settled, reversed_month, provider_id, community_id, order_id, subsidy, personal, cash, district, n in reversals:
        settled, reversed_month = _as_date(settled), _as_date(reversed_month)
        own = reversed_month == settled
        x = part(
            (settled, PartKind.SERVICE, provider_id, community_id, 0)
            if own
            else (settled, PartKind.LATE_VOID, provider_id, community_id, order_id)
        )
        x.entries += int(n)
        x.subsidy += _dec(subsidy)
        x.personal += _dec(personal)
        x.cash += _dec(cash)
        x.district_raw += _dec(district)
        x.voided_visits += 1
        x.voided_amount -= _dec(subsidy) + _dec(personal) + _dec(cash)
        if not own:
            x.corrects_month = reversed_month
    return parts


def figures_assemble(months: Sequence[Month], parts: Parts, short: Sequence[tuple]) -> list[MonthFigures]:
    """The months' lines from their additive parts and their short visits (read live)."""
    index = {m.first_day: i for i, m in enumerate(months)}
    per_month: list[dict[tuple[int, int], Line]] = [{} for _ in months]
    adjustments: list[list[Line]] = [[] for _ in months]

    def line(day, provider_id: int, community_id: int) -> Line:
        lines = per_month[index[_as_date(day)]]
        key = (provider_id, community_id)
        if key not in lines:
            lines[key] = Line(provider_id, community_id)
        return lines[key]

    for day, provider_id, community_id, n in short:
        line(day, provider_id, community_id).short_visits = int(n)

    for (day, kind, provider_id, community_id, order_id), p in sorted(parts.items(), key=lambda kv: kv[0]):
        if day not in index:
            continue
        if kind == PartKind.SERVICE:
            x = line(day, provider_id, community_id)
        else:
            # One adjustment line each: a visit paid late, or a late void, naming what it corrects.
            x = Line(provider_id, community_id, kind="adjustment", work_order_id=order_id)
            x.corrects_month = p.corrects_month
            adjustments[index[day]].append(x)
        x.visits, x.voided_visits, x.reserved_visits = p.visits, p.voided_visits, p.reserved_visits
        x.minutes = int(round(float(p.seconds / 60)))
        x.subsidy, x.personal, x.cash = p.subsidy, p.personal, p.cash
        x.voided_amount, x.district_raw = p.voided_amount, p.district_raw

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


def consecutive(months: Sequence[Month]) -> list[Month]:
    months = list(months)
    if any(b != a.next() for a, b in zip(months, months[1:], strict=False)):
        raise ValueError("months_figures takes consecutive months")
    return months


def month_figures(month: Month) -> MonthFigures:
    """The month's figures as the ledger and the work orders say now."""
    return months_figures([month])[0]


def months_figures(months: Sequence[Month]) -> list[MonthFigures]:
    """The figures of consecutive months computed live from the whole ledger, as `month_figures`
    of each, in one pass over their redemptions and one over their reversals (whatever the number
    of months). The pages read the stored figures (`settlement.figures`); this is what those are
    checked against."""
    months = consecutive(months)
    locks = [Locks.for_month(m) for m in months]
    parts = parts_count(months, locks)
    with _planner_settings():
        short = _short_visits(months)
    return figures_assemble(months, parts, short)


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
