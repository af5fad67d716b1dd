"""Demo data of the daily "I am fine" check-in, run after `outreach.seed`.

The elders of 龙川社区 living alone with a primary responsible person are enrolled (at most
five), most checking in themselves on their phone page, one through a daughter's text message
reply. They checked in every morning of the last ten days; one missed a morning last week and
was confirmed fine by a phone call. Today all but one have checked in: the one who has not
waits as a missed check-in on the responsible person's work list. Everything goes through the
services.
"""

import datetime

from django.db.models import F
from django.utils import timezone

from devtools.demo.core import DemoContext
from outreach.checkins import rules, services
from outreach.checkins.models import Channel, Checker, MissedCheckin, Resolution
from outreach.models import ResponsiblePerson

ENROLLED = 5
DAYS = 10  # enrolled this many days ago
MISSED_DAYS_AGO = 5  # the morning one of them forgot, confirmed fine since


def _at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def seed(ctx: DemoContext) -> None:
    worker = ctx.users["community"]
    people = list(
        ResponsiblePerson.objects.filter(
            elder__community=ctx.communities[0],
            elder__vulnerability__solitary=True,
            duty=ResponsiblePerson.Duty.PRIMARY,
            ends_on__isnull=True,
        )
        .select_related("elder", "user")
        .order_by(F("user_id").desc(nulls_last=True), "elder_id")[:ENROLLED]
    )
    if not people:
        return
    start = ctx.today - datetime.timedelta(days=DAYS)
    enrolments = []
    for i, person in enumerate(people):
        family = i == len(people) - 1 and len(people) > 1
        enrolments.append(
            services.enrolment_create(
                elder=person.elder,
                by=worker,
                phone=f"1370514{1000 + i:04d}",
                checker=Checker.FAMILY if family else Checker.ELDER,
                checker_name="女儿 王芳" if family else "",
                starts_on=start,
            )
        )
    # The one who has not checked in today: a household of the volunteer's when there is one.
    forgetful = enrolments[0]
    now = timezone.now()
    for n in range(DAYS + 1):
        day = start + datetime.timedelta(days=n)
        for i, enrolment in enumerate(enrolments):
            if day == ctx.today and enrolment == forgetful:
                continue
            if n == DAYS - MISSED_DAYS_AGO and i == 1:
                continue
            at = _at(day, 7 + ctx.rng.randrange(0, 3), ctx.rng.randrange(0, 60))
            at = min(at, now) if day == ctx.today else at
            sms = enrolment.checker == Checker.FAMILY
            services.checkin_record(
                enrolment=enrolment,
                channel=Channel.SMS if sms else Channel.PAGE,
                text="好" if sms else "",
                at=at,
            )
    # The morning missed last week, alerted at the deadline and confirmed by a phone call.
    missed_day = start + datetime.timedelta(days=DAYS - MISSED_DAYS_AGO)
    if len(enrolments) > 1:
        services.missing_checkins_alert(now=rules.deadline_at(missed_day, enrolments[1].deadline))
        alert = MissedCheckin.objects.get(enrolment=enrolments[1], day=missed_day)
        confirmer = alert.responsible.user if alert.responsible and alert.responsible.user_id else worker
        services.alert_confirm(alert=alert, by=confirmer, how=Resolution.PHONED, note="在女儿家，手机没电了")
    # Today: the alert goes out once the deadline has passed (the demo raises it whatever the hour).
    services.missing_checkins_alert(now=max(now, rules.deadline_at(ctx.today, forgetful.deadline)))
