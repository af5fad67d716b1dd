"""Rules of inspections (明察暗访) and of the continuity report (保障不断线): pure functions, no database.

A problem found by an inspection is open until the unit responsible reports its correction; the
inspector's level then closes it or sends it back (reopened). An open problem past its deadline is
overdue. The monthly subsidy run pays on the 1st; a month still unpaid a few days later for an
entitled elder is a gap the continuity report lists.
"""

import datetime
from collections.abc import Iterable

# Problem statuses.
OPEN = "open"  # waiting for the unit's correction
CORRECTED = "corrected"  # the unit reported its correction: waiting for the inspector's level
CLOSED = "closed"  # verified and closed

# The allowed moves: (from, to) → the action that makes it.
CREATE = "create"
CORRECT = "correct"
VERIFY = "verify"
REOPEN = "reopen"
MOVES: dict[tuple[str, str], str] = {
    ("", OPEN): CREATE,
    (OPEN, CORRECTED): CORRECT,
    (CORRECTED, CLOSED): VERIFY,
    (CORRECTED, OPEN): REOPEN,  # the correction does not hold: back to the unit
    (CLOSED, OPEN): REOPEN,  # the problem came back
}

# Severity, and the days a unit is given to correct by default.
MINOR = "minor"
MAJOR = "major"
SERIOUS = "serious"
DEFAULT_DAYS_TO_CORRECT = {SERIOUS: 3, MAJOR: 7, MINOR: 15}

# A unit is reminded of a problem this many days before its deadline (and on the day itself).
REMINDER_DAYS = 2

# The continuity report: entitlements ending within the response or the next 30 days; visits
# cancelled or not served within the last 14 days; a month's grant missing this many days after
# the 1st, when the run (01:30 on the 1st) should long have paid it.
ENDING_HORIZON_DAYS = 30
VISIT_LOOKBACK_DAYS = 14
RUN_GRACE_DAYS = 3


def move_allowed(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in MOVES


def default_deadline(found_on: datetime.date, severity: str) -> datetime.date:
    """The day by which a problem of this severity is to be corrected, counted from the inspection."""
    return found_on + datetime.timedelta(days=DEFAULT_DAYS_TO_CORRECT[severity])


def is_overdue(status: str, deadline: datetime.date, today: datetime.date) -> bool:
    """Open after its deadline day. A correction reported (even late) stops the clock."""
    return status == OPEN and deadline < today


def reminder_due(status: str, deadline: datetime.date, today: datetime.date) -> bool:
    """Remind the unit from two days before the deadline up to the deadline day itself."""
    return status == OPEN and today <= deadline <= today + datetime.timedelta(days=REMINDER_DAYS)


def ending_horizon(today: datetime.date, response_ends_on: datetime.date | None) -> datetime.date:
    """The last day the report looks ahead to: the response's end, or 30 days on if later."""
    horizon = today + datetime.timedelta(days=ENDING_HORIZON_DAYS)
    if response_ends_on is not None and response_ends_on > horizon:
        return response_ends_on
    return horizon


def _first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_due(
    *,
    start_month: datetime.date,
    end_month: datetime.date | None,
    since: datetime.date,
    today: datetime.date,
    grace_days: int = RUN_GRACE_DAYS,
) -> list[datetime.date]:
    """The months (as their first day) the run should have paid by `today` for an entitlement from
    `start_month` to `end_month` (None: still running), counted from the month of `since`: each
    month the entitlement covers whose 1st plus the grace days has come."""
    month = max(_first_of_month(start_month), _first_of_month(since))
    months = []
    while month + datetime.timedelta(days=grace_days) <= today:
        if end_month is not None and month > end_month:
            break
        months.append(month)
        month = next_month(month)
    return months


def months_unpaid(due: Iterable[datetime.date], paid: Iterable[datetime.date]) -> list[datetime.date]:
    paid_set = set(paid)
    return [m for m in due if m not in paid_set]
