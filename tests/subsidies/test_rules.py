"""The figures the standards' rules know (the policies' rows are data): the 7 : 3 default split of
a grant between district and town, and the ages of eligibility."""

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from eldercare.money import round_cny
from eldercare.periods import Month
from subsidies.applications import rules as application_rules
from subsidies.standards.models import PolicyRow, PolicyVersion
from subsidies.standards.rules import (
    DEFAULT_DISTRICT_PERCENT,
    DEFAULT_TOWN_PERCENT,
    HIGH_AGE,
    MIN_AGE,
    PersonFacts,
    PolicySpec,
    RuleSpec,
    split,
)

amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
percents = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


def test_the_default_split_is_district_seven_town_three():
    assert (DEFAULT_DISTRICT_PERCENT, DEFAULT_TOWN_PERCENT) == (Decimal("70"), Decimal("30"))
    assert DEFAULT_DISTRICT_PERCENT + DEFAULT_TOWN_PERCENT == 100


def test_the_default_split_of_scheme_a_standards():
    def default_split(amount):
        return split(Decimal(amount), DEFAULT_DISTRICT_PERCENT, DEFAULT_TOWN_PERCENT)

    assert default_split("260") == (Decimal("182.00"), Decimal("78.00"))
    assert default_split("150") == (Decimal("105.00"), Decimal("45.00"))
    assert default_split("80") == (Decimal("56.00"), Decimal("24.00"))
    assert default_split("60") == (Decimal("42.00"), Decimal("18.00"))
    assert default_split("0.01") == (Decimal("0.01"), Decimal("0.00"))  # the district's share rounds half up


def test_a_new_policy_version_defaults_to_seven_to_three():
    spec = PolicySpec(version_id=None, first_month=Month(2026, 1))
    assert (spec.district_percent, spec.town_percent) == (DEFAULT_DISTRICT_PERCENT, DEFAULT_TOWN_PERCENT)
    fields = PolicyVersion._meta
    assert fields.get_field("district_percent").default == DEFAULT_DISTRICT_PERCENT
    assert fields.get_field("town_percent").default == DEFAULT_TOWN_PERCENT


@given(amounts)
def test_the_default_shares_add_up_to_the_grant(amount):
    district, town = split(amount, DEFAULT_DISTRICT_PERCENT, DEFAULT_TOWN_PERCENT)
    assert district + town == round_cny(amount)
    assert district == round_cny(amount * Decimal("0.7"))
    assert Decimal("0") <= town <= district


@given(amounts, percents, percents)
def test_any_split_adds_up_to_the_grant(amount, district_percent, town_percent):
    district, town = split(amount, district_percent, town_percent)
    assert district + town == round_cny(amount)


def test_the_ages_of_eligibility():
    assert (MIN_AGE, HIGH_AGE) == (60, 80)
    # Applications check the same age as the standards, written once.
    assert application_rules.MIN_AGE is MIN_AGE
    assert PolicyRow._meta.get_field("min_age").default == MIN_AGE
    assert RuleSpec(amount=Decimal("80"), label="x").min_age == MIN_AGE


def test_the_reason_names_an_age_only_above_the_age_of_eligibility():
    facts = PersonFacts(age=85, categories=frozenset({"tekun"}), care_level="self_care")
    assert RuleSpec(amount=Decimal("80"), label="x", categories_any=frozenset({"tekun"})).because(facts) == "特困"
    assert RuleSpec(amount=Decimal("60"), label="x", min_age=HIGH_AGE).because(facts) == "80岁以上"


def test_the_60th_birthday_is_the_first_eligible_day():
    birth = datetime.date(1966, 5, 20)
    facts = application_rules.EligibilityFacts(
        birth_date=birth,
        hukou_in_district=True,
        resident_since=datetime.date(2000, 1, 1),
        alive_and_present=True,
        disqualified=False,
        has_other_open_application=False,
        has_active_entitlement=False,
    )
    assert application_rules.eligibility_problems(facts, on=datetime.date(2026, 5, 20)) == []
    assert len(application_rules.eligibility_problems(facts, on=datetime.date(2026, 5, 19))) == 1
