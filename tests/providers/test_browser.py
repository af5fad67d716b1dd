"""A caregiver's journey on a phone-sized screen: log in, check in with the elder's short code,
check out an hour later (frozen clock shared with the live server thread), balance drops by the price."""

import datetime

import pytest
from playwright.sync_api import expect, sync_playwright

from providers.models import WorkOrder
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder

from .factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(
            viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


def test_caregiver_checks_in_and_out_on_a_phone(world, clock, tree, live_server, browser_page, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in March 2026
    grant(world.elder, "2026-03", "80.00", tree)
    order = make_order(world)
    user = world.caregiver.user
    user.set_password("pw-12345678")
    user.save()
    page = browser_page

    page.goto(f"{live_server.url}/login/?next=/providers/my/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-12345678")
    page.click("button[type=submit]")
    page.locator(".visit-row", has_text=world.elder.name).click()

    page.fill("#id_code", world.code.lower())
    page.click("#check-in")
    expect(page.locator("#order-status")).to_have_text("已签到")
    assert WorkOrder.objects.get(pk=order.pk).status == WorkOrder.Status.IN_PROGRESS

    clock.shift(datetime.timedelta(hours=1, minutes=2))
    page.fill("#id_code", world.code)
    page.fill("#id_notes", "打扫了卧室和厨房")
    page.click("#check-out")
    expect(page.locator("#order-status")).to_have_text("已完成并核销")

    order.refresh_from_db()
    assert order.status == WorkOrder.Status.COMPLETED and order.notes == "打扫了卧室和厨房"
    assert account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance.amount == 30  # 80 − 50
    assert page.viewport_size == PHONE
    page.screenshot(path="/tmp/h6_phone.png", full_page=True)
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide  # no sideways scrolling
