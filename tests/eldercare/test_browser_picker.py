"""In a real browser: a community worker finds an elder by pinyin initials in the picker of the
community callbacks, records the callback, and opens the elder's page with its sections; on a
phone too, and without JavaScript."""

import datetime

import pytest
from django.utils import timezone

from eldercare.models import LifeStatus, Role
from providers.models import CommunityContact
from tests.test_browser_month import open_menu

from ..factories import ElderFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def people(tree):
    elders = {
        "wang": ElderFactory(community=tree.a1, name="王秀英", phone="13812340001"),
        "zhang": ElderFactory(community=tree.a1, name="张建国"),
        "gone": ElderFactory(
            community=tree.a1,
            name="王晓勇",
            life_status=LifeStatus.DECEASED,
            life_status_date=datetime.date(2026, 1, 5),
        ),
        "other": ElderFactory(community=tree.b1, name="王小云"),
    }
    user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="cw")
    return elders


def _login(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "cw")
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")


def _record_callback(page):
    page.fill("#id_contacted_on", f"{timezone.localdate():%Y-%m-%d}")
    page.locator("#contact-form button.btn-primary").click()
    page.wait_for_selector(".alert-success")


def test_pick_by_pinyin_initials_record_a_callback_and_open_the_elders_hub(live_server, page, people):
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server)
    open_menu(page, "社区回访")
    search = page.get_by_role("combobox", name="查找老人")
    search.click()
    search.press_sequentially("wxy", delay=60)
    options = page.get_by_role("listbox", name="匹配的老人").get_by_role("option")
    options.first.wait_for()
    # Only the elder still served in the worker's own community: not 王晓勇 (deceased) nor 王小云.
    assert options.count() == 1
    assert "王秀英" in options.first.inner_text() and "龙川社区" in options.first.inner_text()
    page.screenshot(path="test-results/elder-picker-desktop.png", full_page=True)
    search.press("Enter")
    assert page.locator("#id_elder").input_value() == str(people["wang"].pk)
    assert "王秀英" in page.locator("#id_elder option:checked").inner_text()
    _record_callback(page)
    assert CommunityContact.objects.get().elder == people["wang"]

    open_menu(page, "老人档案")
    page.fill("#id_q", "wxy")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="王秀英").click()
    hub = page.locator("#elder-hub")
    hub.wait_for()
    titles = hub.locator("section h2").all_inner_texts()
    assert titles[:2] == ["人员状态", "居家养老服务补贴申请"] and "补贴账户" in titles
    assert hub.get_by_role("link", name="申请补贴").is_visible()
    page.screenshot(path="test-results/elder-hub-desktop.png", full_page=True)


def test_on_a_phone_the_picker_works_by_touch(live_server, browser, people):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="en-US")
    page = context.new_page()
    try:
        _login(page, live_server)
        open_menu(page, "社区回访")
        search = page.get_by_role("combobox", name="查找老人")
        search.tap()
        search.press_sequentially("0001", delay=60)  # the phone's last four digits
        option = page.get_by_role("listbox", name="匹配的老人").get_by_role("option").first
        option.wait_for()
        box = option.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] <= PHONE["width"]
        page.screenshot(path="test-results/elder-picker-phone.png", full_page=False)
        option.tap()
        assert page.locator("#id_elder").input_value() == str(people["wang"].pk)
        _record_callback(page)
        assert CommunityContact.objects.get().elder == people["wang"]
        page.get_by_role("button", name="菜单").click()
        open_menu(page, "老人档案")
        page.fill("#id_q", "王秀英")
        page.get_by_role("button", name="查询").click()
        page.get_by_role("link", name="王秀英").click()
        page.locator("#elder-hub").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        page.screenshot(path="test-results/elder-hub-phone.png", full_page=True)
    finally:
        context.close()


def test_without_javascript_the_search_button_lists_the_matches(live_server, browser, people):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    try:
        _login(page, live_server)
        open_menu(page, "社区回访")
        page.fill("#id_elder_q", "wxy")
        page.locator("button[name=elder__search]").click()
        page.wait_for_selector(".invalid-feedback, .errorlist, .alert-danger")
        assert "请在下方的查询结果中选择老人" in page.content()
        assert "“wxy”的查询结果" in page.locator(".elder-picker-status").inner_text()
        labels = page.locator("#id_elder option").all_inner_texts()
        assert [label.split(" · ")[0] for label in labels[1:]] == ["王秀英"]
        page.screenshot(path="test-results/elder-picker-nojs.png", full_page=True)
        page.select_option("#id_elder", str(people["wang"].pk))
        page.fill("#id_contacted_on", f"{timezone.localdate():%Y-%m-%d}")
        page.locator("#contact-form button.btn-primary").click()
        page.wait_for_selector(".alert-success")
        assert CommunityContact.objects.get().elder == people["wang"]
    finally:
        context.close()
