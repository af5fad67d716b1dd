"""The pure rules of active care calls, with plain values."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from outreach.calls import rules

DAY = datetime.date(2026, 3, 16)


def _ago(days: int) -> datetime.date:
    return DAY - datetime.timedelta(days=days)


def test_never_called_is_due():
    assert rules.call_due(on=DAY, interval_days=7, last_attempt_day=None, last_reached_day=None)


def test_weekly_after_a_call_that_reached_the_elder():
    assert not rules.call_due(on=DAY, interval_days=7, last_attempt_day=_ago(6), last_reached_day=_ago(6))
    assert rules.call_due(on=DAY, interval_days=7, last_attempt_day=_ago(7), last_reached_day=_ago(7))
    assert rules.call_due(on=DAY, interval_days=3, last_attempt_day=_ago(3), last_reached_day=_ago(3))


def test_an_unanswered_call_is_tried_again_the_next_day_not_the_same_day():
    assert rules.call_due(on=DAY, interval_days=7, last_attempt_day=_ago(1), last_reached_day=_ago(8))
    assert rules.call_due(on=DAY, interval_days=7, last_attempt_day=_ago(1), last_reached_day=None)
    assert not rules.call_due(on=DAY, interval_days=7, last_attempt_day=DAY, last_reached_day=None)


def test_a_pending_home_visit_takes_the_household_off_the_list():
    assert not rules.call_due(
        on=DAY, interval_days=7, last_attempt_day=_ago(1), last_reached_day=None, visit_pending=True
    )


@given(days=st.integers(min_value=1, max_value=60), interval=st.integers(min_value=1, max_value=30))
def test_reached_elders_are_due_exactly_once_the_interval_has_passed(days, interval):
    assert rules.call_due(on=DAY, interval_days=interval, last_attempt_day=_ago(days), last_reached_day=_ago(days)) == (
        days >= interval
    )


def test_two_calls_in_a_row_reaching_nobody_need_a_visit():
    U, W, F, H = rules.UNREACHABLE, rules.WRONG_NUMBER, rules.REACHED_FINE, rules.REACHED_NEEDS_HELP
    assert not rules.visit_needed([])
    assert not rules.visit_needed([U])
    assert rules.visit_needed([U, U])
    assert rules.visit_needed([W, U])
    assert not rules.visit_needed([U, F, U])
    assert not rules.visit_needed([H, U, U])
