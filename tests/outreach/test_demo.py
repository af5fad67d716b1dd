"""The outreach demo: most of 龙川社区 screened, some high-risk, gaps left, a volunteer's households."""

import datetime
import random

import pytest

from devtools.demo import core as demo
from devtools.demo import outreach
from outreach import selectors
from outreach.models import Contact, VulnerabilityProfile

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


def test_the_demo_heat_wave_has_days_of_contacts_and_one_open_escalation():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    worker, volunteer = ctx.users["community"], ctx.users["volunteer"]
    (response,) = selectors.response_list(user=ctx.users["district"], active_on=TODAY)
    assert response.starts_on == TODAY - datetime.timedelta(days=outreach.HEAT_WAVE_DAYS)
    assert len(set(Contact.objects.values_list("day", flat=True))) == outreach.HEAT_WAVE_DAYS
    (escalation,) = selectors.escalation_list(user=worker, open_only=True)
    assert escalation.reason == "unreachable"
    due = selectors.today_list(user=volunteer)
    assert escalation.elder in [r.elder for r in due]
    assert {r.elder for r in due} <= set(selectors.register_elders(user=volunteer))


def test_the_demo_names_temporary_caregivers_and_leaves_one_household_without():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    worker, volunteer = ctx.users["community"], ctx.users["volunteer"]
    away = VulnerabilityProfile.objects.filter(carers_absent=True).count()
    assert away >= 2
    assert selectors.caregiver_list(user=worker).count() == away - 1
    assert selectors.register_elders(user=worker, status=selectors.UNCARED).count() == 1
    assert volunteer.has_role("volunteer")
