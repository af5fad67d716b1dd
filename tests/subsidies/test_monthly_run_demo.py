"""The demo seeding of policies and runs works on the core demo (wired into seed_demo at merge)."""

import datetime
import random

import pytest

from devtools.demo import core as demo
from devtools.demo.standards import seed_policies_and_run
from subsidies.standards.models import Grant, SubsidyRun


@pytest.mark.django_db
def test_seed_policies_and_run():
    ctx = demo.DemoContext(rng=random.Random(1), today=datetime.date(2026, 11, 20))
    demo.seed(ctx, elders=60)
    seed_policies_and_run(ctx)
    assert SubsidyRun.objects.filter(month=datetime.date(2026, 10, 1), status="done").exists()
    assert Grant.objects.filter(month=datetime.date(2026, 10, 1)).exists()
