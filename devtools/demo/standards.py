"""Demo seeding of policies and the previous month's run (wired into seed_demo at merge time).

`seed_policies_and_run(ctx)` loads both real schemes (jiangdu for the demo district), and runs the
previous month for the approved demo elders. When the applications demo has approved nobody yet
(this branch alone), it approves a few eligible elders directly so the run report has content.
"""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from eldercare.periods import Month, local_day_bounds
from subsidies.standards.models import Assessment, Entitlement
from subsidies.standards.services.policies import load_policies
from subsidies.standards.services.run import run_month


def seed_policies_and_run(ctx) -> None:
    schemes = load_policies(district=ctx.district, first_month=Month(2020, 1))
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
