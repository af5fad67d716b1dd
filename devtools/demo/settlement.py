"""Demo data of the settlement, through the settlement's own services (figures are the ledger's).

- The last closed quarter: each of its three months confirmed by the towns (every town with
  activity; a month without activity locks at the first town's confirmation) and so locked, the
  quarter not prepared yet: finance prepares it and finance2 approves it (or sends it back) from
  the pages, or `manage.py settle_quarter <quarter>` prepares it.
- The current quarter: its ended months locked in order except the last one, left open with the
  first town's confirmation only, so the others' work lists show it (龙川街道 has confirmed,
  仙女镇 and 邵伯镇 wait); the current month open.
- One repayment claim (追缴退赔) of 240.00 against the provider paid most in the last closed
  quarter: preparing that quarter deducts it from the provider's payable total.
"""

from django.db.models import Sum
from djmoney.money import Money

from devtools.demo.core import DemoContext
from eldercare.models import Division, Role, User
from eldercare.periods import Month
from providers.models import Provider
from settlement.models import MonthLine, RepaymentClaim
from settlement.services import claim_create, month_confirm, service_month_get_or_open, streets_to_confirm


def _reviewers(ctx: DemoContext) -> dict[int, User]:
    """The demo's town reviewer of each street (every street has one)."""
    out: dict[int, User] = {}
    for user in ctx.users.values():
        for a in user.role_assignments.filter(role=Role.STREET_REVIEWER, division__isnull=False):
            out.setdefault(a.division_id, user)
    return {s.pk: out[s.pk] for s in ctx.streets}


def _confirm_all(month: Month, reviewers: dict[int, User], streets: list[Division]) -> None:
    required = streets_to_confirm(month=month)
    for street in streets:
        if street.pk in required:
            month_confirm(month=month, street=street, by=reviewers[street.pk], note="已核对本镇（街道）服务数据")
    if not required:
        # No activity: the first town's confirmation locks the month.
        month_confirm(month=month, street=streets[0], by=reviewers[streets[0].pk], note="本月无服务记录")


def last_closed_quarter(ctx: DemoContext):
    return Month.of(ctx.today).quarter.months[0].previous().quarter


def seed(ctx: DemoContext) -> None:
    current = Month.of(ctx.today)
    service_month_get_or_open(month=current)
    reviewers = _reviewers(ctx)
    ended = [m for m in current.quarter.months if m < current]
    for month in [*last_closed_quarter(ctx).months, *ended[:-1]]:
        _confirm_all(month, reviewers, ctx.streets)
    if ended:
        waiting = ended[-1]
        service_month_get_or_open(month=waiting)
        required = [s for s in ctx.streets if s.pk in streets_to_confirm(month=waiting)]
        if len(required) > 1:  # one town confirms, the others still must (the month stays open)
            month_confirm(
                month=waiting, street=required[0], by=reviewers[required[0].pk], note="已核对本镇（街道）服务数据"
            )
    _claim(ctx)


def _claim(ctx: DemoContext) -> None:
    months = [m.first_day for m in last_closed_quarter(ctx).months]
    top = (
        MonthLine.objects.filter(service_month__month__in=months)
        .values("provider")
        .annotate(t=Sum("total"))
        .order_by("-t", "provider")
        .first()
    )
    if top is None:
        return
    claim_create(
        provider=Provider.objects.get(pk=top["provider"]),
        amount=Money("240.00", "CNY"),
        ground=RepaymentClaim.Ground.FRAUD,
        reason="虚报服务工单4单",
        evidence="区民政局回访核查记录",
        by=ctx.users["district"],
    )
