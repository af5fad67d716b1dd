"""The daily check-in demo: enrolled solitary elders, ten days of check-ins, one missed today."""

import random

import pytest

from devtools.demo import core as demo
from devtools.demo import outreach, outreach_checkins
from outreach.checkins import selectors
from outreach.checkins.models import CheckIn, MissedCheckin

from ..conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_enrols_solitary_elders_and_leaves_one_missed_today():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    outreach_checkins.seed(ctx)
    worker = ctx.users["community"]
    rows = selectors.today_rows(user=worker)
    assert 2 <= len(rows) <= outreach_checkins.ENROLLED
    assert [r.state for r in rows].count("missed") == 1
    assert all(r.state == "checked_in" for r in rows[1:])
    (open_alert,) = selectors.alert_list(user=worker, open_only=True)
    assert open_alert.day == TODAY
    (confirmed,) = MissedCheckin.objects.filter(resolved_at__isnull=False)
    assert confirmed.how == "phoned"
    assert {"sms", "page"} == set(CheckIn.objects.values_list("channel", flat=True))
