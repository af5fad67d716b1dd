"""Reads of the daily outreach reports: the units of a response, the reports a user may see, the
street's and the district's roll-up, and the units not yet reported.

Who sees what (`scope_for`): a community worker their community; a street reviewer the
communities of their street; district reviewers, supervisors and the system administrator every
unit of the district (providers included); a provider's administrator their provider. Other
roles see no report.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.models import Division, Role, RoleAssignment, User
from eldercare.scoping import scope_for
from outreach.models import EmergencyResponse
from outreach.selectors import active_q
from providers.models import Provider

from . import rules
from .models import DailyReport

# Roles that see reports: the units themselves, and the street and the district above them.
UNIT_ROLES = (Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN)
ROLLUP_ROLES = (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.SUPERVISOR, Role.SYSADMIN)
REPORT_ROLES = UNIT_ROLES + ROLLUP_ROLES

# The figures of a report, in the order of the province's form.
FIGURES = ("covered", "contacted", "problems", "needs_open", "needs_closed", "staff_on_duty")


def cutoff() -> datetime.time:
    """The cut-off of the daily report (`settings.OUTREACH_REPORT_CUTOFF`, Asia/Shanghai)."""
    return rules.parse_cutoff(settings.OUTREACH_REPORT_CUTOFF)


@dataclass(frozen=True)
class Unit:
    """A unit that reports: a community, or a provider (a care institution or home-care provider)."""

    kind: str
    pk: int
    name: str
    code: str  # the order of the form: communities by division code, providers by name
    street_id: int | None = None
    street_name: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.pk}"

    @property
    def is_community(self) -> bool:
        return self.kind == rules.UNIT_COMMUNITY

    @classmethod
    def of_community(cls, community: Division) -> "Unit":
        street = community.parent
        assert street is not None  # a community always sits under a street
        return cls(rules.UNIT_COMMUNITY, community.pk, community.name, community.code, street.pk, street.name)

    @classmethod
    def of_provider(cls, provider: Provider) -> "Unit":
        return cls(rules.UNIT_PROVIDER, provider.pk, provider.name, provider.name)

    def report_q(self) -> Q:
        """A filter on reports of this unit."""
        return Q(community_id=self.pk) if self.is_community else Q(provider_id=self.pk)


def sees_reports(user: User) -> bool:
    return user.is_superuser or user.has_role(*REPORT_ROLES)


def sees_rollup(user: User) -> bool:
    return user.is_superuser or user.has_role(*ROLLUP_ROLES)


def _response_communities(response: EmergencyResponse) -> QuerySet[Division]:
    streets = [s.pk for s in response.streets.all()]
    qs = Division.objects.filter(level=Division.Level.COMMUNITY).select_related("parent")
    if streets:
        return qs.filter(parent_id__in=streets)
    return qs.filter(parent__parent_id=response.district_id)


def _response_providers(response: EmergencyResponse) -> QuerySet[Provider]:
    """Contracted providers of the district (serving one of the response's streets, if chosen)."""
    qs = Provider.objects.filter(district_id=response.district_id, status=Provider.Status.CONTRACTED)
    streets = [s.pk for s in response.streets.all()]
    if streets:
        qs = qs.filter(streets__in=streets).distinct()
    return qs


def response_units(response: EmergencyResponse) -> list[Unit]:
    """Every unit that reports under the response, whoever looks (for the reminders): the
    communities of its area by code, then the contracted providers by name."""
    # Read as values: a district's thousands of units are built on every work list.
    communities = [
        Unit(rules.UNIT_COMMUNITY, pk, name, code, street_id, street_name)
        for pk, name, code, street_id, street_name in _response_communities(response)
        .order_by("code")
        .values_list("pk", "name", "code", "parent_id", "parent__name")
    ]
    providers = [
        Unit(rules.UNIT_PROVIDER, pk, name, name)
        for pk, name in _response_providers(response).order_by("name", "pk").values_list("pk", "name")
    ]
    return communities + providers


def _sees_unit(user: User, unit: Unit) -> bool:
    scope = scope_for(user)
    if scope.all:
        return True
    if unit.is_community:
        return unit.pk in scope.community_ids
    return unit.pk in scope.provider_ids or bool(scope.district_ids)


def visible_units(*, user: User, response: EmergencyResponse) -> list[Unit]:
    """The units of the response the user may see (a community worker: their community)."""
    if not sees_reports(user):
        return []
    return [u for u in response_units(response) if _sees_unit(user, u)]


def _submitter_assignments(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).filter(
        Q(role=Role.COMMUNITY_WORKER, division__level=Division.Level.COMMUNITY) | Q(role=Role.PROVIDER_ADMIN)
    )


def may_submit(user: User, unit: Unit) -> bool:
    """A community's workers report for the community, a provider's administrators for it."""
    if not user.is_active:
        return False
    if unit.is_community:
        return _submitter_assignments(user).filter(role=Role.COMMUNITY_WORKER, division_id=unit.pk).exists()
    return _submitter_assignments(user).filter(role=Role.PROVIDER_ADMIN, provider_id=unit.pk).exists()


def _district_ids(user: User) -> set[int] | None:
    """The districts whose responses concern the user (None: all)."""
    scope = scope_for(user)
    if scope.all:
        return None
    ids = set(scope.district_ids)
    if scope.community_ids:
        ids |= {
            pk
            for pk in Division.objects.filter(pk__any_of=scope.community_ids)
            .values_list("parent__parent_id", flat=True)
            .distinct()
            if pk is not None
        }
    if scope.provider_ids:
        ids |= set(Provider.objects.filter(pk__any_of=scope.provider_ids).values_list("district_id", flat=True))
    return ids


def report_responses(*, user: User, active_on: datetime.date | None = None) -> QuerySet[EmergencyResponse]:
    """The emergency responses the user reports under or rolls up (providers' admins included)."""
    if not sees_reports(user):
        return EmergencyResponse.objects.none()
    qs = EmergencyResponse.objects.select_related("district").prefetch_related("streets")
    districts = _district_ids(user)
    if districts is not None:
        qs = qs.filter(district_id__in=districts)
    if active_on is not None:
        qs = qs.filter(active_q(active_on))
    return qs


def report_response_get(*, user: User, pk: int) -> EmergencyResponse:
    return get_object_or_404(report_responses(user=user), pk=pk)


def visible_unit_get(*, user: User, response: EmergencyResponse, kind: str, pk: int) -> Unit:
    """A unit of the response the user may see, or 404 (never 403: others' units do not exist)."""
    for unit in visible_units(user=user, response=response):
        if unit.kind == kind and unit.pk == pk:
            return unit
    raise Http404


def reports_q(user: User) -> Q:
    """A filter on reports of the units the user may see."""
    if not sees_reports(user):
        return Q(pk__in=[])
    scope = scope_for(user)
    if scope.all:
        return Q()
    q = Q(community_id__any_of=scope.community_ids) | Q(provider_id__any_of=scope.provider_ids)
    if scope.district_ids:
        q |= Q(provider__district_id__in=scope.district_ids)
    return q


def report_list(
    *,
    user: User,
    response: EmergencyResponse | None = None,
    day: datetime.date | None = None,
    current: bool | None = True,
) -> QuerySet[DailyReport]:
    """Reports of the units the user may see; by default only the current version of each."""
    qs = DailyReport.objects.filter(reports_q(user)).select_related(
        "response", "community", "provider", "street", "submitted_by"
    )
    if current is not None:
        qs = qs.filter(is_current=current)
    if response is not None:
        qs = qs.filter(response=response)
    if day is not None:
        qs = qs.filter(day=day)
    return qs


def report_get(*, user: User, pk: int) -> DailyReport:
    return get_object_or_404(report_list(user=user, current=None), pk=pk)


def report_versions(*, report: DailyReport) -> QuerySet[DailyReport]:
    """Every version of the same unit's report of the day, the latest first."""
    return (
        DailyReport.objects.filter(response_id=report.response_id, day=report.day)
        .filter(Q(community_id=report.community_id) if report.community_id else Q(provider_id=report.provider_id))
        .select_related("submitted_by")
        .order_by("-version")
    )


def current_report(*, response: EmergencyResponse, unit: Unit, day: datetime.date) -> DailyReport | None:
    return DailyReport.objects.filter(unit.report_q(), response=response, day=day, is_current=True).first()


# --- the roll-up -------------------------------------------------------------------------------


STATUS_LABELS = {
    rules.STATUS_ON_TIME: gettext_lazy("On time"),
    rules.STATUS_LATE: gettext_lazy("Late"),
    rules.STATUS_PENDING: gettext_lazy("Not yet reported"),
    rules.STATUS_MISSING: gettext_lazy("Not reported"),
}


@dataclass
class UnitRow:
    unit: Unit
    report: DailyReport | None
    status: str

    @property
    def late(self) -> bool:
        """Reported after the cut-off, or not reported and the cut-off passed."""
        return self.status in (rules.STATUS_LATE, rules.STATUS_MISSING)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class Group:
    """A street's communities, or the providers, with the sums of their submitted figures."""

    title: str
    rows: list[UnitRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def reported(self) -> int:
        return sum(1 for r in self.rows if r.report is not None)


@dataclass
class Rollup:
    response: EmergencyResponse
    day: datetime.date
    cutoff_at: datetime.datetime
    past_cutoff: bool
    streets: list[Group]
    providers: Group | None
    community_totals: dict[str, int]

    @property
    def rows(self) -> list[UnitRow]:
        rows = [r for g in self.streets for r in g.rows]
        return rows + (self.providers.rows if self.providers else [])

    @property
    def unreported(self) -> list[UnitRow]:
        return [r for r in self.rows if r.report is None]

    @property
    def late(self) -> list[UnitRow]:
        return [r for r in self.rows if r.late]


def _zero() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def _sums(qs: QuerySet[DailyReport], by: str | None) -> dict:
    """Sums of the figures in SQL, per `by` (a column) or in all."""
    aggregates = {f: Sum(f) for f in FIGURES}
    if by is None:
        return {k: v or 0 for k, v in qs.order_by().aggregate(**aggregates).items()}
    return {row[by]: {f: row[f] or 0 for f in FIGURES} for row in qs.order_by().values(by).annotate(**aggregates)}


def rollup(
    *, user: User, response: EmergencyResponse, day: datetime.date, now: datetime.datetime | None = None
) -> Rollup:
    """The day's roll-up of the units the user may see: each unit's current report (or its absence,
    marked late once the cut-off has passed), each street's sums, the providers' sums, and the sum
    of all the communities. The sums are the database's sums of the submitted reports, so each
    equals the sum of its units' figures; units not reported add nothing."""
    now = now or timezone.now()
    time = cutoff()
    units = visible_units(user=user, response=response)
    reports = report_list(user=user, response=response, day=day)
    by_unit = {(r.unit_kind, r.community_id or r.provider_id): r for r in reports}
    street_sums = _sums(reports.filter(community__isnull=False), "street_id")
    streets: dict[int | None, Group] = {}
    providers: Group | None = None
    for unit in units:
        report = by_unit.get((unit.kind, unit.pk))
        row = UnitRow(unit, report, rules.unit_status(report.reported_at if report else None, day, time, now))
        if unit.is_community:
            group = streets.setdefault(
                unit.street_id, Group(unit.street_name, totals=street_sums.get(unit.street_id, _zero()))
            )
        else:
            if providers is None:
                providers = Group(
                    str(_("Providers and care institutions")),
                    totals=_sums(reports.filter(provider__isnull=False), None),
                )
            group = providers
        group.rows.append(row)
    return Rollup(
        response=response,
        day=day,
        cutoff_at=rules.cutoff_at(day, time),
        past_cutoff=rules.is_past_cutoff(now, day, time),
        streets=list(streets.values()),
        providers=providers,
        community_totals=_sums(reports.filter(community__isnull=False), None),
    )


def unreported_today(*, user: User, now: datetime.datetime | None = None) -> list[tuple[EmergencyResponse, UnitRow]]:
    """The units the user may see with no report today, under every response in progress; each
    marked late once the cut-off has passed (the work list's count and the page it opens)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    status = rules.unit_status(None, today, cutoff(), now)
    rows: list[tuple] = []
    for response in report_responses(user=user, active_on=today):
        # The roll-up's units without a report, from the reports' keys alone (no figures, no sums).
        reported = {
            (kind, community_id or provider_id)
            for kind, community_id, provider_id in report_list(user=user, response=response, day=today)
            .order_by()
            .values_list("unit_kind", "community_id", "provider_id")
        }
        rows.extend(
            (response, UnitRow(unit, None, status))
            for unit in visible_units(user=user, response=response)
            if (unit.kind, unit.pk) not in reported
        )
    return rows


def pending_for(*, user: User, on: datetime.date | None = None) -> list[tuple[EmergencyResponse, Unit]]:
    """The reports the user's units still owe today: (response, unit) for each unit the user
    reports for, under each response in progress, with no report of the day yet."""
    on = on or timezone.localdate()
    if not user.has_role(*UNIT_ROLES):
        return []
    pending = []
    for response in report_responses(user=user, active_on=on):
        for unit in visible_units(user=user, response=response):
            if may_submit(user, unit) and current_report(response=response, unit=unit, day=on) is None:
                pending.append((response, unit))
    return pending


def submittable(*, user: User, on: datetime.date | None = None) -> list[tuple[EmergencyResponse, Unit]]:
    """(response, unit) for each unit the user reports for under each response in progress."""
    on = on or timezone.localdate()
    if not user.has_role(*UNIT_ROLES):
        return []
    return [
        (response, unit)
        for response in report_responses(user=user, active_on=on)
        for unit in visible_units(user=user, response=response)
        if may_submit(user, unit)
    ]


def report_days(*, user: User, response: EmergencyResponse, today: datetime.date | None = None) -> list[dict]:
    """Per day of the response so far, latest first: the units the user sees, how many reported,
    on time and late, and how many did not report (late once the day's cut-off has passed)."""
    today = today or timezone.localdate()
    last = min(today, response.ends_on) if response.ends_on else today
    units = len(visible_units(user=user, response=response))
    counts = {
        row["day"]: row
        for row in report_list(user=user, response=response)
        .order_by()
        .values("day")
        .annotate(reported=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    }
    now, time = timezone.now(), cutoff()
    days = []
    day = last
    while day >= response.starts_on:
        c = counts.get(day, {"reported": 0, "on_time": 0})
        missing = units - c["reported"]
        days.append(
            {
                "day": day,
                "units": units,
                "reported": c["reported"],
                "on_time": c["on_time"],
                "late": c["reported"] - c["on_time"],
                "missing": missing,
                "missing_late": missing if rules.is_past_cutoff(now, day, time) else 0,
            }
        )
        day -= datetime.timedelta(days=1)
    return days


def reporting_unit_name(*, user: User, response: EmergencyResponse) -> str:
    """Who the printed form is from: the district, the street, the community or the provider."""
    scope = scope_for(user)
    if scope.all or scope.district_ids:
        return response.district.name
    if scope.street_ids:
        return "、".join(
            Division.objects.filter(pk__in=scope.street_ids).order_by("code").values_list("name", flat=True)
        )
    if scope.community_ids:
        return "、".join(
            Division.objects.filter(pk__any_of=scope.community_ids).order_by("code").values_list("name", flat=True)
        )
    return "、".join(
        Provider.objects.filter(pk__any_of=scope.provider_ids).order_by("name").values_list("name", flat=True)
    )
