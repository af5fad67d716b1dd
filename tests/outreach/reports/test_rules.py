"""The 16:00 cut-off on the Asia/Shanghai clock, whatever zone a time is written in."""

import datetime
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.reports import rules

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 16)
FOUR_PM = rules.parse_cutoff("16:00")


def shanghai(hour: int, minute: int, second: int = 0, day: datetime.date = DAY) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def test_the_cutoff_is_parsed_from_the_setting():
    assert rules.parse_cutoff("16:00") == datetime.time(16, 0)
    assert rules.parse_cutoff(" 9:30 ") == datetime.time(9, 30)
    for bad in ("", "16", "24:00", "16:60", "4pm"):
        with pytest.raises(ValueError):
            rules.parse_cutoff(bad)


def test_reported_at_1559_is_on_time_and_at_1601_late():
    assert rules.is_on_time(shanghai(15, 59), DAY, FOUR_PM)
    assert rules.is_on_time(shanghai(16, 0, 0), DAY, FOUR_PM)
    assert not rules.is_on_time(shanghai(16, 0, 1), DAY, FOUR_PM)
    assert not rules.is_on_time(shanghai(16, 1), DAY, FOUR_PM)


def test_the_cutoff_is_on_the_shanghai_clock_not_utc():
    # 07:59 UTC is 15:59 in Shanghai; 08:01 UTC is 16:01.
    assert rules.is_on_time(datetime.datetime(2026, 3, 16, 7, 59, tzinfo=datetime.UTC), DAY, FOUR_PM)
    assert not rules.is_on_time(datetime.datetime(2026, 3, 16, 8, 1, tzinfo=datetime.UTC), DAY, FOUR_PM)
    # 15:59 by a UTC clock is already 23:59 in Shanghai: late.
    assert not rules.is_on_time(datetime.datetime(2026, 3, 16, 15, 59, tzinfo=datetime.UTC), DAY, FOUR_PM)


def test_a_report_of_yesterday_sent_this_morning_is_late():
    assert not rules.is_on_time(shanghai(8, 0), DAY - datetime.timedelta(days=1), FOUR_PM)


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        rules.is_on_time(datetime.datetime(2026, 3, 16, 15, 59), DAY, FOUR_PM)  # noqa: DTZ001


def test_unit_status_before_and_after_the_cutoff():
    before, after = shanghai(15, 30), shanghai(16, 1)
    assert rules.unit_status(None, DAY, FOUR_PM, before) == rules.STATUS_PENDING
    assert rules.unit_status(None, DAY, FOUR_PM, after) == rules.STATUS_MISSING
    assert rules.unit_status(shanghai(15, 59), DAY, FOUR_PM, after) == rules.STATUS_ON_TIME
    assert rules.unit_status(shanghai(16, 1), DAY, FOUR_PM, after) == rules.STATUS_LATE
    assert rules.reminder_at(DAY, FOUR_PM) == shanghai(15, 30)


@given(seconds=st.integers(min_value=-86_400, max_value=86_400))
def test_on_time_iff_not_after_the_cutoff(seconds):
    submitted = shanghai(16, 0) + datetime.timedelta(seconds=seconds)
    assert rules.is_on_time(submitted, DAY, FOUR_PM) is (seconds <= 0)
    assert rules.is_on_time(submitted.astimezone(datetime.UTC), DAY, FOUR_PM) is (seconds <= 0)
