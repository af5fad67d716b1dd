"""Demo data of the towns' satisfaction surveys and the rectifications they open, in every state.

Runs after the providers' seeder. For the last closed quarter: a rectification past its deadline
(the district's ground for termination); a survey at or
above 80 % (no rectification), one at 80 % exactly, one at 75 % whose rectification the provider
has answered with evidence and the town has still to decide; for the current quarter, a survey
still being entered. Everything goes through the services, so no state the rules forbid appears.
"""

import datetime

from devtools.demo.core import DemoContext
from devtools.demo.files import pdf_upload
from devtools.demo.providers import PROVIDERS
from eldercare.models import Division, Elder, User
from eldercare.periods import Month, Quarter
from eldercare.workdays import add_workdays
from providers import quality, rules
from providers.models import Provider, Rectification, SatisfactionSurvey

NOTES = ["", "", "护理员准时", "希望增加助浴", "", "服务态度好", "", "打扫不够仔细"]


def _survey(
    provider: Provider,
    street: Division,
    quarter: Quarter,
    by: User,
    answers: int,
    satisfied: int,
    asked_on: datetime.date,
    submit: bool = True,
) -> SatisfactionSurvey | None:
    if SatisfactionSurvey.objects.filter(provider=provider, street=street, quarter=quarter.first_day).exists():
        return None
    survey = quality.survey_open(provider=provider, street=street, quarter=quarter, by=by)
    elders: list[Elder] = list(quality.survey_elders(survey=survey).order_by("id")[:answers])
    for i, elder in enumerate(elders):
        quality.survey_answer_record(
            survey=survey,
            elder=elder,
            satisfied=i < satisfied,
            asked_on=asked_on,
            note=NOTES[i % len(NOTES)] if i < satisfied else "上门时间不固定",
            by=by,
        )
    if submit and elders:
        survey = quality.survey_submit(survey=survey, by=by)
    return survey


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    current = Month.of(today).quarter
    closed = current.months[0].previous().quarter
    asked_closed = closed.last_day - datetime.timedelta(days=10)
    by_name = {p.name: p for p in Provider.objects.filter(name__in=[name for name, _kind, _streets in PROVIDERS])}
    if len(by_name) < len(PROVIDERS):
        return
    kangle, xiannv, ankang = (by_name[name] for name, _kind, _streets in PROVIDERS)
    street, town = ctx.users["street"], ctx.users["town"]
    longchuan, xiannv_town = ctx.streets[0], ctx.streets[1]

    # 9 of 10 satisfied in 龙川街道: 90 %, nothing to correct.
    _survey(kangle, longchuan, closed, street, 10, 9, asked_closed)
    # 4 of 5 in 仙女镇: exactly 80 %, which is enough.
    _survey(xiannv, xiannv_town, closed, town, 5, 4, asked_closed)
    # 6 of 8 in 仙女镇: 75 %, a rectification the provider has answered; the town decides.
    low = _survey(kangle, xiannv_town, closed, town, 8, 6, asked_closed)
    if low is not None and hasattr(low, "rectification"):
        quality.rectification_answer(
            rectification=low.rectification,
            text="已约谈相关护理员，调整上门时间为每周二、周五上午固定时段，并对全体护理员开展服务规范培训（签到表附后）。",
            evidence=pdf_upload("整改报告.pdf"),
            by=ctx.users["provider"],
        )
    # This quarter, 龙川街道 is still entering its survey of 康乐 through the grid workers.
    _survey(kangle, longchuan, current, street, 3, 3, today, submit=False)

    # A rectification past its deadline (安康's if it can be): a survey submitted long enough ago.
    if not quality.rectification_list(user=ctx.users["district"]).filter(quality.rectification_overdue_q(today)):
        pairs = [
            (p, s)
            for p in (ankang, xiannv, kangle)
            for s in p.streets.order_by("id")
            if not SatisfactionSurvey.objects.filter(provider=p, street=s, quarter=closed.first_day).exists()
            and quality.survey_elders(survey=SatisfactionSurvey(provider=p, street=s, quarter=closed.first_day)).count()
            >= 5
        ]
        overdue = None
        if pairs:
            provider, where = pairs[0]
            overdue = _survey(
                provider, where, closed, ctx.users["admin"], 5, 3, closed.first_day + datetime.timedelta(10)
            )
        if overdue is not None and hasattr(overdue, "rectification"):
            submitted = today - datetime.timedelta(days=45)
            SatisfactionSurvey.objects.filter(pk=overdue.pk).update(
                submitted_at=datetime.datetime.combine(submitted, datetime.time(10), tzinfo=datetime.UTC)
            )
            Rectification.objects.filter(pk=overdue.rectification.pk).update(
                deadline=add_workdays(submitted, rules.RECTIFICATION_WORKDAYS)
            )
