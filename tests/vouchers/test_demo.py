import datetime
import random

import pytest

from devtools.demo import core as core_demo
from devtools.demo import vouchers as demo
from vouchers.checks import ledger_problems
from vouchers.models import Account, LedgerTransaction


@pytest.mark.django_db
def test_demo_seed_builds_a_sound_small_ledger():
    ctx = core_demo.DemoContext(rng=random.Random(1), today=datetime.date(2026, 5, 20))
    core_demo.seed(ctx, elders=60)
    demo.seed(ctx)
    assert LedgerTransaction.objects.filter(kind="grant").count() == 18
    assert LedgerTransaction.objects.filter(kind="deposit").count() == 1
    assert Account.objects.filter(kind="subsidy", status="frozen", status_cause="deceased").count() == 1
    assert ledger_problems() == []
