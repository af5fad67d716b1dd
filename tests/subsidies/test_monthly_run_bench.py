"""The benchmark command runs at a small size so it cannot rot (no timing assertions)."""

import re

import pytest
from django.core.management import call_command
from django.db import connection

from subsidies.standards.models import Grant
from vouchers.models import LedgerTransaction


@pytest.mark.django_db
def test_bench_monthly_run_at_2000_elders(capsys):
    call_command("bench_monthly_run", elders=2000, chunk_size=700)
    out = capsys.readouterr().out
    for label in ("elders:", "grants written:", "seconds:", "rows per second:", "peak memory", "bare INSERT", "ratio:"):
        assert label in out
    if connection.vendor == "postgresql":
        # The true floor is measured in the same run, over the same rows: a real figure.
        floor = re.search(r"true floor: +([0-9.]+) s", out)
        ratio = re.search(r"floor ratio: +([0-9.]+)x", out)
        assert floor and float(floor.group(1)) > 0
        assert ratio and float(ratio.group(1)) > 0
        copies = re.search(r"on empty copies: +([0-9.]+) s", out)
        assert copies and float(copies.group(1)) > 0
        # The floor wrote the same rows into the run's own tables and took them back.
        assert not Grant.objects.filter(month="2027-02-01").exists()
        assert not LedgerTransaction.objects.filter(idempotency_key__startswith="floor:").exists()
    else:
        assert "true floor:          measured on PostgreSQL only" in out
    grants = Grant.objects.count()
    assert 1500 < grants <= 2000  # the few 60–79 year-olds in difficulty are all paid; only gaps are refusals
    call_command("run_monthly_subsidies", "2027-01")
    assert "没有需要新发放的补贴" in capsys.readouterr().out
