"""Pure rules of the daily outreach report: the cut-off and whether a report came in on time.

Every unit (a community, a provider) reports the day's figures before the cut-off, 16:00 by
default (`settings.OUTREACH_REPORT_CUTOFF`, "HH:MM"), on the Asia/Shanghai clock whatever the
server's clock says. No database here.
"""

import datetime
import re
import zoneinfo

# The clock of the cut-off: the province's, not the server's.
REPORT_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DEFAULT_CUTOFF = "16:00"
# Units still without a report are reminded this long before the cut-off (the 15:30 beat).
REMINDER_LEAD = datetime.timedelta(minutes=30)

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")

# A unit reports as a community or as a provider (a care institution is a provider here).
UNIT_COMMUNITY = "community"
UNIT_PROVIDER = "provider"

# What the roll-up says of a unit on a day.
STATUS_ON_TIME = "on_time"
STATUS_LATE = "late"  # reported after the cut-off
STATUS_PENDING = "pending"  # not reported, the cut-off not yet passed
STATUS_MISSING = "missing"  # not reported, the cut-off passed


def parse_cutoff(value: str) -> datetime.time:
    """The cut-off as a time of day, from "HH:MM" (e.g. "16:00"); anything else raises ValueError."""
    match = _HHMM.fullmatch((value or "").strip())
    if match is None:
        raise ValueError(f"The report cut-off must be HH:MM, not {value!r}.")
    return datetime.time(int(match.group(1)), int(match.group(2)))


def cutoff_at(day: datetime.date, cutoff: datetime.time) -> datetime.datetime:
    """The moment the report of `day` is due: the cut-off on that day, Asia/Shanghai."""
    return datetime.datetime.combine(day, cutoff, tzinfo=REPORT_TZ)


def is_on_time(submitted_at: datetime.datetime, day: datetime.date, cutoff: datetime.time) -> bool:
    """A report is on time iff submitted at or before the cut-off of its day (Asia/Shanghai).

    With a 16:00 cut-off a report sent at 15:59:59 or at 16:00:00 exactly is on time, one at
    16:00:01 is late; a report sent the day before its day (never the case in practice) is on time.
    `submitted_at` must be aware: the same instant is compared whatever zone it is written in.
    """
    if submitted_at.tzinfo is None:
        raise ValueError("submitted_at must be an aware datetime")
    return submitted_at <= cutoff_at(day, cutoff)


def is_past_cutoff(now: datetime.datetime, day: datetime.date, cutoff: datetime.time) -> bool:
    """Has the cut-off of `day` passed at `now`? A unit not reported by then is marked late."""
    return not is_on_time(now, day, cutoff)


def unit_status(
    reported_at: datetime.datetime | None, day: datetime.date, cutoff: datetime.time, now: datetime.datetime
) -> str:
    """The roll-up's word for a unit on `day`: on time, late, pending (not yet due) or missing."""
    if reported_at is not None:
        return STATUS_ON_TIME if is_on_time(reported_at, day, cutoff) else STATUS_LATE
    return STATUS_MISSING if is_past_cutoff(now, day, cutoff) else STATUS_PENDING


def reminder_at(day: datetime.date, cutoff: datetime.time) -> datetime.datetime:
    """When the units still without a report are reminded: half an hour before the cut-off."""
    return cutoff_at(day, cutoff) - REMINDER_LEAD
