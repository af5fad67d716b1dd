"""Pure rules of the daily "I am fine" check-in (每日平安报): when a day's check-in is missed, and
which replies to the check-in text message count.

No database and no Django here: each rule takes plain values. Days and hours are those of the
district, Asia/Shanghai, whatever the server's clock.
"""

import datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_DEADLINE = datetime.time(10, 0)  # 10:00 unless the community sets another hour


def local_day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(LOCAL_TZ).date()


def deadline_at(day: datetime.date, deadline: datetime.time) -> datetime.datetime:
    """The moment of the deadline on a local day."""
    return datetime.datetime.combine(day, deadline, tzinfo=LOCAL_TZ)


def checkin_missed(
    *, now: datetime.datetime, deadline: datetime.time, last_checkin_at: datetime.datetime | None
) -> bool:
    """Missed iff today's deadline (Asia/Shanghai) has passed and there is no check-in today.

    Before the deadline nothing is missed yet (the elder may still press the button). A check-in
    of an earlier day does not count; a late one today, made before anyone looked, does: the
    elder is fine and nobody needs to be sent."""
    today = local_day(now)
    if now < deadline_at(today, deadline):
        return False
    return last_checkin_at is None or local_day(last_checkin_at) != today or last_checkin_at > now


def parse_deadline(value: str) -> datetime.time:
    """A deadline written HH:MM (a setting); raises ValueError on anything else."""
    hours, _sep, minutes = value.strip().partition(":")
    return datetime.time(int(hours), int(minutes or 0))
