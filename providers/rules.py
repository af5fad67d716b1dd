"""Pure rules of home visits and supervision (no database): figures from the policies."""

import math
from dataclasses import dataclass
from decimal import Decimal

from eldercare.numbers import percent_one_decimal
from subsidies.standards.rules import HIGH_AGE

# A home visit lasts at least 1 hour; a shorter one is not redeemed and must be served again.
MIN_VISIT_MINUTES = 60
# The district calls back at least 10% of each day's work orders.
DISTRICT_SAMPLE_RATE = Decimal("0.10")
# Community workstations visit or phone at least 5% of subsidised persons every quarter.
COMMUNITY_CONTACT_RATE = Decimal("0.05")
# Quarterly satisfaction below 80% opens a rectification.
SATISFACTION_THRESHOLD = Decimal("80")
# Working days a provider has to correct (the policies say "within a deadline"; the district's choice).
RECTIFICATION_WORKDAYS = 20

# Minimum visits a month for elders in difficulty, by care level.
DIFFICULTY_MINIMUM = {"self_care": 1, "semi_disabled": 2, "disabled": 4}
# Minimum visits a month for high-age elders (HIGH_AGE or more).
HIGH_AGE_MINIMUM = 1


def minimum_visits(*, age: int, in_difficulty: bool, care_level: str | None) -> int:
    """Visits a month an elder must receive: 80+ → 1; in difficulty → 1/2/4 by care level.

    Someone both 80+ and in difficulty gets the higher minimum; without an assessment an elder in
    difficulty counts as self-care.
    """
    minimum = 0
    if in_difficulty:
        minimum = DIFFICULTY_MINIMUM.get(care_level or "self_care", DIFFICULTY_MINIMUM["self_care"])
    if age >= HIGH_AGE:
        minimum = max(minimum, HIGH_AGE_MINIMUM)
    return minimum


def is_short_visit(minutes: float) -> bool:
    return minutes < MIN_VISIT_MINUTES


def sample_size(total: int, rate: Decimal = DISTRICT_SAMPLE_RATE) -> int:
    """At least `rate` of `total`, rounded up (one order of a provider with any orders at all)."""
    if total <= 0:
        return 0
    return min(total, math.ceil(Decimal(total) * rate))


@dataclass(frozen=True)
class MonthStatus:
    required: int
    done: int
    # "ok"; "made_up" (the next month delivered the shortfall on top of its own minimum);
    # "pending" (the month, or the next month that may make it up, is still open); "missed" (未达标)
    status: str


def month_compliance(required: list[int], done: list[int], *, open_from: int | None = None) -> list[MonthStatus]:
    """Per consecutive month: was the minimum met, made up in the following month, or missed?

    A month missed for a special reason may be made up the next month: the next month's visits
    beyond its own minimum must cover the whole shortfall. `open_from` is the index of the first
    month not yet ended (None: every month has ended). A month below its minimum is "pending"
    while it or its next month is still open and the shortfall not yet covered, or when the list
    ends before its next month; once the next month has ended without covering it, it is missed.
    """
    first_open = len(required) if open_from is None else open_from
    result: list[MonthStatus] = []
    for i, (req, got) in enumerate(zip(required, done, strict=True)):
        if got >= req:
            status = "ok"
        elif i + 1 >= len(required):
            status = "pending"
        elif done[i + 1] - required[i + 1] >= req - got:
            status = "made_up"
        elif i + 1 >= first_open:
            status = "pending"
        else:
            status = "missed"
        result.append(MonthStatus(req, got, status))
    return result


# At least 3 different service items a person a year (judged when the year has ended).
MIN_DISTINCT_ITEMS_A_YEAR = 3


def items_short_of_year(*, distinct_items: int, year_ended: bool) -> bool:
    """An elder served fewer than 3 different service items in a year that has ended."""
    return year_ended and distinct_items < MIN_DISTINCT_ITEMS_A_YEAR


def satisfaction_rate(*, surveyed: int, satisfied: int) -> Decimal:
    """Percentage satisfied, to one decimal; nobody surveyed counts as 0."""
    if surveyed <= 0:
        return Decimal("0")
    return percent_one_decimal(satisfied, surveyed)


def needs_rectification(rate: Decimal) -> bool:
    return rate < SATISFACTION_THRESHOLD


# --- presence at the door -------------------------------------------------------------------

# A visit record may be corrected for 95 days after the visit's day; then it is locked (the EVV rule).
CORRECTION_LOCK_DAYS = 95
# A visit held this many days without its correction (or decision) is flagged and goes in the
# Monday digest of overdue work.
HELD_OVERDUE_DAYS = 7
# The nightly task closes a visit still checked in this many hours after the check-in as a
# missed check-out.
MISSED_CHECKOUT_HOURS = 6
# One-time codes printed on the back of each card (each confirms one visit).
CONFIRMATION_CODES_PER_CARD = 60
EARTH_RADIUS_M = 6_371_000


def check_in_timing(*, minutes_from_start: float, early: int, late: int) -> str:
    """ "early", "late" or "" for a check-in `minutes_from_start` after the booked start (negative:
    before it), against a window of `early` minutes before and `late` minutes after."""
    if minutes_from_start < -early:
        return "early"
    if minutes_from_start > late:
        return "late"
    return ""


def is_long_visit(*, minutes: float, standard: int, factor: Decimal) -> bool:
    """A visit far longer than the item's standard: beyond `factor` times its minutes."""
    return Decimal(str(minutes)) > Decimal(standard) * factor


def distance_m(lat1: Decimal, lng1: Decimal, lat2: Decimal, lng2: Decimal) -> int:
    """Great-circle distance in whole metres (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


def correction_locked(*, visit_day, today) -> bool:
    """Edits of a visit are locked once more than 95 days have passed since its day."""
    return (today - visit_day).days > CORRECTION_LOCK_DAYS
