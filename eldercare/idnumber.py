"""The 18-digit resident identity number (GB 11643): checksum, birth date and gender."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from .errors import ValidationFailed


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: datetime.date
    gender: str  # "M" or "F"

    @property
    def region_code(self) -> str:
        return self.number[:6]


def parse_resident_id(raw: str) -> ResidentId:
    """Validate and normalise an ID number; a lowercase check character x is accepted as X.

    Checks length, digits, a real birth date not in the future, and the ISO 7064 MOD 11-2 check
    character. The region code is not checked against the year of birth (python-stdnum does):
    elders' numbers carry the code of the county when the card was issued, decades after birth.
    """
    number = ric.compact(raw or "")
    if len(number) != 18:
        raise ValidationFailed(_("The ID number must have 18 characters."))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationFailed(_("The ID number may only hold digits and a final X."))
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationFailed(_("The ID number contains an impossible birth date.")) from exc
    if birth > timezone.localdate() or birth.year < 1880:
        raise ValidationFailed(_("The ID number contains an impossible birth date."))
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationFailed(_("The ID number's check character is wrong."))
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=birth, gender=gender)


def check_character(first17: str) -> str:
    """The check character for 17 digits (stdnum's helper expects a placeholder 18th)."""
    return ric.calc_check_digit(first17 + "0")


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years on `day`; a 29 February birthday turns over on 1 March in common years."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
