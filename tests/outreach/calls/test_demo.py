"""The active care calls demo: weeks of calls, today's list waiting, one home visit pending."""

import datetime
import random

import pytest

from devtools.demo import core as demo
from devtools.demo import outreach, outreach_calls
from outreach.calls import selectors
from outreach.calls.models import CallOutcome

from ..conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_has_weeks_of_calls_and_a_home_visit_on_the_volunteers_work_list():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    outreach_calls.seed(ctx)
    (plan,) = selectors.plan_list(user=ctx.users["district"])
    assert (plan.target, plan.interval_days) == ("left_behind", 7)
    days = set(CallOutcome.objects.values_list("day", flat=True))
    assert min(days) == TODAY - datetime.timedelta(days=outreach_calls.PLAN_DAYS)
    assert {"reached_fine", "unreachable"} <= set(CallOutcome.objects.values_list("result", flat=True))
    (visit,) = selectors.visit_list(user=ctx.users["volunteer"], open_only=True)
    assert visit.responsible.user == ctx.users["volunteer"]
    assert list(CallOutcome.objects.filter(elder=visit.elder).order_by("-at").values_list("result", flat=True)[:3]) == [
        "unreachable",
        "unreachable",
        "reached_fine",
    ]
    assert selectors.today_calls(user=ctx.users["district"]).exists()
