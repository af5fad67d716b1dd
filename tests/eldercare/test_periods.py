import datetime

import pytest

from eldercare.errors import ValidationFailed
from eldercare.periods import Month, Quarter


def test_months_and_quarters_round_the_year():
    assert Month.parse("2026-12").next() == Month(2027, 1)
    assert Month(2024, 2).last_day == datetime.date(2024, 2, 29)
    assert Quarter.parse("2026q4").months == [Month(2026, 10), Month(2026, 11), Month(2026, 12)]
    assert Quarter(2026, 4).next() == Quarter(2027, 1)


@pytest.mark.parametrize("text", ["2026-13", "2026/12", "十二月"])
def test_a_bad_month_is_refused_in_the_users_language(text):
    with pytest.raises(ValidationFailed, match="月份请写作 2026-12"):
        Month.parse(text)


def test_a_bad_quarter_is_refused_in_the_users_language():
    with pytest.raises(ValidationFailed, match="2026Q4"):
        Quarter.parse("2026Q5")
