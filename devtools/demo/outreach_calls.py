"""Demo data of active care calls (12349 主动关爱), run after `outreach.seed`.

The district runs a weekly plan for the left-behind elders of the register, begun three weeks
and two days ago; its hotline operators are the district reviewer and 龙川社区's worker. Each day
they worked through part of the first week's list (the rest rolled over to the next day), so the
households' weekly calls are spread over the week and today's list is waiting. Most calls reached the elder,
some with a need; one household of the volunteer's did not answer two days running and waits on
the volunteer's work list as a home visit. Everything goes through the services.
"""

import datetime

from django.utils import timezone

from devtools.demo.core import DemoContext
from outreach import services as outreach_services
from outreach.calls import services
from outreach.calls.models import CallListEntry, CallResult
from outreach.models import ResponsiblePerson, VulnerabilityProfile

PLAN_DAYS = 23  # the plan began this many days ago: weekly calls on days -23, -16, -9, -2
NEEDS = ["想请人帮忙买米面", "降压药快吃完了", "家里水管漏水", "想了解助餐服务"]


def _at(day: datetime.date, k: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9 + k % 8, (k * 7) % 60)))


def _left_behind_of_volunteer(ctx: DemoContext):
    """One of the volunteer's households, left behind (screened again as such if none is yet)."""
    volunteer = ctx.users["volunteer"]
    households = ResponsiblePerson.objects.filter(
        user=volunteer, duty=ResponsiblePerson.Duty.PRIMARY, ends_on__isnull=True
    ).order_by("elder_id")
    for person in households:
        if person.elder.vulnerability.left_behind:
            return person.elder
    first = households.first()
    if first is None:  # a demo too small to have households in the volunteer's care
        return None
    profile = VulnerabilityProfile.objects.get(elder=first.elder)
    data = outreach_services.ScreeningData(
        living_arrangement=profile.living_arrangement,
        screened_on=ctx.today,
        solitary=profile.solitary,
        left_behind=True,
        empty_nest=profile.empty_nest,
        care_need=profile.care_need,
        dispersed_extreme_poverty=profile.dispersed_extreme_poverty,
        carers_absent=profile.carers_absent,
        chronic_medicine=profile.chronic_medicine,
        medicines=profile.medicines,
        note="子女外出务工",
        contacts=[outreach_services.ContactData(c.name, c.relation, c.phone) for c in profile.contacts.all()],
    )
    outreach_services.profile_screen(elder=profile.elder, data=data, by=ctx.users["community"])
    return profile.elder


def seed(ctx: DemoContext) -> None:
    district = operator = ctx.users["district"]
    silent = _left_behind_of_volunteer(ctx)
    if silent is None:
        return
    start = ctx.today - datetime.timedelta(days=PLAN_DAYS)
    plan = services.plan_create(
        by=district,
        district=ctx.district,
        name="留守老人每周主动关爱（12349）",
        target="left_behind",
        interval_days=7,
        starts_on=start,
        callers=[operator, ctx.users["community"]],
    )
    # The operators spread the first week's calls over the week (household i first on day
    # `offset`), so each household's weekly call falls on its own weekday from then on; the
    # first of them falls on today's weekday and waits on today's list.
    offsets: dict[int, int] = {silent.pk: 0}
    k = 0
    for n in range(PLAN_DAYS):
        day = start + datetime.timedelta(days=n)
        services.call_list_generate(plan=plan, on=day)
        for entry in CallListEntry.objects.filter(plan=plan, day=day).select_related("elder").order_by("elder_id"):
            offset = offsets.setdefault(entry.elder_id, (PLAN_DAYS + len(offsets) - 1) % 7)
            if n < offset:
                continue  # not reached in the first week yet: stays on tomorrow's list
            k += 1
            if entry.elder_id == silent.pk:
                # reached every week, then no answer two days running: the volunteer must go
                silent_now = (ctx.today - day).days <= 2
                result = CallResult.UNREACHABLE if silent_now else CallResult.REACHED_FINE
                note = "电话无人接听" if silent_now else ""
            elif offset != PLAN_DAYS % 7 and ctx.rng.random() < 0.1:
                result, note = CallResult.UNREACHABLE, "无人接听，明天再打"
            elif ctx.rng.random() < 0.15:
                result, note = CallResult.REACHED_NEEDS_HELP, ctx.rng.choice(NEEDS)
            else:
                result, note = CallResult.REACHED_FINE, ""
            services.call_record(entry=entry, by=operator, result=result, note=note, at=_at(day, k))
    services.call_list_generate(plan=plan, on=ctx.today)
