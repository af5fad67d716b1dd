"""The catalogue's journey in a browser: the provider admin adds an item, the district approves it
from the work list, the community worker books the package for an elder found by name; the
booking form on a 390×844 phone too. Every page is reached by clicking from the home page."""

import pytest
from djmoney.money import Money
from playwright.sync_api import expect

from eldercare.models import Role
from providers.models import Approval, ServiceItem, ServicePackage, WorkOrder
from tests.factories import user_with_role
from tests.test_browser_month import open_menu

from .factories import make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-12345678"  # tests.factories.user_with_role


def log_in(browser, live_server, user, **context):
    ctx = browser.new_context(locale="zh-CN", **context)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return ctx, page


def choose_elder(page, name):
    """The elder picker: type the name in its search box and tap the match it offers."""
    page.wait_for_load_state("load")  # the picker's script listens from then on
    page.fill("#id_elder_q", name)
    page.locator("#id_elder_results [role=option]", has_text=name).first.click()
    expect(page.locator("#id_elder option:checked")).to_contain_text(name)


@pytest.fixture
def package(world):
    world.elder.name = "王秀英"
    world.elder.save()
    meal = make_item(world.provider, price="45.00", name="助餐：代买并烹饪午餐", kind="meal")
    p = ServicePackage.objects.create(
        provider=world.provider,
        name="居家基础套餐（助餐+助洁）",
        price=Money("85.00", "CNY"),
        approval=Approval.APPROVED,
    )
    p.items.set([meal, world.item])
    return p


def test_item_added_approved_and_a_package_booked(world, clock, tree, users, package, live_server, browser, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in March 2026
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district)

    # The provider admin adds an item from the catalogue page.
    ctx, page = log_in(browser, live_server, world.admin, viewport={"width": 1280, "height": 900})
    open_menu(page, "服务项目目录")
    page.click("#add-item")
    page.select_option("#id_kind", "companionship")
    page.fill("#id_name", "精神慰藉：读报聊天")
    page.fill("#id_price", "32.00")
    page.fill("#id_minutes", "60")
    page.click("#item-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("区民政局审核通过后即可预约")
    expect(page.locator("h1 .approval-pending")).to_have_text("待区民政局审核")
    page.screenshot(path="test-results/catalogue-item-added.png", full_page=True)
    ctx.close()
    item = ServiceItem.objects.get(name="精神慰藉：读报聊天")
    assert item.approval == Approval.PENDING and item.price == Money("32.00", "CNY")

    # The district finds it on the work list and approves it.
    ctx, page = log_in(browser, live_server, district, viewport={"width": 1280, "height": 900})
    panel = page.locator(".work-panel", has_text="待审核的服务目录")
    page.screenshot(path="test-results/catalogue-district-worklist.png", full_page=True)
    panel.get_by_role("link", name="精神慰藉：读报聊天", exact=False).click()
    page.fill("#id_note", "价格合理，同意。")
    page.click("#approve")
    expect(page.locator("h1 .approval-approved")).to_have_text("已核准")
    page.screenshot(path="test-results/catalogue-district-approved.png", full_page=True)
    ctx.close()
    item.refresh_from_db()
    assert item.approval == Approval.APPROVED and item.approved_by == district

    # The community worker books the package for an elder found by name.
    ctx, page = log_in(browser, live_server, users["community"], viewport={"width": 1280, "height": 900})
    open_menu(page, "工单")
    page.click("#book-visit")
    choose_elder(page, world.elder.name)
    offer = page.locator("#id_offer")
    offer.select_option(offer.locator("option", has_text="居家基础套餐").get_attribute("value"))
    assert offer.locator("option", has_text="精神慰藉：读报聊天").count() == 1  # the approved item is offered
    page.fill("#id_scheduled_at", "2026-03-11T09:00")
    page.select_option("#id_via", "family")
    page.screenshot(path="test-results/catalogue-booking-form.png", full_page=True)
    page.click("#book-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("套餐已预约")
    expect(page.locator("#order-status")).to_have_text("已预约")
    page.screenshot(path="test-results/catalogue-package-booked.png", full_page=True)
    ctx.close()
    orders = WorkOrder.objects.filter(package=package, elder=world.elder).order_by("scheduled_at")
    assert [o.price.amount for o in orders] == [Money("44.74", "CNY").amount, Money("40.26", "CNY").amount]


def test_booking_form_on_a_phone(world, clock, users, package, live_server, browser, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    ctx, page = log_in(
        browser,
        live_server,
        users["community"],
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    open_menu(page, "工单")
    page.click("#book-visit")
    choose_elder(page, world.elder.name)
    page.select_option("#id_offer", f"item:{world.item.pk}")
    page.fill("#id_scheduled_at", "2026-03-11T10:00")
    page.check("#id_pay_myself")
    page.screenshot(path="test-results/catalogue-booking-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.click("#book-form button[type=submit]")
    expect(page.locator("#order-payment")).to_contain_text("老人自费")
    ctx.close()
    order = WorkOrder.objects.get(elder=world.elder)
    assert order.self_paid and order.price == Money("50.00", "CNY")
