# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""The month figures kept current without recounting the ledger: stored generations plus a delta.

A generation (`FiguresGeneration`, its lines `FiguresRow`) holds the additive parts of one
settlement month (`compute.Part`: entries, visits, seconds, money, unrounded district share) as
counted from the ledger entries up to a watermark. The figures of the month are then

    latest generation + the parts of the entries after its watermark
                      + for the few elders changed since: their parts now − as the generation had them

added up per line and rounded once (`compute.figures_assemble`), which is what `months_figures`
computes from the whole ledger: sums of parts are the sum of the whole.

Why the parts of entries up to the watermark never move:
- the ledger is append-only and a transaction's entries are written in one database transaction;
  the refresh takes its watermarks under a SHARE lock of the entries (as the balance snapshots
  do), so every entry up to it is committed and every later one has a higher id;
- an entry's settlement month depends on its month, when it was booked and the lock times of the
  months (`compute.Locks`). A month locked after the watermark was locked after every entry up to
  it was booked, so those entries stay where they were counted. Late redemptions and late voids
  of a locked month booked after the watermark are adjustments of the open month after it, counted
  with the delta (per order, like the live figures); a month locked keeps its frozen `MonthLine`
  rows and readers never read its generation again.
- what the ledger does not say is read as of the watermark and corrected when it moved: an elder's
  funding ratio (new grants up to the month: `through_grant`) and community (the elders' history:
  `through_elder_change`). Past `DIRTY_LIMIT` such elders (the monthly run grants every elder of a
  new month) the month is recounted from the whole ledger instead, and the next refresh stores it.
- short visits are not stored: an order becomes short at any time (a correction's decision),
  never in id order, so they are counted live through the partial index of the short orders.

Append-only, like the money it counts (the same database guards): a refresh adds a generation, the
readers take the latest of each month. A generation is written only when it matters (no earlier
one, `REFRESH_MIN_ENTRIES` new entries, changed elders, a day old with news, or a confirmation), so
the rows grow with the traffic, not with the clock.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from eldercare.money import round_cny
from eldercare.periods import Month

from .compute import (
    T_ELDER_HISTORY,
    T_ENTRY,
    T_GRANT,
    Locks,
    MonthFigures,
    Part,
    PartKey,
    Parts,
    Slice,
    _planner_settings,
    _short_visits,
    consecutive,
    figures_assemble,
    months_figures,
    parts_add,
    parts_count,
)
from .models import FiguresGeneration, FiguresRow, ServiceMonth

# A periodic refresh stores a month again once this many entries were added since its latest
# generation (reads then add at most about this many entries live), or once a day if anything changed.
REFRESH_MIN_ENTRIES = 20_000
REFRESH_MAX_AGE = datetime.timedelta(hours=24)
# Past this many elders whose grants or community changed since a generation, the month is recounted.
DIRTY_LIMIT = 200
# The periodic refresh looks back at most this many months for one still open.
OPEN_MONTHS_LOOKBACK = 12

T_HISTORY = T_ELDER_HISTORY
T_GEN = FiguresGeneration._meta.db_table


@dataclass(frozen=True)
class Watermarks:
    entry: int
    grant: int
    elder_change: int

    @classmethod
    def of(cls, generation: FiguresGeneration) -> "Watermarks":
        return cls(generation.through_entry, generation.through_grant, generation.through_elder_change)


def _watermarks_now() -> Watermarks:
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT COALESCE(MAX(id), 0) FROM {T_ENTRY}), (SELECT COALESCE(MAX(id), 0) FROM {T_GRANT}),"
            f" (SELECT COALESCE(MAX(history_id), 0) FROM {T_HISTORY})"
        )
        entry, grant, change = cur.fetchone()
    return Watermarks(int(entry), int(grant), int(change))


def _hold_writers() -> None:
    """Wait for the transactions writing entries, grants or elders' changes to commit and hold new
    ones back until this transaction ends (PostgreSQL; SQLite has one writer at a time), so that
    everything up to the watermarks is committed and counted."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"LOCK TABLE {T_ENTRY}, {T_GRANT}, {T_HISTORY} IN SHARE MODE")


def latest_generations(months: Iterable[Month]) -> dict[datetime.date, FiguresGeneration]:
    """The latest generation of each month (one query)."""
    days = [m.first_day for m in months]
    last = FiguresGeneration.objects.filter(month__in=days).values("month").annotate(last=Max("id")).values("last")
    return {g.month: g for g in FiguresGeneration.objects.filter(id__in=last)}


def _stored_parts(generations: Sequence[FiguresGeneration]) -> Parts:
    parts: Parts = {}
    month_of = {g.pk: g.month for g in generations}
    rows = FiguresRow.objects.filter(generation__in=[g.pk for g in generations]).values_list(
        "generation_id",
        "kind",
        "provider_id",
        "community_id",
        "work_order_id",
        "corrects_month",
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
    for gen, kind, provider, community, order, corrects, *figures in rows:
        key: PartKey = (month_of[gen], kind, provider, community, order or 0)
        entries, visits, seconds, voided, reserved, subsidy, personal, cash, voided_amount, district = figures
        parts[key] = Part(
            entries=entries,
            visits=visits,
            seconds=seconds,
            voided_visits=voided,
            reserved_visits=reserved,
            subsidy=subsidy,
            personal=personal,
            cash=cash,
            voided_amount=voided_amount,
            district_raw=district,
            corrects_month=corrects,
        )
    return parts


@dataclass
class _Changed:
    """Elders whose figures in a generation may be counted differently now (None: too many, or
    one whose community at the watermark is unknown: recount the months)."""

    elders: tuple[int, ...] | None


def _changed_elders(months: Sequence[Month], marks: Watermarks) -> _Changed:
    """Elders who may be counted differently now than in the generation: granted after it (up to
    the months) at another split than their earlier grants, or with none before; or moved to
    another community after it. (The monthly run's grants at the usual split, and edits of
    anything else than the community, change nothing.)"""
    last = max(m.first_day for m in months)
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT DISTINCT g.elder_id FROM {T_GRANT} g
                LEFT JOIN (
                  SELECT o.elder_id, SUM(o.district_share) AS d, SUM(o.amount) AS a,
                    MIN(o.district_share * 1.0 / o.amount) AS lo, MAX(o.district_share * 1.0 / o.amount) AS hi
                  FROM {T_GRANT} o
                  WHERE o.id <= %s AND o.month <= %s
                    AND o.elder_id IN (SELECT n.elder_id FROM {T_GRANT} n WHERE n.id > %s AND n.month <= %s)
                  GROUP BY o.elder_id
                ) old ON old.elder_id = g.elder_id
                WHERE g.id > %s AND g.month <= %s
                  AND (old.elder_id IS NULL OR old.lo <> old.hi OR g.district_share * old.a <> g.amount * old.d)
                UNION
                SELECT DISTINCT h.id FROM {T_HISTORY} h
                WHERE h.history_id > %s AND h.history_type <> '+'
                  AND COALESCE((SELECT p.community_id FROM {T_HISTORY} p WHERE p.id = h.id
                                AND p.history_id < h.history_id ORDER BY p.history_id DESC LIMIT 1), 0)
                      <> h.community_id""",
            [marks.grant, last, marks.grant, last, marks.grant, last, marks.elder_change],
        )
        found = [row[0] for row in cur.fetchmany(DIRTY_LIMIT + 1)]
        if len(found) > DIRTY_LIMIT:
            return _Changed(None)
        if not found:
            return _Changed(())
        # An elder changed after the watermark, with no earlier trace in the history and not
        # created after it (written without history, e.g. imported in bulk): the community the
        # generation counted is unknown.
        marks_in = ", ".join(["%s"] * len(found))
        cur.execute(
            f"""SELECT 1 FROM {T_HISTORY} h WHERE h.history_id > %s AND h.id IN ({marks_in})
                AND NOT EXISTS (SELECT 1 FROM {T_HISTORY} o WHERE o.id = h.id AND o.history_id <= %s)
                AND NOT EXISTS (SELECT 1 FROM {T_HISTORY} c WHERE c.id = h.id AND c.history_type = '+')""",
            [marks.elder_change, *found, marks.elder_change],
        )
        if cur.fetchone() is not None:
            return _Changed(None)
    return _Changed(tuple(sorted(found)))


@dataclass
class _Current:
    parts: Parts
    fresh: dict[datetime.date, int]  # entries counted after each month's watermark
    corrected: set[datetime.date]  # months with elders counted again
    recounted: set[datetime.date]  # months counted from the whole ledger


def _current_parts(
    months: Sequence[Month],
    locks: Sequence[Locks],
    generations: dict[datetime.date, FiguresGeneration],
    through: int | None = None,
) -> _Current:
    """The parts of the months as the ledger says now (up to the entry `through` if given), from
    their latest generations."""
    out = _Current({}, defaultdict(int), set(), set())
    groups: dict[Watermarks | None, list[int]] = defaultdict(list)
    for i, m in enumerate(months):
        g = generations.get(m.first_day)
        groups[Watermarks.of(g) if g else None].append(i)
    for marks, positions in groups.items():
        group = [months[i] for i in positions]
        group_locks = [locks[i] for i in positions]
        changed = _changed_elders(group, marks) if marks is not None else _Changed(None)
        if marks is None or changed.elders is None:
            parts_add(out.parts, parts_count(group, group_locks, Slice(through=through)))
            out.recounted |= {m.first_day for m in group}
            continue
        counted = _stored_parts([generations[m.first_day] for m in group])
        delta = parts_count(group, group_locks, Slice(after=marks.entry, through=through))
        for (day, *_rest), p in delta.items():
            out.fresh[day] += p.entries
        parts_add(counted, delta)
        if changed.elders:
            elders = changed.elders
            now = parts_count(group, group_locks, Slice(through=marks.entry, elders=elders))
            then = Slice(
                through=marks.entry, elders=elders, grants_through=marks.grant, elders_as_of=marks.elder_change
            )
            before = parts_count(group, group_locks, then)
            if now != before:
                parts_add(counted, now)
                parts_add(counted, before, -1)
                out.corrected |= {m.first_day for m in group}
        parts_add(out.parts, counted)
    return out


def _future(month: Month) -> bool:
    return month.first_day > timezone.localdate()


def months_read(months: Sequence[Month]) -> list[MonthFigures]:
    """The figures of consecutive months, equal to `compute.months_figures`, read from their
    latest generations plus what changed since (a few queries whatever the number of orders).
    A month not begun has no figures; a month never stored is counted from the whole ledger."""
    months = consecutive(months)
    counted = [m for m in months if not _future(m)]
    if not counted:
        return [MonthFigures(m) for m in months]
    locks = [Locks.for_month(m) for m in counted]
    current = _current_parts(counted, locks, latest_generations(counted))
    with _planner_settings():
        short = _short_visits(counted)
    out = figures_assemble(counted, current.parts, short)
    return out + [MonthFigures(m) for m in months[len(counted) :]]


def month_read(month: Month) -> MonthFigures:
    return months_read([month])[0]


@dataclass(frozen=True)
class RefreshResult:
    through_entry: int
    generations: int  # written
    lines: int


def figures_refresh(*, months: Sequence[Month], force: bool = False) -> RefreshResult:
    """Store a new generation of each month that needs one: none yet, `REFRESH_MIN_ENTRIES` new
    entries, changed elders, or a day old with new entries; with `force` (a confirmation), any
    month with news. Idempotent: with nothing new it writes nothing."""
    months = sorted({m for m in months if not _future(m)})
    if not months:
        return RefreshResult(0, 0, 0)
    now = timezone.now()
    written = lines = 0
    with transaction.atomic():
        _hold_writers()
        marks = _watermarks_now()
        # Read after the writers are held: a lock time set later is later than every entry counted.
        locks = [Locks.for_month(m) for m in months]
        generations = latest_generations(months)
        # Counted through the new watermarks: the entries after them are the next generation's.
        current = _current_parts(months, locks, generations, through=marks.entry)
        by_month: dict[datetime.date, list[tuple[PartKey, Part]]] = defaultdict(list)
        for key, part in current.parts.items():
            by_month[key[0]].append((key, part))
        for m in months:
            day = m.first_day
            last = generations.get(day)
            if last is not None:
                if (last.through_entry, last.through_grant, last.through_elder_change) == (
                    marks.entry,
                    marks.grant,
                    marks.elder_change,
                ):
                    continue
                fresh = current.fresh.get(day, 0)
                # Grants or communities moved since: even when they change no figure, a generation
                # through the new watermarks spares every read the check of those elders.
                moved = (last.through_grant, last.through_elder_change) != (marks.grant, marks.elder_change)
                changed = day in current.corrected or day in current.recounted or moved
                old = now - last.created_at >= REFRESH_MAX_AGE
                if not (changed or fresh >= REFRESH_MIN_ENTRIES or (fresh and (old or force))):
                    continue
            rows = sorted(by_month.get(day, []), key=lambda kv: kv[0])
            generation = FiguresGeneration.objects.create(
                month=day,
                through_entry=marks.entry,
                through_grant=marks.grant,
                through_elder_change=marks.elder_change,
                rebuilt=day in current.recounted,
                lines=len(rows),
                created_at=now,
            )
            FiguresRow.objects.bulk_create(
                [
                    FiguresRow(
                        generation=generation,
                        kind=kind,
                        provider_id=provider,
                        community_id=community,
                        work_order_id=order or None,
                        corrects_month=p.corrects_month,
                        entries=p.entries,
                        visits=p.visits,
                        seconds=p.seconds,
                        voided_visits=p.voided_visits,
                        reserved_visits=p.reserved_visits,
                        subsidy=p.subsidy,
                        personal=p.personal,
                        cash=p.cash,
                        voided_amount=p.voided_amount,
                        district_raw=p.district_raw,
                    )
                    for (_day, kind, provider, community, order), p in rows
                ],
                batch_size=5000,
            )
            written += 1
            lines += len(rows)
    return RefreshResult(marks.entry, written, lines)


def open_months() -> list[Month]:
    """The months a refresh keeps current: from the month after the last locked one (at most
    `OPEN_MONTHS_LOOKBACK` months back; the month before this one if none is locked) to this month."""
    current = Month.current()
    locked = ServiceMonth.objects.filter(status=ServiceMonth.Status.LOCKED).aggregate(last=Max("month"))["last"]
    first = Month.of(locked).next() if locked else current.previous()
    floor = current
    for _ in range(OPEN_MONTHS_LOOKBACK - 1):
        floor = floor.previous()
    first = max(first, floor)
    out = []
    while first <= current:
        out.append(first)
        first = first.next()
    return out


def figures_refresh_open() -> RefreshResult:
    """The periodic refresh: every open month (see `figures_refresh`)."""
    return figures_refresh(months=open_months())


def _rounded(figures: Sequence[MonthFigures]) -> dict[tuple, tuple]:
    """Every line's figures as the lock freezes them (money to the fen), by month and line."""
    out = {}
    for f in figures:
        for x in f.lines:
            key = (str(f.month), x.kind, x.provider_id, x.community_id, x.work_order_id or 0)
            out[key] = (
                x.street_id,
                x.visits,
                x.minutes,
                x.voided_visits,
                x.reserved_visits,
                x.short_visits,
                round_cny(x.subsidy),
                round_cny(x.personal),
                round_cny(x.cash),
                round_cny(x.voided_amount),
                x.district_share,
                x.town_share,
                x.corrects_month,
                x.corrects_id,
                x.reversal_id,
            )
    return out


def figures_verify(*, months: Sequence[Month]) -> list[str]:
    """Where the stored figures of consecutive months (generations plus what came after) differ
    from the figures counted live from the whole ledger: one message per line (none: they agree)."""
    stored, live = _rounded(months_read(months)), _rounded(months_figures(months))
    return [
        f"{' '.join(map(str, key))}: stored {stored.get(key)} live {live.get(key)}"
        for key in sorted(set(stored) | set(live), key=str)
        if stored.get(key) != live.get(key)
    ]
