"""Pure rules of emergency outreach: the risk level of a screened elder, phones, ages, and when a
household is due for a contact under an emergency response and when a contact escalates.

No database here: each rule takes plain values, so it can be read, tested and changed alone.
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

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


# How often a household is contacted under an emergency response unless the district sets other
# intervals: high risk daily, medium every three days (about twice a week), low weekly.
DEFAULT_INTERVAL_DAYS = {HIGH: 1, MEDIUM: 3, LOW: 7}
# A household with a responsible person but no screening yet is treated as high risk: nobody
# knows yet that it can wait.
UNSCREENED_RISK = HIGH
RISK_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

# A body temperature outside this range is a typing error, not a reading.
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")

# Results of a contact, as the contact record stores them.
RESULT_FINE = "fine"
RESULT_NEEDS = "needs"
RESULT_HEALTH = "health_problem"
RESULT_UNREACHABLE = "unreachable"

# Why a household is escalated to its community.
ESCALATE_HEALTH = "health_problem"
ESCALATE_UNREACHABLE = "unreachable"
UNREACHABLE_IN_A_ROW = 2  # contacts in a row nobody answered before the community steps in


@dataclass(frozen=True)
class ContactRule:
    """The contact rule of one emergency response: days between contacts per risk level, and
    whether each contact must record the elder's temperature."""

    interval_high: int = DEFAULT_INTERVAL_DAYS[HIGH]
    interval_medium: int = DEFAULT_INTERVAL_DAYS[MEDIUM]
    interval_low: int = DEFAULT_INTERVAL_DAYS[LOW]
    temperature_required: bool = False

    def interval(self, risk_level: str) -> int:
        return {HIGH: self.interval_high, MEDIUM: self.interval_medium, LOW: self.interval_low}.get(
            risk_level, self.interval_high
        )


def contact_due(
    risk_level: str | None, rule: ContactRule, last_contact_day: datetime.date | None, today: datetime.date
) -> bool:
    """Is the household due for a contact today under the response's rule?

    `last_contact_day` is the day of the household's last contact under this response that
    reached someone (an unanswered call does not count, so the household stays due and is tried
    again). A household never reached is due. Otherwise it is due once the rule's interval for
    its risk level has passed since then: with an interval of 1 (high risk, daily) every day after
    the day it was reached; with 3 (medium) on the third day after; with 7 (low) a week later.
    An unscreened household (`risk_level` None or empty) counts as high risk.
    """
    if last_contact_day is None:
        return True
    interval = rule.interval(risk_level or UNSCREENED_RISK)
    return (today - last_contact_day).days >= interval


def is_valid_temperature(value: Decimal) -> bool:
    return TEMPERATURE_MIN <= value <= TEMPERATURE_MAX


def escalation_reason(results: Sequence[str]) -> str | None:
    """Why the household's contacts under a response call for its community, or None.

    `results` are the results of the household's contacts under the response, latest first.
    A health problem in the latest contact escalates at once; the latest
    `UNREACHABLE_IN_A_ROW` (2) contacts all unanswered escalate too; one unanswered call does not.
    """
    if not results:
        return None
    if results[0] == RESULT_HEALTH:
        return ESCALATE_HEALTH
    latest = list(results[:UNREACHABLE_IN_A_ROW])
    if len(latest) == UNREACHABLE_IN_A_ROW and all(r == RESULT_UNREACHABLE for r in latest):
        return ESCALATE_UNREACHABLE
    return None


# Temporary caregivers --------------------------------------------------------------------------


def carer_gap(carers_absent: bool, periods: Sequence[tuple[datetime.date, datetime.date]], on: datetime.date) -> bool:
    """Is the household left without anyone on `on`? Only while its family carers are isolated or
    away; a temporary caregiver's period covers its first and last day."""
    return carers_absent and not any(start <= on <= end for start, end in periods)
