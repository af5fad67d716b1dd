"""Rates and ratios to one decimal: satisfaction and callback percentages."""

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eldercare.numbers import percent_one_decimal, round_one_decimal


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (8, 10, "80.0"),  # the satisfaction threshold exactly
        (2, 3, "66.7"),
        (1, 3, "33.3"),
        (40, 50, "80.0"),
        (39, 50, "78.0"),
        (1, 10, "10.0"),  # the district's 10% sample
        (1, 20, "5.0"),  # the community's 5% a quarter
        (10, 10, "100.0"),  # providers call back 100%
        (0, 7, "0.0"),
    ],
)
def test_percent_one_decimal(part, whole, expected):
    result = percent_one_decimal(part, whole)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_a_tie_rounds_half_to_even_as_the_rates_always_did():
    assert percent_one_decimal(1, 16) == Decimal("6.2")  # 6.25
    assert percent_one_decimal(3, 16) == Decimal("18.8")  # 18.75
    assert round_one_decimal(Decimal("2.25")) == Decimal("2.2")
    assert round_one_decimal(Decimal(7) / 3) == Decimal("2.3")


def test_an_empty_denominator_is_the_callers_decision():
    with pytest.raises(decimal.DecimalException):
        percent_one_decimal(0, 0)
    with pytest.raises(decimal.DecimalException):
        percent_one_decimal(1, 0)


@given(st.integers(min_value=1, max_value=10**9).flatmap(lambda w: st.tuples(st.integers(0, w), st.just(w))))
def test_percent_is_within_a_twentieth_of_the_exact_rate(case):
    part, whole = case
    result = percent_one_decimal(part, whole)
    assert Decimal("0.0") <= result <= Decimal("100.0")
    assert result.as_tuple().exponent == -1
    assert abs(result - Decimal(part) * 100 / Decimal(whole)) <= Decimal("0.05")


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_percent_is_the_same_whichever_way_it_was_written(part, whole):
    # The survey's rate used to divide first and then multiply by 100; the result is the same.
    assert percent_one_decimal(part, whole) == (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1"))
