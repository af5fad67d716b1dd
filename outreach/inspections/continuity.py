"""The continuity report (保障不断线): during an emergency response, the elders of its area whose
subsidy or services are at risk, each with the reason.

Four reasons, each one set-based query over the area (never one query per elder):

- a voucher account (subsidy or personal) frozen: nothing is credited or paid from it;
- an entitlement ending (its last month) between the response's start and the response's end or
  30 days from today, whichever is later (`rules.ending_horizon`); ended ones included, as a
  cancellation or a move away in the middle of a response is what the report must show;
- visits of the last 14 days cancelled or voided, booked and never served, or too short. A stored
  reading of the day (`visit_gap_readings_take`, every half hour while a response is in progress)
  names the elders with such a gap, with their community and name; the report reads from it every
  elder but those whose record or visits were saved since, looked at live, so it finds what the
  whole sets would find without looking up every elder of a district's cancelled visits;
- months since the response began that the monthly run should have paid (the 1st plus
  `rules.RUN_GRACE_DAYS`) for an entitled elder and did not. A stored reading of each such month
  (`unpaid_readings_take`, every half hour) names the elders unpaid when it was taken; the report
  looks only at those and at the elders whose entitlement changed since, checked against today's
  entitlements and grants, so it finds what the whole sets would find (a grant is never taken
  back) without hashing a district's entitlements against its grants.

Who sees it: the district's and the street offices' reviewers, supervisors, community workers
(their community) and the system administrator, within their part of the tree.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.exports import xlsx_bytes
from eldercare.models import Division, Elder, LifeStatus, Role, User
from eldercare.paging import PER_PAGE
from eldercare.periods import local_day_bounds
from eldercare.pgonly import analyze
from eldercare.readings import changed_since
from eldercare.scoping import scope_for
from outreach.models import EmergencyResponse
from outreach.selectors import active_q, response_list
from providers.models import WorkOrder
from subsidies.standards.models import Entitlement, Grant, RunRefusal
from vouchers.models import Account

from . import rules
from .models import UnpaidElder, UnpaidReading, VisitGapElder, VisitGapReading

CONTINUITY_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)
# The work lists that carry the report while it has rows.
WORKLIST_ROLES = (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER)

FROZEN = "frozen"
ENDING = "ending"
VISITS = "visits"
UNPAID = "unpaid"
REASONS = {
    FROZEN: gettext_lazy("Voucher account frozen"),
    ENDING: gettext_lazy("Entitlement ending"),
    VISITS: gettext_lazy("Visits cancelled or not served"),
    UNPAID: gettext_lazy("Monthly subsidy not paid"),
}
REASON_ORDER = {code: i for i, code in enumerate(REASONS)}
# Past this many elders saved since a reading of the visit gaps, the report reads every elder's
# visits live: the reading is stale (its task has not run for hours) and would save little.
GAPS_CHANGED_AT_MOST = 10_000
# The report's rows' keys, in the report's order: by community, name and reason.
KEYS = ("elder_key", "reason_order", "code", "name")
KEY_ORDER = ("code", "name", "elder_key", "reason_order")

CANCELLED_STATUSES = (WorkOrder.Status.CANCELLED, WorkOrder.Status.VOIDED)
# Booked or assigned for an earlier day and never checked in; or served too short, to serve again.
UNSERVED_STATUSES = (WorkOrder.Status.BOOKED, WorkOrder.Status.ASSIGNED, WorkOrder.Status.SHORT)


@dataclass
class ContinuityRow:
    elder: Elder
    reason: str
    detail: str
    since: datetime.date | None  # when the risk began (frozen on, last month, last visit, first month unpaid)

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])

    @property
    def url(self) -> str:
        return reverse("elder_detail", args=[self.elder.pk])


def may_see(user: User) -> bool:
    return user.is_superuser or user.has_role(*CONTINUITY_ROLES)


def responses(*, user: User, on: datetime.date | None = None) -> QuerySet[EmergencyResponse]:
    """The responses in progress the user may take the report of."""
    if not may_see(user):
        return EmergencyResponse.objects.none()
    return response_list(user=user, active_on=on or timezone.localdate())


def _area(user: User, response: EmergencyResponse) -> tuple[QuerySet[Division], bool]:
    """The communities of the response's area the user sees, and whether they are the whole
    district's (a response over the district and a user who sees all of it)."""
    scope = scope_for(user)
    qs = Division.objects.filter(level=Division.Level.COMMUNITY)
    streets = [s.pk for s in response.streets.all()]
    qs = qs.filter(parent_id__in=streets) if streets else qs.filter(parent__parent_id=response.district_id)
    if not scope.all:
        qs = qs.filter(pk__any_of=scope.community_ids)
    whole = not streets and (scope.all or response.district_id in scope.district_ids)
    return qs.order_by("code"), whole


def communities(*, user: User, response: EmergencyResponse) -> QuerySet[Division]:
    """The communities of the response's area the user sees (the page's filter)."""
    return _area(user, response)[0]


def _elders(user: User, response: EmergencyResponse, community: int | None) -> tuple[QuerySet[Elder], list[int], bool]:
    """The elders of the area the user sees, by the list of their communities (one query): the
    planner knows from its statistics how many elders a list of communities holds, where through
    the joins of `area_q` it guessed thirty times too few and looped over every elder to test
    each reason (seconds at 300,000 elders). And the communities, and whether they are the whole
    district's."""
    area, whole = _area(user, response)
    ids = list(area.values_list("pk", flat=True))
    if community:
        ids = [pk for pk in ids if pk == community]
        whole = False
    return Elder.objects.filter(community_id__any_of=ids), ids, whole


def _frozen(elders: QuerySet[Elder]) -> list[ContinuityRow]:
    accounts = Account.objects.filter(
        elder__in=elders.filter(life_status=LifeStatus.ACTIVE),  # a death's freeze is no risk to care
        kind__in=[Account.Kind.SUBSIDY, Account.Kind.PERSONAL],
        status=Account.Status.FROZEN,
    ).select_related("elder", "elder__community")
    by_elder: dict[int, list[Account]] = defaultdict(list)
    for account in accounts:
        by_elder[account.elder_id].append(account)
    rows = []
    for accounts_of in by_elder.values():
        first = accounts_of[0]
        parts = [
            f"{a.get_kind_display()}：{a.get_status_cause_display() or a.get_status_display()}"
            + (f"（{a.status_reason}）" if a.status_reason else "")
            for a in accounts_of
        ]
        changed = [a.status_changed_at for a in accounts_of if a.status_changed_at]
        since = timezone.localdate(min(changed)) if changed else None
        rows.append(ContinuityRow(first.elder, FROZEN, "；".join(parts), since))
    return rows


def _ending(elders: QuerySet[Elder], response: EmergencyResponse, today: datetime.date) -> list[ContinuityRow]:
    horizon = rules.ending_horizon(today, response.ends_on)
    entitlements = (
        Entitlement.objects.filter(
            elder__in=elders.filter(life_status=LifeStatus.ACTIVE),
            end_month__isnull=False,
            end_month__gte=response.starts_on.replace(day=1),
            end_month__lte=horizon,
        )
        .select_related("elder", "elder__community", "scheme")
        .order_by("elder_id", "end_month", "id")
    )
    rows = []
    seen: set[int] = set()
    for e in entitlements:
        if e.elder_id in seen:
            continue
        seen.add(e.elder_id)
        detail = _("%(scheme)s, last month %(month)s") % {"scheme": e.scheme.name, "month": f"{e.end_month:%Y-%m}"}
        if e.end_reason:
            detail += f"（{e.end_reason}）"
        rows.append(ContinuityRow(e.elder, ENDING, detail, e.end_month))
    return rows


def _visit_gaps(today: datetime.date) -> tuple[datetime.datetime, Q, Q]:
    """Since when visits are looked at, and the two kinds of gap: cancelled or voided (not a visit
    still to come), and booked or served too short and never served (before today)."""
    since, _end = local_day_bounds(today - datetime.timedelta(days=rules.VISIT_LOOKBACK_DAYS))
    today_start, today_end = local_day_bounds(today)
    return (
        since,
        Q(status__in=CANCELLED_STATUSES, scheduled_at__lt=today_end),
        Q(status__in=UNSERVED_STATUSES, scheduled_at__lt=today_start),
    )


def _visits(elders: QuerySet[Elder], today: datetime.date) -> list[ContinuityRow]:
    since, cancelled, unserved = _visit_gaps(today)
    figures = (
        WorkOrder.objects.filter(elder__in=elders.filter(life_status=LifeStatus.ACTIVE), scheduled_at__gte=since)
        .filter(cancelled | unserved)
        .values("elder_id")
        .annotate(
            cancelled=Count("pk", filter=cancelled),
            unserved=Count("pk", filter=unserved),
            last=Max("scheduled_at"),
        )
        .order_by()
    )
    found = {f["elder_id"]: f for f in figures}
    rows = []
    for elder in Elder.objects.filter(pk__in=found).select_related("community"):
        f = found[elder.pk]
        detail = _("%(cancelled)s cancelled, %(unserved)s not served in the last %(days)s days") % {
            "cancelled": f["cancelled"],
            "unserved": f["unserved"],
            "days": rules.VISIT_LOOKBACK_DAYS,
        }
        rows.append(ContinuityRow(elder, VISITS, detail, timezone.localdate(f["last"])))
    return rows


def _unpaid(elders: QuerySet[Elder], response: EmergencyResponse, today: datetime.date) -> list[ContinuityRow]:
    first_month = response.starts_on.replace(day=1)
    entitlements = list(
        Entitlement.objects.filter(elder__in=elders.filter(life_status=LifeStatus.ACTIVE, disqualified_at__isnull=True))
        .filter(start_month__lte=today)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=first_month))
        .values_list("elder_id", "start_month", "end_month")
    )
    if not entitlements:
        return []
    ids = {e[0] for e in entitlements}
    paid: dict[int, set[datetime.date]] = defaultdict(set)
    for elder_id, month in Grant.objects.filter(elder_id__in=ids, month__gte=first_month).values_list(
        "elder_id", "month"
    ):
        paid[elder_id].add(month)
    refusals: dict[tuple[int, datetime.date], str] = {}
    for elder_id, month, reason in (
        RunRefusal.objects.filter(elder_id__in=ids, run__month__gte=first_month)
        .order_by("run__month", "run_id")
        .values_list("elder_id", "run__month", "reason")
    ):
        refusals[(elder_id, month)] = reason
    missing: dict[int, list[datetime.date]] = defaultdict(list)
    for elder_id, start, end in entitlements:
        due = rules.months_due(start_month=start, end_month=end, since=response.starts_on, today=today)
        missing[elder_id].extend(rules.months_unpaid(due, paid[elder_id]))
    missing = {k: sorted(set(v)) for k, v in missing.items() if v}
    labels = dict(RunRefusal.Reason.choices)
    rows = []
    for elder in Elder.objects.filter(pk__in=missing).select_related("community"):
        parts = []
        for month in missing[elder.pk]:
            refusal = refusals.get((elder.pk, month))
            parts.append(f"{month:%Y-%m}" + (f"（{labels[refusal]}）" if refusal in labels else ""))
        detail = _("Not paid: %(months)s") % {"months": "、".join(parts)}
        rows.append(ContinuityRow(elder, UNPAID, detail, missing[elder.pk][0]))
    return rows


def _frozen_q() -> Q:
    accounts = Account.objects.filter(
        kind__in=[Account.Kind.SUBSIDY, Account.Kind.PERSONAL], status=Account.Status.FROZEN
    ).values("elder_id")
    return Q(life_status=LifeStatus.ACTIVE, pk__in=accounts)


def _ending_q(response: EmergencyResponse, today: datetime.date) -> Q:
    entitlements = Entitlement.objects.filter(
        end_month__isnull=False,
        end_month__gte=response.starts_on.replace(day=1),
        end_month__lte=rules.ending_horizon(today, response.ends_on),
    ).values("elder_id")
    return Q(life_status=LifeStatus.ACTIVE, pk__in=entitlements)


def _visits_q(today: datetime.date, among: list[int] | None = None) -> Q:
    """A living elder with a gap in their visits (`among` these elders only, if given: their
    visits are read from the elders' index)."""
    since, cancelled, unserved = _visit_gaps(today)
    recent = WorkOrder.objects.filter(scheduled_at__gte=since).order_by()
    if among is not None:
        recent = recent.filter(elder_id__any_of=among)
    # Two sets, not one with an OR: each is read from the statuses' index alone, where the OR's
    # bitmap read a page of the table for nearly every visit.
    gaps = recent.filter(cancelled).values("elder_id").union(recent.filter(unserved).values("elder_id"), all=True)
    return Q(life_status=LifeStatus.ACTIVE, pk__in=gaps)


def _late_months(starts_on: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The months since a response began whose run is late: those its report looks at, and so those
    the readings store."""
    return rules.months_due(start_month=starts_on, end_month=None, since=starts_on, today=today)


def _unpaid_of(month: datetime.date, today: datetime.date) -> QuerySet[Entitlement]:
    """The entitlements covering the month (its first month is this one or before, not ended
    before it) whose elder has no grant of it."""
    covering = Entitlement.objects.filter(start_month__lte=today, start_month__lt=rules.next_month(month)).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=month)
    )
    return covering.filter(~Exists(Grant.objects.filter(elder_id=OuterRef("elder_id"), month=month)))


def _candidates(reading: UnpaidReading) -> QuerySet:
    """The only elders who can be unpaid for the reading's month: those it found, and those whose
    entitlement changed since (a grant is never taken back, so no one else can have become so)."""
    found = UnpaidElder.objects.filter(reading=reading).order_by().values("elder_id")
    changed = Entitlement.objects.filter(updated_at__gte=changed_since(reading.as_of)).order_by().values("elder_id")
    return found.union(changed, all=True)


def _unpaid_q(response: EmergencyResponse, today: datetime.date, within: QuerySet[Elder] | None = None) -> Q:
    """An entitled elder with a month the run should have paid and did not: for each month since the
    response began whose run is late (a handful), the elders with an entitlement covering it and no
    grant of it, in one set the database joins, never a list of ids.

    A month with a stored reading (`unpaid_readings_take`) is looked for among the reading's elders
    and those whose entitlement changed since, each checked against today's entitlements and grants:
    a few rows, where without one the district's entitlements and grants of the month are hashed
    against each other (a second at a million elders). `within` (a part of the district: a
    community, a street's) restricts each set to those elders."""
    months = _late_months(response.starts_on, today)
    readings = {r.month: r for r in UnpaidReading.objects.filter(month__in=months)}
    parts = []
    for month in months:
        unpaid = _unpaid_of(month, today)
        if within is not None:
            unpaid = unpaid.filter(elder__in=within.values("pk"))
        if month in readings:
            unpaid = unpaid.filter(elder_id__in=_candidates(readings[month]))
        parts.append(unpaid.order_by().values("elder_id"))
    if not parts:
        return Q(pk__in=[])
    gaps = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return Q(life_status=LifeStatus.ACTIVE, disqualified_at__isnull=True, pk__in=gaps)


def _store(model: type[UnpaidElder | VisitGapElder], reading: UnpaidReading | VisitGapReading, rows: QuerySet) -> int:
    """Write a set of rows (`rows.values(...)`, in the order of the model's columns after its
    reading) under the reading, by the ORM's own SQL for the set, in one statement; the number
    written."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f.column for f in model._meta.concrete_fields if not f.primary_key)
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cur:
        # The values are bound parameters.
        cur.execute(f"INSERT INTO {table} ({columns}) SELECT %s, r.* FROM ({sql}) r", [reading.pk, *params])  # noqa: S608
        written = cur.rowcount
        analyze(cur, table)
    return written


def unpaid_readings_take(*, today: datetime.date | None = None) -> int:
    """Store a reading of each month the reports of the responses in progress look at, replacing
    the month's last one, and drop the readings no report looks at any more; the number of months
    read. Idempotent (scheduled every half hour: the fresher the reading, the fewer elders the
    report adds to it live)."""
    today = today or timezone.localdate()
    months: set[datetime.date] = set()
    for starts_on in EmergencyResponse.objects.filter(active_q(today)).values_list("starts_on", flat=True):
        months.update(_late_months(starts_on, today))
    for month in sorted(months):
        with transaction.atomic():
            as_of = timezone.now()  # before the read: what changes during it is looked at live
            UnpaidReading.objects.filter(month=month).delete()
            reading = UnpaidReading.objects.create(month=month, as_of=as_of)
            _store(UnpaidElder, reading, _unpaid_of(month, today).order_by().values("elder_id").distinct())
    UnpaidReading.objects.exclude(month__in=months).delete()
    return len(months)


def visit_gap_readings_take(*, today: datetime.date | None = None) -> int:
    """Store today's reading of the living elders with a gap in their visits while a response is in
    progress, replacing the last one; none once no response is. The number of elders read.
    Idempotent (scheduled every half hour: the fresher the reading, the fewer elders the report
    reads live)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        VisitGapReading.objects.all().delete()
        if not EmergencyResponse.objects.filter(active_q(today)).exists():
            return 0
        as_of = timezone.now()  # before the read: what is saved during it is read live
        reading = VisitGapReading.objects.create(day=today, as_of=as_of)
        # In the report's order: a community's elders lie together, read from a page or two.
        gaps = Elder.objects.filter(_visits_q(today)).order_by("community_id", "name")
        return _store(VisitGapElder, reading, gaps.values("pk", "community_id", "name"))


def _gap_reading(today: datetime.date) -> tuple[VisitGapReading, list[int]] | None:
    """Today's reading of the visit gaps and the elders whose record or visits were saved since it
    began (nothing else the platform writes makes or ends a gap, or changes an elder's community or
    name), if not too many (`GAPS_CHANGED_AT_MOST`: read up to one more than that)."""
    reading = VisitGapReading.objects.filter(day=today).order_by("-as_of", "-pk").first()
    if reading is None:
        return None
    since = changed_since(reading.as_of)
    saved = Elder.objects.filter(updated_at__gte=since).order_by().values_list("pk", flat=True)
    visited = WorkOrder.objects.filter(updated_at__gte=since).order_by().values_list("elder_id", flat=True)
    changed = sorted(saved.union(visited)[: GAPS_CHANGED_AT_MOST + 1])
    return (reading, changed) if len(changed) <= GAPS_CHANGED_AT_MOST else None


def _keyed(rows: QuerySet, reason: str, elder: str = "pk") -> QuerySet:
    """These elders (or rows naming an elder in `elder`, with a community and a name) as keys of
    the report's rows for the reason."""
    return (
        rows.order_by()
        .annotate(
            elder_key=F(elder),
            code=F("community__code"),
            reason_order=Value(REASON_ORDER[reason], output_field=IntegerField()),
        )
        .values_list(*KEYS)
    )


def _visit_keys(elders: QuerySet[Elder], area: list[int], today: datetime.date) -> list[QuerySet]:
    """The keys of the elders with a gap in their visits: from today's stored reading, except the
    elders saved since, looked at live; all live without a reading of the day."""
    found = _gap_reading(today)
    if found is None:
        return [_keyed(elders.filter(_visits_q(today)), VISITS)]
    reading, changed = found
    stored = VisitGapElder.objects.filter(reading=reading, community_id__any_of=area).exclude(elder_id__any_of=changed)
    keys = _keyed(stored, VISITS, elder="elder_id")
    if not changed:
        return [keys]
    return [keys, _keyed(elders.filter(pk__any_of=changed).filter(_visits_q(today, among=changed)), VISITS)]


def _reason_qs(response: EmergencyResponse, today: datetime.date, within: QuerySet[Elder] | None) -> dict[str, Q]:
    """The reasons but the visits' (`_visit_keys`), each as a condition on the elders."""
    return {
        FROZEN: _frozen_q(),
        ENDING: _ending_q(response, today),
        UNPAID: _unpaid_q(response, today, within),
    }


class ContinuityRows:
    """The report's rows, one per elder and reason, by community, name and reason: counted and sliced
    in SQL (a page's rows are built from a page's elders), iterated in chunks for the spreadsheet.
    Counting reads the first page's keys in the same statement (a window count): the first page and
    the work list's panel take the report's reasons once."""

    CHUNK = 1000
    FIRST = PER_PAGE

    def __init__(self, elders: QuerySet[Elder], keys: QuerySet | None, response: EmergencyResponse, today):
        self.elders = elders
        self.keys = keys
        self.response = response
        self.today = today
        self._count: int | None = None
        self._first: list[tuple] = []

    def count(self) -> int:
        if self.keys is None:
            return 0
        if self._count is None:
            try:
                sql, params = self.keys.order_by().query.sql_with_params()
            except EmptyResultSet:  # no reason can have a row (no month of the response is late yet)
                self._count = 0
                return 0
            # The ORM's own SQL around the union; the values are bound parameters.
            # The count is taken over the rows as they come, then the first page picked (a top-N
            # sort): ordered first, every row was sorted, in parallel workers that cost more than
            # they saved.
            columns = ", ".join(f"k.{c}" for c in KEYS)
            windowed = f"SELECT {columns}, COUNT(*) OVER () FROM ({sql}) k"  # noqa: S608
            order = ", ".join(f"w.{c}" for c in KEY_ORDER)
            with connection.cursor() as cur:
                cur.execute(f"SELECT * FROM ({windowed}) w ORDER BY {order} LIMIT %s", [*params, self.FIRST])  # noqa: S608
                found = cur.fetchall()
            self._first = [tuple(row[: len(KEYS)]) for row in found]
            self._count = found[0][len(KEYS)] if found else 0
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[ContinuityRow]:
        if self.keys is None:
            return []
        if self._count is not None and not index.start and index.stop is not None and index.stop <= self.FIRST:
            return self._build(self._first[index])
        return self._build(list(self.keys[index]))

    def __iter__(self) -> Iterator[ContinuityRow]:
        if self.keys is None:
            return
        keys = list(self.keys)
        for start in range(0, len(keys), self.CHUNK):
            yield from self._build(keys[start : start + self.CHUNK])

    def _build(self, keys: list[tuple]) -> list[ContinuityRow]:
        """The rows of these keys (elder id, reason's order, and the sort columns), in their order."""
        reasons = list(REASONS)
        wanted: dict[str, list[int]] = defaultdict(list)
        for elder_id, order, *_sort in keys:
            wanted[reasons[order]].append(elder_id)
        built: dict[tuple[int, str], ContinuityRow] = {}
        for reason, ids in wanted.items():
            elders = self.elders.filter(pk__in=ids)
            if reason == FROZEN:
                rows = _frozen(elders)
            elif reason == ENDING:
                rows = _ending(elders, self.response, self.today)
            elif reason == VISITS:
                rows = _visits(elders, self.today)
            else:
                rows = _unpaid(elders, self.response, self.today)
            built.update({(r.elder.pk, r.reason): r for r in rows})
        return [built[key] for elder_id, order, *_sort in keys if (key := (elder_id, reasons[order])) in built]


def at_risk(
    *,
    user: User,
    response: EmergencyResponse,
    reason: str = "",
    community: int | None = None,
    today: datetime.date | None = None,
) -> ContinuityRows:
    """The elders at risk in the response's area that the user sees, one row per elder and reason,
    by community, name and reason: a lazy list whose count and pages are a few queries whatever
    the number of elders."""
    today = today or timezone.localdate()
    elders, area, whole = _elders(user, response, community)
    if not may_see(user):
        return ContinuityRows(elders, None, response, today)
    conditions = _reason_qs(response, today, None if whole else elders)
    parts: list[QuerySet] = []
    for code in REASONS:
        if reason in ("", code):
            parts += (
                _visit_keys(elders, area, today) if code == VISITS else [_keyed(elders.filter(conditions[code]), code)]
            )
    keys = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    keys = keys.order_by(*KEY_ORDER)
    return ContinuityRows(elders, keys, response, today)


def continuity_rows(
    *,
    user: User,
    response: EmergencyResponse,
    reason: str = "",
    community: int | None = None,
    today: datetime.date | None = None,
) -> list[ContinuityRow]:
    """Every row of the report (`at_risk`, as a list)."""
    return list(at_risk(user=user, response=response, reason=reason, community=community, today=today))


def continuity_xlsx(rows: Iterable[ContinuityRow]) -> bytes:
    """The rows as a spreadsheet: the page's columns, and the elder's page as a link (every row, built
    a chunk of elders at a time)."""
    frame = pd.DataFrame(
        [
            [
                r.elder.community.name,
                r.elder.name,
                r.elder.id_masked,
                r.reason_label,
                r.detail,
                r.since.isoformat() if r.since else "",
                r.url,
            ]
            for r in rows
        ],
        columns=[_("Community"), _("Elder"), _("Resident ID"), _("Reason"), _("Detail"), _("Since"), _("Elder's page")],
    )
    return xlsx_bytes({str(_("Continuity of subsidies and services")): frame})
