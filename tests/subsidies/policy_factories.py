"""Helpers for the policy and monthly-run tests: schemes loaded, entitled elders made quickly."""

import datetime

from django.utils import timezone

from eldercare.models import ElderCategory, Role
from eldercare.periods import Month
from subsidies.standards.models import Assessment, Entitlement, Scheme
from subsidies.standards.services.policies import load_policies
from tests.factories import ElderFactory, user_with_role

JAN_2026 = Month(2026, 1)


def schemes(tree) -> dict[str, Scheme]:
    return load_policies(district=tree.district, first_month=Month(2020, 1))


def entitled_elder(
    *,
    scheme: Scheme,
    community,
    birth_date=datetime.date(1950, 3, 15),
    categories=(),
    care_level="self_care",
    assessed_from=datetime.date(2025, 1, 1),
    start_month=JAN_2026,
    approver=None,
    **kwargs,
):
    elder = ElderFactory(community=community, birth_date=birth_date, **kwargs)
    for code in categories:
        ElderCategory.objects.create(elder=elder, category=code, evidence_date=datetime.date(2020, 1, 1))
    approver = approver or user_with_role(Role.DISTRICT_REVIEWER, community.parent.parent)
    if care_level:
        Assessment.objects.create(
            elder=elder,
            assessed_on=assessed_from,
            effective_from=assessed_from,
            assessor=approver,
            instrument="民政部老年人能力评估",
            instrument_level="-",
            care_level=care_level,
        )
    Entitlement.objects.create(
        elder=elder, scheme=scheme, start_month=start_month.first_day, approved_at=timezone.now(), approved_by=approver
    )
    return elder
