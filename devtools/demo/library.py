"""Demo of the provider library and the providers' staff, through the services: a candidate
awaiting its contract, a contract ending within 30 days, a suspended provider with its reason, a
confirmed scorecard of the last quarter, caregivers with trainings and a certificate ending soon."""

import datetime
from decimal import Decimal

from eldercare.models import Division
from eldercare.periods import Month, local_day_bounds
from providers import quality
from providers.models import Callback, CallbackResult, Caregiver, Contract, Provider, SatisfactionSurvey, WorkOrder
from providers.services import library as services

from .core import DemoContext


def _last_quarter(today: datetime.date):
    return Month.of(Month.of(today).quarter.first_day - datetime.timedelta(days=1)).quarter


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    district_user = ctx.users["district"]
    provider_admin = ctx.users["provider"]
    district = ctx.district
    assert district is not None
    streets = list(Division.objects.filter(parent=district, level=Division.Level.STREET).order_by("code"))

    # A provider won by the latest tender, waiting for its contract (on the district's work list).
    services.provider_create(
        name="德馨居家养老服务中心",
        kind=Provider.Kind.SOCIAL_ORGANISATION,
        licence_number="52321012MJ7001",
        other_licences="食品经营许可证 JY33210120001",
        district=district,
        streets=streets[:1],
        phone="0514-86551234",
        address="江都区文昌东路66号",
        contact_name="周立新",
        contact_phone="13905147001",
        by=district_user,
    )

    # A provider whose one-year contract ends in 20 days (to renew from the work list).
    ending = services.provider_create(
        name="安心家政服务有限公司",
        kind=Provider.Kind.BUSINESS,
        licence_number="91321012MA7002",
        district=district,
        streets=streets[1:2],
        phone="0514-86552345",
        address="仙女镇人民路18号",
        contact_name="钱伟",
        contact_phone="13905147002",
        by=district_user,
    )
    services.contract_create(
        provider=ending,
        number=f"JDHT-{today.year}-A1",
        starts_on=today + datetime.timedelta(days=20) - datetime.timedelta(days=365),
        by=district_user,
    )

    # A suspended provider, with the reason on its page.
    suspended = services.provider_create(
        name="福寿康社区服务社",
        kind=Provider.Kind.SOCIAL_ORGANISATION,
        licence_number="52321012MJ7003",
        district=district,
        streets=streets[2:3],
        phone="0514-86553456",
        address="邵伯镇甘棠路9号",
        contact_name="孙梅",
        contact_phone="13905147003",
        by=district_user,
    )
    services.contract_create(
        provider=suspended,
        number=f"JDHT-{today.year}-A2",
        starts_on=today - datetime.timedelta(days=90),
        by=district_user,
    )
    services.provider_set_status(
        provider=suspended,
        to=Provider.Status.SUSPENDED,
        reason="区级抽样回访发现虚报服务时长，暂停接单待核查",
        by=district_user,
    )

    # The last quarter's scorecard of the provider admin's provider, confirmed from the platform's
    # figures: the district's sample callbacks and a town's survey of that quarter come first.
    provider = Provider.objects.get(pk=provider_admin.role_assignments.get().provider_id)
    quarter = _last_quarter(today)
    start, end = local_day_bounds(quarter.first_day)[0], local_day_bounds(quarter.last_day)[1]
    visited = WorkOrder.objects.filter(
        provider=provider, status=WorkOrder.Status.COMPLETED, scheduled_at__gte=start, scheduled_at__lt=end
    ).exclude(callbacks__source=Callback.Source.DISTRICT)
    for i, order in enumerate(visited.order_by("pk")[::10]):
        result = {3: CallbackResult.NOT_SATISFIED, 7: CallbackResult.COMPLAINT}.get(i, CallbackResult.SATISFIED)
        quality.callback_record(order=order, source=Callback.Source.DISTRICT, result=result, by=district_user)
    street = provider.streets.order_by("code").first()
    town_user = next(
        (u for u in ctx.users.values() if street and u.role_assignments.filter(division=street).exists()), None
    )
    if (
        street is not None
        and town_user is not None
        and not SatisfactionSurvey.objects.filter(provider=provider, street=street, quarter=quarter.first_day).exists()
    ):
        quality.survey_record(
            provider=provider, street=street, quarter=quarter, surveyed=40, satisfied=35, by=town_user
        )
    services.assessment_confirm(provider=provider, quarter=quarter, notes="季度考核，按平台数据确认", by=district_user)

    # The provider admin's caregivers: their trainings, and a certificate ending within 30 days.
    caregivers = list(Caregiver.objects.filter(provider=provider, active=True).order_by("staff_number"))
    for i, caregiver in enumerate(caregivers):
        services.training_add(
            caregiver=caregiver,
            course="岗前培训：居家养老服务规范与安全",
            completed_on=today - datetime.timedelta(days=210 + i),
            hours=Decimal("24"),
            by=provider_admin,
        )
        services.training_add(
            caregiver=caregiver,
            course="失能老人照护技能提升",
            completed_on=today - datetime.timedelta(days=40 + i),
            hours=Decimal("8"),
            note="区民政局组织",
            by=provider_admin,
        )
    if caregivers:
        services.certificate_add(
            caregiver=caregivers[-1],
            kind="psychological",
            number=f"XL{provider.pk:04d}-01",
            valid_until=today + datetime.timedelta(days=18),
            by=provider_admin,
        )
    assert Contract.objects.filter(provider=ending).count() == 1
