"""Demo seeding of policies and the previous month's run (wired into seed_demo at merge time).

`seed_policies_and_run(ctx)` loads both real schemes (jiangdu for the demo district), gives the
district scheme B's transition from the 80+ voucher to the high-age allowance, and runs the
previous month for the approved demo elders. When the applications demo has approved nobody yet
(this branch alone), it approves a few eligible elders directly so the run report has content.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone

from eldercare.periods import Month, local_day_bounds
from subsidies.standards.models import Assessment, Entitlement, PolicyVersion
from subsidies.standards.services.policies import RowInput, load_policies, policy_version_create
from subsidies.standards.services.run import run_month


def seed_high_age_transition(ctx, scheme) -> None:
    """Scheme B replaced its 80+ voucher of 200 CNY a month by a separate high-age allowance (paid
    outside the platform) from this month on; the district keeps the voucher for the three months
    of the transition as its local standard, which the standards page shows with its end."""
    if PolicyVersion.objects.filter(scheme=scheme, district=ctx.district).exists():
        return
    replaced = Month.of(ctx.today)
    last = replaced.plus(2)
    policy_version_create(
        scheme=scheme,
        district=ctx.district,
        month=replaced,
        name=f"高龄服务券过渡期（{replaced}起改发高龄津贴）",
        rows=[RowInput("80岁以上高龄服务券（过渡期）", Decimal("200"), min_age=80, last_month=last)],
        district_percent=Decimal("100"),
        town_percent=Decimal("0"),
        upper_level_label="区（市按季度核拨）",
        lower_level_label="街道",
        note=f"80岁以上高龄服务券每月200元自{replaced}起由另行发放的高龄津贴取代；过渡期最长三个月，至{last}止。",
        by=ctx.users.get("district") or ctx.users["admin"],
    )


def seed_policies_and_run(ctx) -> None:
    schemes = load_policies(district=ctx.district, first_month=Month(2020, 1))
    seed_high_age_transition(ctx, schemes["shenzhen"])
    previous = Month.of(ctx.today).previous()
    if not Entitlement.objects.exists():
        district_user = ctx.users.get("district") or ctx.users["admin"]
        assessor = ctx.users.get("assessor") or district_user
        levels = ["self_care", "self_care", "semi_disabled", "disabled"]
        assessments, entitlements = [], []
        for elder in ctx.elders[:120]:
            age = Month.of(ctx.today).year - elder.birth_date.year
            if age < 60 or (not elder.category_codes and age < 80):
                continue
            assessments.append(
                Assessment(
                    elder=elder,
                    assessed_on=datetime.date(previous.year, 1, 5) if previous.month > 1 else previous.first_day,
                    effective_from=previous.plus(-2).first_day,
                    assessor=assessor,
                    instrument="民政部老年人能力评估",
                    instrument_level="-",
                    care_level=ctx.rng.choice(levels),
                )
            )
            entitlements.append(
                Entitlement(
                    elder=elder,
                    scheme=schemes["jiangdu"],
                    start_month=previous.plus(-1).first_day,
                    approved_at=timezone.now(),
                    approved_by=district_user,
                )
            )
        Assessment.objects.bulk_create(assessments)
        Entitlement.objects.bulk_create(entitlements)
    # Each month since the start of the last closed quarter, run on its 1st as beat does.
    current = previous.next()
    month = current.quarter.months[0].previous().quarter.months[0]
    while month <= current:
        at = datetime.datetime.combine(
            month.first_day, datetime.time(1), tzinfo=local_day_bounds(month.first_day)[0].tzinfo
        )
        with time_machine.travel(at, tick=False):
            run_month(month=month)
        month = month.next()
