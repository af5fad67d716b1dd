"""The inspections demo: problems in every state on the work lists, the continuity report not empty."""

import random

import pytest

from devtools.demo import applications, outreach, outreach_inspections, providers, vouchers
from devtools.demo import core as demo
from eldercare.nav import work_panels_for
from outreach import selectors as outreach_selectors
from outreach.inspections import continuity, selectors
from outreach.inspections.models import Inspection, Problem

from ..conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_has_problems_in_every_state_and_a_continuity_report():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    for seeder in (applications.seed, vouchers.seed, providers.seed, outreach.seed, outreach_inspections.seed):
        seeder(ctx)
    district, worker = ctx.users["district"], ctx.users["community"]
    assert Inspection.objects.count() == 2
    assert selectors.problem_list(user=district, status=selectors.OVERDUE).count() == 1
    assert selectors.problem_list(user=district, todo=selectors.TO_VERIFY).count() == 1
    assert selectors.problem_list(user=district, status=selectors.CLOSED).count() == 1
    assert selectors.problem_list(user=ctx.users["provider"], todo=selectors.TO_CORRECT).count() == 1
    assert selectors.problem_list(user=worker, todo=selectors.TO_CORRECT).count() == 2
    assert Problem.objects.filter(inspection__level="street").count() == 2
    (response,) = outreach_selectors.response_list(user=district, active_on=TODAY)
    rows = continuity.continuity_rows(user=district, response=response)
    assert continuity.VISITS in {r.reason for r in rows}
    # the demo's frozen account is a deceased elder's: a death's freeze puts no care at risk
    assert {r.elder.life_status for r in rows} == {"active"}
    panel = next(p for p in work_panels_for(ctx.users["street"]) if "/continuity/" in p.url)
    assert panel.count == len(continuity.continuity_rows(user=ctx.users["street"], response=response))
