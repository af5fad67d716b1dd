"""Reads of the settlement, scoped to who is looking (an object outside scope answers 404)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from eldercare.models import Division, Role, User
from eldercare.money import round_cny
from eldercare.periods import Month, Quarter
from eldercare.scoping import scope_for
from providers.models import Provider

from .compute import Line, MonthFigures
from .figures import months_read
from .models import (
    MonthLine,
    QuarterEvent,
    QuarterSettlement,
    RepaymentClaim,
    RepaymentDeduction,
    RepaymentReceipt,
    ServiceMonth,
    SettlementReport,
    TownConfirmation,
)

QUARTER_ROLES = (Role.FINANCE, Role.SUPERVISOR, Role.DISTRICT_REVIEWER, Role.SYSADMIN)
REPORT_ROLES = (Role.FINANCE, Role.SUPERVISOR, Role.SYSADMIN)
MONTH_ROLES = (*QUARTER_ROLES, Role.STREET_REVIEWER, Role.PROVIDER_ADMIN)
# Repayment claims against providers: the district's reviewers and finance, each their district.
CLAIM_ROLES = (Role.FINANCE, Role.DISTRICT_REVIEWER, Role.SYSADMIN)


def _sees(user: User, roles) -> bool:
    return user.is_superuser or user.has_role(*roles)


def months_for(*, user: User) -> QuerySet[ServiceMonth]:
    if not _sees(user, MONTH_ROLES):
        return ServiceMonth.objects.none()
    return ServiceMonth.objects.prefetch_related("confirmations__street").order_by("-month")


def _visible(user: User, provider_id: int, community_id: int) -> bool:
    scope = scope_for(user)
    if scope.all or _sees(user, QUARTER_ROLES):
        return True
    if user.has_role(Role.PROVIDER_ADMIN) and provider_id in scope.provider_ids:
        return True
    return user.has_role(Role.STREET_REVIEWER) and scope.covers_community(community_id)


def open_figures(months) -> dict:
    """The figures of months not locked, read from the stored figures (`figures.months_read`),
    one read per run of consecutive months: {first day: MonthFigures}."""
    out: dict = {}
    run: list[Month] = []
    for m in [*sorted(months), None]:
        if run and (m is None or m != run[-1].next()):
            out.update({f.month.first_day: f for f in months_read(run)})
            run = []
        if m is not None:
            run.append(m)
    return out


def months_lines(*, user: User, months: list[Month]) -> list[tuple[ServiceMonth | None, list]]:
    """Each month's lines the user may see: frozen rows once locked, the current figures before
    (the open months read together from the stored figures)."""
    if not _sees(user, MONTH_ROLES):
        raise Http404
    rows = {sm.month: sm for sm in ServiceMonth.objects.filter(month__in=[m.first_day for m in months])}
    locked = {d for d, sm in rows.items() if sm.status == ServiceMonth.Status.LOCKED}
    frozen: dict = defaultdict(list)
    if locked:
        for x in MonthLine.objects.filter(service_month__month__in=locked).select_related(
            "service_month", "provider", "community", "street"
        ):
            frozen[x.service_month.month].append(x)
    current = open_figures([m for m in months if m.first_day not in locked])
    out = []
    for m in months:
        lines: list = frozen[m.first_day] if m.first_day in locked else current[m.first_day].lines
        out.append((rows.get(m.first_day), [x for x in lines if _visible(user, x.provider_id, x.community_id)]))
    return out


def month_lines(*, user: User, month: Month) -> tuple[ServiceMonth | None, list]:
    """The month's lines the user may see: frozen rows once locked, the current figures before."""
    return months_lines(user=user, months=[month])[0]


def quarters_for(*, user: User) -> QuerySet[QuarterSettlement]:
    if not _sees(user, QUARTER_ROLES):
        return QuarterSettlement.objects.none()
    return QuarterSettlement.objects.select_related("prepared_by", "approved_by")


def quarter_get(*, user: User, quarter_first_day) -> QuarterSettlement:
    obj = quarters_for(user=user).filter(quarter=quarter_first_day).first()
    if obj is None:
        raise Http404
    return obj


def quarter_find(*, user: User, quarter: Quarter) -> QuarterSettlement | None:
    """The quarter's settlement, None when it is not prepared yet; 404 for a role that may not
    see quarters."""
    if not _sees(user, QUARTER_ROLES):
        raise Http404
    return quarters_for(user=user).filter(quarter=quarter.first_day).first()


def quarter_last_return(settlement: QuarterSettlement | None) -> QuarterEvent | None:
    """The latest sending back of the quarter (its reason, who, when), or None."""
    if settlement is None:
        return None
    return (
        settlement.events.filter(to_status=QuarterSettlement.Status.RETURNED)
        .select_related("by")
        .order_by("-created_at", "-id")
        .first()
    )


@dataclass
class MonthState:
    """Where a month stands in the towns' confirmations.

    `required`: the towns with activity in the month (each must confirm before it locks); a month
    without activity locks at the first town's confirmation. `missing`: required towns that have
    not confirmed yet (empty once locked)."""

    month: Month
    service_month: ServiceMonth | None
    ended: bool
    confirmed: list[TownConfirmation] = field(default_factory=list)
    required: list[Division] = field(default_factory=list)
    missing: list[Division] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        return self.service_month is not None and self.service_month.status == ServiceMonth.Status.LOCKED

    @property
    def label(self) -> str:
        return str(self.month)


def month_states(*, user: User, months: list[Month]) -> list[MonthState]:
    """Lock state and towns confirmed / still to confirm of each month (finance, supervisors,
    district, towns, providers: the roles that see month pages)."""
    if not _sees(user, MONTH_ROLES):
        raise Http404
    rows = {
        sm.month: sm
        for sm in ServiceMonth.objects.filter(month__in=[m.first_day for m in months]).prefetch_related(
            "confirmations__street", "confirmations__by"
        )
    }
    today = timezone.localdate()
    states = []
    streets = {d.pk: d for d in Division.objects.filter(level=Division.Level.STREET)}
    unlocked = [
        m for m in months if not (m.first_day in rows and rows[m.first_day].status == ServiceMonth.Status.LOCKED)
    ]
    figures: dict[object, MonthFigures] = open_figures(unlocked)
    for m in months:
        sm = rows.get(m.first_day)
        state = MonthState(month=m, service_month=sm, ended=m.next().first_day <= today)
        state.confirmed = list(sm.confirmations.all()) if sm else []
        if not state.locked:
            done = {c.street_id for c in state.confirmed}
            state.required = sorted(
                (streets[s] for s in figures[m.first_day].streets() if s in streets), key=lambda d: d.code
            )
            state.missing = [d for d in state.required if d.pk not in done]
        states.append(state)
    return states


def months_to_confirm(*, user: User) -> list[tuple[Month, Division]]:
    """Every ended month not locked yet that one of the user's towns must still confirm: the
    towns with activity in it, or any of the user's towns for a month without activity (the first
    confirmation locks it). Oldest first: months lock in order."""
    if not (user.is_superuser or user.has_role(Role.STREET_REVIEWER)):
        return []
    mine = list(Division.objects.filter(pk__in=scope_for(user).street_ids, level=Division.Level.STREET))
    if not mine:
        return []
    current = Month.of(timezone.localdate())
    candidates = {
        Month.of(d)
        for d in ServiceMonth.objects.filter(status=ServiceMonth.Status.OPEN, month__lt=current.first_day).values_list(
            "month", flat=True
        )
    }
    previous = current.previous()
    if not ServiceMonth.objects.filter(month=previous.first_day, status=ServiceMonth.Status.LOCKED).exists():
        candidates.add(previous)
    out: list[tuple[Month, Division]] = []
    for state in month_states(user=user, months=sorted(candidates)):
        done = {c.street_id for c in state.confirmed}
        required = {d.pk for d in state.required}
        for street in sorted(mine, key=lambda d: d.code):
            if street.pk not in done and (street.pk in required or not required):
                out.append((state.month, street))
    return out


@dataclass
class QuarterState:
    quarter: Quarter
    settlement: QuarterSettlement | None
    open_months: list[Month]

    @property
    def label(self) -> str:
        return str(self.quarter)


def quarters_to_settle(*, user: User) -> list[QuarterState]:
    """Quarters finance works on: the last closed quarter and every quarter with a locked month,
    not prepared yet or sent back, with their months still open; and every prepared quarter
    (approved ones are done). Oldest first."""
    if not _sees(user, (Role.FINANCE, Role.SYSADMIN)):
        return []
    locked = set(ServiceMonth.objects.filter(status=ServiceMonth.Status.LOCKED).values_list("month", flat=True))
    quarters = {Month.of(d).quarter for d in locked}
    quarters.add(Month.of(timezone.localdate()).quarter.months[0].previous().quarter)
    settlements = {s.quarter: s for s in quarters_for(user=user).exclude(status=QuarterSettlement.Status.APPROVED)}
    quarters |= {Month.of(d).quarter for d in settlements}
    done = set(
        quarters_for(user=user).filter(status=QuarterSettlement.Status.APPROVED).values_list("quarter", flat=True)
    )
    return [
        QuarterState(
            quarter=q,
            settlement=settlements.get(q.first_day),
            open_months=[m for m in q.months if m.first_day not in locked],
        )
        for q in sorted(quarters)
        if q.first_day not in done
    ]


def reports_for(*, user: User) -> QuerySet[SettlementReport]:
    if not _sees(user, REPORT_ROLES):
        return SettlementReport.objects.none()
    return SettlementReport.objects.all()


def report_get(*, user: User, pk: int) -> SettlementReport:
    obj = reports_for(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# --- repayment claims against providers ------------------------------------------------------

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _settled_sum(model) -> Coalesce:
    rows = model.objects.filter(claim=OuterRef("pk")).values("claim").annotate(s=Sum("amount")).values("s")
    return Coalesce(Subquery(rows, output_field=_MONEY), Value(Decimal("0")), output_field=_MONEY)


def claims_with_figures(qs: QuerySet[RepaymentClaim]) -> QuerySet[RepaymentClaim]:
    """Claims with what was deducted (`deducted`, in any quarterly settlement, approved or not
    yet) and received (`received`) annotated; `remaining` and `status` read them."""
    return qs.annotate(deducted=_settled_sum(RepaymentDeduction), received=_settled_sum(RepaymentReceipt))


def _claim_districts_q(user: User):
    scope = scope_for(user)
    if scope.all:
        return None
    return scope.district_ids


def claims_for(*, user: User) -> QuerySet[RepaymentClaim]:
    """The claims of the user's district (finance, district reviewers); none for other roles."""
    if not _sees(user, CLAIM_ROLES):
        return RepaymentClaim.objects.none()
    qs = RepaymentClaim.objects.select_related("provider", "district", "created_by")
    districts = _claim_districts_q(user)
    if districts is not None:
        qs = qs.filter(district_id__in=districts)
    return claims_with_figures(qs)


def claim_get(*, user: User, pk: int) -> RepaymentClaim:
    obj = claims_for(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def claims_open(*, user: User) -> list[RepaymentClaim]:
    """The user's claims with money still to recover, oldest first."""
    return [c for c in claims_for(user=user).order_by("created_at", "id") if c.remaining > 0]


def claim_providers(*, user: User) -> QuerySet[Provider]:
    """The providers a claim may be made against: those of the user's district."""
    if not _sees(user, CLAIM_ROLES):
        return Provider.objects.none()
    qs = Provider.objects.all()
    districts = _claim_districts_q(user)
    if districts is not None:
        qs = qs.filter(district_id__in=districts)
    return qs.order_by("name")


def claim_deductions(claim: RepaymentClaim) -> QuerySet[RepaymentDeduction]:
    return claim.deductions.select_related("settlement").order_by("settlement__quarter", "id")


def claim_receipts(claim: RepaymentClaim) -> QuerySet[RepaymentReceipt]:
    return claim.receipts.select_related("by").order_by("received_on", "id")


@dataclass
class ProviderPayable:
    """One provider in a quarterly settlement: its total, the repayments deducted, what is paid."""

    provider_id: int
    name: str
    total: Decimal
    deducted: Decimal
    deductions: list[RepaymentDeduction] = field(default_factory=list)

    @property
    def payable(self) -> Decimal:
        return self.total - self.deducted


@dataclass
class QuarterPayables:
    providers: list[ProviderPayable]
    total: Decimal
    deducted: Decimal

    @property
    def payable(self) -> Decimal:
        return self.total - self.deducted

    @property
    def deductions(self) -> list[RepaymentDeduction]:
        return [d for p in self.providers for d in p.deductions]


def quarter_payables(settlement: QuarterSettlement | None) -> QuarterPayables | None:
    """Per provider of a quarterly settlement: its total, the repayment claims deducted from it
    and the payable amount (total − deductions). The quarter is read through a scoped selector
    first; the figures are district-wide, as the quarter's."""
    if settlement is None:
        return None
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for provider_id, amount in settlement.lines.values_list("provider_id", "total"):
        totals[provider_id] += round_cny(amount or 0)
    by_provider: dict[int, list[RepaymentDeduction]] = defaultdict(list)
    for d in settlement.repayment_deductions.select_related("claim").order_by("claim__created_at", "claim_id"):
        by_provider[d.claim.provider_id].append(d)
    names = dict(Provider.objects.filter(pk__in=set(totals) | set(by_provider)).values_list("pk", "name"))
    rows = [
        ProviderPayable(
            provider_id=p,
            name=names.get(p, "—"),
            total=totals.get(p, Decimal("0")),
            deducted=sum((d.amount.amount for d in by_provider.get(p, [])), Decimal("0")),
            deductions=by_provider.get(p, []),
        )
        for p in sorted(set(totals) | set(by_provider), key=lambda k: names.get(k, ""))
    ]
    return QuarterPayables(
        providers=rows,
        total=sum((r.total for r in rows), Decimal("0")),
        deducted=sum((r.deducted for r in rows), Decimal("0")),
    )


__all__ = [
    "CLAIM_ROLES",
    "Line",
    "MonthState",
    "ProviderPayable",
    "QuarterPayables",
    "claim_deductions",
    "claim_get",
    "claim_providers",
    "claim_receipts",
    "claims_for",
    "claims_open",
    "claims_with_figures",
    "QuarterState",
    "month_lines",
    "months_lines",
    "open_figures",
    "month_states",
    "months_for",
    "months_to_confirm",
    "quarter_find",
    "quarter_get",
    "quarter_last_return",
    "quarter_payables",
    "quarters_for",
    "quarters_to_settle",
    "report_get",
    "reports_for",
]
