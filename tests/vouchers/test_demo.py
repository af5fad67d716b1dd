import datetime
import random

import pytest
import time_machine

from devtools.demo import applications, vouchers
from devtools.demo import core as core_demo
from subsidies.standards.models import Entitlement
from vouchers.checks import ledger_problems
from vouchers.models import Account, LedgerTransaction


@pytest.mark.django_db
def test_demo_seed_builds_a_sound_small_ledger_on_entitled_elders_only():
    today = datetime.date(2026, 5, 20)
    with time_machine.travel(datetime.datetime(2026, 5, 20, 10, tzinfo=datetime.UTC), tick=False):
        ctx = core_demo.DemoContext(rng=random.Random(1), today=today)
        core_demo.seed(ctx, elders=60)
        applications.seed(ctx)
        vouchers.seed(ctx)
    assert LedgerTransaction.objects.filter(kind="deposit").count() == 1
    assert Account.objects.filter(kind="subsidy", status="frozen", status_cause="deceased").count() == 1
    # Every subsidy credited went to an elder the district approved (no grant without an entitlement).
    granted = set(LedgerTransaction.objects.filter(kind="grant").values_list("entries__account__elder", flat=True))
    granted.discard(None)
    assert granted and granted <= set(Entitlement.objects.values_list("elder_id", flat=True))
    assert ledger_problems() == []
