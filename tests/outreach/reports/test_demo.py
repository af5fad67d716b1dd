"""The demo heat wave has days of reports, a unit late and one missing yesterday, today pending."""

import datetime
import random

import pytest

from devtools.demo import core as demo
from devtools.demo import outreach, outreach_reports
from eldercare.nav import work_panels_for
from outreach.reports import selectors
from outreach.reports.models import DailyReport

from ..conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_reports_each_past_day_with_one_unit_late_and_one_missing_yesterday():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    outreach_reports.seed(ctx)
    district = ctx.users["district"]
    (response,) = selectors.report_responses(user=district, active_on=TODAY)
    days = {d["day"]: d for d in selectors.report_days(user=district, response=response)}
    assert len(days) == outreach.HEAT_WAVE_DAYS + 1
    yesterday = days[TODAY - datetime.timedelta(days=1)]
    assert yesterday["late"] == 1 and yesterday["missing"] == 1
    assert days[TODAY]["reported"] == 0
    before = days[TODAY - datetime.timedelta(days=2)]
    assert before["reported"] == before["on_time"] == before["units"]
    r = selectors.rollup(user=district, response=response, day=TODAY - datetime.timedelta(days=1))
    late = {row.unit.name: row.status for row in r.late}
    assert late == {outreach_reports.LATE_COMMUNITY: "late", outreach_reports.MISSING_COMMUNITY: "missing"}
    # 龙川社区's figures are its contacts': some contacted each past day.
    assert DailyReport.objects.filter(community=ctx.communities[0], contacted__gt=0).count() == outreach.HEAT_WAVE_DAYS
    # Today the community worker is asked for the report.
    panels = {p.url: p for p in work_panels_for(ctx.users["community"])}
    assert panels["/outreach/reports/today/"].count == 1
