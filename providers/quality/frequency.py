"""Visit frequency against the minimums (80+ or in difficulty), a missed month made up in the next."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from eldercare.idnumber import age_on
from eldercare.models import Elder, User
from eldercare.periods import Month, local_day_bounds
from eldercare.selectors import elder_list
from subsidies.standards.models import Assessment

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
    previous: object  # rules.MonthStatus of the month before (made up this month?)
    status: str
    items_this_year: int


@dataclass
class FrequencyReport:
    month: Month
    rows: list[ElderFrequency] = field(default_factory=list)
    by_provider: dict[str, list[int]] = field(default_factory=dict)  # name → [elders, below]
    by_community: dict[str, list[int]] = field(default_factory=dict)

    @property
    def below(self) -> list[ElderFrequency]:
        return [r for r in self.rows if r.status in ("pending", "missed")]


def visit_frequency_report(*, user: User, month: Month) -> FrequencyReport:
    """Visits a month per served elder against the minimum (80+ or in difficulty), with the
    previous month (a missed month may be made up in the next) and the distinct items this year.

    A handful of aggregate queries; the rule itself is the pure `rules.minimum_visits`.
    """

    prev = month.previous()
    elders = list(
        elder_list(user=user)
        .filter(service_agreements__ends_on__isnull=True, life_status="active")
        .distinct()
        .order_by("community_id", "name")
    )
    ids = [e.pk for e in elders]
    levels: dict[int, str] = {}
    for elder_id, level in (
        Assessment.objects.filter(elder_id__in=ids, effective_from__lte=month.last_day)
        .order_by("elder_id", "effective_from", "id")
        .values_list("elder_id", "care_level")
    ):
        levels[elder_id] = level  # the latest effective one wins
    start_prev = local_day_bounds(prev.first_day)[0]
    end = local_day_bounds(month.last_day)[1]
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for elder_id, at_year, at_month, n in (
        WorkOrder.objects.filter(
            elder_id__in=ids, status=S.COMPLETED, checked_in_at__gte=start_prev, checked_in_at__lt=end
        )
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
            checked_in_at__lt=end,
        )
        .order_by()
        .values_list("elder_id")
        .annotate(n=Count("item_id", distinct=True))
    )
    providers: dict[int, list[str]] = defaultdict(list)
    for elder_id, name in ServiceAgreement.objects.filter(elder_id__in=ids, ends_on__isnull=True).values_list(
        "elder_id", "provider__name"
    ):
        providers[elder_id].append(name)
    in_difficulty = set(Elder.objects.filter(pk__in=ids, categories__isnull=False).values_list("pk", flat=True))
    report = FrequencyReport(month)
    for elder in elders:

        def minimum_on(m: Month, e=elder) -> int:
            return rules.minimum_visits(
                age=age_on(e.birth_date, m.last_day), in_difficulty=e.pk in in_difficulty, care_level=levels.get(e.pk)
            )

        minimum = minimum_on(month)
        if minimum == 0:
            continue
        done_prev = counts[(elder.pk, prev.year, prev.month)]
        done = counts[(elder.pk, month.year, month.month)]
        statuses = rules.month_compliance([minimum_on(prev), minimum], [done_prev, done])
        row = ElderFrequency(
            elder, providers[elder.pk], minimum, done, statuses[0], statuses[1].status, items.get(elder.pk, 0)
        )
        report.rows.append(row)
        below = row.status in ("pending", "missed")
        for name in row.providers:
            tally = report.by_provider.setdefault(name, [0, 0])
            tally[0] += 1
            tally[1] += below
        tally = report.by_community.setdefault(elder.community.name, [0, 0])
        tally[0] += 1
        tally[1] += below
    return report
