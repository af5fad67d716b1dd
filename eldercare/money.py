"""Money is CNY, Decimal all the way; rounding happens here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal

from djmoney.money import Money

CURRENCY = "CNY"
CENT = Decimal("0.01")


def round_cny(amount) -> Decimal:
    """Round to the fen, half up (the usual rule for public accounts)."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


def finite_cny(value) -> Decimal | None:
    """`value` rounded to the fen, or None when it is not a finite number (NaN, infinity, text)."""
    try:
        amount = round_cny(value)
    except (ArithmeticError, ValueError, TypeError):
        return None
    return amount if amount.is_finite() else None


def cny(amount) -> Money:
    if isinstance(amount, Money):
        amount = amount.amount
    return Money(round_cny(amount), CURRENCY)


ZERO = Money(Decimal("0.00"), CURRENCY)
