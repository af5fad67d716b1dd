# ruff: noqa: S608 -- table names come from model metadata; values are bound parameters
"""The pages benchmark: every menu page, the home page and every API list endpoint of a district
user, a finance user and a community worker, timed over the synthetic district at city scale.

Build (or reuse): N synthetic elders (`devtools.synthetic.generate`) with the monthly runs of the
current month and the two before (the pages look at today), then,
set-based (INSERT … SELECT over the elder table, proportional to N; each writer skips the elders
it has already written for, so a second build adds only what the new elders need):

- applications (one elder in twenty) spread over every status, in one open intake batch;
- providers (one per thousand elders, at least three), each with caregivers and an approved item,
  serving every street; an agreement for one elder in five, and two visits a month over the last
  three months for each (completed, one in ten cancelled; the last one of each elder assigned);
- outreach: a screening (vulnerability profile) for one elder in ten, its primary responsible
  person, and a weekly contact over the last four weeks under a routine active-care response.

Measured: each page as each user, through `django.test.Client` with DEBUG off: one warm-up, then
the median of five runs and the query count (`CaptureQueriesContext`); the slowest query of each
page is kept so that the command can print its plan (EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import datetime
import logging
import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from devtools.bench.settlement import _fix_sequence, _series
from devtools.synthetic import generate, recorded_at, synthetic_district
from eldercare.masking import mask_phone
from eldercare.models import Division, Elder, Role, RoleAssignment, User
from eldercare.nav import nav_links_for
from eldercare.periods import Month
from outreach import rules as outreach_rules
from outreach.inspections.continuity import unpaid_readings_take, visit_gap_readings_take
from outreach.models import (
    Contact,
    EmergencyResponse,
    ResponseKind,
    ResponsibleKind,
    ResponsiblePerson,
    VulnerabilityProfile,
)
from outreach.services import coverage_readings_take
from providers.models import Approval, Caregiver, Provider, ServiceAgreement, ServiceItem, WorkOrder
from providers.quality import frequency_readings_take
from settlement.figures import figures_refresh, open_months
from subsidies.applications.models import Application, ApplicationStatus, IntakeBatch
from subsidies.standards.models import Grant, Scheme
from subsidies.standards.services.run import run_month
from vouchers.services.snapshots import balances_snapshot

MONTHS = 3  # monthly runs: the current month and the two before
RUNS = 5
SLOW_MS = 300.0
API_PREFIX = "/api/v1/"
ELDERS_PER_PROVIDER = 1000
CAREGIVERS_PER_PROVIDER = 10
# The share of the elders each writer covers: those whose `_key` is a multiple of the modulus.
APPLICATION_MODULUS = 20  # 5 %
AGREEMENT_MODULUS = 5  # 20 %
PROFILE_MODULUS = 10  # 10 %: the vulnerable subset
VISITS_PER_MONTH = 2
CONTACT_WEEKS = 4
SYN_LICENCE = "SYN-PROVIDER-"
SYN_PHONE = "13800000000"
ROLES = (
    ("district", Role.DISTRICT_REVIEWER),
    ("finance", Role.FINANCE),
    ("community", Role.COMMUNITY_WORKER),
)


# -- the set-based writer ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sql:
    """An SQL expression with its own bound parameters, for `insert_select`."""

    expr: str
    params: tuple = ()


def insert_select(
    model: type[models.Model], values: dict[str, Any], source: str, params: list | None = None, order_by: str = "e.id"
) -> int:
    """INSERT INTO the model's table SELECT … FROM `source` (with its `params`) ORDER BY `order_by`:
    `values` maps a column to an SQL expression (a str, or `Sql` with parameters) or to a value to
    bind (anything else); every other column gets its field's default (timestamps: `recorded_at`; blank
    text: ''; nullable: NULL). Returns the number of rows written.

    Each source skips the elders who have rows already (a build resumed or grown). Sorted, the
    rows are all chosen before the first is written, so that test never reads the rows the
    statement writes: the planner, taking the table for empty, scans it once a row, and each scan
    would grow with every row written (hours at a million elders)."""
    now = recorded_at()
    columns: list[str] = []
    exprs: list[str] = []
    bound: list[Any] = []
    for f in model._meta.concrete_fields:
        given = f.column in values
        if not given and (f.primary_key or f.db_default is not models.NOT_PROVIDED):
            continue
        if given:
            value = values[f.column]
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_db_prep_save(f.get_default(), connection)
        elif f.null:
            value = None
        elif f.blank and isinstance(f, models.CharField | models.TextField | models.FileField):
            value = ""
        else:
            raise ValueError(f"{model.__name__}.{f.name} needs a value")
        columns.append(f.column)
        if given and isinstance(value, str):
            exprs.append(value)
        elif given and isinstance(value, Sql):
            exprs.append(value.expr)
            bound.extend(value.params)
        else:
            exprs.append("%s")
            bound.append(value)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM {source}"
            f" ORDER BY {order_by}",
            [*bound, *(params or [])],
        )
        written = cur.rowcount
        _fix_sequence(cur, model)
    _analyze(model)
    return written


def _key(modulus: int) -> str:
    """The elder's key for the writers' shares: its id divided by seven, because the elders are dealt
    to the communities in turn by id, and a share by the id alone would skip every community whose
    turn shares a factor with the modulus (the community worker's could have no application)."""
    return f"(e.id / 7 / {modulus})"


def _share(modulus: int) -> str:
    return f"(e.id / 7) %% {modulus} = 0"


def _t(model: type[models.Model]) -> str:
    return model._meta.db_table


def _analyze(*tables: type[models.Model]) -> None:
    """Planner statistics for tables the build has just filled (PostgreSQL): the next writer joins
    them or looks rows up in them, and without fresh statistics the planner takes the rows just
    written for none and scans or loops over them once per row (minutes, or more than half an
    hour, at a million elders)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for model in tables:
                cur.execute(f"ANALYZE {_t(model)}")


# The synthetic district's elders as `e` (bound: the district's id); `w` filters them further.
def _district_elders(where: str) -> str:
    return (
        f"{_t(Elder)} e JOIN {_t(Division)} c ON c.id = e.community_id JOIN {_t(Division)} s ON s.id = c.parent_id"
        f" WHERE s.parent_id = %s AND {where}"
    )


# -- the build -----------------------------------------------------------------------------------


def bench_months() -> list[Month]:
    """The months of the bench's runs and visits: the current one and the two before, so that the
    pages, which look at today, find a district in its ordinary state (every month paid)."""
    current = Month.current()
    return [current.plus(k - MONTHS + 1) for k in range(MONTHS)]


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@dataclass
class Built:
    district: Division
    elders: int
    seconds: float
    reused: bool
    written: dict[str, int] = field(default_factory=dict)


def bench_users(district: Division) -> dict[str, User]:
    """The users the pages are timed as: the district's reviewer (the synthetic district's own
    user), a finance user of the district, a community worker of its first community."""
    community = Division.objects.filter(level=Division.Level.COMMUNITY, parent__parent=district).order_by("id").first()
    users = {}
    for key, role in ROLES:
        user, _created = User.objects.get_or_create(username=f"synthetic-{key}", defaults={"full_name": f"合成{key}"})
        RoleAssignment.objects.get_or_create(
            user=user, role=role, division=community if role == Role.COMMUNITY_WORKER else district
        )
        users[key] = user
    return users


def _applications(district: Division, by: User) -> int:
    """One elder in twenty applies; the applications are spread over every status."""
    batch = IntakeBatch.objects.filter(district=district, status=IntakeBatch.Status.OPEN).first()
    if batch is None:
        batch = IntakeBatch.objects.create(
            district=district,
            name="合成批次",
            opens_on=_days_ago(90),
            closes_on=_days_ago(-90),
        )
    scheme = Scheme.objects.get(code="jiangdu")
    statuses = list(ApplicationStatus.values)
    status = (
        f"CASE {_key(APPLICATION_MODULUS)} %% {len(statuses)} "
        + " ".join(f"WHEN {i} THEN '{s}'" for i, s in enumerate(statuses))
        + " END"
    )
    return insert_select(
        Application,
        {
            "elder_id": "e.id",
            "community_id": "e.community_id",
            "scheme_id": str(scheme.pk),
            "batch_id": str(batch.pk),
            "care_situation": "'self_care'",
            "filed_on": _days_ago(20),
            "filed_by_id": str(by.pk),
            "status": status,
            "stage_started_on": _days_ago(10),
            "deadline": _days_ago(-10),
        },
        _district_elders(
            f"{_share(APPLICATION_MODULUS)} AND NOT EXISTS (SELECT 1 FROM {_t(Application)} a WHERE a.elder_id = e.id)"
        ),
        [district.pk],
    )


def _providers(district: Division, elders: int) -> int:
    """One provider per thousand elders (at least three), each with caregivers and an approved
    item, serving every street of the district. Returns how many were added."""
    wanted = max(3, elders // ELDERS_PER_PROVIDER)
    have = Provider.objects.filter(district=district, licence_number__startswith=SYN_LICENCE).count()
    if have >= wanted:
        return 0
    new = Provider.objects.bulk_create(
        [
            Provider(
                name=f"合成服务商{p + 1:04d}",
                kind=Provider.Kind.BUSINESS,
                licence_number=f"{SYN_LICENCE}{p + 1:05d}",
                district=district,
                status=Provider.Status.CONTRACTED,
            )
            for p in range(have, wanted)
        ]
    )
    new = list(Provider.objects.filter(district=district, licence_number__startswith=SYN_LICENCE).order_by("id"))[have:]
    streets = list(Division.objects.filter(parent=district))
    Provider.streets.through.objects.bulk_create(
        [Provider.streets.through(provider_id=p.pk, division_id=s.pk) for p in new for s in streets]
    )
    ServiceItem.objects.bulk_create(
        [
            ServiceItem(provider=p, kind="cleaning", name="助洁", price=50, minutes=60, approval=Approval.APPROVED)
            for p in new
        ]
    )
    Caregiver.objects.bulk_create(
        [
            Caregiver(
                provider=p,
                name=f"护工{p.pk}-{k + 1}",
                staff_number=f"S{k + 1:03d}",
                phone=SYN_PHONE,
                phone_masked=mask_phone(SYN_PHONE),
                trained_on=datetime.date(2025, 1, 1),
            )
            for p in new
            for k in range(CAREGIVERS_PER_PROVIDER)
        ]
    )
    # Saved the day before, as every synthetic record (bulk_create stamps them now).
    when = recorded_at()
    Provider.objects.filter(pk__in=[p.pk for p in new]).update(created_at=when, updated_at=when)
    ServiceItem.objects.filter(provider__in=new).update(created_at=when, updated_at=when)
    Caregiver.objects.filter(provider__in=new).update(created_at=when, updated_at=when)
    _analyze(Provider, Provider.streets.through, ServiceItem, Caregiver)
    return len(new)


def _agreements(district: Division, by: User) -> int:
    """One elder in five signs with a provider (the elder's id picks it among the district's)."""
    providers = list(
        Provider.objects.filter(district=district, licence_number__startswith=SYN_LICENCE)
        .order_by("id")
        .values_list("id", flat=True)
    )
    # The providers' ids as a CASE on the elder's id: the set stays one statement.
    pick = f"CASE {_key(AGREEMENT_MODULUS)} %% {len(providers)} " + " ".join(
        f"WHEN {i} THEN {pk}" for i, pk in enumerate(providers)
    )
    return insert_select(
        ServiceAgreement,
        {
            "elder_id": "e.id",
            "provider_id": pick + " END",
            "signed_on": bench_months()[0].first_day - datetime.timedelta(days=10),
            "signed_by_id": str(by.pk),
            "consent": "'合成'",
        },
        _district_elders(
            f"{_share(AGREEMENT_MODULUS)}"
            f" AND NOT EXISTS (SELECT 1 FROM {_t(ServiceAgreement)} a WHERE a.elder_id = e.id)"
        ),
        [district.pk],
    )


def _work_orders(district: Division, by: User) -> int:
    """Two visits a month over the last three months for every elder with an agreement and no visit
    yet, fifteen days apart: completed (one in ten cancelled), the last one of each elder (in the
    coming days) assigned."""
    visits = VISITS_PER_MONTH * MONTHS
    # The last visit of each elder falls in the coming days (assigned), the others before today.
    first = _days_ago(15 * (visits - 1))
    start = datetime.datetime.combine(first, datetime.time(1), tzinfo=datetime.UTC)
    # Visit k of an elder: 15 days apart from the first month's start, at 09:00 (+08:00).
    if connection.vendor == "postgresql":
        at = "(%s::timestamptz + (k.i * 15 + e.id %% 10) * interval '1 day')"
        out = f"({at} + interval '1 hour')"
        stamp = (start.isoformat(),)
    else:
        at = "datetime(%s, '+' || (k.i * 15 + e.id %% 10) || ' days')"
        out = "datetime(%s, '+' || (k.i * 15 + e.id %% 10) || ' days', '+1 hour')"
        stamp = (start.strftime("%Y-%m-%d %H:%M:%S"),)
    status = f"CASE WHEN k.i = {visits - 1} THEN 'assigned' WHEN (e.id + k.i) %% 10 = 0 THEN 'cancelled' ELSE 'completed' END"
    done = f"(e.id + k.i) %% 10 <> 0 AND k.i < {visits - 1}"
    carers = CAREGIVERS_PER_PROVIDER
    values = {
        "elder_id": "e.id",
        "provider_id": "a.provider_id",
        "item_id": f"(SELECT MIN(id) FROM {_t(ServiceItem)} i WHERE i.provider_id = a.provider_id)",
        "price": "50",
        "scheduled_at": Sql(at, stamp),
        "booked_via": "'community'",
        "booked_by_id": str(by.pk),
        # A provider's caregivers were written together: consecutive ids from its first.
        "caregiver_id": f"(SELECT MIN(id) FROM {_t(Caregiver)} g WHERE g.provider_id = a.provider_id) + e.id %% {carers}",
        "status": status,
        "checked_in_at": Sql(f"CASE WHEN {done} THEN {at} END", stamp),
        "checked_out_at": Sql(f"CASE WHEN {done} THEN {out} END", stamp),
        "check_in_method": f"CASE WHEN {done} THEN 'typed' ELSE '' END",
        "confirmed_by": f"CASE WHEN {done} THEN 'code' ELSE '' END",
    }
    return insert_select(
        WorkOrder,
        values,
        f"{_t(ServiceAgreement)} a JOIN {_t(Elder)} e ON e.id = a.elder_id"
        f" JOIN {_t(Division)} c ON c.id = e.community_id JOIN {_t(Division)} s ON s.id = c.parent_id"
        f" CROSS JOIN {_series(visits, 'k')}"
        f" WHERE s.parent_id = %s AND a.consent = '合成'"
        f" AND NOT EXISTS (SELECT 1 FROM {_t(WorkOrder)} w WHERE w.elder_id = e.id)",
        [district.pk],
        order_by="e.id, k.i",
    )


def _outreach(district: Division, by: User) -> dict[str, int]:
    """The vulnerable subset (one elder in ten) screened, with a primary responsible person and a
    weekly contact over four weeks under the district's routine active-care response."""
    # Four screening patterns; the risk level is derived by the rule, never typed.
    patterns = [
        outreach_rules.Flags(solitary=True),
        outreach_rules.Flags(empty_nest=True),
        outreach_rules.Flags(care_need=outreach_rules.CARE_SEMI, chronic_medicine=True),
        outreach_rules.Flags(),
    ]
    n = len(patterns)

    def case(value) -> str:
        return (
            f"CASE {_key(PROFILE_MODULUS)} %% {n} "
            + " ".join(f"WHEN {i} THEN {value(p)}" for i, p in enumerate(patterns))
            + " END"
        )

    def boolean(name: str) -> str:
        return case(lambda p: "1=1" if getattr(p, name) else "1=0")

    written = {}
    written["vulnerability profiles"] = insert_select(
        VulnerabilityProfile,
        {
            "elder_id": "e.id",
            "solitary": boolean("solitary"),
            "empty_nest": boolean("empty_nest"),
            "chronic_medicine": boolean("chronic_medicine"),
            "care_need": case(lambda p: f"'{p.care_need}'"),
            "living_arrangement": case(lambda p: "'alone'" if p.solitary else "'spouse'"),
            "screened_on": _days_ago(60),
            "screened_by_id": str(by.pk),
            "risk_level": case(lambda p: f"'{outreach_rules.risk_level(p)}'"),
        },
        _district_elders(
            f"{_share(PROFILE_MODULUS)}"
            f" AND NOT EXISTS (SELECT 1 FROM {_t(VulnerabilityProfile)} v WHERE v.elder_id = e.id)"
        ),
        [district.pk],
    )
    phone = ResponsiblePerson._meta.get_field("phone").get_prep_value(SYN_PHONE)
    written["responsible persons"] = insert_select(
        ResponsiblePerson,
        {
            "elder_id": "e.id",
            "duty": f"'{ResponsiblePerson.Duty.PRIMARY}'",
            "kind": f"'{ResponsibleKind.GRID_WORKER}'",
            "name": "'网格员'",
            "phone": Sql("%s", (phone,)),
            "phone_masked": Sql("%s", (mask_phone(SYN_PHONE),)),
            "starts_on": _days_ago(60),
            "assigned_by_id": str(by.pk),
        },
        _district_elders(
            f"{_share(PROFILE_MODULUS)}"
            f" AND NOT EXISTS (SELECT 1 FROM {_t(ResponsiblePerson)} r WHERE r.elder_id = e.id)"
        ),
        [district.pk],
    )
    response = EmergencyResponse.objects.filter(district=district, kind=ResponseKind.ACTIVE_CARE).first()
    if response is None:
        response = EmergencyResponse.objects.create(
            kind=ResponseKind.ACTIVE_CARE,
            name="合成主动关爱",
            district=district,
            starts_on=_days_ago(7 * CONTACT_WEEKS),
            declared_by=by,
        )
    start = datetime.datetime.combine(_days_ago(7 * CONTACT_WEEKS), datetime.time(2), tzinfo=datetime.UTC)
    if connection.vendor == "postgresql":
        at = Sql("(%s::timestamptz + k.i * interval '7 days')", (start.isoformat(),))
        day = Sql("(%s::date + k.i * 7)", (start.date(),))
    else:
        at = Sql("datetime(%s, '+' || (k.i * 7) || ' days')", (start.strftime("%Y-%m-%d %H:%M:%S"),))
        day = Sql("date(%s, '+' || (k.i * 7) || ' days')", (start.date().isoformat(),))
    written["contacts"] = insert_select(
        Contact,
        {
            "response_id": str(response.pk),
            "elder_id": "e.id",
            "by_id": str(by.pk),
            "at": at,
            "day": day,
            "method": "'phone'",
            "result": f"'{outreach_rules.RESULT_FINE}'",
        },
        f"{_t(VulnerabilityProfile)} v JOIN {_t(Elder)} e ON e.id = v.elder_id"
        f" JOIN {_t(Division)} c ON c.id = e.community_id JOIN {_t(Division)} s ON s.id = c.parent_id"
        f" CROSS JOIN {_series(CONTACT_WEEKS, 'k')}"
        f" WHERE s.parent_id = %s AND NOT EXISTS (SELECT 1 FROM {_t(Contact)} x WHERE x.elder_id = e.id"
        f" AND x.response_id = {response.pk})",
        [district.pk],
        order_by="e.id, k.i",
    )
    return written


def _scheduled_tasks() -> None:
    """What the scheduled tasks would have done after the district was written: the pooled balances
    snapshotted, the continuity reports' unpaid months and visit gaps, the visit frequency and the
    outreach coverage read, and the open months' settlement figures stored, whatever the news (the
    refresh's threshold would leave a small build's second half to be counted live): every size is
    measured with its figures stored."""
    balances_snapshot()
    figures_refresh(months=open_months(), force=True)
    unpaid_readings_take()
    visit_gap_readings_take()
    frequency_readings_take()
    coverage_readings_take()


# A busy half hour after the readings: one visit saved for every this many elders, and one screening.
ELDERS_A_VISIT_SINCE_READINGS = 500
ELDERS_A_SCREENING_SINCE_READINGS = 50_000


def _work_since_readings(district: Division, elders: int) -> int:
    """The work of a busy half hour after the readings were taken (1,000,000 elders: 2,000 visits
    and 20 screenings saved), which the reports read from them judge or count live, as they would
    in a district: the pages are measured with that delta, not with readings taken a moment before."""
    now = timezone.now()
    n = max(1, elders // ELDERS_A_VISIT_SINCE_READINGS)
    latest = WorkOrder.objects.filter(elder__community__parent__parent=district).order_by("-pk")
    ids = list(latest.values_list("pk", flat=True)[:n])
    saved = WorkOrder.objects.filter(pk__in=ids).update(updated_at=now)
    n = max(1, elders // ELDERS_A_SCREENING_SINCE_READINGS)
    # Screenings of as many communities (the coverage counts each live): every nth profile by key.
    profiles = VulnerabilityProfile.objects.filter(elder__community__parent__parent=district).order_by("pk")
    keys = list(profiles.values_list("pk", flat=True))
    ids = keys[:: max(1, len(keys) // n)][:n]
    return saved + VulnerabilityProfile.objects.filter(pk__in=ids).update(updated_at=now)


def build(*, elders: int, reuse: bool = False, log: Callable[[str], object] = print) -> Built:
    """The synthetic district with `elders` elders, three monthly runs and the pages' data; with
    `reuse`, a district that already has that many elders is taken as it is."""
    started = time.perf_counter()
    district = synthetic_district()
    have = Elder.objects.filter(community__parent__parent=district).count() if district else 0
    if reuse and district is not None and have >= elders:
        log(f"reusing the synthetic district's {have} elders")
        _scheduled_tasks()
        _work_since_readings(district, have)
        return Built(district=district, elders=have, seconds=time.perf_counter() - started, reused=True)
    if have < elders:
        generate(elders=elders - have, start_month=bench_months()[0])
        log(f"generated {elders - have} elders")
    district = synthetic_district()
    assert district is not None
    for month in bench_months():
        result = run_month(month=month)
        log(f"monthly run {month}: {result.created} grants")
    users = bench_users(district)
    by = users["district"]
    written: dict[str, int] = {}
    with transaction.atomic():
        written["applications"] = _applications(district, by)
        written["providers"] = _providers(district, max(have, elders))
        written["agreements"] = _agreements(district, by)
        written["work orders"] = _work_orders(district, by)
        written.update(_outreach(district, by))
    _scheduled_tasks()
    _work_since_readings(district, max(have, elders))
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # A database in service is kept vacuumed by autovacuum; rows written a moment ago are
            # known visible to all only after a vacuum, and until then an index-only scan (the
            # district-wide figures') reads the table too. Inside a transaction (the tests'), only
            # the statistics.
            cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    log("written: " + ", ".join(f"{k} {v}" for k, v in written.items()))
    total = Elder.objects.filter(community__parent__parent=district).count()
    return Built(district=district, elders=total, seconds=time.perf_counter() - started, reused=False, written=written)


# -- the measurement ---------------------------------------------------------------------------


@dataclass
class PageTiming:
    role: str
    path: str
    status: int
    median_ms: float
    queries: int
    sql_ms: float = 0.0  # the queries' own time in the last run (the rest is Python and templates)
    slowest_sql: str = ""
    slowest_ms: float = 0.0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            # A viewset's list route answers GET with `list` (not a POST-only route such as a token's).
            actions = getattr(p.callback, "actions", None) or {}
            if actions.get("get") == "list":
                yield prefix + str(p.pattern), p.name


def api_list_paths() -> list[str]:
    """The API's list routes (`<basename>-list` under /api/v1/), without a format suffix."""
    paths = set()
    for route, name in _walk(get_resolver().url_patterns):
        if not name.endswith("-list"):
            continue
        route = route.replace("^", "").replace("\\Z", "").replace("$", "").replace("\\", "")
        if "(" in route or "<" in route or not ("/" + route).startswith(API_PREFIX):
            continue
        paths.add("/" + route)
    return sorted(paths)


def page_paths(user: User) -> list[str]:
    """The home page, then the user's menu pages."""
    paths = ["/"]
    for link in nav_links_for(user):
        if link["url"] not in paths:
            paths.append(link["url"])
    return paths


def time_page(client: Client, role: str, path: str, runs: int = RUNS) -> PageTiming:
    response = client.get(path)  # warm-up
    if response.status_code in (301, 302) and response["Location"].startswith("/"):
        # A page that opens on a default (a day, a period): time the page it opens.
        path = response["Location"]
        response = client.get(path)
    samples = []
    captured: CaptureQueriesContext | None = None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        captured = ctx
    assert captured is not None
    queries = captured.captured_queries
    # The slowest read (a page's BEGIN and COMMIT are not what its plan is wanted for).
    reads = [q for q in queries if q["sql"] and q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    slowest = max(reads, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"})
    note = ""
    if response.status_code != 200:
        body = response.content[:200].decode(errors="replace") if hasattr(response, "content") else ""
        note = " ".join(body.split())[:160]
    return PageTiming(
        role=role,
        path=path,
        status=response.status_code,
        median_ms=statistics.median(samples),
        queries=len(queries),
        sql_ms=sum(float(q["time"]) for q in queries) * 1000,
        slowest_sql=slowest["sql"] or "",
        slowest_ms=float(slowest["time"]) * 1000,
        note=note,
    )


@dataclass
class Measured:
    timings: list[PageTiming]
    skipped: list[tuple[str, str, str]]  # role, path, why
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    def slow(self, threshold_ms: float = SLOW_MS) -> list[PageTiming]:
        return sorted((t for t in self.timings if t.median_ms > threshold_ms), key=lambda t: -t.median_ms)


def supplied_parameters(district: Division) -> dict[str, str]:
    """The parameters the bench can supply to a list that requires one: the district's response."""
    response = EmergencyResponse.objects.filter(district=district, kind=ResponseKind.ACTIVE_CARE).first()
    return {"response": str(response.pk)} if response else {}


def measure(*, district: Division, runs: int = RUNS, log: Callable[[str], object] = print) -> Measured:
    """Time every page of each bench user (see the module docstring)."""
    users = bench_users(district)
    supplied = urlencode(supplied_parameters(district))
    load_before = os.getloadavg()
    # The refusals (403) of lists closed to a role are expected: they are listed, not logged.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    try:
        timings, skipped = _measure_users(users, supplied, runs, log)
    finally:
        request_log.setLevel(level)
    return Measured(timings=timings, skipped=skipped, load_before=load_before, load_after=os.getloadavg())


def _measure_users(
    users: dict[str, User], supplied: str, runs: int, log: Callable[[str], object]
) -> tuple[list[PageTiming], list[tuple[str, str, str]]]:
    api = api_list_paths()
    timings: list[PageTiming] = []
    skipped: list[tuple[str, str, str]] = []
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", "127.0.0.1", "localhost"]):
        for role, user in users.items():
            client = Client()
            client.force_login(user)
            for path in [*page_paths(user), *api]:
                timing = time_page(client, role, path, runs)
                if path.startswith(API_PREFIX) and timing.status in (400, 404) and supplied:
                    # A list that requires a parameter (an emergency response): the district's own.
                    retried = time_page(client, role, f"{path}?{supplied}", runs)
                    timing = retried if retried.status == 200 else timing
                if path.startswith(API_PREFIX) and timing.status in (400, 404):
                    # A list that needs a parameter the bench cannot know (e.g. a required filter).
                    skipped.append((role, path, timing.note))
                    continue
                if path.startswith(API_PREFIX) and timing.status == 403:
                    skipped.append((role, path, "not open to this role (403)"))
                    continue
                timings.append(timing)
                log(format_row(timing))
    return timings, skipped


def format_row(t: PageTiming) -> str:
    flag = "" if t.ok else f"   <-- {t.status} {t.note}"
    return f"{t.role:<10} {t.path:<52} {t.status:>4} {t.median_ms:9.1f} {t.queries:>7} {t.sql_ms:8.1f}{flag}"


def explain(sql: str) -> str:
    """The plan of one query as the database ran it (EXPLAIN ANALYZE on PostgreSQL)."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return "(no read to explain)"
    prefix = "EXPLAIN ANALYZE " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(prefix + sql)
        return "\n".join(" | ".join(str(c) for c in row) for row in cur.fetchall())


def grants_of(district: Division) -> int:
    return Grant.objects.filter(community__parent__parent=district).count()
