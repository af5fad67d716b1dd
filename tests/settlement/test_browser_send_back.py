"""The quarter's whole journey from the home pages: the town confirms December from its work list
(on a phone), finance prepares, finance2 sends it back with a reason, finance prepares again,
finance2 approves."""

from pathlib import Path

import pytest
import time_machine

from .scenario import at, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("test-results/settlement")
PHONE = {"width": 390, "height": 844}


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")


def test_town_confirms_finance_prepares_sends_back_prepares_again_and_approves(
    live_server, page, browser, tree, sqlite_guards_off_at_teardown
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    build(tree, lock_december=False)
    with time_machine.travel(at(2027, 1, 4), tick=True):
        # The town, on its phone: the work list names December, the month page confirms it.
        phone = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        town = phone.new_page()
        _login(town, live_server, "street_b")
        town.screenshot(path=SHOTS / "1-town-worklist-phone.png", full_page=True)
        town.get_by_role("link", name="2026-12 · 仙女镇").click()
        town.get_by_role("button", name="确认 仙女镇 的数据").click()
        assert "已锁定" in town.locator("h1").inner_text()
        town.screenshot(path=SHOTS / "2-town-month-confirmed-phone.png", full_page=True)
        town.goto(f"{live_server.url}/")
        assert town.get_by_text("等待本镇（街道）确认的月份").count() == 0
        phone.close()

        # Finance prepares from the work list.
        _login(page, live_server, "finance1")
        page.get_by_role("link", name="2026Q4 季度可以结算").click()
        assert page.locator("#quarter-months").inner_text().count("已锁定") == 3
        page.get_by_role("button", name="季度结算").click()
        assert page.locator("#quarter-total").inner_text() == "350.00"
        assert page.locator("#four-eyes-note").is_visible()

        # finance2 sends it back with a reason.
        _login(page, live_server, "finance2")
        page.get_by_role("link", name="2026Q4 季度结算待审核（通过或退回）").click()
        page.get_by_role("button", name="退回").click()
        assert "请填写退回原因。" in page.content()
        page.fill("#id_reason", "仙女镇12月助浴次数需与服务商复核")
        page.get_by_role("button", name="退回").click()
        assert page.locator("#quarter-status").inner_text() == "已退回，待重新结算"
        assert "仙女镇12月助浴次数需与服务商复核" in page.locator("#returned-reason").inner_text()
        page.screenshot(path=SHOTS / "3-quarter-sent-back.png", full_page=True)

        # Finance prepares again from its work list, where the reason shows.
        _login(page, live_server, "finance1")
        row = page.locator(".work-panel li", has_text="2026Q4 季度结算已退回，待重新结算")
        assert "仙女镇12月助浴次数需与服务商复核" in row.inner_text()
        page.screenshot(path=SHOTS / "4-finance-worklist.png", full_page=True)
        row.get_by_role("link").click()
        page.get_by_role("button", name="重新结算").click()
        assert page.locator("#quarter-status").inner_text() == "已编制，待审核"

        # finance2 approves the new preparation.
        _login(page, live_server, "finance2")
        page.get_by_role("link", name="2026Q4 季度结算待审核（通过或退回）").click()
        page.get_by_role("button", name="审核通过").click()
        assert page.locator("#quarter-status").inner_text() == "已核准"
        history = page.locator("#quarter-history").inner_text()
        assert history.count("→") == 4 and "仙女镇12月助浴次数需与服务商复核" in history
        page.screenshot(path=SHOTS / "5-quarter-approved.png", full_page=True)
