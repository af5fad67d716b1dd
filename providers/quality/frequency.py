# ruff: noqa: S608 -- table and column names come from model metadata; values are bound parameters
"""Visit frequency against the minimums (80+ or in difficulty), a missed month made up in the next,
and the different service items of the year.

The report is one SQL aggregate: each elder's minimum of the month before, the month and the month
after (`rules.minimum_visits`, written as SQL from the same figures), their completed visits and the
year's different items, judged (`rules.month_compliance`, likewise) and tallied by community and by
provider in the database; only the page of elders listed is read into Python. Its exports read the
listed elders in batches.

A stored reading of this month and the two before (`frequency_readings_take`, every half hour)
keeps every elder's judgement and the tallies by community and provider. The report then takes the
reading's tallies, less what it counted of the elders changed since (`_changed`), plus those elders
judged by the aggregate: a few thousand elders at most, where the aggregate over a city's served
elders takes seconds.
"""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from eldercare.models import Division, Elder, ElderCategory, User
from eldercare.paging import PER_PAGE, LinkedPage
from eldercare.periods import Month, local_day_bounds
from eldercare.pgonly import analyze
from eldercare.readings import changed_since
from eldercare.scoping import scope_for
from eldercare.selectors import ENCRYPTED_FIELDS, elder_communities_q, elder_list
from subsidies.standards.models import Assessment, Entitlement
from subsidies.standards.rules import HIGH_AGE

from .. import rules
from ..models import (
    FrequencyJudgement,
    FrequencyProvider,
    FrequencyReading,
    FrequencyTally,
    Provider,
    ServiceAgreement,
    ServiceItem,
    WorkOrder,
)

S = WorkOrder.Status
EXPORT_BATCH = 2000  # listed elders read at a time by the exports


# --- visit frequency ------------------------------------------------------------------------


@dataclass
class ElderFrequency:
    elder: Elder
    providers: list[str]
    minimum: int
    done: int
    previous: rules.MonthStatus  # the month before, judged the same way
    status: str  # "ok", "made_up", "pending" or "missed" (rules.MonthStatus)
    items_this_year: int  # different service items from 1 January to the end of the month
    items_short: bool = False  # the year has ended with fewer than rules.MIN_DISTINCT_ITEMS_A_YEAR

    @property
    def below(self) -> bool:
        """Short of the month's minimum, whether made up the next month, pending or missed."""
        return self.done < self.minimum

    @property
    def listed(self) -> bool:
        """Shown on the report: short of the minimum or of the year's different items."""
        return self.below or self.items_short


class _Counted:
    """What a paginator needs of a list it does not hold: its length, counted by the aggregate."""

    def __init__(self, n: int):
        self.n = n

    def count(self) -> int:
        return self.n


@dataclass
class FrequencyReport:
    month: Month
    # The page of elders listed (short of the minimum or of the year's items), by community and name.
    page: LinkedPage | None = None
    judged: int = 0  # elders with a minimum in the month
    listed_count: int = 0
    # name → [elders, below the minimum] (a made-up month is below the minimum of its own month)
    by_provider: dict[str, list[int]] = field(default_factory=dict)
    by_community: dict[str, list[int]] = field(default_factory=dict)
    # name → elders whose month was missed (未达标: not made up the next month)
    missed_by_provider: dict[str, int] = field(default_factory=dict)
    # name → {status → elders}: how each served elder's month was judged ("ok", "made_up",
    # "pending", "missed"), what the provider's quarterly scorecard counts
    statuses_by_provider: dict[str, dict[str, int]] = field(default_factory=dict)
    missed_by_community: dict[str, int] = field(default_factory=dict)
    year_ended: bool = False
    min_items: int = rules.MIN_DISTINCT_ITEMS_A_YEAR

    @property
    def rows(self) -> list[ElderFrequency]:
        """The elders listed on this page."""
        return list(self.page.object_list) if self.page is not None else []

    @property
    def provider_tallies(self) -> list[tuple[str, int, int, int]]:
        """(provider, elders, below the minimum, missed) for the page's table."""
        return _tallies(self.by_provider, self.missed_by_provider)

    @property
    def community_tallies(self) -> list[tuple[str, int, int, int]]:
        """(community, elders, below the minimum, missed) for the page's table."""
        return _tallies(self.by_community, self.missed_by_community)


def _tallies(counts: dict[str, list[int]], missed: dict[str, int]) -> list[tuple[str, int, int, int]]:
    return [(name, elders, below, missed.get(name, 0)) for name, (elders, below) in counts.items()]


# --- the aggregate ----------------------------------------------------------------------------


def high_age_cutoff(day: datetime.date) -> datetime.date:
    """The latest birth date of someone `HIGH_AGE` or older on `day` (`age_on` turns a 29 February
    birthday over on 1 March in common years)."""
    try:
        return day.replace(year=day.year - HIGH_AGE)
    except ValueError:
        return day.replace(year=day.year - HIGH_AGE, day=28)


@contextmanager
def _planner() -> Iterator[None]:
    """A transaction whose statements run without PostgreSQL's JIT: the planner cannot know that
    each aggregate has one row an elder, guesses billions of rows and compiles the statement for
    them, which takes seconds where the statement itself takes a fraction of one."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT set_config('jit', 'off', true)")
        yield


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _date(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _stamp(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _greater(a: str, b: str) -> str:
    return f"(CASE WHEN {a} >= {b} THEN {a} ELSE {b} END)"


def _level_minimum(column: str) -> tuple[str, list]:
    """`rules.DIFFICULTY_MINIMUM` of a care level as SQL (an unknown level counts as self-care)."""
    whens = " ".join("WHEN %s THEN %s" for _ in rules.DIFFICULTY_MINIMUM)
    params: list = [v for level, minimum in rules.DIFFICULTY_MINIMUM.items() for v in (level, minimum)]
    return f"(CASE {column} {whens} ELSE %s END)", [*params, rules.DIFFICULTY_MINIMUM["self_care"]]


def _status(i: int, *, first_open: int) -> str:
    """`rules.month_compliance` of month i (0 or 1: each has a next month in the three) as SQL."""
    pending_or_missed = "'pending'" if i + 1 >= first_open else "'missed'"
    return (
        f"(CASE WHEN d{i} >= req{i} THEN 'ok' WHEN d{i + 1} - req{i + 1} >= req{i} - d{i} THEN 'made_up'"
        f" ELSE {pending_or_missed} END)"
    )


def _in_force(month: Month) -> Q:
    return Q(ends_on__isnull=True) | Q(ends_on__gte=month.first_day)


def _agreed(elders: QuerySet[Elder], month: Month) -> QuerySet[Elder]:
    """Those of `elders` with a service agreement in force in the month."""
    in_month = ServiceAgreement.objects.filter(_in_force(month), elder_id=OuterRef("pk"), signed_on__lte=month.last_day)
    return elders.filter(Exists(in_month))


def _scoped(user: User, month: Month) -> QuerySet[Elder]:
    """The elders the viewer may see with a service agreement in force in the month."""
    return _agreed(elder_list(user=user), month)


def _day_made(month: Month, today: datetime.date) -> tuple[int, bool]:
    """What the day makes of a month's judgement: the first of the three months (the month before,
    the month, the month after) not yet ended, and whether the month's year has ended."""
    months = [month.previous(), month, month.next()]
    first_open = next((i for i, m in enumerate(months) if m.last_day >= today), len(months))
    return first_open, month.month == 12 and month.last_day < today


def _judged_sql(elders: QuerySet[Elder], month: Month, today: datetime.date | None = None) -> tuple[str, list]:
    """The CTEs of the aggregate, ending with `j`: one row per elder of `elders` with a minimum in
    the month (id, community_id, name, req0..2, d0..2, items, status0, status1, below, missed,
    listed). Month 0 is the month before, 1 the month, 2 the month after.

    Each month is judged by the facts of that month: the age reached on its last day, the
    categories in evidence on its first day, the care level of the latest assessment in force on
    its first day (by its date, then its id), and the entitlement in force (an elder whose
    entitlement had ended, or had not begun, has no minimum that month; an elder who never had
    one is judged by the registry alone)."""
    months = [month.previous(), month, month.next()]
    first_open, year_ended = _day_made(month, today or timezone.localdate())
    starts = [local_day_bounds(m.first_day)[0] for m in months]
    ends = [local_day_bounds(m.last_day)[1] for m in months]
    year_start = local_day_bounds(datetime.date(month.year, 1, 1))[0]

    try:
        el_sql, el_params = (
            elders.order_by().values_list("pk", "community_id", "birth_date", "name").query.sql_with_params()
        )
    except EmptyResultSet:  # a viewer who sees no community at all
        el_sql, el_params = f"SELECT id, community_id, birth_date, name FROM {_t(Elder)} WHERE 1 = 0", ()
    params: list = [*el_params]
    level_sql, level_params = _level_minimum("a.care_level")
    params += [*level_params, _date(months[2].first_day)]
    levels = ", ".join(f"MAX(CASE WHEN f <= %s AND (u IS NULL OR u > %s) THEN m END) AS m{i}" for i in range(3))
    for m in months:
        params += [_date(m.first_day), _date(m.first_day)]
    entitled = ", ".join(
        f"MAX(CASE WHEN start_month <= %s AND (end_month IS NULL OR end_month >= %s) THEN 1 ELSE 0 END) AS in{i}"
        for i in range(3)
    )
    for m in months:
        params += [_date(m.last_day), _date(m.first_day)]
    visits = ", ".join(
        f"SUM(CASE WHEN w.checked_in_at >= %s AND w.checked_in_at < %s THEN 1 ELSE 0 END) AS d{i}" for i in range(3)
    )
    for i in range(3):
        params += [_stamp(starts[i]), _stamp(ends[i])]
    params += [_stamp(year_start), _stamp(ends[1]), S.COMPLETED, _stamp(min(year_start, starts[0])), _stamp(ends[2])]
    required = []
    for i, m in enumerate(months):
        difficulty = f"(CASE WHEN cat.since <= %s THEN COALESCE(lvs.m{i}, %s) ELSE 0 END)"
        age = "(CASE WHEN el.birth_date <= %s THEN %s ELSE 0 END)"
        required.append(
            f"CASE WHEN ent.elder_id IS NOT NULL AND ent.in{i} = 0 THEN 0 ELSE {_greater(difficulty, age)} END AS req{i}"
        )
        # _greater repeats each operand: its parameters twice, in the order they appear.
        p_difficulty = [_date(m.first_day), rules.DIFFICULTY_MINIMUM["self_care"]]
        p_age = [_date(high_age_cutoff(m.last_day)), rules.HIGH_AGE_MINIMUM]
        params += [*p_difficulty, *p_age, *p_difficulty, *p_age]
    params += [rules.MIN_DISTINCT_ITEMS_A_YEAR]
    items_short = "items < %s" if year_ended else "1 = 0"
    if not year_ended:
        params.pop()
    sql = f"""
    el(id, community_id, birth_date, name) AS ({el_sql}),
    lv AS (
        SELECT a.elder_id, a.effective_from AS f,
               LEAD(a.effective_from) OVER (PARTITION BY a.elder_id ORDER BY a.effective_from, a.id) AS u,
               {level_sql} AS m
        FROM {_t(Assessment)} a JOIN el ON el.id = a.elder_id WHERE a.effective_from <= %s
    ),
    lvs AS (SELECT elder_id, {levels} FROM lv GROUP BY elder_id),
    cat AS (
        SELECT c.elder_id, MIN(c.evidence_date) AS since FROM {_t(ElderCategory)} c JOIN el ON el.id = c.elder_id
        GROUP BY c.elder_id
    ),
    ent AS (
        SELECT n.elder_id, {entitled} FROM {_t(Entitlement)} n JOIN el ON el.id = n.elder_id
        GROUP BY n.elder_id
    ),
    wk AS (
        SELECT w.elder_id, i.kind, {visits},
               SUM(CASE WHEN w.checked_in_at >= %s AND w.checked_in_at < %s THEN 1 ELSE 0 END) AS year
        FROM {_t(WorkOrder)} w JOIN el ON el.id = w.elder_id JOIN {_t(ServiceItem)} i ON i.id = w.item_id
        WHERE w.status = %s AND w.checked_in_at >= %s AND w.checked_in_at < %s
        GROUP BY w.elder_id, i.kind
    ),
    wo AS (
        SELECT elder_id, CAST(SUM(d0) AS INTEGER) AS d0, CAST(SUM(d1) AS INTEGER) AS d1,
               CAST(SUM(d2) AS INTEGER) AS d2, SUM(CASE WHEN year > 0 THEN 1 ELSE 0 END) AS items
        FROM wk GROUP BY elder_id
    ),
    r AS (
        SELECT el.id, el.community_id, el.name, {", ".join(required)},
               COALESCE(wo.d0, 0) AS d0, COALESCE(wo.d1, 0) AS d1, COALESCE(wo.d2, 0) AS d2,
               COALESCE(wo.items, 0) AS items
        FROM el LEFT JOIN lvs ON lvs.elder_id = el.id LEFT JOIN cat ON cat.elder_id = el.id
        LEFT JOIN ent ON ent.elder_id = el.id LEFT JOIN wo ON wo.elder_id = el.id
    ),
    s AS (
        SELECT r.*, {_status(0, first_open=first_open)} AS status0, {_status(1, first_open=first_open)} AS status1,
               CASE WHEN {items_short} THEN 1 ELSE 0 END AS short
        FROM r WHERE req1 > 0
    ),
    j AS (
        SELECT s.*, CASE WHEN d1 < req1 THEN 1 ELSE 0 END AS below,
               CASE WHEN status1 = 'missed' THEN 1 ELSE 0 END AS missed,
               CASE WHEN d1 < req1 OR short = 1 THEN 1 ELSE 0 END AS listed
        FROM s
    )"""
    return sql, params


TALLIES = "COUNT(*), SUM(below), SUM(missed), SUM(CASE WHEN status1 = 'ok' THEN 1 ELSE 0 END),"
TALLIES += (
    " SUM(CASE WHEN status1 = 'made_up' THEN 1 ELSE 0 END), SUM(CASE WHEN status1 = 'pending' THEN 1 ELSE 0 END),"
)
TALLIES += " SUM(listed)"
NO_TALLIES = ", ".join(["CAST(NULL AS BIGINT)"] * 7)
# Typed, for PostgreSQL to match the branches of the UNION.
NO_ROW = ", ".join([*["CAST(NULL AS INTEGER)"] * 5, *["CAST(NULL AS TEXT)"] * 2])
ROW = "j.req0, j.req1, j.d0, j.d1, j.items, j.status0, j.status1"
ROW_COLUMNS = "req0, req1, d0, d1, items, status0, status1"
STATUSES = ("ok", "made_up", "pending", "missed")


def _providers_in_force(month: Month, elders: str = "SELECT id FROM j") -> tuple[str, list]:
    """(elder id, provider name) of the agreements in force in the month of the `elders` (SQL)."""
    return (
        f"SELECT DISTINCT a.elder_id, p.name FROM {_t(ServiceAgreement)} a JOIN {_t(Provider)} p ON p.id = a.provider_id"
        f" WHERE a.elder_id IN ({elders}) AND a.signed_on <= %s AND (a.ends_on IS NULL OR a.ends_on >= %s)",
        [_date(month.last_day), _date(month.first_day)],
    )


def _row(month: Month, elder: Elder, providers: list[str], values, year_ended: bool) -> ElderFrequency:
    req0, req1, d0, d1, items, status0, status1 = values
    return ElderFrequency(
        elder=elder,
        providers=providers,
        minimum=req1,
        done=d1,
        previous=rules.MonthStatus(req0, d0, status0),
        status=status1,
        items_this_year=items,
        items_short=rules.items_short_of_year(distinct_items=items, year_ended=year_ended),
    )


def _rows(month: Month, found: list[tuple], *, year_ended: bool) -> list[ElderFrequency]:
    """The rows of the elders found (id and the judged values), in their order, with their elders
    and the providers of their agreements in force (in the order they were signed)."""
    ids = [f[0] for f in found]
    elders = Elder.objects.select_related("community").defer(*ENCRYPTED_FIELDS).in_bulk(ids)
    providers: dict[int, list[str]] = {pk: [] for pk in ids}
    for elder_id, name in (
        ServiceAgreement.objects.filter(_in_force(month), elder_id__in=ids, signed_on__lte=month.last_day)
        .order_by("signed_on", "id")
        .values_list("elder_id", "provider__name")
    ):
        if name not in providers[elder_id]:
            providers[elder_id].append(name)
    return [_row(month, elders[pk], providers[pk], values, year_ended) for pk, *values in found]


def _year_ended(month: Month) -> bool:
    return month.month == 12 and month.last_day < timezone.localdate()


def _listed_sql(judged: str, *, where: str = "listed = 1") -> str:
    return f"WITH {judged} SELECT j.id, {ROW} FROM j WHERE {where} ORDER BY j.community_id, j.name, j.id LIMIT %s OFFSET %s"


def _page_number(page: int | str | None) -> int:
    try:
        return max(1, int(page)) if page is not None else 1
    except (TypeError, ValueError):
        return 1


Tally = tuple  # (kind "c" or "p", community id, provider name, judged, below, missed, ok, made up, pending, listed)
PageReader = Callable[[int, int], list[tuple]]  # (page number, per page) → the page's elders and values


def _tallies_sql(judged: str, params: list, month: Month) -> tuple[str, list]:
    """The judged elders' tallies by community ("c") and by provider ("p"), each row a `Tally`."""
    agreements, agreement_params = _providers_in_force(month)
    sql = (
        f"WITH {judged} SELECT 'c' AS k, j.community_id, NULL, {TALLIES}, {NO_ROW} FROM j GROUP BY j.community_id"
        f" UNION ALL SELECT 'p', NULL, pa.name, {TALLIES}, {NO_ROW} FROM j JOIN ({agreements}) pa ON pa.elder_id = j.id"
        " GROUP BY pa.name"
    )
    return sql, [*params, *agreement_params]


def _live(
    user: User, month: Month, today: datetime.date, page: tuple[int, int] | None
) -> tuple[list[Tally], PageReader, list[tuple]]:
    """The tallies, the page reader and the page asked for ((number, per page), if any) of the
    report computed from the live tables alone: the tallies and the page in one statement."""
    judged, params = _judged_sql(_scoped(user, month), month, today)
    sql, tally_params = _tallies_sql(judged, params, month)
    if page is not None:
        number, per_page = page
        sql += (
            f" UNION ALL SELECT * FROM (SELECT 'e', j.id, CAST(NULL AS TEXT), {NO_TALLIES}, {ROW} FROM j WHERE listed = 1"
            " ORDER BY j.community_id, j.name, j.id LIMIT %s OFFSET %s) page"
        )
        tally_params += [per_page, (number - 1) * per_page]

    def read_page(number: int, per_page: int) -> list[tuple]:
        return _fetch(_listed_sql(judged), [*params, per_page, (number - 1) * per_page])

    with _planner(), connection.cursor() as cur:
        cur.execute(sql, tally_params)
        result = cur.fetchall()
    tallies = [tuple(r[:10]) for r in result if r[0] != "e"]
    return tallies, read_page, [(r[1], *r[10:]) for r in result if r[0] == "e"]


TALLY_FIELDS = ("judged", "below", "missed", "ok", "made_up", "pending", "listed")


def _vector(below: int, missed: int, status1: str, listed: int) -> list[int]:
    """One judged elder as tallies count them (judged, below, missed, ok, made up, pending, listed)."""
    return [1, below, missed, int(status1 == "ok"), int(status1 == "made_up"), int(status1 == "pending"), listed]


# Past this many elders changed since a reading, the report judges every elder live: the reading is
# stale (its task has not run for hours) and would save little.
CHANGED_AT_MOST = 10_000


def _changed(reading: FrequencyReading) -> list[int]:
    """The elders whose judgement may have changed since the reading, read once so that every
    statement of the report takes the same ones: those whose record, visits, assessments,
    categories, entitlements or agreements were saved since it began (a category removed is saved
    with its elder), or whose provider was (its name is what the report tallies). Nothing else the
    platform writes enters a judgement, so every other elder is judged as the reading judged them.
    (A repair in the system administrator's admin that deletes rows or changes a service item's
    kind is read from the next reading on.)"""
    since = changed_since(reading.as_of)
    parts = [
        model.objects.filter(**{f"{stamp}__gte": since}).order_by().values_list(column, flat=True)
        for model, column, stamp in (
            (Elder, "id", "updated_at"),
            (WorkOrder, "elder_id", "updated_at"),
            (Assessment, "elder_id", "updated_at"),
            (ElderCategory, "elder_id", "updated_at"),
            (Entitlement, "elder_id", "updated_at"),
            (ServiceAgreement, "elder_id", "updated_at"),
            (ServiceAgreement, "elder_id", "provider__updated_at"),
        )
    ]
    return sorted(set(parts[0].union(*parts[1:], all=True)))


def _reading_for(user: User, month: Month, today: datetime.date) -> tuple[FrequencyReading, list[int]] | None:
    """The month's latest stored reading and the elders changed since, if the user's elders are a
    set of communities (a provider's or a caregiver's are not: theirs are few, judged live), the
    reading was taken on a day that made the same of the month as today does, and not too many
    elders changed since (`CHANGED_AT_MOST`)."""
    scope = scope_for(user)
    if elder_communities_q(user) is None or not (scope.all or scope.community_ids):
        return None
    reading = FrequencyReading.objects.filter(month=month.first_day).order_by("-as_of", "-pk").first()
    if reading is None or (reading.first_open, reading.year_ended) != _day_made(month, today):
        return None
    changed = _changed(reading)
    return (reading, changed) if len(changed) <= CHANGED_AT_MOST else None


def _from_reading(
    user: User, month: Month, today: datetime.date, reading: FrequencyReading, changed: list[int]
) -> tuple[list[Tally], PageReader]:
    """The tallies and the page reader of the report from a stored reading: the reading's tallies
    of the user's communities, less what the reading counted of the elders changed since, plus
    those elders judged live; the page from the reading's listed elders not changed since and the
    changed ones judged live, in one ordered statement."""
    in_scope = elder_communities_q(user) or Q()
    sums: dict[tuple, list[int]] = {}

    def add(key: tuple, vector, sign: int = 1) -> None:
        total = sums.setdefault(key, [0] * 7)
        for i, v in enumerate(vector):
            total[i] += sign * (v or 0)

    stored = FrequencyTally.objects.filter(in_scope, reading=reading)
    for community_id, *vector in stored.filter(provider="").values_list("community_id", *TALLY_FIELDS):
        add(("c", community_id, None), vector)
    by_provider = stored.exclude(provider="").values("provider").order_by()
    sums_of = {f"sum_{name}": Sum(name) for name in TALLY_FIELDS}
    for row in by_provider.annotate(**sums_of).values_list("provider", *sums_of):
        add(("p", None, row[0]), row[1:])
    before = list(
        FrequencyJudgement.objects.filter(in_scope, reading=reading, elder_id__in=changed).values_list(
            "elder_id", "community_id", "below", "missed", "status1", "listed"
        )
    )
    names: dict[int, list[str]] = {}
    for elder_id, name in FrequencyProvider.objects.filter(reading=reading, elder_id__in=changed).values_list(
        "elder_id", "name"
    ):
        names.setdefault(elder_id, []).append(name)
    for elder_id, community_id, below, missed, status1, listed in before:
        vector = _vector(below, missed, status1, listed)
        add(("c", community_id, None), vector, -1)
        for name in names.get(elder_id, []):
            add(("p", None, name), vector, -1)
    judged, params = _judged_sql(_scoped(user, month).filter(pk__in=changed), month, today)
    sql, tally_params = _tallies_sql(judged, params, month)
    with _planner(), connection.cursor() as cur:
        cur.execute(sql, tally_params)
        for k, community_id, name, *vector in cur.fetchall():
            add((k, community_id, name), vector[:7])
    tallies = [(*key, *vector) for key, vector in sums.items() if vector[0] > 0]

    kept = (
        FrequencyJudgement.objects.filter(in_scope, reading=reading, listed=1)
        .exclude(elder_id__in=changed)
        .order_by()
        .values_list("elder_id", "community_id", "name", "req0", "req1", "d0", "d1", "items", "status0", "status1")
    )
    kept_sql, kept_params = kept.query.sql_with_params()

    def page(number: int, per_page: int) -> list[tuple]:
        sql = (
            f"WITH {judged} SELECT elder_id, {ROW_COLUMNS} FROM ("
            f"SELECT * FROM ({kept_sql}) kept UNION ALL"
            f" SELECT j.id, j.community_id, j.name, {ROW} FROM j WHERE j.listed = 1"
            ") x ORDER BY community_id, name, elder_id LIMIT %s OFFSET %s"
        )
        return _fetch(sql, [*params, *kept_params, per_page, (number - 1) * per_page])

    return tallies, page


def visit_frequency_report(
    *, user: User, month: Month, page: int | str | None = 1, per_page: int = PER_PAGE
) -> FrequencyReport:
    """Completed visits a month (by the day of the visit) of each elder with a service agreement in
    force in the month, against the minimum of that month (`rules.minimum_visits`), tallied by
    community and provider; the elders listed (below the minimum or short of the year's different
    items, at the end of December) a page at a time (`page`; None: no rows, the tallies alone).

    A month below its minimum is made up when the next month delivers the shortfall on top of its
    own minimum (`rules.month_compliance`). The different service items (kinds of service) of the
    year count from 1 January. The month's stored reading (`frequency_readings_take`), where there
    is one, is read with the elders changed since judged live; otherwise one aggregate judges every
    elder. Either way a few statements, whatever the number of elders.
    """
    today = timezone.localdate()
    asked = _page_number(page)
    stored = _reading_for(user, month, today)
    found: list[tuple] | None = None
    if stored is None:
        tallies, read_page, found = _live(user, month, today, (asked, per_page) if page is not None else None)
    else:
        tallies, read_page = _from_reading(user, month, today, *stored)
    listed_count = sum(r[9] or 0 for r in tallies if r[0] == "c")
    number = min(asked, max(1, -(-listed_count // per_page)))  # past the last: the last
    year_ended = _year_ended(month)
    report = FrequencyReport(month, year_ended=year_ended, listed_count=listed_count)
    communities = dict(Division.objects.filter(pk__in=[r[1] for r in tallies if r[0] == "c"]).values_list("pk", "name"))
    for k, community_id, name, n, below, missed, ok, made_up, pending, *_ in sorted(
        tallies, key=lambda r: (r[0], r[1] or 0, r[2] or "")
    ):
        if k == "c":
            label = communities[community_id]
            report.judged += n
            report.by_community[label] = [n, below]
            report.missed_by_community[label] = missed
        else:
            report.by_provider[name] = [n, below]
            report.missed_by_provider[name] = missed
            counts = zip(STATUSES, (ok, made_up, pending, missed), strict=True)
            report.statuses_by_provider[name] = {status: c for status, c in counts if c}
    if page is not None:
        if found is None or number != asked:
            found = read_page(number, per_page) if listed_count else []
        paginator = Paginator(_Counted(listed_count), per_page)
        report.page = LinkedPage(_rows(month, found, year_ended=year_ended), number, paginator)
    return report


def frequency_readings_take(*, today: datetime.date | None = None) -> int:
    """Store a reading of each month the report is mostly asked for (this one and the two before),
    keeping the month's last one until the next (see `FrequencyReading`), and drop the readings of
    other months; the number of months read. Idempotent (scheduled every half hour: the fresher the reading, the fewer elders the
    report judges live)."""
    today = today or timezone.localdate()
    current = Month.of(today)
    months = [current.previous().previous(), current.previous(), current]
    t = {m: _t(m) for m in (FrequencyReading, FrequencyJudgement, FrequencyProvider, FrequencyTally)}
    for month in months:
        with _planner(), connection.cursor() as cur:
            as_of = timezone.now()  # before the read: what changes during it is judged live
            first_open, year_ended = _day_made(month, today)
            reading = FrequencyReading.objects.create(
                month=month.first_day, as_of=as_of, first_open=first_open, year_ended=year_ended
            )
            judged, params = _judged_sql(_agreed(Elder.objects.all(), month), month, today)
            cur.execute(
                f"""INSERT INTO {t[FrequencyJudgement]} (reading_id, elder_id, community_id, name, req0, req1, d0, d1,
                        items, status0, status1, below, missed, listed)
                    WITH {judged} SELECT %s, j.id, j.community_id, j.name, {ROW}, j.below, j.missed, j.listed
                    FROM j""",
                [*params, reading.pk],
            )
            judged_elders = f"SELECT elder_id FROM {t[FrequencyJudgement]} WHERE reading_id = %s"
            agreements, agreement_params = _providers_in_force(month, judged_elders)
            cur.execute(
                f"INSERT INTO {t[FrequencyProvider]} (reading_id, elder_id, name)"
                f" SELECT %s, pa.elder_id, pa.name FROM ({agreements}) pa",
                [reading.pk, reading.pk, *agreement_params],
            )
            analyze(cur, t[FrequencyJudgement], t[FrequencyProvider])  # the tallies join the two
            columns = "reading_id, community_id, provider, judged, below, missed, ok, made_up, pending, listed"
            cur.execute(
                f"""INSERT INTO {t[FrequencyTally]} ({columns})
                    SELECT %s, f.community_id, '', {TALLIES} FROM {t[FrequencyJudgement]} f WHERE f.reading_id = %s
                    GROUP BY f.community_id
                    UNION ALL
                    SELECT %s, f.community_id, p.name, {TALLIES} FROM {t[FrequencyJudgement]} f
                    JOIN {t[FrequencyProvider]} p ON p.reading_id = f.reading_id AND p.elder_id = f.elder_id
                    WHERE f.reading_id = %s GROUP BY f.community_id, p.name""",
                [reading.pk] * 4,
            )
            analyze(cur, t[FrequencyTally])
            # The month's reading before this one is kept until the next: a report reading it while
            # this one was taken finds it whole.
            earlier = FrequencyReading.objects.filter(month=month.first_day, pk__lt=reading.pk).order_by("-pk")
            _readings_drop(
                cur, t, FrequencyReading.objects.filter(pk__in=list(earlier.values_list("pk", flat=True)[1:]))
            )
    with transaction.atomic(), connection.cursor() as cur:
        _readings_drop(cur, t, FrequencyReading.objects.exclude(month__in=[m.first_day for m in months]))
    return len(months)


def _readings_drop(cur, t: dict, readings: QuerySet[FrequencyReading]) -> None:
    """Delete readings with their rows, one statement a table (the ORM would read the rows first)."""
    ids = list(readings.values_list("pk", flat=True))
    if not ids:
        return
    marks = ", ".join(["%s"] * len(ids))
    for model in (FrequencyTally, FrequencyProvider, FrequencyJudgement):
        cur.execute(f"DELETE FROM {t[model]} WHERE reading_id IN ({marks})", ids)
    cur.execute(f"DELETE FROM {t[FrequencyReading]} WHERE id IN ({marks})", ids)


def _fetch(sql: str, params: list) -> list[tuple]:
    with _planner(), connection.cursor() as cur:
        cur.execute(sql, params)
        return [tuple(r) for r in cur.fetchall()]


def elder_frequency(*, user: User, month: Month, elder: Elder) -> ElderFrequency | None:
    """One elder's month as the report judges it (listed or not); None when the elder has no
    minimum that month, no agreement in force or is outside the viewer's scope."""
    judged, params = _judged_sql(_scoped(user, month).filter(pk=elder.pk), month)
    found = _fetch(_listed_sql(judged, where="1 = 1"), [*params, 1, 0])
    rows = _rows(month, found, year_ended=_year_ended(month))
    return rows[0] if rows else None


def listed_in_batches(*, user: User, month: Month, batch: int = EXPORT_BATCH) -> Iterator[list[ElderFrequency]]:
    """Every elder the report lists, by community and name, a batch at a time (for the exports):
    one statement read through a server-side cursor on PostgreSQL, each batch's elders and
    providers read with it."""
    judged, params = _judged_sql(_scoped(user, month), month)
    sql = f"WITH {judged} SELECT j.id, {ROW} FROM j WHERE listed = 1 ORDER BY j.community_id, j.name, j.id"
    year_ended = _year_ended(month)
    with _planner(), connection.chunked_cursor() as cur:
        cur.execute(sql, params)
        while found := [tuple(r) for r in cur.fetchmany(batch)]:
            yield _rows(month, found, year_ended=year_ended)
