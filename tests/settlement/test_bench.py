"""The benchmark runs at a small size (no timing asserted: figures only)."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from devtools.bench.settlement import QUARTER, run
from settlement.models import QuarterSettlement

pytestmark = pytest.mark.django_db


def test_bench_settles_a_small_synthetic_quarter():
    result = run(orders=2_000, providers=20, log=lambda *_: None)
    s = QuarterSettlement.objects.get(quarter=QUARTER.first_day)
    # 2,000 orders of 50.00, 20 voided (i % 100 == 7) → 1,980 × 50.00.
    assert s.total.amount == Decimal("99000.00")
    assert s.differences == []
    assert s.lines.values("provider").distinct().count() == 20
    assert result.pdf_bytes > 0 and result.group_by_seconds > 0
    # The quarter read from its stored figures is the quarter counted live.
    assert result.same_as_live is True and result.refresh_generations == 3
    assert result.dashboard_queries > 0 and result.dashboard_ms > 0


def test_bench_command_prints_the_figures():
    out = io.StringIO()
    call_command("bench_settlement", "--orders", "300", "--providers", "5", "--no-pdf", stdout=out)
    text = out.getvalue()
    assert "bare GROUP BY" in text and "ratio" in text and "peak Python memory" in text
    assert "from the stored figures" in text and "finance dashboard over the open quarter" in text
    assert "same figures as the stored ones" in text and "load average" in text
