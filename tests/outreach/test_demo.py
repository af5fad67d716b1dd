"""The outreach demo: most of 龙川社区 screened, some high-risk, gaps left, a volunteer's households."""

import random

import pytest

from devtools.demo import core as demo
from devtools.demo import outreach
from outreach import selectors
from outreach.models import VulnerabilityProfile

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_leaves_work_for_the_community_and_a_volunteer():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    worker, volunteer = ctx.users["community"], ctx.users["volunteer"]
    assert selectors.register_elders(user=worker, status="unscreened").count() == outreach.UNSCREENED
    assert selectors.register_elders(user=worker, status="unassigned").count() == outreach.UNASSIGNED
    assert VulnerabilityProfile.objects.filter(risk_level="high").exists()
    assert selectors.register_elders(user=volunteer).count() == outreach.VOLUNTEER_HOUSEHOLDS
    assert volunteer.check_password(demo.DEMO_PASSWORD)
