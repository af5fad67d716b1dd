"""Check-out redeems through the voucher ledger; a void reverses it and orders the visit again."""

import datetime

import pytest

from providers.models import WorkOrder
from providers.services import order_void, visit_check_in, visit_check_out
from tests.vouchers.factories import grant
from vouchers.models import Account, LedgerTransaction
from vouchers.services import account_for_elder

from .factories import elder_code, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


def balance(elder, kind=Account.Kind.SUBSIDY):
    return account_for_elder(elder=elder, kind=kind).balance.amount


def hour_visit(world, clock, order, request_id=""):
    visit_check_in(order=order, code=world.token, by=world.caregiver.user)
    clock.shift(datetime.timedelta(hours=1))
    return visit_check_out(
        order=order,
        code=world.code,
        by=world.caregiver.user,
        request_id=request_id,
        notes="打扫卧室",
        elder_code=elder_code(order.elder),
    )


def test_hour_visit_is_redeemed_subsidy_first(world, clock, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    order = hour_visit(world, clock, make_order(world))
    assert order.status == S.COMPLETED and order.notes == "打扫卧室"
    assert order.redemption.idempotency_key == f"workorder:{order.pk}:redeem"
    assert balance(world.elder) == 30  # 80 − 50


def test_copay_when_subsidy_is_not_enough(world, clock, tree):
    grant(world.elder, "2026-03", "30.00", tree)
    order = hour_visit(world, clock, make_order(world))
    assert order.status == S.COMPLETED
    assert balance(world.elder) == 0
    ext = account_for_elder(elder=world.elder, kind=Account.Kind.EXTERNAL).current_balance.amount
    assert ext == -20  # the elder paid 20 at the door


def test_replayed_check_out_redeems_once(world, clock, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    order = hour_visit(world, clock, make_order(world), request_id="r-out-1")
    clock.shift(datetime.timedelta(minutes=1))
    again = visit_check_out(order=order, code=world.code, by=world.caregiver.user, request_id="r-out-1")
    assert again.status == S.COMPLETED
    assert LedgerTransaction.objects.filter(kind="redemption").count() == 1
    assert balance(world.elder) == 30


def test_void_reverses_the_redemption_and_orders_reservice(world, clock, tree, users):
    grant(world.elder, "2026-03", "80.00", tree)
    order = hour_visit(world, clock, make_order(world))
    voided = order_void(order=order, reason="回访：未按标准打扫", by=users["district"])
    assert voided.status == S.VOIDED and voided.reversal.reverses_id == order.redemption_id
    assert balance(world.elder) == 80
    assert Account.objects.get(provider=world.provider).current_balance.amount == 0
    again = voided.reservices.get()
    assert again.status == S.ASSIGNED and again.price == order.price


def test_provider_may_void_after_its_callback(world, clock, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    order = hour_visit(world, clock, make_order(world))
    order_void(order=order, reason="服务商回访：老人不满意", by=world.admin)
    assert balance(world.elder) == 80
    with pytest.raises(Exception, match="已作废|already voided"):
        order_void(order=order, reason="again", by=world.admin)
