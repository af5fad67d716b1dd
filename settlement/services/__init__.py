"""Writes of the settlement: towns confirm months, months lock, finance prepares and approves quarters.

Workflows:
- a month: OPEN → LOCKED, when the last town with activity confirms (`month_confirm`). Months
  lock in order. A locked month refuses every change (`MonthLocked`); the database triggers
  refuse too.
- a quarter: (none) → PREPARED (`quarter_prepare`, again while prepared to refresh) → APPROVED
  (`quarter_approve`, by another finance user, only when it reconciles with the ledger), or
  PREPARED → RETURNED (`quarter_send_back`, by the same reviewer as an approval: another finance
  user than the preparer, with a reason) → PREPARED again (by anyone in finance; the new preparer
  may not approve it). A RETURNED quarter cannot be approved before it is prepared again.
- a repayment claim against a provider (追缴退赔, `claim_create`): deducted from the provider's
  total in the quarterly settlements (`quarter_prepare`, oldest claim first, at most the
  provider's quarter total; the rest stays open for the next quarter) and paid back directly
  (`claim_receipt_record`). Deductions of a quarter not approved yet are recomputed each time it
  is prepared; approving the quarter makes them final and books them in the ledger.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Division, Role, User
from eldercare.money import cny, round_cny
from eldercare.periods import Month, Quarter
from eldercare.scoping import scope_for
from eldercare.tasks import enqueue_on_commit
from eldercare.workflow import Move, Workflow, transition_apply
from providers.models import Provider
from providers.services.access import is_admin
from subsidies.standards.models import Entitlement, Grant
from vouchers.services import provider_repayment_post
from vouchers.tasks import snapshot_balances

from ..compute import ledger_totals
from ..figures import figures_refresh, month_read
from ..models import (
    MonthLine,
    QuarterEvent,
    QuarterLine,
    QuarterNeed,
    QuarterSettlement,
    ServiceMonth,
    SettlementReport,
    TownConfirmation,
)
from ..selectors import REPORT_ROLES
from ..tasks import produce_report
from .notices import quarter_prepared_notify, quarter_returned_notify

# Repayment claims live in their own module; the settlement's callers import them from here.
from .repayments import CLAIM_CREATE_ROLES as CLAIM_CREATE_ROLES
from .repayments import claim_create as claim_create
from .repayments import claim_receipt_record as claim_receipt_record
from .repayments import deduct_repayments

FINANCE_ROLES = (Role.FINANCE, Role.SYSADMIN)


class MonthLocked(Conflict):
    code = "month_locked"


class QuarterApproved(Conflict):
    code = "quarter_approved"


class NotReconciled(Conflict):
    code = "not_reconciled"

    def __init__(self, message: str = "", differences: list | None = None):
        super().__init__(message)
        self.differences = differences or []


class SamePerson(NotAllowed):
    code = "four_eyes"


class QuarterReturned(Conflict):
    code = "quarter_returned"


def _require_finance(user: User) -> None:
    if not (is_admin(user) or user.has_role(Role.FINANCE)):
        raise NotAllowed(_("Only finance may settle funds."))


# The quarter's workflow: finance prepares (again, to refresh, while not approved); another
# finance user approves it or sends it back with a reason; a quarter sent back is prepared again
# before anything else. "" is a quarter not prepared yet. The four eyes (the reviewer is not the
# preparer) are checked by the services and by the database (`quarter_four_eyes`).
_FINANCE = frozenset({Role.FINANCE, Role.SYSADMIN})
_S = QuarterSettlement.Status
QUARTER_WORKFLOW = Workflow(
    [
        Move("", _S.PREPARED, _FINANCE),
        Move(_S.PREPARED, _S.PREPARED, _FINANCE),
        Move(_S.PREPARED, _S.APPROVED, _FINANCE),
        Move(_S.PREPARED, _S.RETURNED, _FINANCE, reason_required=True),
        Move(_S.RETURNED, _S.PREPARED, _FINANCE),
    ]
)


def _refused(settlement_status: str, quarter) -> Conflict:
    if settlement_status == _S.RETURNED:
        return QuarterReturned(_("The quarter %(q)s was sent back; it must be prepared again first.") % {"q": quarter})
    if settlement_status == _S.APPROVED:
        return QuarterApproved(_("The quarter %(q)s is approved and can no longer change.") % {"q": quarter})
    return Conflict(_("This change of status is not allowed."))


# --------------------------------------------------------------------------------------------
# Months


def service_month_get_or_open(*, month: Month) -> ServiceMonth:
    obj, _created = ServiceMonth.objects.get_or_create(month=month.first_day)
    return obj


def month_refuse_if_locked(*, month: Month) -> None:
    """The guard every change touching a month's settled figures calls first."""
    if ServiceMonth.objects.filter(month=month.first_day, status=ServiceMonth.Status.LOCKED).exists():
        raise MonthLocked(
            _("The month %(month)s is settled and locked; a correction goes into the next open month.")
            % {"month": month}
        )


def streets_to_confirm(*, month: Month) -> set[int]:
    """The towns with activity in the month (services, voids, adjustments): all must confirm."""
    return month_read(month).streets()


@transaction.atomic
def month_confirm(*, month: Month, street: Division, by: User, note: str = "") -> TownConfirmation:
    """The town's reviewer verified its part of the month and confirms it. The last town to
    confirm locks the month and freezes its figures."""
    if not (is_admin(by) or (by.has_role(Role.STREET_REVIEWER) and street.pk in scope_for(by).street_ids)):
        raise NotAllowed(_("Only the reviewer of this street office or town may confirm its figures."))
    service_month = ServiceMonth.objects.select_for_update().get_or_create(month=month.first_day)[0]
    service_month = ServiceMonth.objects.select_for_update().get(pk=service_month.pk)
    if service_month.status == ServiceMonth.Status.LOCKED:
        raise MonthLocked(_("The month %(month)s is already locked.") % {"month": month})
    if month.next().first_day > timezone.localdate():
        raise Conflict(_("A month can be confirmed only after it has ended."))
    if service_month.confirmations.filter(street=street).exists():
        raise Conflict(_("%(street)s has already confirmed %(month)s.") % {"street": street, "month": month})
    previous = ServiceMonth.objects.filter(month__lt=month.first_day)
    if (
        previous.exists()
        and not previous.filter(month=month.previous().first_day, status=ServiceMonth.Status.LOCKED).exists()
    ):
        raise Conflict(_("Months are settled in order: %(month)s must be locked first.") % {"month": month.previous()})
    # The month's figures stored through now (the entries' writers are held until this commits,
    # so nothing is booked in the month between its figures and its lock), then read.
    figures_refresh(months=[month], force=True)
    figures = month_read(month)
    mine = figures.for_street(street.pk)
    confirmation = TownConfirmation.objects.create(
        service_month=service_month,
        street=street,
        total=cny(sum((x.total for x in mine), Decimal("0"))),
        visits=sum(x.visits for x in mine),
        note=note,
        by=by,
    )
    confirmed = set(service_month.confirmations.values_list("street_id", flat=True))
    if figures.streets() <= confirmed:
        _lock(service_month, figures)
    return confirmation


def _lock(service_month: ServiceMonth, figures) -> None:
    MonthLine.objects.bulk_create(
        [
            MonthLine(
                service_month=service_month,
                kind=x.kind,
                provider_id=x.provider_id,
                community_id=x.community_id,
                street_id=x.street_id,
                visits=x.visits,
                minutes=x.minutes,
                voided_visits=x.voided_visits,
                reserved_visits=x.reserved_visits,
                short_visits=x.short_visits,
                total=cny(x.total),
                subsidy=cny(x.subsidy),
                personal=cny(x.personal),
                cash=cny(x.cash),
                voided_amount=cny(x.voided_amount),
                district_share=cny(x.district_share),
                town_share=cny(x.town_share),
                corrects_month=x.corrects_month,
                corrects_id=x.corrects_id,
                reversal_id=x.reversal_id,
                work_order_id=x.work_order_id,
            )
            for x in figures.lines
        ],
        batch_size=5000,
    )
    service_month.status = ServiceMonth.Status.LOCKED
    service_month.locked_at = timezone.now()
    service_month.save(update_fields=["status", "locked_at", "updated_at"])
    # The month's redemptions are final: the provider and funding accounts' balances are
    # snapshotted, so that their lists read a snapshot and little else.
    enqueue_on_commit(snapshot_balances)


# --------------------------------------------------------------------------------------------
# Quarters


@dataclass
class Difference:
    level: str  # "provider" or "town"
    key: int
    name: str
    settlement: Decimal
    ledger: Decimal

    @property
    def difference(self) -> Decimal:
        return self.settlement - self.ledger

    def as_dict(self) -> dict:
        return {
            "level": self.level,
            "id": self.key,
            "name": self.name,
            "settlement": f"{self.settlement:.2f}",
            "ledger": f"{self.ledger:.2f}",
            "difference": f"{self.difference:.2f}",
        }


def reconcile(*, quarter: Quarter) -> list[dict]:
    """Where the locked months' lines differ from the ledger, per provider and per town."""
    months = [m.first_day for m in quarter.months]
    lines = MonthLine.objects.filter(service_month__month__in=months)
    mine_p = {r["provider_id"]: r["t"] for r in lines.values("provider_id").annotate(t=Sum("total"))}
    mine_s = {r["street_id"]: r["t"] for r in lines.values("street_id").annotate(t=Sum("total"))}
    ledger = ledger_totals(quarter)
    names_p = dict(Provider.objects.values_list("pk", "name"))
    names_s = dict(Division.objects.filter(level=Division.Level.STREET).values_list("pk", "name"))
    out: list[Difference] = []
    for level, mine, theirs, names in (
        ("provider", mine_p, ledger.by_provider, names_p),
        ("town", mine_s, ledger.by_street, names_s),
    ):
        for key in sorted(set(mine) | set(theirs), key=lambda k: (k is None, k or 0)):
            a, b = round_cny(mine.get(key) or 0), round_cny(theirs.get(key) or 0)
            if a != b:
                out.append(Difference(level, key or 0, names.get(key, "—"), a, b))
    return [d.as_dict() for d in out]


def _quarter_lines(settlement: QuarterSettlement, quarter: Quarter) -> list[QuarterLine]:
    months = [m.first_day for m in quarter.months]
    rows = (
        MonthLine.objects.filter(service_month__month__in=months)
        .values("provider_id", "street_id", "service_month__month", "kind")
        .annotate(
            visits=Sum("visits"),
            total=Sum("total"),
            subsidy=Sum("subsidy"),
            personal=Sum("personal"),
            cash=Sum("cash"),
            district=Sum("district_share"),
            town=Sum("town_share"),
        )
    )
    acc: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(lambda: Decimal("0")))
    for r in rows:
        a = acc[(r["provider_id"], r["street_id"])]
        a["visits"] += r["visits"] or 0
        for k in ("total", "subsidy", "district", "town"):
            a[k] += round_cny(r[k] or 0)
        a["copay"] += round_cny(r["personal"] or 0) + round_cny(r["cash"] or 0)
        a[f"m{months.index(r['service_month__month']) + 1}"] += round_cny(r["total"] or 0)
        if r["kind"] == MonthLine.Kind.ADJUSTMENT:
            a["adjustments"] += round_cny(r["total"] or 0)
    return [
        QuarterLine(
            settlement=settlement,
            provider_id=p,
            street_id=s,
            visits=int(a["visits"]),
            total=cny(a["total"]),
            subsidy=cny(a["subsidy"]),
            copay=cny(a["copay"]),
            adjustments=cny(a["adjustments"]),
            district_share=cny(a["district"]),
            town_share=cny(a["town"]),
            month1=cny(a["m1"]),
            month2=cny(a["m2"]),
            month3=cny(a["m3"]),
        )
        for (p, s), a in sorted(acc.items())
    ]


def _needs(settlement: QuarterSettlement, quarter: Quarter) -> list[QuarterNeed]:
    """Next quarter's need: each elder with an active entitlement at its latest granted standard
    (amount and label of the last grant up to the end of this quarter), × 3 months, per community."""

    last = Grant.objects.filter(elder_id=OuterRef("elder_id"), month__lte=quarter.last_day).order_by("-month")
    rows = (
        Entitlement.objects.filter(status=Entitlement.Status.ACTIVE, elder__life_status="active")
        .annotate(
            g_amount=Subquery(last.values("amount")[:1]),
            g_label=Subquery(last.values("row__label")[:1]),
        )
        .filter(g_amount__isnull=False)
        .values("elder__community_id", "g_label", "g_amount")
    )
    acc: dict[tuple[int, str, Decimal], int] = defaultdict(int)
    for r in rows:
        acc[(r["elder__community_id"], r["g_label"] or "—", round_cny(r["g_amount"]))] += 1
    return [
        QuarterNeed(
            settlement=settlement,
            community_id=c,
            standard=label,
            monthly_amount=cny(amount),
            people=n,
            amount=cny(amount * n * 3),
        )
        for (c, label, amount), n in sorted(acc.items())
    ]


@transaction.atomic
def quarter_prepare(*, quarter: Quarter, by: User) -> QuarterSettlement:
    """Settle the quarter's funds from its locked months (again, while not approved, to refresh)."""
    _require_finance(by)
    open_months = [
        m
        for m in quarter.months
        if not ServiceMonth.objects.filter(month=m.first_day, status=ServiceMonth.Status.LOCKED).exists()
    ]
    if open_months:
        raise Conflict(
            _("These months are not locked yet (every town must confirm them): %(months)s")
            % {"months": ", ".join(str(m) for m in open_months)}
        )
    settlement = QuarterSettlement.objects.select_for_update().filter(quarter=quarter.first_day).first()
    now = timezone.now()
    if settlement is None:
        settlement = QuarterSettlement(quarter=quarter.first_day, prepared_by=by, prepared_at=now)
        from_status = ""
    else:
        from_status = settlement.status
    QUARTER_WORKFLOW.check(
        source=from_status,
        target=QuarterSettlement.Status.PREPARED,
        by=by,
        bypass=is_admin(by),
        refused=lambda: _refused(from_status, quarter),
    )
    if settlement.pk is not None:
        settlement.lines.all().delete()
        settlement.needs.all().delete()
        # Not approved yet: its repayment deductions are provisional, recomputed below.
        settlement.repayment_deductions.all().delete()
        settlement.prepared_by, settlement.prepared_at = by, now
    settlement.save()
    lines = QuarterLine.objects.bulk_create(_quarter_lines(settlement, quarter))
    needs = QuarterNeed.objects.bulk_create(_needs(settlement, quarter))
    deduct_repayments(settlement, lines)

    def total(attr: str, rows) -> Money:
        return cny(sum((getattr(x, attr).amount for x in rows), Decimal("0")))

    settlement.total = total("total", lines)
    settlement.subsidy = total("subsidy", lines)
    settlement.copay = total("copay", lines)
    settlement.adjustments = total("adjustments", lines)
    settlement.district_share = total("district_share", lines)
    settlement.town_share = total("town_share", lines)
    settlement.need_amount = total("amount", needs)
    settlement.need_people = sum(n.people for n in needs)
    settlement.differences = reconcile(quarter=quarter)
    settlement.status = QuarterSettlement.Status.PREPARED
    settlement.save()
    event = QuarterEvent.objects.create(
        settlement=settlement,
        from_status=from_status,
        to_status=settlement.status,
        note=_("%(n)d differences with the ledger") % {"n": len(settlement.differences)},
        by=by,
    )
    quarter_prepared_notify(settlement=settlement, event=event)
    return settlement


@transaction.atomic
def quarter_approve(*, settlement: QuarterSettlement, by: User, note: str = "") -> QuarterSettlement:
    """A second finance user approves; refused when the settlement does not match the ledger."""
    _require_finance(by)
    settlement = QuarterSettlement.objects.select_for_update().get(pk=settlement.pk)
    quarter = Month.of(settlement.quarter).quarter
    QUARTER_WORKFLOW.check(
        source=settlement.status,
        target=QuarterSettlement.Status.APPROVED,
        by=by,
        bypass=is_admin(by),
        refused=lambda: _refused(settlement.status, quarter),
    )
    if settlement.prepared_by_id == by.pk:
        raise SamePerson(_("The person who prepared the settlement cannot approve it; another finance user must."))
    differences = reconcile(quarter=quarter)
    if differences:
        raise NotReconciled(
            _("The settlement does not match the ledger in %(n)d places; it cannot be approved.")
            % {"n": len(differences)},
            differences=differences,
        )
    approved_at = timezone.now()
    transition_apply(
        settlement,
        to=QuarterSettlement.Status.APPROVED,
        fields={"approved_by": by, "approved_at": approved_at},
        update_fields=["status", "approved_by", "approved_at", "updated_at"],
        record=lambda from_status: QuarterEvent.objects.create(
            settlement=settlement,
            from_status=from_status,
            to_status=QuarterSettlement.Status.APPROVED,
            note=note,
            by=by,
        ),
    )
    # The deductions are final now: each is booked in the ledger on the day of the approval.
    day = timezone.localdate(approved_at)
    for d in settlement.repayment_deductions.select_related("claim__provider", "claim__district").order_by("pk"):
        provider_repayment_post(
            provider=d.claim.provider,
            district=d.claim.district,
            amount=d.amount,
            idempotency_key=f"repayment:deduction:{d.pk}",
            business_date=day,
            reference=f"repayment-claim:{d.claim_id}",
            memo=_("Repayment claim %(id)s deducted in the settlement of %(q)s") % {"id": d.claim_id, "q": quarter},
            by=by,
        )
    return settlement


@transaction.atomic
def quarter_send_back(*, settlement: QuarterSettlement, by: User, reason: str) -> QuarterSettlement:
    """The reviewer (another finance user than the preparer, as for an approval) sends the
    prepared quarter back with a reason; finance prepares it again before anyone approves it."""
    _require_finance(by)
    settlement = QuarterSettlement.objects.select_for_update().get(pk=settlement.pk)
    quarter = Month.of(settlement.quarter).quarter
    reason = reason.strip()
    QUARTER_WORKFLOW.check(
        source=settlement.status,
        target=QuarterSettlement.Status.RETURNED,
        by=by,
        reason=reason,
        bypass=is_admin(by),
        refused=lambda: _refused(settlement.status, quarter),
        reason_missing=lambda: ValidationFailed(_("Say why the quarter is sent back.")),
    )
    if settlement.prepared_by_id == by.pk:
        raise SamePerson(
            _("The person who prepared the settlement cannot send it back; to correct it, prepare it again.")
        )
    event = transition_apply(
        settlement,
        to=QuarterSettlement.Status.RETURNED,
        update_fields=["status", "updated_at"],
        record=lambda from_status: QuarterEvent.objects.create(
            settlement=settlement,
            from_status=from_status,
            to_status=QuarterSettlement.Status.RETURNED,
            note=reason,
            by=by,
        ),
    )
    quarter_returned_notify(settlement=settlement, event=event)
    return settlement


def months_of(quarter: Quarter) -> list[datetime.date]:
    return [m.first_day for m in quarter.months]


# --- report files -------------------------------------------------------------------------------


@transaction.atomic
def report_request(*, quarter: Quarter, kind: str, by: User) -> SettlementReport:
    """Ask for a report file; a Celery task produces it once the request is committed."""
    if not (by.is_superuser or by.has_role(*REPORT_ROLES)):
        raise NotAllowed(_("Only finance and supervisors may produce settlement reports."))
    if kind in (SettlementReport.Kind.SETTLEMENT_PDF, SettlementReport.Kind.SETTLEMENT_XLSX):
        if not QuarterSettlement.objects.filter(quarter=quarter.first_day).exists():
            raise Conflict(_("Settle the quarter before producing its report."))
    report = SettlementReport.objects.create(quarter=quarter.first_day, kind=kind, requested_by=by)
    enqueue_on_commit(produce_report, report.pk)  # a lost task is swept up later (tasks.sweep_reports)
    return report
