"""Pure rules of active care calls (12349 主动关爱): who is due for a call on a day, and when
unanswered calls send someone to the door.

No database here: each rule takes plain values.
"""

import datetime
from collections.abc import Sequence

# Outcomes of a call.
REACHED_FINE = "reached_fine"
REACHED_NEEDS_HELP = "reached_needs_help"
UNREACHABLE = "unreachable"
WRONG_NUMBER = "wrong_number"
REACHED = frozenset({REACHED_FINE, REACHED_NEEDS_HELP})
NOT_REACHED = frozenset({UNREACHABLE, WRONG_NUMBER})

# Calls not answered in a row (a wrong number counts: nobody was reached) before the household's
# responsible person must go to the door.
NOT_REACHED_IN_A_ROW = 2

DEFAULT_INTERVAL_DAYS = 7  # weekly, the hotline's rhythm for left-behind elders
MAX_INTERVAL_DAYS = 90


def call_due(
    *,
    on: datetime.date,
    interval_days: int,
    last_attempt_day: datetime.date | None,
    last_reached_day: datetime.date | None,
    visit_pending: bool = False,
) -> bool:
    """Is the elder due for a call on `on` under a plan calling every `interval_days` days?

    Never called: due. Called today already: not due. The last attempt reached nobody: due again
    the next day (until a home visit is pending, which takes the household off the call list).
    Otherwise due once `interval_days` have passed since the last call that reached the elder.
    """
    if visit_pending:
        return False
    if last_attempt_day is None:
        return True
    if last_attempt_day >= on:
        return False
    if last_reached_day is None or last_reached_day < last_attempt_day:
        return True
    return (on - last_reached_day).days >= interval_days


def visit_needed(results: Sequence[str]) -> bool:
    """`results`: the elder's call outcomes under a plan, latest first. The last two calls
    reached nobody: a home visit is needed. One unanswered call is not enough."""
    latest = list(results[:NOT_REACHED_IN_A_ROW])
    return len(latest) == NOT_REACHED_IN_A_ROW and all(r in NOT_REACHED for r in latest)
