import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eldercare.errors import ValidationFailed
from eldercare.idnumber import age_on, check_character, parse_resident_id
from eldercare.masking import mask_id_number, mask_phone

# A real-format number: Beijing Chaoyang 110105, born 1949-12-31, sequence 002, check X.
VALID_X = "11010519491231002X"


def test_valid_number_gives_birth_date_and_gender():
    rid = parse_resident_id(VALID_X)
    assert rid.birth_date == datetime.date(1949, 12, 31)
    assert rid.gender == "F"  # 17th digit 2 is even


def test_lowercase_x_is_accepted_and_normalised():
    assert parse_resident_id(VALID_X.lower()).number == VALID_X


def test_bad_checksum_is_refused():
    with pytest.raises(ValidationFailed, match="校验位"):
        parse_resident_id(VALID_X[:-1] + "1")


def test_impossible_birth_date_is_refused():
    first17 = "11010519490231002"  # 31 February
    with pytest.raises(ValidationFailed, match="出生日期"):
        parse_resident_id(first17 + check_character(first17))


def test_wrong_length_is_refused():
    with pytest.raises(ValidationFailed):
        parse_resident_id("1101051949123100")


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)), st.integers(0, 999))
def test_any_well_formed_number_round_trips(birth, seq):
    first17 = f"320321{birth:%Y%m%d}{seq:03d}"
    rid = parse_resident_id(first17 + check_character(first17))
    assert rid.birth_date == birth
    assert rid.gender == ("M" if seq % 2 else "F")


def test_age_turns_on_the_birthday():
    born = datetime.date(1966, 5, 10)
    assert age_on(born, datetime.date(2026, 5, 9)) == 59
    assert age_on(born, datetime.date(2026, 5, 10)) == 60


def test_leap_day_birthday_turns_over_on_first_of_march():
    born = datetime.date(1944, 2, 29)
    assert age_on(born, datetime.date(2024, 2, 28)) == 79
    assert age_on(born, datetime.date(2024, 2, 29)) == 80
    assert age_on(born, datetime.date(2025, 2, 28)) == 80
    assert age_on(born, datetime.date(2025, 3, 1)) == 81


def test_masking():
    assert mask_id_number("320321194501011234") == "320321********1234"
    assert mask_phone("13812345678") == "138****5678"
