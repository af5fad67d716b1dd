"""Callbacks (provider 100%, district ≥10% daily sample) and the community's ≥5% quarterly contacts."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Division, Elder, Role, User
from eldercare.periods import Quarter, local_day_bounds
from eldercare.scoping import scope_for

from .. import rules
from ..models import Callback, CommunityContact, DistrictSample, WorkOrder
from ..selectors import order_list

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
        communities = communities.filter(pk__any_of=scope.community_ids)
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
