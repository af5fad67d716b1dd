"""A visit of a locked month paid late (a correction approved after the month locked) is settled
in the next open month as an adjustment naming it; the month it was served keeps its locked
figures, and the quarter still reconciles with the ledger."""

import datetime

import pytest
import time_machine
from djmoney.money import Money

from eldercare.periods import Quarter
from providers.models import WorkOrder
from settlement.models import MonthLine
from settlement.services import month_confirm, quarter_prepare
from tests.providers.factories import make_caregiver, make_item
from vouchers.services import redemption_create

from .scenario import DEC, NOV, at, build

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)


def _total(month) -> Money:
    lines = MonthLine.objects.filter(service_month__month=month.first_day)
    return Money(sum((x.total.amount for x in lines), 0), "CNY")


def test_a_november_visit_paid_in_december_is_a_december_adjustment(tree):
    q = build(tree, lock_december=False)
    november_before = _total(NOV)
    item = make_item(q.p2, price="40.00", name="助餐：送餐上门")
    served_at = at(2026, 11, 28, 9)
    order = WorkOrder.objects.create(
        elder=q.e1,
        provider=q.p2,
        item=item,
        price=item.price,
        scheduled_at=served_at,
        booked_via=WorkOrder.BookedVia.PROVIDER,
        booked_by=q.provider2_admin,
        caregiver=make_caregiver(q.p2, name="吴护工"),
        status=WorkOrder.Status.COMPLETED,
        checked_in_at=served_at,
        checked_out_at=served_at + datetime.timedelta(minutes=75),
    )
    # Approved on 15 December, after November locked on 2 December.
    with time_machine.travel(at(2026, 12, 15), tick=False):
        paid = redemption_create(
            elder=q.e1,
            amount=item.price,
            provider=q.p2,
            idempotency_key=f"workorder:{order.pk}:redeem",
            reference=f"workorder:{order.pk}",
            served_on=datetime.date(2026, 11, 28),
        )
    WorkOrder.objects.filter(pk=order.pk).update(redemption=paid.transaction)
    assert (paid.transaction.month, paid.transaction.business_date) == (NOV.first_day, datetime.date(2026, 11, 28))

    with time_machine.travel(at(2027, 1, 4), tick=False):
        month_confirm(month=DEC, street=tree.street_a, by=q.street_a_user)
        month_confirm(month=DEC, street=tree.street_b, by=q.street_b_user)
    assert _total(NOV) == november_before  # locked figures never move
    (late,) = MonthLine.objects.filter(
        service_month__month=DEC.first_day, kind=MonthLine.Kind.ADJUSTMENT, provider=q.p2
    )
    assert (late.visits, late.minutes, late.total) == (1, 75, Money("40.00", "CNY"))
    assert (late.corrects_month, late.corrects_id, late.reversal_id) == (NOV.first_day, paid.transaction.pk, None)
    assert (late.district_share, late.town_share) == (Money("28.00", "CNY"), Money("12.00", "CNY"))

    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_prepare(quarter=Q4, by=q.finance)
    assert s.differences == []
    assert s.total == Money("390.00", "CNY")  # the scenario's 350.00 + the late 40.00
    assert s.adjustments == Money("-10.00", "CNY")  # −50.00 (late void) + 40.00 (late visit)
