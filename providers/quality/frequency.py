"""Visit frequency against the minimums (80+ or in difficulty), a missed month made up in the next,
and the different service items of the year."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from eldercare.idnumber import age_on
from eldercare.models import Elder, ElderCategory, User
from eldercare.periods import Month, local_day_bounds
from eldercare.selectors import elder_list
from subsidies.standards.models import Assessment, Entitlement

from .. import rules
from ..models import ServiceAgreement, WorkOrder

S = WorkOrder.Status


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


@dataclass
class FrequencyReport:
    month: Month
    rows: list[ElderFrequency] = field(default_factory=list)
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
    def below(self) -> list[ElderFrequency]:
        return [r for r in self.rows if r.below]

    @property
    def listed(self) -> list[ElderFrequency]:
        return [r for r in self.rows if r.listed]

    @property
    def items_short(self) -> list[ElderFrequency]:
        return [r for r in self.rows if r.items_short]


def visit_frequency_report(*, user: User, month: Month) -> FrequencyReport:
    """Completed visits a month (by the day of the visit) of each elder with a service agreement in
    force in the month, against the minimum of that month (`rules.minimum_visits`).

    Each month is judged by the facts of that month: the age reached, the categories in evidence,
    the care level of the latest assessment in force on its first day, and the entitlement in force
    (an elder whose entitlement had ended, or had not begun, has no minimum that month; an elder
    who never had one is judged by the registry alone). A month below its minimum is made up when
    the next month delivers the shortfall on top of its own minimum (`rules.month_compliance`).
    The different service items (kinds of service) of the year count from 1 January; at the end of
    December an elder with fewer than `rules.MIN_DISTINCT_ITEMS_A_YEAR` is flagged.

    A handful of queries whatever the number of elders.
    """

    prev, nxt = month.previous(), month.next()
    months = [prev, month, nxt]
    bounds = [(m.first_day, m.last_day) for m in months]  # worked out once, not per elder
    today = timezone.localdate()
    open_from = next((i for i, m in enumerate(months) if m.last_day >= today), None)
    in_month = ServiceAgreement.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=month.first_day),
        elder_id=OuterRef("pk"),
        signed_on__lte=month.last_day,
    )
    # The elders as a subquery of every read below, never a list of their ids; their categories
    # are not needed from the prefetch (their evidence dates are read below).
    scoped = elder_list(user=user).filter(Exists(in_month))
    ids = scoped.values("pk")
    elders = list(scoped.prefetch_related(None).order_by("community_id", "name"))

    assessments: dict[int, list[tuple[datetime.date, str]]] = defaultdict(list)
    for elder_id, effective_from, level in (
        Assessment.objects.filter(elder_id__in=ids, effective_from__lte=nxt.first_day)
        .order_by("elder_id", "effective_from", "id")
        .values_list("elder_id", "effective_from", "care_level")
    ):
        assessments[elder_id].append((effective_from, level))
    entitlements: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    for elder_id, start, end in Entitlement.objects.filter(elder_id__in=ids).values_list(
        "elder_id", "start_month", "end_month"
    ):
        entitlements[elder_id].append((start, end))
    categories: dict[int, list[datetime.date]] = defaultdict(list)
    for elder_id, evidence_date in ElderCategory.objects.filter(elder_id__in=ids).values_list(
        "elder_id", "evidence_date"
    ):
        categories[elder_id].append(evidence_date)

    start = local_day_bounds(prev.first_day)[0]
    end = local_day_bounds(nxt.last_day)[1]
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for elder_id, at_year, at_month, n in (
        WorkOrder.objects.filter(elder_id__in=ids, status=S.COMPLETED, checked_in_at__gte=start, checked_in_at__lt=end)
        .order_by()
        .values_list("elder_id", "checked_in_at__year", "checked_in_at__month")
        .annotate(n=Count("pk"))
    ):
        counts[(elder_id, at_year, at_month)] += n
    items = dict(
        WorkOrder.objects.filter(
            elder_id__in=ids,
            status=S.COMPLETED,
            checked_in_at__gte=local_day_bounds(datetime.date(month.year, 1, 1))[0],
            checked_in_at__lt=local_day_bounds(month.last_day)[1],
        )
        .order_by()
        .values_list("elder_id")
        .annotate(n=Count("item__kind", distinct=True))
    )
    providers: dict[int, list[str]] = defaultdict(list)
    for elder_id, name in (
        ServiceAgreement.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=month.first_day), elder_id__in=ids, signed_on__lte=month.last_day
        )
        .order_by("signed_on", "id")
        .values_list("elder_id", "provider__name")
    ):
        if name not in providers[elder_id]:
            providers[elder_id].append(name)

    def minimum_on(elder: Elder, first_day: datetime.date, last_day: datetime.date) -> int:
        held = entitlements.get(elder.pk)
        if held and not any(s <= last_day and (e is None or e >= first_day) for s, e in held):
            return 0
        level = None
        for effective_from, care_level in assessments.get(elder.pk, ()):
            if effective_from <= first_day:
                level = care_level  # the latest in force on the month's first day wins
        return rules.minimum_visits(
            age=age_on(elder.birth_date, last_day),
            in_difficulty=any(d <= first_day for d in categories.get(elder.pk, ())),
            care_level=level,
        )

    year_ended = month.month == 12 and month.last_day < today
    report = FrequencyReport(month, year_ended=year_ended)
    for elder in elders:
        required = [minimum_on(elder, first, last) for first, last in bounds]
        if required[1] == 0:
            continue
        done = [counts[(elder.pk, m.year, m.month)] for m in months]
        statuses = rules.month_compliance(required, done, open_from=open_from)
        distinct = items.get(elder.pk, 0)
        row = ElderFrequency(
            elder=elder,
            providers=providers[elder.pk],
            minimum=required[1],
            done=done[1],
            previous=statuses[0],
            status=statuses[1].status,
            items_this_year=distinct,
            items_short=rules.items_short_of_year(distinct_items=distinct, year_ended=year_ended),
        )
        report.rows.append(row)
        missed = row.status == "missed"
        for name in row.providers:
            tally = report.by_provider.setdefault(name, [0, 0])
            tally[0] += 1
            tally[1] += row.below
            report.missed_by_provider[name] = report.missed_by_provider.get(name, 0) + missed
            statuses = report.statuses_by_provider.setdefault(name, {})
            statuses[row.status] = statuses.get(row.status, 0) + 1
        community = elder.community.name
        tally = report.by_community.setdefault(community, [0, 0])
        tally[0] += 1
        tally[1] += row.below
        report.missed_by_community[community] = report.missed_by_community.get(community, 0) + missed
    return report
