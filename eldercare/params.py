"""Reading filters from a query string: a value that does not parse turns its filter off (the
page still answers), it never reaches the database as a query that fails."""

import datetime


def text_param(value: str | None) -> str:
    """Search text without NUL characters (PostgreSQL refuses them in a string) or outer spaces."""
    return (value or "").replace("\x00", "").strip()


def int_param(value: str | None) -> int | None:
    """A positive id, or None."""
    text = text_param(value)
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None


def date_param(value: str | None) -> datetime.date | None:
    """An ISO date (2026-03-10), or None."""
    try:
        return datetime.date.fromisoformat(text_param(value))
    except ValueError:
        return None
