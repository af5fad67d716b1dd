"""Demo data of the daily outreach report: the heat wave's days so far, reported by each unit.

Every community and contracted provider of the district reports each past day of the heat wave
between 14:00 and 15:50, its figures computed from that day's contacts; yesterday 文昌社区
reported at 17:20 (late) and 张纲村 not at all, so the roll-up marks both. Today nobody has
reported yet: the community worker's work list asks for 龙川社区's report, the district's lists
the units still to report. Units without a login of their own get a reporting login (not listed
among the demo logins). Everything goes through the service, so the figures are the contacts'.
"""

import datetime

from django.utils import timezone

from devtools.demo.core import DEMO_PASSWORD, DemoContext
from eldercare.models import Role, RoleAssignment, User
from outreach.reports import selectors, services
from outreach.reports.selectors import Unit

LATE_COMMUNITY = "文昌社区"  # reported yesterday after the cut-off
MISSING_COMMUNITY = "张纲村"  # did not report yesterday
LATE_AT = datetime.time(17, 20)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def _reporter(unit: Unit) -> User:
    """The unit's own login: its first community worker or provider administrator, or a new one."""
    if unit.is_community:
        found = RoleAssignment.objects.filter(role=Role.COMMUNITY_WORKER, division_id=unit.pk).order_by("pk").first()
    else:
        found = RoleAssignment.objects.filter(role=Role.PROVIDER_ADMIN, provider_id=unit.pk).order_by("pk").first()
    if found is not None:
        return found.user
    user = User.objects.create_user(
        username=f"report-{unit.kind}-{unit.pk}", password=DEMO_PASSWORD, full_name=f"日报员（{unit.name}）"
    )
    if unit.is_community:
        RoleAssignment.objects.create(user=user, role=Role.COMMUNITY_WORKER, division_id=unit.pk)
    else:
        RoleAssignment.objects.create(user=user, role=Role.PROVIDER_ADMIN, provider_id=unit.pk)
    return user


def seed(ctx: DemoContext) -> None:
    response = selectors.report_responses(user=ctx.users["district"], active_on=ctx.today).first()
    if response is None:
        return
    yesterday = ctx.today - datetime.timedelta(days=1)
    units = selectors.response_units(response)
    reporters = {unit: _reporter(unit) for unit in units}
    day = response.starts_on
    while day < ctx.today:
        for unit in units:
            if day == yesterday and unit.name == MISSING_COMMUNITY:
                continue
            if day == yesterday and unit.name == LATE_COMMUNITY:
                time = LATE_AT
            else:
                time = datetime.time(14 + ctx.rng.randrange(2), ctx.rng.randrange(0, 50))
            staff = services.report_figures(response=response, unit=unit, day=day, now=_at(day, time)).staff_on_duty
            services.report_submit(
                response=response,
                unit=unit,
                day=day,
                by=reporters[unit],
                # Some units had people on duty who recorded no contact.
                staff_on_duty=staff + ctx.rng.randrange(0, 3),
                note="",
                at=_at(day, time),
            )
        day += datetime.timedelta(days=1)
