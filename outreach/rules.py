"""Pure rules of emergency outreach: the risk level of a screened elder, phones, ages.

No database here: each rule takes plain values, so it can be read, tested and changed alone.
"""

import datetime
import re
from dataclasses import dataclass

# The register covers every elder of the registry living at home from this age (the registry's
# own threshold of an elder, not only the subsidised).
OUTREACH_MIN_AGE = 60

HIGH = "high"
MEDIUM = "medium"
LOW = "low"

# Care needs as the screening records them (the same words as the living-ability assessment).
CARE_SELF = "self_care"
CARE_SEMI = "semi_disabled"
CARE_DISABLED = "disabled"

# A mainland mobile (11 digits from 13x to 19x), or a landline with its area code
# (0 + 2 or 3 digits, then 7 or 8 digits, a hyphen or a space allowed between them).
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}[- ]?\d{7,8}")


@dataclass(frozen=True)
class Flags:
    """What a screening found about one elder at home."""

    solitary: bool = False  # 独居
    left_behind: bool = False  # 留守
    empty_nest: bool = False  # 空巢
    care_need: str = CARE_SELF  # 自理 / 半失能 / 失能
    dispersed_extreme_poverty: bool = False  # 分散特困
    carers_absent: bool = False  # family carers isolated or absent
    chronic_medicine: bool = False  # a chronic condition that needs regular medicine


def risk_level(flags: Flags) -> str:
    """The risk level of an elder at home in an emergency, from the screening's flags.

    - **high** when nobody at home can help or the need cannot wait: living alone (独居);
      disabled (失能); dispersed extreme poverty (分散特困: no supporter by definition); or family
      carers isolated or absent while the elder has a care need (semi-disabled, or a chronic
      condition that needs medicine).
    - **medium** when help is thinner than usual: semi-disabled (半失能), empty-nest (空巢),
      left-behind (留守), a chronic condition that needs medicine, or family carers absent
      without a care need.
    - **low** otherwise.

    A high-risk household is called or visited first and daily; medium ones follow.
    """
    care_need = flags.care_need in (CARE_SEMI, CARE_DISABLED) or flags.chronic_medicine
    if (
        flags.solitary
        or flags.care_need == CARE_DISABLED
        or flags.dispersed_extreme_poverty
        or (flags.carers_absent and care_need)
    ):
        return HIGH
    if (
        flags.care_need == CARE_SEMI
        or flags.empty_nest
        or flags.left_behind
        or flags.chronic_medicine
        or flags.carers_absent
    ):
        return MEDIUM
    return LOW


def normalise_phone(raw: str) -> str:
    """The phone as stored: digits (and a landline's hyphen), spaces and a +86 prefix dropped."""
    value = "".join((raw or "").split())
    if value.startswith("+86"):
        value = value[3:]
    return value


def is_valid_phone(raw: str) -> bool:
    """A mainland mobile number or a landline with its area code."""
    value = normalise_phone(raw)
    return bool(_MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value))


def born_on_or_before(age: int, on: datetime.date) -> datetime.date:
    """The latest birth date of a person who is at least `age` on `on` (29 February → 28th)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:
        return on.replace(year=on.year - age, day=28)
