"""The pure rule of the daily check-in: missed iff no check-in today by the deadline (Shanghai)."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from outreach.checkins import rules

TEN = datetime.time(10, 0)


def _sh(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=rules.LOCAL_TZ)


def test_before_the_deadline_nothing_is_missed_after_it_no_check_in_is():
    assert not rules.checkin_missed(now=_sh(16, 9, 59), deadline=TEN, last_checkin_at=None)
    assert rules.checkin_missed(now=_sh(16, 10, 1), deadline=TEN, last_checkin_at=None)


def test_the_deadline_is_read_in_shanghai_whatever_the_clock_says():
    # 02:01 UTC is 10:01 in Shanghai; 01:59 UTC is 09:59.
    utc = datetime.UTC
    assert rules.checkin_missed(
        now=datetime.datetime(2026, 3, 16, 2, 1, tzinfo=utc), deadline=TEN, last_checkin_at=None
    )
    assert not rules.checkin_missed(
        now=datetime.datetime(2026, 3, 16, 1, 59, tzinfo=utc), deadline=TEN, last_checkin_at=None
    )


def test_a_check_in_today_counts_one_of_yesterday_does_not():
    assert not rules.checkin_missed(now=_sh(16, 11), deadline=TEN, last_checkin_at=_sh(16, 7, 30))
    assert rules.checkin_missed(now=_sh(16, 11), deadline=TEN, last_checkin_at=_sh(15, 9))


def test_another_deadline_hour():
    eight = datetime.time(8, 0)
    assert rules.checkin_missed(now=_sh(16, 8, 1), deadline=eight, last_checkin_at=None)
    assert not rules.checkin_missed(now=_sh(16, 7, 59), deadline=eight, last_checkin_at=None)


def test_parse_deadline():
    assert rules.parse_deadline("10:00") == TEN
    assert rules.parse_deadline(" 9:30") == datetime.time(9, 30)


@given(minutes=st.integers(min_value=0, max_value=24 * 60 - 1))
def test_without_a_check_in_missed_exactly_from_the_deadline(minutes):
    now = _sh(16, 0) + datetime.timedelta(minutes=minutes)
    assert rules.checkin_missed(now=now, deadline=TEN, last_checkin_at=None) == (minutes >= 600)
