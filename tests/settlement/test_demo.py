"""The demo leaves the last closed quarter locked and ready: finance prepares it (the pages, the
command), finance2 approves it; the current quarter's last ended month waits for the towns."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from devtools.demo import SEEDERS
from devtools.demo import core as demo
from eldercare.periods import Month, Quarter
from settlement.models import QuarterSettlement, ServiceMonth
from settlement.selectors import months_to_confirm
from settlement.services import quarter_approve

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 20)
NOW = datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
Q3 = Quarter(2026, 3)


@pytest.fixture
def ctx():
    with time_machine.travel(NOW, tick=False):
        c = demo.DemoContext(rng=random.Random(2026), today=TODAY)
        demo.seed(c, elders=60)
        for seeder in SEEDERS:
            seeder(c)
    return c


def test_demo_leaves_the_last_closed_quarter_locked_then_finance_settles_it(ctx, capsys):
    status = dict(ServiceMonth.objects.values_list("month", "status"))
    assert [status.get(m.first_day) for m in Q3.months] == ["locked", "locked", "locked"]
    assert not QuarterSettlement.objects.exists()
    # October (the current quarter's last ended month): 龙川街道 confirmed, the others wait.
    assert status[Month(2026, 10).first_day] == "open"
    assert status[Month(2026, 11).first_day] == "open"
    with time_machine.travel(NOW, tick=False):
        assert [(str(m), s.name) for m, s in months_to_confirm(user=ctx.users["town"])] == [("2026-10", "仙女镇")]
        assert months_to_confirm(user=ctx.users["street"]) == []
        call_command("settle_quarter", "2026Q3")
        s = QuarterSettlement.objects.get(quarter=Q3.first_day)
        assert (s.status, s.prepared_by.username, s.differences) == ("prepared", "finance", [])
        assert s.total.amount > 0 and s.lines.exists()  # the demo visits of the quarter, as the ledger has them
        # The demo's subsidised elders were paid every month of the quarter: the next one needs their standard × 3.
        assert s.need_people > 0 and s.need_amount.amount == sum(
            n.monthly_amount.amount * n.people * 3 for n in s.needs.all()
        )
        approved = quarter_approve(settlement=s, by=ctx.users["finance2"])
    assert capsys.readouterr().out.startswith("2026Q3: total ")
    assert approved.status == QuarterSettlement.Status.APPROVED
    assert [e.to_status for e in approved.events.all()] == ["prepared", "approved"]


def test_demo_statements_and_settlement_agree_month_by_month(ctx):
    """Each visit is on the elder's statement of the month it was served, and in that month's
    settlement: per month, the visits paid and their gross amount (subsidy + personal account on the
    statement, + cash at the door) equal the settlement's services of the month."""
    from eldercare.models import Elder
    from settlement.compute import month_figures
    from vouchers.models import LedgerEntry
    from vouchers.selectors import month_statement

    with time_machine.travel(NOW, tick=False):
        for month in [*Q3.months, Month(2026, 10), Month(2026, 11)]:
            visits, gross = set(), 0
            for elder in Elder.objects.filter(accounts__isnull=False).distinct():
                for row in month_statement(elder=elder, month=month).accounts:
                    for e in row.entries:
                        if e.transaction.kind == "redemption":
                            visits.add(e.transaction_id)
                            gross -= e.amount.amount
                # What the elder paid in cash at the door (on the accounts page, not the statement).
                for e in LedgerEntry.objects.filter(
                    account__elder=elder,
                    account__kind="external",
                    transaction__kind="redemption",
                    transaction__business_date__gte=month.first_day,
                    transaction__business_date__lt=month.next().first_day,
                ):
                    visits.add(e.transaction_id)
                    gross -= e.amount.amount
            lines = [x for x in month_figures(month).lines if x.kind == "service"]
            assert len(visits) == sum(x.visits for x in lines) > 0, month
            assert gross == sum(x.total + x.voided_amount for x in lines), month


def test_demo_cases_are_dated_in_the_past_and_the_assessors_day_is_on_their_work_list(ctx, client):
    from subsidies.applications.models import ApplicationEvent, AssessmentSlot

    assert ApplicationEvent.objects.exists()
    assert not ApplicationEvent.objects.filter(at__gt=NOW).exists()
    slot = AssessmentSlot.objects.get()
    assert slot.community == ctx.communities[0] and slot.on > TODAY
    client.force_login(ctx.users["assessor"])
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/subsidies/batches/{slot.batch_id}/schedule/").content.decode()
    assert f"{slot.on:%Y-%m-%d}" in page and slot.community.name in page
