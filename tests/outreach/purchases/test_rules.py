"""The 3-day purchase cycle and the urgent same-day path, with dates."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from outreach.purchases import rules

D = datetime.date


def test_the_first_run_is_due_at_once():
    assert rules.next_run_on(None, D(2026, 3, 16)) == D(2026, 3, 16)


def test_the_next_run_is_three_days_after_the_last():
    assert rules.next_run_on(D(2026, 3, 13), D(2026, 3, 14)) == D(2026, 3, 16)
    assert rules.next_run_on(D(2026, 3, 13), D(2026, 3, 16)) == D(2026, 3, 16)
    assert not rules.run_is_due(D(2026, 3, 14), D(2026, 3, 16))
    assert rules.run_is_due(D(2026, 3, 13), D(2026, 3, 16))


def test_an_overdue_run_is_due_today_not_in_the_past():
    assert rules.next_run_on(D(2026, 3, 1), D(2026, 3, 16)) == D(2026, 3, 16)


def test_the_cycle_runs_across_month_and_leap_day():
    assert rules.next_run_on(D(2028, 2, 27), D(2028, 2, 28)) == D(2028, 3, 1)
    assert rules.next_run_on(D(2026, 2, 27), D(2026, 2, 28)) == D(2026, 3, 2)
    assert rules.next_run_on(D(2026, 12, 30), D(2026, 12, 31)) == D(2027, 1, 2)


def test_a_regular_run_takes_everything_when_the_cycle_is_due():
    assert rules.run_kind(last_run_on=D(2026, 3, 13), today=D(2026, 3, 16), waiting=4, urgent_waiting=1) == "regular"
    assert rules.run_kind(last_run_on=None, today=D(2026, 3, 16), waiting=2, urgent_waiting=0) == "regular"


def test_an_urgent_need_goes_the_same_day_before_the_cycle_is_due():
    # the last regular run was yesterday: the next is due on the 18th, the urgent need goes today
    assert rules.run_kind(last_run_on=D(2026, 3, 15), today=D(2026, 3, 16), waiting=3, urgent_waiting=1) == "urgent"


def test_nothing_to_run_before_the_cycle_without_urgent_needs():
    assert rules.run_kind(last_run_on=D(2026, 3, 15), today=D(2026, 3, 16), waiting=3, urgent_waiting=0) is None
    assert rules.run_kind(last_run_on=D(2026, 3, 13), today=D(2026, 3, 16), waiting=0, urgent_waiting=0) is None


def test_the_state_table():
    assert rules.may_move("requested", "in_run")
    assert rules.may_move("in_run", "cancelled")
    assert not rules.may_move("packed", "cancelled")
    assert not rules.may_move("requested", "delivered")
    assert not rules.may_move("paid", "cancelled")
    assert rules.TRANSITIONS["paid"] == frozenset()


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 1, 1)), st.integers(min_value=0, max_value=30))
def test_a_run_is_never_more_than_three_days_apart_nor_in_the_past(last, gap):
    today = last + datetime.timedelta(days=gap)
    due = rules.next_run_on(last, today)
    assert due >= today
    assert due == max(last + datetime.timedelta(days=rules.CYCLE_DAYS), today)
    assert rules.run_is_due(last, today) == (gap >= rules.CYCLE_DAYS)
