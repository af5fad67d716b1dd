"""The risk rule, one case per flag, and the phone and age rules."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outreach.rules import (
    CARE_DISABLED,
    CARE_SELF,
    CARE_SEMI,
    HIGH,
    LOW,
    MEDIUM,
    Flags,
    born_on_or_before,
    is_valid_phone,
    risk_level,
)


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (Flags(), LOW),
        (Flags(solitary=True), HIGH),
        (Flags(care_need=CARE_DISABLED), HIGH),
        (Flags(dispersed_extreme_poverty=True), HIGH),
        (Flags(carers_absent=True, care_need=CARE_SEMI), HIGH),
        (Flags(carers_absent=True, chronic_medicine=True), HIGH),
        (Flags(carers_absent=True), MEDIUM),
        (Flags(care_need=CARE_SEMI), MEDIUM),
        (Flags(empty_nest=True), MEDIUM),
        (Flags(left_behind=True), MEDIUM),
        (Flags(chronic_medicine=True), MEDIUM),
        (Flags(empty_nest=True, left_behind=True, chronic_medicine=True, care_need=CARE_SEMI), MEDIUM),
    ],
    ids=repr,
)
def test_risk_level_per_flag(flags, expected):
    assert risk_level(flags) == expected


flag_sets = st.builds(
    Flags,
    solitary=st.booleans(),
    left_behind=st.booleans(),
    empty_nest=st.booleans(),
    care_need=st.sampled_from([CARE_SELF, CARE_SEMI, CARE_DISABLED]),
    dispersed_extreme_poverty=st.booleans(),
    carers_absent=st.booleans(),
    chronic_medicine=st.booleans(),
)


@given(flag_sets)
def test_a_flag_more_never_lowers_the_risk(flags):
    order = {LOW: 0, MEDIUM: 1, HIGH: 2}
    for name in (
        "solitary",
        "left_behind",
        "empty_nest",
        "dispersed_extreme_poverty",
        "carers_absent",
        "chronic_medicine",
    ):
        more = Flags(**{**flags.__dict__, name: True})
        assert order[risk_level(more)] >= order[risk_level(flags)]


@given(flag_sets)
def test_low_only_without_any_flag(flags):
    anything = (
        flags.solitary
        or flags.left_behind
        or flags.empty_nest
        or flags.care_need != CARE_SELF
        or flags.dispersed_extreme_poverty
        or flags.carers_absent
        or flags.chronic_medicine
    )
    assert (risk_level(flags) == LOW) == (not anything)


@pytest.mark.parametrize("phone", ["13812345678", "+86 138 1234 5678", "0514-86221234", "051486221234", "010 62751234"])
def test_valid_phones(phone):
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", ["", "12345", "12812345678", "1381234567", "138123456789", "abc", "8622123"])
def test_invalid_phones(phone):
    assert not is_valid_phone(phone)


def test_the_sixtieth_birthday_and_leap_days():
    assert born_on_or_before(60, datetime.date(2026, 3, 15)) == datetime.date(1966, 3, 15)
    assert born_on_or_before(61, datetime.date(2028, 2, 29)) == datetime.date(1967, 2, 28)
