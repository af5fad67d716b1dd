"""Pure rules with the policies' own figures."""

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers import rules
from providers.models import SatisfactionSurvey
from subsidies.standards import rules as standards_rules


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


def test_an_unknown_care_level_counts_as_self_care():
    assert (
        rules.minimum_visits(age=70, in_difficulty=True, care_level="unknown") == rules.DIFFICULTY_MINIMUM["self_care"]
    )


def test_high_age_is_the_standards_own():
    assert rules.HIGH_AGE is standards_rules.HIGH_AGE == 80
    assert rules.minimum_visits(age=rules.HIGH_AGE - 1, in_difficulty=False, care_level=None) == 0
    assert rules.minimum_visits(age=rules.HIGH_AGE, in_difficulty=False, care_level=None) == rules.HIGH_AGE_MINIMUM


@pytest.mark.parametrize(
    ("surveyed", "satisfied", "rate", "rectify"),
    [
        (10, 8, "80.0", False),  # 8 of 10: exactly the threshold, no rectification
        (3, 2, "66.7", True),
        (50, 39, "78.0", True),
        (7, 7, "100.0", False),
        (0, 0, "0", True),  # nobody surveyed counts as 0 (the survey table forbids it)
    ],
)
def test_satisfaction_rate_to_one_decimal(surveyed, satisfied, rate, rectify):
    result = rules.satisfaction_rate(surveyed=surveyed, satisfied=satisfied)
    assert result == Decimal(rate)
    assert rules.needs_rectification(result) is rectify


def test_the_survey_shows_the_rule_rate():
    assert SatisfactionSurvey(surveyed=3, satisfied=2).rate == Decimal("66.7")
    assert SatisfactionSurvey(surveyed=10, satisfied=8).rate == Decimal("80.0")


def test_a_survey_of_nobody_has_no_rate():
    # The table refuses such a survey; an unsaved one has no rate rather than 0.
    with pytest.raises(decimal.DecimalException):
        _ = SatisfactionSurvey(surveyed=0, satisfied=0).rate


@given(st.integers(min_value=1, max_value=100_000).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))
def test_the_survey_and_the_rule_agree(case):
    surveyed, satisfied = case
    rate = rules.satisfaction_rate(surveyed=surveyed, satisfied=satisfied)
    assert SatisfactionSurvey(surveyed=surveyed, satisfied=satisfied).rate == rate
    if satisfied * 100 >= 80 * surveyed:  # 80% or more exactly
        assert not rules.needs_rectification(rate)
    if satisfied * 2000 < 1599 * surveyed:  # below 79.95%, so below 80.0 once rounded
        assert rules.needs_rectification(rate)
