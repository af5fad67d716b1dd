"""The page shell in Chromium: the district reviewer's grouped menu is one row on a desktop and its
groups open as dropdowns (by mouse and by keyboard); the text size chosen with A+ grows the page's
text and stays on the next pages, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from eldercare.models import Role

from ..factories import user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-12345678")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("待办事项")


def font_size(page, selector="body") -> float:
    return float(page.locator(selector).evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))


def test_the_district_menu_is_one_row_and_its_groups_open_by_mouse_and_keyboard(live_server, browser, tree):
    user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        log_in(page, live_server, "district")
        page.wait_for_load_state("load")  # Bootstrap's script, deferred

        assert page.locator("nav.navbar").bounding_box()["height"] < 80
        tops = {
            round(b["y"])
            for b in page.locator("#mainnav .navbar-nav > li").evaluate_all(
                "items => items.map(i => i.getBoundingClientRect().toJSON())"
            )
        }
        assert len(tops) == 1  # every top-level entry on one line

        # The mouse: 资金结算 is in the money group's dropdown, hidden until its button is pressed.
        money = page.locator("#nav-money")
        settle = money.get_by_role("link", name="资金结算", exact=True)
        expect(settle).to_be_hidden()
        money.locator("button.dropdown-toggle").click()
        expect(money.locator("button.dropdown-toggle")).to_have_attribute("aria-expanded", "true")
        settle.click()
        expect(page).to_have_url(f"{live_server.url}/settlement/")
        expect(page.locator("#nav-money a[aria-current=page]")).to_have_text("资金结算")
        expect(page.locator("#nav-money button.dropdown-toggle")).to_have_class("nav-link dropdown-toggle active")

        # The keyboard: focus the administration group's button, open it, go down to its first entry.
        toggle = page.locator("#nav-administration button.dropdown-toggle")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        expect(page.locator("#nav-administration .dropdown-item").first).to_be_focused()
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{live_server.url}/audit/")
    finally:
        context.close()


def test_a_plus_grows_the_text_and_the_size_stays_on_the_next_pages(live_server, browser, tree):
    user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="cw")
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.wait_for_load_state("load")
        before = font_size(page)
        heading = font_size(page, "h1")

        page.click("#textsize-form button[value=large]")  # A+, on the login page already

        expect(page.locator("html")).to_have_class(re.compile(r"\btextsize-large\b"))
        assert font_size(page) == before * 1.25
        assert font_size(page, "h1") > heading
        expect(page.locator("#textsize-form button[value=large]")).to_have_attribute("aria-pressed", "true")
        assert page.url == f"{live_server.url}/login/"  # no page load: the script did it
        log_in(page, live_server, "cw")
        assert font_size(page) == before * 1.25
        page.goto(f"{live_server.url}/elders/")
        assert font_size(page) == before * 1.25

        page.click("#textsize-form button[value=small]")  # A−
        assert font_size(page) < before
        page.click("#textsize-form button[value=normal]")  # A
        assert font_size(page) == before
        page.reload()
        assert font_size(page) == before
    finally:
        context.close()


def test_without_javascript_a_plus_sends_its_form_and_comes_back_larger(live_server, browser):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        before = font_size(page)

        page.click("#textsize-form button[value=large]")

        expect(page).to_have_url(f"{live_server.url}/login/")
        expect(page.locator("html")).to_have_class(re.compile(r"\btextsize-large\b"))
        assert font_size(page) == before * 1.25
    finally:
        context.close()
