"""The carried-over balance and the yearly cap: 补贴账户中的余额可结转使用, and 个人全年结算金额不得超过
服务对象本人全年服务金额 (the subsidy pays at most what the account held on 1 January plus the
year's grants)."""

import datetime

import pytest
import time_machine

from eldercare.money import cny
from vouchers.models import Account
from vouchers.selectors import payment_preview
from vouchers.services import (
    account_for_elder,
    personal_deposit,
    redemption_create,
    redemption_reverse,
    subsidy_year_room,
)

from .factories import grant

pytestmark = pytest.mark.django_db

DEC_2026 = datetime.datetime(2026, 12, 1, 2, 0, tzinfo=datetime.UTC)
LATE_DEC_2026 = datetime.datetime(2026, 12, 28, 10, 0, tzinfo=datetime.UTC)
JAN_2027 = datetime.datetime(2027, 1, 20, 10, 0, tzinfo=datetime.UTC)
FEB_2027 = datetime.datetime(2027, 2, 20, 10, 0, tzinfo=datetime.UTC)


def redeem(elder, provider, amount, key, **kwargs):
    return redemption_create(
        elder=elder, amount=cny(amount), provider=provider, idempotency_key=key, reference=key, **kwargs
    )


def subsidy_of(elder):
    return account_for_elder(elder=elder, kind=Account.Kind.SUBSIDY)


def room(elder, year):
    return cny(subsidy_year_room(account=subsidy_of(elder), year=year))


def test_a_balance_carried_into_the_new_year_pays_a_january_visit(tree, elder_a1, provider):
    # Given 855 on the subsidy account at the end of 2026 and no grant yet for 2027
    with time_machine.travel(DEC_2026, tick=False):
        grant(elder_a1, "2026-12", "855.00", tree)
    with time_machine.travel(JAN_2027, tick=False):
        assert room(elder_a1, 2027) == cny(855)
        assert payment_preview(elder=elder_a1, amount=cny(80)).subsidy == cny(80)
        # When a visit of 80 is paid in January 2027
        result = redeem(elder_a1, provider, 80, "visit-jan")
    # Then the subsidy account pays all of it
    assert result.subsidy_paid == cny(80) and result.copay == cny(0)
    assert subsidy_of(elder_a1).balance == cny(775)
    assert room(elder_a1, 2027) == cny(775)


def test_a_year_pays_at_most_what_was_carried_in_and_granted(tree, elder_a1, provider):
    # Given 100 carried into 2027 and 200 granted for January 2027
    with time_machine.travel(DEC_2026, tick=False):
        grant(elder_a1, "2026-12", 100, tree)
    with time_machine.travel(JAN_2027, tick=False):
        grant(elder_a1, "2027-01", 200, tree)
        personal_deposit(elder=elder_a1, amount=cny(500), idempotency_key="deposit-1")
        assert room(elder_a1, 2027) == cny(300)
        # When visits of 180 and 120 are paid, the subsidy pays both in full
        first = redeem(elder_a1, provider, 180, "visit-180")
        second = redeem(elder_a1, provider, 120, "visit-120")
        assert (first.subsidy_paid, second.subsidy_paid) == (cny(180), cny(120))
        assert room(elder_a1, 2027) == cny(0)
        # Then the next visit is paid from the personal account
        third = redeem(elder_a1, provider, 60, "visit-60")
        assert third.subsidy_paid == cny(0) and third.personal_paid == cny(60)
        # A voided visit gives its room back within the year
        redemption_reverse(transaction=second.transaction, reason="作废单", idempotency_key="void-120")
        assert room(elder_a1, 2027) == cny(120)
        fourth = redeem(elder_a1, provider, 150, "visit-150")
        assert fourth.subsidy_paid == cny(120) and fourth.personal_paid == cny(30)
    # And February's grant opens the room again
    with time_machine.travel(FEB_2027, tick=False):
        grant(elder_a1, "2027-02", 200, tree)
        assert room(elder_a1, 2027) == cny(200)
        assert redeem(elder_a1, provider, 90, "visit-feb").subsidy_paid == cny(90)


def test_a_grant_dated_next_year_is_not_this_years_room(tree, elder_a1, provider):
    # Given 100 granted for December 2026 and 200 already credited for January 2027
    with time_machine.travel(DEC_2026, tick=False):
        grant(elder_a1, "2026-12", 100, tree)
    with time_machine.travel(LATE_DEC_2026, tick=False):
        grant(elder_a1, "2027-01", 200, tree)
        assert subsidy_of(elder_a1).balance == cny(300)
        # Then a visit paid in 2026 uses only 2026's subsidy; the rest is paid in cash
        assert room(elder_a1, 2026) == cny(100)
        result = redeem(elder_a1, provider, 160, "visit-dec")
        assert result.subsidy_paid == cny(100) and result.copay_cash == cny(60)
    # And 2027 starts with the January grant only (the December credit was spent)
    assert room(elder_a1, 2027) == cny(200)


def test_a_recovered_grant_is_not_carried_in(tree, elder_a1):
    # Given 150 granted for November and December 2026, and December's grant taken back in January
    with time_machine.travel(DEC_2026, tick=False):
        grant(elder_a1, "2026-11", 150, tree)
        december = grant(elder_a1, "2026-12", 150, tree)
    with time_machine.travel(JAN_2027, tick=False):
        redemption_reverse(transaction=december, reason="误发", idempotency_key="undo-dec")
        # Then the year 2027 starts with the 150 the account still holds
        assert subsidy_of(elder_a1).balance == cny(150)
        assert room(elder_a1, 2027) == cny(150)


def test_the_room_is_one_query(tree, elder_a1, django_assert_num_queries):
    with time_machine.travel(DEC_2026, tick=False):
        grant(elder_a1, "2026-12", 100, tree)
    account = subsidy_of(elder_a1)
    with django_assert_num_queries(1):
        subsidy_year_room(account=account, year=2027)
