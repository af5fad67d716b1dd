"""Quality supervision: callbacks (provider 100%, district ≥10% sample, community ≥5% a quarter),
visit frequency against the minimums, quarterly satisfaction and rectifications."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.idnumber import age_on
from eldercare.models import Division, Elder, Role, User
from eldercare.periods import Month, Quarter, local_day_bounds
from eldercare.scoping import scope_for
from eldercare.selectors import elder_list
from eldercare.workdays import add_workdays
from subsidies.standards.models import Assessment

from . import rules
from .models import (
    Callback,
    CommunityContact,
    DistrictSample,
    Provider,
    Rectification,
    SatisfactionSurvey,
    ServiceAgreement,
    WorkOrder,
)
from .selectors import order_list

S = WorkOrder.Status
# Orders that were actually visited that day: these are called back.
VISITED = (S.COMPLETED, S.SHORT, S.VOIDED)


# --- callbacks ------------------------------------------------------------------------------


@transaction.atomic
def callback_record(*, order: WorkOrder, source: str, result: str, note: str = "", by: User) -> Callback:
    scope = scope_for(by)
    if source == Callback.Source.PROVIDER:
        allowed = scope.all or (by.has_role(Role.PROVIDER_ADMIN) and order.provider_id in scope.provider_ids)
    else:
        allowed = scope.all or by.has_role(Role.DISTRICT_REVIEWER)
    if not allowed:
        raise NotAllowed(_("You may not record this callback."))
    if order.status not in VISITED:
        raise Conflict(_("Only visits that took place are called back."))
    try:
        with transaction.atomic():
            return Callback.objects.create(order=order, source=source, result=result, note=note, by=by)
    except IntegrityError as exc:
        raise Conflict(_("This callback was already recorded.")) from exc


def day_orders(day: datetime.date):
    start, end = local_day_bounds(day)
    return WorkOrder.objects.filter(scheduled_at__gte=start, scheduled_at__lt=end, status__in=VISITED)


def stratified_sample(ids_by_provider: dict[int, list[int]], rng: random.Random) -> list[int]:
    """At least 10% of each provider's orders (rounded up), so every provider is checked each day."""
    chosen: list[int] = []
    for provider_id in sorted(ids_by_provider):
        ids = sorted(ids_by_provider[provider_id])
        chosen.extend(rng.sample(ids, rules.sample_size(len(ids))))
    return sorted(chosen)


def district_sample_draw(*, day: datetime.date, seed: int | None = None) -> DistrictSample:
    """Draw the district's callback sample of `day` once; drawing again returns the same sample."""
    existing = DistrictSample.objects.filter(day=day).first()
    if existing is not None:
        return existing
    by_provider: dict[int, list[int]] = defaultdict(list)
    for pk, provider_id in day_orders(day).values_list("pk", "provider_id"):
        by_provider[provider_id].append(pk)
    rng = random.Random(seed) if seed is not None else random.SystemRandom()
    chosen = stratified_sample(by_provider, rng)
    try:
        with transaction.atomic():
            sample = DistrictSample.objects.create(day=day, total=sum(len(v) for v in by_provider.values()))
            sample.orders.through.objects.bulk_create(
                [sample.orders.through(districtsample_id=sample.pk, workorder_id=pk) for pk in chosen]
            )
    except IntegrityError:  # drawn concurrently by another worker: keep theirs
        return DistrictSample.objects.get(day=day)
    return sample


def provider_callbacks_due(*, user: User, until: datetime.date):
    """Visited orders up to `until` without the provider's callback (providers call back 100%)."""

    return (
        order_list(user=user)
        .filter(status__in=VISITED, scheduled_at__lt=local_day_bounds(until)[1])
        .exclude(callbacks__source=Callback.Source.PROVIDER)
    )


def district_callbacks_due(*, user: User):
    return (
        order_list(user=user).filter(district_samples__isnull=False).exclude(callbacks__source=Callback.Source.DISTRICT)
    )


# --- community quarterly contacts -----------------------------------------------------------


def subsidised_elders():
    return Elder.objects.filter(entitlements__status="active").distinct()


@transaction.atomic
def community_contact_record(
    *,
    elder: Elder,
    kind: str,
    contacted_on: datetime.date,
    result: str,
    by: User,
    note: str = "",
    agreement_checked: bool = False,
    records_checked: bool = False,
) -> CommunityContact:
    scope = scope_for(by)
    if not (scope.all or (by.has_role(Role.COMMUNITY_WORKER) and scope.covers_community(elder.community_id))):
        raise NotAllowed(_("You may not record callbacks for this elder."))
    if contacted_on > timezone.localdate():
        raise ValidationFailed(_("The date cannot be in the future."))
    return CommunityContact.objects.create(
        elder=elder,
        kind=kind,
        contacted_on=contacted_on,
        result=result,
        note=note,
        by=by,
        agreement_checked=agreement_checked,
        records_checked=records_checked,
    )


@dataclass
class CommunityQuota:
    community: Division
    subsidised: int
    required: int
    done: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.done)


def community_contact_quota(*, user: User, quarter: Quarter) -> list[CommunityQuota]:
    """Per community in scope: subsidised persons, the 5% to contact this quarter, those contacted."""
    scope = scope_for(user)
    communities = Division.objects.filter(level=Division.Level.COMMUNITY)
    if not scope.all:
        communities = communities.filter(pk__in=scope.community_ids)
    counts = dict(
        Elder.objects.filter(entitlements__status="active", community__in=communities)
        .order_by()
        .values_list("community_id")
        .annotate(n=Count("pk", distinct=True))
    )
    done = dict(
        CommunityContact.objects.filter(
            elder__community__in=communities,
            contacted_on__gte=quarter.first_day,
            contacted_on__lte=quarter.last_day,
            elder__entitlements__status="active",
        )
        .order_by()
        .values_list("elder__community_id")
        .annotate(n=Count("elder_id", distinct=True))
    )
    return [
        CommunityQuota(
            c,
            counts.get(c.pk, 0),
            rules.sample_size(counts.get(c.pk, 0), rules.COMMUNITY_CONTACT_RATE),
            done.get(c.pk, 0),
        )
        for c in communities
    ]


# --- satisfaction and rectification ---------------------------------------------------------


@transaction.atomic
def survey_record(
    *, provider: Provider, street: Division, quarter: Quarter, surveyed: int, satisfied: int, by: User
) -> SatisfactionSurvey:
    """A town's quarterly survey; below 80% satisfied opens a rectification with a deadline."""
    scope = scope_for(by)
    if not (scope.all or (by.has_role(Role.STREET_REVIEWER) and street.pk in scope.street_ids)):
        raise NotAllowed(_("Only the street office or town may record its satisfaction survey."))
    if surveyed <= 0 or not 0 <= satisfied <= surveyed:
        raise ValidationFailed(_("The numbers surveyed and satisfied do not add up."))
    survey = SatisfactionSurvey.objects.create(
        provider=provider, street=street, quarter=quarter.first_day, surveyed=surveyed, satisfied=satisfied, by=by
    )
    if rules.needs_rectification(rules.satisfaction_rate(surveyed=surveyed, satisfied=satisfied)):
        Rectification.objects.create(
            provider=provider, survey=survey, deadline=add_workdays(timezone.localdate(), rules.RECTIFICATION_WORKDAYS)
        )
    return survey


@transaction.atomic
def rectification_resolve(*, rectification: Rectification, resolution: str, by: User) -> Rectification:
    scope = scope_for(by)
    if not (scope.all or by.has_role(Role.DISTRICT_REVIEWER) or rectification.survey.street_id in scope.street_ids):
        raise NotAllowed(_("You may not close this rectification."))
    if rectification.status != Rectification.Status.OPEN:
        raise Conflict(_("This rectification is already resolved."))
    rectification.status = Rectification.Status.RESOLVED
    rectification.resolution = resolution
    rectification.resolved_at = timezone.now()
    rectification.save()
    return rectification


def rectification_list(*, user: User):
    scope = scope_for(user)
    qs = Rectification.objects.select_related("provider", "survey", "survey__street")
    if scope.all or user.has_role(Role.DISTRICT_REVIEWER, Role.SUPERVISOR):
        return qs
    return qs.filter(Q(survey__street_id__in=scope.street_ids) | Q(provider_id__in=scope.provider_ids))


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
