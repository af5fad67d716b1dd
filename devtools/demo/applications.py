"""Demo data of the intake and review: an open intake batch, applications in every state, and a few
dozen approved elders with assessments and entitlements (vouchers and the monthly run build on them).

Every case goes through the real services; time is travelled (time-machine, a development
dependency) so that public notices can run their five working days.
"""

import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.utils.translation import override

from devtools.demo.core import DemoContext
from devtools.demo.files import pdf_upload
from devtools.demo.standards import seed_policies_and_run
from eldercare.errors import DomainError
from eldercare.idnumber import age_on
from eldercare.models import CalendarYear, LifeStatus
from eldercare.periods import Month
from eldercare.workdays import UnknownCalendarYear, add_workdays, is_workday
from subsidies.applications.models import Application, IntakeBatch
from subsidies.applications.models import ApplicationStatus as S
from subsidies.applications.services import materials
from subsidies.applications.services import review as svc
from subsidies.applications.services.assessments import assessment_record
from subsidies.applications.services.batches import assessment_slot_create
from subsidies.standards.services.policies import load_policies

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCORES = [
    {"self_care": 32, "mobility": 16, "mental": 24, "perception_social": 18},  # 能力完好
    {"self_care": 26, "mobility": 12, "mental": 20, "perception_social": 14},  # 轻度失能
    {"self_care": 18, "mobility": 8, "mental": 14, "perception_social": 10},  # 中度失能
    {"self_care": 10, "mobility": 5, "mental": 10, "perception_social": 10},  # 重度失能
]
ORDER = [
    S.FILED,
    S.COMMUNITY_REVIEW,
    S.PUBLIC_NOTICE,
    S.COMMUNITY_DECISION,
    S.STREET_REVIEW,
    S.ASSESSMENT,
    S.DISTRICT_DECISION,
    S.APPROVED,
]


def _known_year(year: int) -> None:
    try:
        is_workday(datetime.date(year, 1, 2))
    except UnknownCalendarYear:
        # Demo only: a year the library lacks gets an override with weekends only.
        CalendarYear.objects.get_or_create(year=year, defaults={"note": "demo: weekends only"})


def _workday_before(day: datetime.date, n: int) -> datetime.date:
    while n > 0:
        day -= datetime.timedelta(days=1)
        if is_workday(day):
            n -= 1
    return day


def _step(app: Application, target: str, ctx: DemoContext, users: dict, traveller, scores: dict) -> Application:
    community = users["community"] if app.community_id == ctx.communities[0].pk else users["community2"]
    street = users["street"] if app.community_id == ctx.communities[0].pk else users["town"]
    if target == S.COMMUNITY_REVIEW:
        for material in svc.missing_materials(application=app):
            materials.material_upload(
                application=app, material_type=material, upload=pdf_upload("scan.pdf"), by=community
            )
        return svc.application_accept(application=app, by=community)
    if target == S.PUBLIC_NOTICE:
        start = app.filed_on
        end = add_workdays(start - datetime.timedelta(days=1), svc.NOTICE_MIN_WORKDAYS)
        return svc.application_notice_start(
            application=app,
            starts_on=start,
            ends_on=end,
            investigation_notes="入户调查：独居，生活情况属实。",
            by=community,
        )
    if target == S.COMMUNITY_DECISION:
        traveller.move_to(
            datetime.datetime.combine(add_workdays(app.notice_ends_on, 1), datetime.time(9), tzinfo=SHANGHAI)
        )
        return svc.application_notice_close(application=app, by=community)
    if target == S.STREET_REVIEW:
        return svc.application_forward(application=app, by=community, opinion="公示无异议，同意上报。")
    if target == S.ASSESSMENT:
        return svc.application_street_approve(application=app, by=street, opinion="材料齐全，同意。")
    if target == S.DISTRICT_DECISION:
        assessment_record(
            elder=app.elder, assessed_on=app.stage_started_on, scores=scores, by=users["assessor"], application=app
        )
        app.refresh_from_db()
        return app
    if target == S.APPROVED:
        return svc.application_approve(application=app, by=users["district"], opinion="同意核准。")
    raise ValueError(target)


def seed(ctx: DemoContext) -> None:
    users = ctx.users
    today = ctx.today
    # Deadlines counted in working days run into next year from the autumn on.
    for year in {today.year - 1, today.year, today.year + 1}:
        _known_year(year)
    # The figures first: filing and approval both check the standard the elder would receive.
    scheme = load_policies(district=ctx.district, first_month=Month(2020, 1))["jiangdu"]
    half = 1 if today.month <= 6 else 7
    batch = IntakeBatch.objects.create(
        district=ctx.district,
        name=f"{today.year}年{'上' if half == 1 else '下'}半年集中申报",
        opens_on=datetime.date(today.year - 1, 1, 1),
        closes_on=datetime.date(today.year, half + 5, 28),
    )
    # The approved group was filed a month before the last closed quarter began, so that its
    # subsidies (from the month after approval) and visits fill that quarter's settlement.
    last_closed = Month.of(today).quarter.months[0].previous().quarter
    start = _workday_before(last_closed.first_day - datetime.timedelta(days=20), 1)
    served = {ctx.communities[0].pk, ctx.communities[3].pk}
    candidates = [
        e
        for e in ctx.elders
        if e.community_id in served
        and age_on(e.birth_date, start) >= 60
        and e.resident_since <= start - datetime.timedelta(days=200)
        and e.life_status == LifeStatus.ACTIVE
    ]
    rng = ctx.rng
    approved = candidates[:30]
    in_progress = candidates[30:]
    with (
        override("zh-hans"),
        time_machine.travel(
            datetime.datetime.combine(start, datetime.time(9), tzinfo=SHANGHAI), tick=False
        ) as traveller,
    ):
        apps = []
        for elder in approved:
            care = rng.choice(["self_care", "non_self_care"])
            try:
                app = svc.application_file(
                    elder=elder,
                    scheme=scheme,
                    categories=elder.category_codes,
                    care_situation=care,
                    by=_worker(ctx, elder),
                )
            except DomainError:
                continue  # matches no standard (under 80 without a category): not filed
            apps.append(app)
        scores = [rng.choice(SCORES) for _ in apps]
        # Stage by stage for the whole group, as the batch is handled in practice.
        for target in ORDER[1:]:
            apps = [_step(app, target, ctx, users, traveller, s) for app, s in zip(apps, scores, strict=True)]
        # One rejected case, one withdrawn, and one in each open state, filed two weeks ago
        # (the public notice one three days ago so its notice is still running).
        two_weeks_ago = datetime.datetime.combine(_workday_before(today, 12), datetime.time(9), tzinfo=SHANGHAI)
        plan = [
            S.FILED,
            S.COMMUNITY_REVIEW,
            S.COMMUNITY_DECISION,
            S.STREET_REVIEW,
            S.ASSESSMENT,
            S.DISTRICT_DECISION,
            S.REJECTED,
            S.WITHDRAWN,
        ]
        # Each open state gets a case (an elder whose claim matches no standard is refused at
        # filing and the next elder takes the state), then two notices started two days ago.
        waiting = list(in_progress)
        for target in plan:
            while waiting:
                elder = waiting.pop(0)
                # Each case from the same day: the close of one case's notice moves the clock on.
                traveller.move_to(two_weeks_ago)
                try:
                    app = svc.application_file(
                        elder=elder,
                        scheme=scheme,
                        categories=elder.category_codes,
                        care_situation="non_self_care",
                        by=_worker(ctx, elder),
                    )
                except DomainError:
                    continue
                _walk_to(app, target, ctx, users, traveller, rng.choice(SCORES))
                break
        traveller.move_to(datetime.datetime.combine(_workday_before(today, 2), datetime.time(9), tzinfo=SHANGHAI))
        noticed = 0
        while waiting and noticed < 2:
            elder = waiting.pop(0)
            try:
                app = svc.application_file(
                    elder=elder,
                    scheme=scheme,
                    categories=elder.category_codes,
                    care_situation="self_care",
                    by=_worker(ctx, elder),
                )
            except DomainError:
                continue
            _walk_to(app, S.PUBLIC_NOTICE, ctx, users, traveller, SCORES[0])
            noticed += 1
        # The assessors' day in the first community, for the batch's cases awaiting assessment.
        assessment_slot_create(
            batch=batch,
            community=ctx.communities[0],
            on=add_workdays(today, 3),
            by=users["district"],
            assessor=users["assessor"],
            place=f"{ctx.communities[0].name}居家养老服务站",
        )

    # Policies and the previous month's run build on the approved elders above.

    seed_policies_and_run(ctx)


def _worker(ctx: DemoContext, elder):
    return ctx.users["community"] if elder.community_id == ctx.communities[0].pk else ctx.users["community2"]


def _walk_to(app: Application, target: str, ctx: DemoContext, users: dict, traveller, scores: dict) -> None:
    try:
        if target == S.REJECTED:
            app = _step(app, S.COMMUNITY_REVIEW, ctx, users, traveller, scores)
            svc.application_reject(
                application=app, by=_worker(ctx, app.elder), opinion="经入户调查，家庭人均收入超过低保标准。"
            )
            return
        if target == S.WITHDRAWN:
            svc.application_withdraw(application=app, by=_worker(ctx, app.elder), opinion="老人本人申请撤回。")
            return
        for step in ORDER[1 : ORDER.index(target) + 1]:
            app = _step(app, step, ctx, users, traveller, scores)
    except DomainError:
        # A demo elder that a rule refuses stays where it stopped; the demo shows that too.
        return
