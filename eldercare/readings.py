"""Stored readings: a slow aggregate taken by a scheduled task and stored, which a report reads
together with the records changed since, looked at live. A reading only makes a report fast, never
different: whatever changed after it is read again from the live tables."""

import datetime

# A reading takes for changed the records saved from this long before it began: a transaction that
# changed one and committed later than that is looked at from the next reading on.
READING_MARGIN = datetime.timedelta(minutes=15)


def changed_since(as_of: datetime.datetime) -> datetime.datetime:
    """The moment from which a record saved counts as changed since a reading taken at `as_of`."""
    return as_of - READING_MARGIN
