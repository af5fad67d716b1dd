"""Working days on the official Chinese calendar (weekends, public holidays, make-up days 调休).

chinesecalendar knows the years the State Council has published. For a later year an
administrator enters that year's holidays and make-up days in `CalendarYear`/`CalendarDay`;
a date in a year that neither knows raises `UnknownCalendarYear` instead of guessing.
"""

import datetime

import chinese_calendar
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import CalendarYear


class UnknownCalendarYear(DomainError):
    code = "unknown_calendar_year"


def _override_year(year: int):
    return CalendarYear.objects.filter(year=year).prefetch_related("days").first()


def is_workday(day: datetime.date, _cache: dict | None = None) -> bool:
    cache = _cache if _cache is not None else {}
    if day.year not in cache:
        override = _override_year(day.year)
        cache[day.year] = {d.date: d.is_workday for d in override.days.all()} if override else None
    overrides = cache[day.year]
    if overrides is not None:
        if day in overrides:
            return overrides[day]
        return day.weekday() < 5
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        raise UnknownCalendarYear(
            _(
                "The official calendar for %(year)s is not known yet. "
                "An administrator must enter that year's holidays and make-up working days."
            )
            % {"year": day.year}
        ) from exc


def add_workdays(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself does not count)."""
    cache: dict = {}
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_workday(day, cache):
            counted += 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -workdays_between(end, start)
    cache: dict = {}
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day, cache):
            count += 1
    return count
