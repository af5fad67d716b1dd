"""Months and quarters: the one place that knows how they are written, parsed and bounded."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ValidationFailed

# The years a month or quarter may be written for: far beyond any subsidy, and a month's
# neighbours (the next month, a year later) stay valid dates.
YEARS = range(1900, 3000)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValidationFailed(_("Write the month like 2026-12."))

    @classmethod
    def parse(cls, text: str) -> "Month":
        m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
        if not m or int(m.group(1)) not in YEARS:
            raise ValidationFailed(_("Write the month like 2026-12."))
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def of(cls, day: datetime.date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> "Month":
        return cls.of(timezone.localdate())

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return self.next().first_day - datetime.timedelta(days=1)

    def next(self) -> "Month":
        return self.plus(1)

    def previous(self) -> "Month":
        return self.plus(-1)

    def plus(self, months: int) -> "Month":
        index = self.year * 12 + (self.month - 1) + months
        return Month(index // 12, index % 12 + 1)

    @property
    def quarter(self) -> "Quarter":
        return Quarter(self.year, (self.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    def __post_init__(self):
        if not 1 <= self.quarter <= 4:
            raise ValidationFailed(_("Write the quarter like 2026Q4."))

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = re.fullmatch(r"\s*(\d{4})\s*-?\s*Q([1-4])\s*", (text or "").upper())
        if not m or int(m.group(1)) not in YEARS:
            raise ValidationFailed(_("Write the quarter like 2026Q4."))
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def months(self) -> list[Month]:
        first = (self.quarter - 1) * 3 + 1
        return [Month(self.year, first + i) for i in range(3)]

    @property
    def first_day(self) -> datetime.date:
        return self.months[0].first_day

    @property
    def last_day(self) -> datetime.date:
        return self.months[-1].last_day

    def next(self) -> "Quarter":
        return self.months[-1].next().quarter

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


def local_day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Aware [start, end) datetimes of a calendar day in the platform's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)
