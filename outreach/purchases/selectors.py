"""Reads of buy-on-behalf. Every page, API list and work-list panel goes through these.

Who sees what: community workers, street and district reviewers (and supervisors) see the orders
and runs of their part of the tree (`scope_for`); a household's responsible persons, volunteers
first of all, see the orders of the households in their care (`outreach.selectors`); a partner
supermarket's staff see the runs placed with their supermarket and the orders in them.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from eldercare.models import Division, Elder, Role, User
from eldercare.scoping import scope_for
from outreach import selectors as outreach_selectors

from . import rules
from .models import (
    Necessity,
    OrderStatus,
    PartnerSupermarket,
    PurchaseItem,
    PurchaseRequest,
    PurchaseRun,
    RunKind,
    SupermarketStaff,
)

OPEN = "open"  # a status filter: every state before paid, cancelled excepted


def supermarket_ids(user: User) -> list[int]:
    """The partner supermarkets whose staff the user is (with the supermarket staff role)."""
    if not user.is_authenticated or not user.has_role(Role.SUPERMARKET):
        return []
    return list(
        SupermarketStaff.objects.filter(user=user, supermarket__active=True).values_list("supermarket_id", flat=True)
    )


def _sees_everything(user: User) -> bool:
    return outreach_selectors.sees_whole_area(user) and scope_for(user).all


def _request_q(user: User) -> Q | None:
    """The orders the user may see (None: all of them)."""
    if _sees_everything(user):
        return None
    q = outreach_selectors.visible_q(user, "elder")
    shops = supermarket_ids(user)
    if shops:
        q |= Q(run__supermarket_id__in=shops)
    return q


def request_list(
    *, user: User, status: str = "", elder: Elder | None = None, community: int | None = None, mine: bool = False
) -> QuerySet[PurchaseRequest]:
    """The orders the user may see; `mine`: only those of the households in the user's care."""
    qs = PurchaseRequest.objects.select_related(
        "elder", "community", "run", "run__supermarket", "requested_by", "delivery", "payment"
    ).prefetch_related("items__necessity")
    q = _request_q(user)
    if q is not None:
        qs = qs.filter(q)
    if status == OPEN:
        qs = qs.filter(status__in=rules.OPEN_STATES)
    elif status in OrderStatus.values:
        qs = qs.filter(status=status)
    if status == OrderStatus.REQUESTED:
        # the order in which the community takes them: urgent first, then the longest waiting
        qs = qs.order_by("-urgent", "requested_at", "id")
    if elder is not None:
        qs = qs.filter(elder=elder)
    if community:
        qs = qs.filter(community_id=community)
    if mine:
        qs = qs.filter(elder_id__in=outreach_selectors.assigned_elder_ids(user))
    return qs


def request_get(*, user: User, pk: int) -> PurchaseRequest:
    """One order the user may see, or 404 (never 403)."""
    return get_object_or_404(request_list(user=user), pk=pk)


def my_households(*, user: User) -> QuerySet[Elder]:
    """The households in the user's care, each with the number of its orders still open."""
    return outreach_selectors.register_elders(user=user, status=outreach_selectors.MINE).annotate(
        open_orders=Count("purchase_requests", filter=Q(purchase_requests__status__in=rules.OPEN_STATES))
    )


def requestable_elders(*, user: User) -> QuerySet[Elder]:
    """The households of the register the user may see (aged 60 or more, living at home)."""
    return outreach_selectors.register_elders(user=user)


def requestable_elder_get(*, user: User, pk: int) -> Elder:
    """A household of the register the user may see, or 404."""
    return get_object_or_404(requestable_elders(user=user), pk=pk)


def _run_q(user: User) -> Q | None:
    """The runs the user may see (None: all of them)."""
    if _sees_everything(user):
        return None
    q = Q(pk__in=[])
    if outreach_selectors.sees_whole_area(user):
        q |= scope_for(user).communities_q("community")
    shops = supermarket_ids(user)
    if shops:
        q |= Q(supermarket_id__in=shops)
    return q


def run_list(*, user: User, open_only: bool | None = None, community: int | None = None) -> QuerySet[PurchaseRun]:
    """The runs of the user's area, or (supermarket staff) of the user's supermarket, with the
    number of households in each and how many are packed; not yet handed over first."""
    live = ~Q(requests__status=OrderStatus.CANCELLED)
    qs = (
        PurchaseRun.objects.select_related("community", "supermarket", "created_by", "handed_over_by")
        .annotate(
            households=Count("requests", filter=live),
            packed=Count("requests", filter=live & ~Q(requests__status=OrderStatus.IN_RUN)),
        )
        .order_by("-run_date", "-id")
    )
    q = _run_q(user)
    if q is not None:
        qs = qs.filter(q)
    if open_only is True:
        qs = qs.filter(handed_over_at__isnull=True)
    elif open_only is False:
        qs = qs.filter(handed_over_at__isnull=False)
    if community:
        qs = qs.filter(community_id=community)
    return qs


def run_get(*, user: User, pk: int) -> PurchaseRun:
    return get_object_or_404(run_list(user=user), pk=pk)


def run_requests(*, run: PurchaseRun) -> QuerySet[PurchaseRequest]:
    """The households' orders of a run (the caller got the run through `run_get`)."""
    return (
        PurchaseRequest.objects.filter(run=run)
        .select_related("elder", "community", "packed_by")
        .prefetch_related("items__necessity")
        .order_by("elder__name", "id")
    )


@dataclass
class ConsolidatedLine:
    label: str
    unit: str
    quantity: int
    households: int


def consolidated_order(*, run: PurchaseRun) -> list[ConsolidatedLine]:
    """The run's items summed across households (cancelled orders left out): what to pick."""
    rows = (
        PurchaseItem.objects.filter(request__run=run)
        .exclude(request__status=OrderStatus.CANCELLED)
        .values("necessity_id", "necessity__name", "necessity__unit", "necessity__position", "free_text")
        .annotate(quantity=Sum("quantity"), households=Count("request", distinct=True))
        .order_by(F("necessity__position").asc(nulls_last=True), "necessity__name", "free_text")
    )
    return [
        ConsolidatedLine(
            r["necessity__name"] or r["free_text"], r["necessity__unit"] or "", r["quantity"], r["households"]
        )
        for r in rows
    ]


def serving_supermarket(*, community: Division) -> PartnerSupermarket | None:
    """The partner supermarket that serves a community: one chosen for its street first, else one
    for its whole district."""
    street = community.parent
    if street is None or street.parent_id is None:
        return None
    district_id = street.parent_id
    candidates = (
        PartnerSupermarket.objects.filter(active=True, district_id=district_id)
        .annotate(
            for_street=Exists(
                PartnerSupermarket.streets.through.objects.filter(
                    partnersupermarket_id=OuterRef("pk"), division_id=street.pk
                )
            ),
            any_street=Exists(PartnerSupermarket.streets.through.objects.filter(partnersupermarket_id=OuterRef("pk"))),
        )
        .filter(Q(for_street=True) | Q(any_street=False))
        .order_by("-for_street", "name", "id")
    )
    return candidates.first()


def necessity_list(*, active_only: bool = True) -> QuerySet[Necessity]:
    qs = Necessity.objects.all()
    return qs.filter(active=True) if active_only else qs


def supermarket_list(*, user: User) -> QuerySet[PartnerSupermarket]:
    """The partner supermarkets of the user's districts (their staff: their own)."""
    qs = PartnerSupermarket.objects.select_related("district").prefetch_related("streets")
    if user.is_superuser or scope_for(user).all:
        return qs
    q = Q(pk__in=supermarket_ids(user))
    communities = set(scope_for(user).community_ids)
    communities |= set(
        Elder.objects.filter(pk__in=outreach_selectors.assigned_elder_ids(user)).values_list("community_id", flat=True)
    )
    if communities:
        q |= Q(district__children__children__pk__any_of=communities)
    return qs.filter(q).distinct()


def last_regular_run_on(*, community: Division) -> datetime.date | None:
    return PurchaseRun.objects.filter(community=community, kind=RunKind.REGULAR).aggregate(last=Max("run_date"))["last"]


@dataclass
class CommunityBoard:
    """A community's buy-on-behalf today: what waits, when the next run is due, what run now."""

    community: Division
    waiting: int
    urgent_waiting: int
    last_run_on: datetime.date | None
    next_run_on: datetime.date
    run_today: str | None  # rules.REGULAR, rules.URGENT or None


def community_boards(*, user: User, on: datetime.date | None = None) -> list[CommunityBoard]:
    """Per community of the user's area: two aggregate queries, whatever the number of communities."""
    if not outreach_selectors.sees_whole_area(user):
        return []
    on = on or timezone.localdate()
    scope = scope_for(user)
    communities = Division.objects.filter(level=Division.Level.COMMUNITY).order_by("code")
    if not scope.all:
        communities = communities.filter(pk__any_of=scope.community_ids)
    waiting = {
        r["community_id"]: r
        for r in PurchaseRequest.objects.filter(status=OrderStatus.REQUESTED)
        .filter(scope.communities_q())
        .values("community_id")
        .annotate(n=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))
        .order_by()
    }
    last_runs = dict(
        PurchaseRun.objects.filter(kind=RunKind.REGULAR)
        .filter(scope.communities_q())
        .values("community_id")
        .annotate(last=Max("run_date"))
        .order_by()
        .values_list("community_id", "last")
    )
    boards = []
    for c in communities:
        w = waiting.get(c.pk)
        last = last_runs.get(c.pk)
        n, urgent = (w["n"], w["urgent"]) if w else (0, 0)
        boards.append(
            CommunityBoard(
                community=c,
                waiting=n,
                urgent_waiting=urgent,
                last_run_on=last,
                next_run_on=rules.next_run_on(last, on),
                run_today=rules.run_kind(last_run_on=last, today=on, waiting=n, urgent_waiting=urgent),
            )
        )
    return boards
