"""The quarter page lists its months and why it cannot be prepared yet; the towns' and finance's work
lists; sending back from the page."""

import pytest
import time_machine
from django.urls import reverse

from eldercare.periods import Quarter
from settlement.models import QuarterSettlement
from settlement.services import month_confirm, quarter_prepare

from .scenario import DEC, at, build

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)
JAN4 = at(2027, 1, 4)


@pytest.fixture
def december_open(tree):
    return build(tree, lock_december=False)


def test_quarter_page_lists_months_and_explains_why_prepare_is_refused(client, december_open, tree):
    q = december_open
    with time_machine.travel(JAN4, tick=False):
        client.force_login(q.finance)
        page = client.get(reverse("settlement_quarter", args=["2026Q4"])).content.decode()
    months = page.split('id="quarter-months"')[1].split("</ul>")[0]
    # October and November locked; December open, waiting for 仙女镇 (the town with activity).
    assert months.count("已锁定") == 2
    assert "待确认" in months and "尚待确认: 仙女镇" in months
    assert reverse("settlement_month", args=["2026-12"]) in months
    assert "已确认: 龙川街道、仙女镇" in months  # October
    refused = page.split('id="prepare-refused"')[1].split("</p>")[0]
    assert "2026-12 (等待 仙女镇)" in refused
    assert '<button class="btn btn-sm btn-primary" disabled>季度结算</button>' in page
    with time_machine.travel(JAN4, tick=False):
        month = client.get(reverse("settlement_month", args=["2026-12"])).content.decode()
    assert f'<a href="{reverse("settlement_quarter", args=["2026Q4"])}">季度资金结算 2026Q4</a>' in month


def test_town_work_list_lists_its_months_to_confirm_and_only_its_own(client, december_open):
    q = december_open
    with time_machine.travel(JAN4, tick=False):
        client.force_login(q.street_b_user)
        home = client.get("/").content.decode()
        assert "等待本镇（街道）确认的月份" in home
        assert f'<a href="{reverse("settlement_month", args=["2026-12"])}">2026-12 · 仙女镇</a>' in home
        # 龙川街道 had no activity in December: nothing awaits it.
        client.force_login(q.street_a_user)
        assert "等待本镇（街道）确认的月份" not in client.get("/").content.decode()


def test_finance_work_list_ready_to_prepare_then_to_approve_by_the_other_user(client, december_open, tree):
    q = december_open
    with time_machine.travel(JAN4, tick=False):
        client.force_login(q.finance)
        assert "2026Q4 季度：尚有月份未锁定" in client.get("/").content.decode()
        month_confirm(month=DEC, street=tree.street_b, by=q.street_b_user)
        assert "2026Q4 季度可以结算" in client.get("/").content.decode()
        quarter_prepare(quarter=Q4, by=q.finance)
        assert "2026Q4 季度结算由您编制，等待其他财务人员审核" in client.get("/").content.decode()
        client.force_login(q.finance2)
        home = client.get("/").content.decode()
        assert "2026Q4 季度结算待审核（通过或退回）" in home


def test_send_back_from_the_page_needs_a_reason_and_shows_it(client, q4):
    with time_machine.travel(at(2027, 1, 5), tick=False):
        quarter_prepare(quarter=Q4, by=q4.finance)
        url = reverse("settlement_quarter_send_back", args=["2026Q4"])
        client.force_login(q4.finance)
        page = client.get(reverse("settlement_quarter", args=["2026Q4"])).content.decode()
        assert url not in page and "本结算由您编制" in page  # the preparer has no send-back form
        client.force_login(q4.finance2)
        assert url in client.get(reverse("settlement_quarter", args=["2026Q4"])).content.decode()
        refused = client.post(url, {"reason": ""}, follow=True).content.decode()
        assert "请填写退回原因。" in refused
        assert QuarterSettlement.objects.get().status == "prepared"
        page = client.post(url, {"reason": "邵伯镇数据待复核"}, follow=True).content.decode()
    assert QuarterSettlement.objects.get().status == "returned"
    reason = page.split('id="returned-reason"')[1].split("</div>")[0]
    assert "邵伯镇数据待复核" in reason and q4.finance2.username in reason
    assert "已退回，待重新结算" in page
    # Sent back: no approval offered; finance prepares again.
    assert reverse("settlement_quarter_approve", args=["2026Q4"]) not in page
    assert "重新结算" in page.split('id="returned-reason"')[1]
