"""A caregiver's journey on a phone-sized screen: log in, check in with the elder's short code,
check out an hour later with the elder's one-time code (frozen clock shared with the live server
thread), balance drops by the price."""

import datetime

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from providers.models import WorkOrder
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder

from .conftest import START
from .factories import elder_code, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The check-in rate limits count in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser_page(browser):
    """A phone-sized page on the session's Chromium (tests/conftest.py points Playwright at Debian's)."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_caregiver_checks_in_and_out_on_a_phone(world, clock, tree, live_server, browser_page, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in March 2026
    grant(world.elder, "2026-03", "80.00", tree)
    order = make_order(world, at=START)
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
    page.fill("#id_elder_code", elder_code(world.elder))
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
