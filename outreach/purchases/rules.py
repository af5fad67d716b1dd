"""Rules of buy-on-behalf (爱心帮买), without the database.

The community rolls the households' needs up into a purchase run every `CYCLE_DAYS` days; a need
marked urgent does not wait for the cycle: it goes to the supermarket the day it is reported.
An order moves only along `TRANSITIONS`.
"""

import datetime

CYCLE_DAYS = 3  # the purchase cycle of the Zhongshan West District flow

REGULAR = "regular"
URGENT = "urgent"

# The states of an order (a household's request) and the moves allowed between them.
REQUESTED = "requested"
IN_RUN = "in_run"
PACKED = "packed"
HANDED_OVER = "handed_over"
DELIVERED = "delivered"
PAID = "paid"
CANCELLED = "cancelled"

TRANSITIONS: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({IN_RUN, CANCELLED}),
    IN_RUN: frozenset({PACKED, CANCELLED}),
    PACKED: frozenset({HANDED_OVER}),
    HANDED_OVER: frozenset({DELIVERED}),
    DELIVERED: frozenset({PAID}),
    PAID: frozenset(),
    CANCELLED: frozenset(),
}
OPEN_STATES = (REQUESTED, IN_RUN, PACKED, HANDED_OVER, DELIVERED)
IN_A_RUN = (IN_RUN, PACKED, HANDED_OVER, DELIVERED, PAID)  # states that need a run
PRICED = (PACKED, HANDED_OVER, DELIVERED, PAID)  # states that carry the amount to pay

MAX_QUANTITY = 99


def may_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def next_run_on(last_run_on: datetime.date | None, today: datetime.date) -> datetime.date:
    """The day the community's next regular run is due: `CYCLE_DAYS` after the last one, today
    when there was none or the day has passed."""
    if last_run_on is None:
        return today
    return max(last_run_on + datetime.timedelta(days=CYCLE_DAYS), today)


def run_is_due(last_run_on: datetime.date | None, today: datetime.date) -> bool:
    return next_run_on(last_run_on, today) == today


def run_kind(
    *, last_run_on: datetime.date | None, today: datetime.date, waiting: int, urgent_waiting: int
) -> str | None:
    """What run the community makes today: a regular one (every waiting need) when the cycle is
    due, an urgent one (the urgent needs only) before then, or none when nothing waits for it."""
    if waiting and run_is_due(last_run_on, today):
        return REGULAR
    if urgent_waiting:
        return URGENT
    return None
