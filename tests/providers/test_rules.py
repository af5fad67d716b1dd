"""Pure rules with the policies' own figures."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers import rules


@pytest.mark.parametrize(
    ("age", "difficulty", "level", "expected"),
    [
        (80, False, None, 1),  # high-age: 1 a month
        (79, False, None, 0),  # the day before the 80th birthday: no minimum
        (70, True, "self_care", 1),
        (70, True, "semi_disabled", 2),
        (70, True, "disabled", 4),
        (70, True, None, 1),  # not yet assessed: counts as self-care
        (85, True, "disabled", 4),  # both: the higher minimum
        (85, True, "self_care", 1),
    ],
)
def test_minimum_visits(age, difficulty, level, expected):
    assert rules.minimum_visits(age=age, in_difficulty=difficulty, care_level=level) == expected


@given(
    st.integers(min_value=60, max_value=110),
    st.booleans(),
    st.sampled_from([None, "self_care", "semi_disabled", "disabled"]),
)
def test_minimum_never_below_high_age_floor(age, difficulty, level):
    m = rules.minimum_visits(age=age, in_difficulty=difficulty, care_level=level)
    assert 0 <= m <= 4
    if age >= 80 or difficulty:
        assert m >= 1


def test_one_hour_rule():
    assert rules.is_short_visit(59.99)
    assert not rules.is_short_visit(60)


@pytest.mark.parametrize(("total", "expected"), [(0, 0), (1, 1), (9, 1), (10, 1), (11, 2), (100, 10), (101, 11)])
def test_sample_at_least_ten_percent(total, expected):
    assert rules.sample_size(total) == expected


def test_community_five_percent():
    assert rules.sample_size(40, rules.COMMUNITY_CONTACT_RATE) == 2
    assert rules.sample_size(41, rules.COMMUNITY_CONTACT_RATE) == 3


def test_missed_month_made_up_next_month():
    # Disabled elder: 4 a month. January 3 visits, February 5: January's shortfall is made up.
    jan, feb = rules.month_compliance([4, 4], [3, 5])
    assert jan.status == "made_up" and feb.status == "ok"
    jan, feb = rules.month_compliance([4, 4], [3, 4])
    assert jan.status == "missed"
    (mar,) = rules.month_compliance([2], [1])
    assert mar.status == "pending"


def test_satisfaction_threshold():
    assert rules.satisfaction_rate(surveyed=50, satisfied=40) == Decimal("80.0")
    assert not rules.needs_rectification(Decimal("80.0"))
    assert rules.needs_rectification(rules.satisfaction_rate(surveyed=50, satisfied=39))
