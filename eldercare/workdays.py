"""Working days on the official Chinese calendar (weekends, public holidays, make-up days 调休).

chinesecalendar knows the years the State Council has published. For a later year the district
enters that year's holidays and make-up days from the State Council's notice (`calendar_year_enter`,
kept in `CalendarYear`/`CalendarDay`); a date in a year that neither knows raises
`UnknownCalendarYear` instead of guessing.
"""

import datetime

import chinese_calendar
from django.db import transaction
from django.utils.translation import gettext as _

from .errors import Conflict, DomainError, NotAllowed, ValidationFailed
from .models import CalendarDay, CalendarYear, Role, User

# Who enters a year's official calendar.
CALENDAR_ROLES = (Role.DISTRICT_REVIEWER, Role.SYSADMIN)


class UnknownCalendarYear(DomainError):
    code = "unknown_calendar_year"


# The days a request or a batch has looked up, by year: the district's entered days (or None where
# chinesecalendar knows the year). Made afresh for each request or batch, so that a calendar
# entered since is seen by the next one.
CalendarCache = dict[int, dict[datetime.date, bool] | None]


def _override_year(year: int):
    return CalendarYear.objects.filter(year=year).prefetch_related("days").first()


def is_workday(day: datetime.date, _cache: CalendarCache | None = None) -> bool:
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
                "The district must enter that year's holidays and make-up working days (Holiday calendar)."
            )
            % {"year": day.year}
        ) from exc


def add_workdays(start: datetime.date, days: int, *, calendar: CalendarCache | None = None) -> datetime.date:
    """The date `days` working days after `start` (start itself does not count).

    `calendar` shares the years looked up across the calls of one request or batch."""
    cache: CalendarCache = {} if calendar is None else calendar
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_workday(day, cache):
            counted += 1
    return day


def workdays_between(start: datetime.date, end: datetime.date, *, calendar: CalendarCache | None = None) -> int:
    """Working days in (start, end]; negative when end is before start.

    `calendar` shares the years looked up across the calls of one request or batch."""
    if end < start:
        return -workdays_between(end, start, calendar=calendar)
    cache: CalendarCache = {} if calendar is None else calendar
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_workday(day, cache):
            count += 1
    return count


def library_years() -> set[int]:
    """The years chinesecalendar knows (published by the State Council when it was released)."""
    return {d.year for d in chinese_calendar.constants.holidays}


def year_is_known(year: int) -> bool:
    return year in library_years() or CalendarYear.objects.filter(year=year).exists()


def _parse_days(text: str, year: int, what: str) -> list[tuple[datetime.date, str]]:
    """Lines like `2027-01-01 元旦`: a date of the year, then an optional name."""
    days = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        head, _sep, name = line.partition(" ")
        try:
            day = datetime.date.fromisoformat(head)
        except ValueError as exc:
            raise ValidationFailed(
                _("%(what)s, line %(n)s: write a date like %(year)s-01-01, then its name.")
                % {"what": what, "n": n, "year": year}
            ) from exc
        if day.year != year:
            raise ValidationFailed(
                _("%(what)s, line %(n)s: %(day)s is not in %(year)s.")
                % {"what": what, "n": n, "day": day.isoformat(), "year": year}
            )
        days.append((day, name.strip()[:60]))
    return days


@transaction.atomic
def calendar_year_enter(*, year: int, holidays: str, workdays: str, source: str, by: User) -> CalendarYear:
    """Enter (or correct) the official calendar of a year the library does not know: the holidays
    that fall on weekdays and the make-up working days on weekends, from the State Council's notice."""
    if not (by.is_superuser or by.has_role(*CALENDAR_ROLES)):
        raise NotAllowed(_("Only the district enters the official calendar."))
    if year in library_years():
        raise Conflict(_("The official calendar of %(year)s is already known.") % {"year": year})
    if not source.strip():
        raise ValidationFailed(_("Name the notice the dates come from."))
    off = _parse_days(holidays, year, str(_("Holidays")))
    on = _parse_days(workdays, year, str(_("Make-up working days")))
    if not off:
        raise ValidationFailed(_("Enter the year's public holidays."))
    clash = sorted({d for d, _n in off} & {d for d, _n in on})
    if clash:
        raise ValidationFailed(_("%(day)s cannot be both a holiday and a working day.") % {"day": clash[0].isoformat()})
    calendar, _created = CalendarYear.objects.update_or_create(year=year, defaults={"note": source.strip()[:200]})
    calendar.days.all().delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(calendar_year=calendar, date=d, is_workday=False, name=n) for d, n in off]
        + [CalendarDay(calendar_year=calendar, date=d, is_workday=True, name=n) for d, n in on]
    )
    return calendar
