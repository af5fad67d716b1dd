"""Demo data of emergency outreach: 龙川社区's elders screened, with their responsible persons.

Most elders aged 60 or more of 龙川社区 are screened (a few left for the work list), some of them
high-risk; most screened households have a primary responsible person, a few none yet. A volunteer
login (`volunteer`, no role of the core) is responsible for four households and sees only those.
A heat wave declared by the district three days ago is in progress: the households with a
responsible person were contacted as its rule asks on each day since, one of the volunteer's did
not answer twice yesterday and waits on the community's work list as an open escalation.
Everything goes through the services, so the risk levels, the days due and the escalation are the
rules'.
"""

import datetime

from django.utils import timezone

from devtools.demo.core import DEMO_PASSWORD, DemoContext
from eldercare.models import Role, RoleAssignment, User
from outreach import rules, selectors, services
from outreach.models import (
    CareNeed,
    ContactMethod,
    ContactResult,
    LivingArrangement,
    ResponsibleKind,
    ResponsiblePerson,
    VulnerabilityProfile,
)

UNSCREENED = 3  # left for the community worker's work list
UNASSIGNED = 3  # screened, no responsible person yet
VOLUNTEER_HOUSEHOLDS = 4
RELATIONS = ["儿子", "女儿", "侄子", "邻居", "儿媳"]
MEDICINES = ["硝苯地平缓释片", "二甲双胍", "阿司匹林肠溶片", "胰岛素"]
GRID_WORKERS = [("网格员 周晓燕", "13951401234"), ("网格员 蒋涛", "13951405678")]
HEAT_WAVE_DAYS = 3  # the heat wave began this many days ago
NEEDS = ["大米、食用油", "降压药快吃完了", "电风扇坏了", "想要几瓶饮用水"]


def _screening(ctx: DemoContext, i: int) -> services.ScreeningData:
    rng = ctx.rng
    # Every fourth elder lives alone (high risk); others vary.
    solitary = i % 4 == 0
    care_need = rng.choice([CareNeed.SELF_CARE] * 6 + [CareNeed.SEMI_DISABLED] * 2 + [CareNeed.DISABLED])
    chronic = rng.random() < 0.4
    return services.ScreeningData(
        living_arrangement=LivingArrangement.ALONE
        if solitary
        else rng.choice([LivingArrangement.SPOUSE, LivingArrangement.CHILDREN, LivingArrangement.RELATIVES]),
        screened_on=ctx.today - datetime.timedelta(days=rng.randrange(0, 20)),
        solitary=solitary,
        empty_nest=not solitary and rng.random() < 0.3,
        left_behind=rng.random() < 0.15,
        care_need=care_need,
        dispersed_extreme_poverty=rng.random() < 0.05,
        carers_absent=i in (1, 6) or rng.random() < 0.1,
        chronic_medicine=chronic,
        medicines=rng.choice(MEDICINES) if chronic else "",
        contacts=[
            services.ContactData(
                rng.choice("王李张刘陈杨") + rng.choice(["伟", "芳", "军", "静"]),
                rng.choice(RELATIONS),
                f"139{rng.randrange(10**7, 10**8)}",
            )
        ],
    )


def seed(ctx: DemoContext) -> None:
    worker = ctx.users["community"]
    volunteer = User.objects.create_user(username="volunteer", password=DEMO_PASSWORD, full_name="志愿者 李明")
    RoleAssignment.objects.create(user=volunteer, role=Role.VOLUNTEER, division=ctx.communities[0])
    ctx.users["volunteer"] = volunteer
    ctx.logins.append(("volunteer", "volunteer, the households of 龙川社区 in their care"))

    elders = list(selectors.register_elders(user=worker, on=ctx.today, community=ctx.communities[0].pk))
    screened = elders[UNSCREENED:]
    for i, elder in enumerate(screened):
        services.profile_screen(elder=elder, data=_screening(ctx, i), by=worker)
    for i, elder in enumerate(screened[UNASSIGNED:]):
        starts_on = ctx.today - datetime.timedelta(days=20)
        if i < VOLUNTEER_HOUSEHOLDS:
            services.responsible_assign(
                elder=elder,
                duty=ResponsiblePerson.Duty.PRIMARY,
                kind=ResponsibleKind.VOLUNTEER,
                starts_on=starts_on,
                by=worker,
                user=volunteer,
            )
            continue
        name, phone = GRID_WORKERS[i % len(GRID_WORKERS)]
        services.responsible_assign(
            elder=elder,
            duty=ResponsiblePerson.Duty.PRIMARY,
            kind=ResponsibleKind.GRID_WORKER,
            starts_on=starts_on,
            by=worker,
            name=name,
            phone=phone,
        )
        if i % 3 == 0:
            services.responsible_assign(
                elder=elder,
                duty=ResponsiblePerson.Duty.DEPUTY,
                kind=ResponsibleKind.COMMUNITY_WORKER,
                starts_on=starts_on,
                by=worker,
                user=worker,
            )
    seed_caregivers(ctx, screened)
    seed_heat_wave(ctx)


CAREGIVERS = [("王桂英", "13952701101"), ("陈秀兰", "13952701102"), ("刘建华", "13952701103")]


def seed_caregivers(ctx: DemoContext, screened: list) -> None:
    """A temporary caregiver for each household whose family carers are away, but the last one:
    it stays on the community's work list until someone is named."""
    worker = ctx.users["community"]
    away = [
        p.elder
        for p in VulnerabilityProfile.objects.filter(elder__in=screened, carers_absent=True)
        .select_related("elder")
        .order_by("elder__name", "pk")
    ]
    for i, elder in enumerate(away[:-1]):
        name, phone = CAREGIVERS[i % len(CAREGIVERS)]
        services.caregiver_name(
            elder=elder,
            name=name,
            phone=phone,
            starts_on=ctx.today - datetime.timedelta(days=2),
            ends_on=ctx.today + datetime.timedelta(days=12),
            meals=True,
            daily_care=i % 2 == 0,
            note="子女居家隔离期间照料" if i % 2 else "",
            by=worker,
        )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def seed_heat_wave(ctx: DemoContext) -> None:
    """A heat wave in progress since three days ago, its contacts since, one escalation open."""
    worker, volunteer = ctx.users["community"], ctx.users["volunteer"]
    start = ctx.today - datetime.timedelta(days=HEAT_WAVE_DAYS)
    response = services.response_declare(
        by=ctx.users["district"],
        district=ctx.district,
        kind="heat_wave",
        name=f"{start:%Y年%m月}高温天气关爱行动",
        starts_on=start,
    )
    rule = response.rule()
    primaries = selectors.responsible_list(user=worker, current=True).filter(duty=ResponsiblePerson.Duty.PRIMARY)
    households = {p.elder: p for p in primaries.select_related("elder__vulnerability")}
    last_reached: dict[int, datetime.date] = {}
    silent = next((e for e, p in households.items() if p.user_id == volunteer.pk), None)
    for day in (start + datetime.timedelta(days=n) for n in range(HEAT_WAVE_DAYS)):
        for elder, person in households.items():
            by = volunteer if person.user_id == volunteer.pk else worker
            if elder == silent and day == ctx.today - datetime.timedelta(days=1):
                # nobody answers in the morning nor in the afternoon: the community must go and look
                for hour in (9, 15):
                    services.contact_record(
                        response=response,
                        elder=elder,
                        by=by,
                        method=ContactMethod.PHONE,
                        result=ContactResult.UNREACHABLE,
                        at=_at(day, hour),
                        note="电话无人接听",
                    )
                continue
            if not rules.contact_due(elder.vulnerability.risk_level, rule, last_reached.get(elder.pk), day):
                continue
            needs = ctx.rng.random() < 0.15
            services.contact_record(
                response=response,
                elder=elder,
                by=by,
                method=ctx.rng.choice([ContactMethod.PHONE] * 3 + [ContactMethod.VISIT]),
                result=ContactResult.NEEDS if needs else ContactResult.FINE,
                needs=ctx.rng.choice(NEEDS) if needs else "",
                at=_at(day, ctx.rng.choice([9, 10, 14, 16])),
            )
            last_reached[elder.pk] = day
