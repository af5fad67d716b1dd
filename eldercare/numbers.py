"""Figures that are not money: rates and ratios shown to one decimal (money rounds in `money.py`)."""

from decimal import ROUND_HALF_EVEN, Decimal

TENTH = Decimal("0.1")


def round_one_decimal(value) -> Decimal:
    """Round to one decimal, half to even (Decimal's own default, which these figures always used)."""
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_EVEN)


def percent_one_decimal(part, whole) -> Decimal:
    """`part` as a percentage of `whole`, to one decimal: 8 of 10 is 80.0, 2 of 3 is 66.7.

    `whole` must not be zero: what an empty denominator means (0 %, or an error) is the caller's
    decision, so each caller keeps its own guard.
    """
    return round_one_decimal(Decimal(part) * 100 / Decimal(whole))
