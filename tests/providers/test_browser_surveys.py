"""The satisfaction survey's journey in a browser: the town, on a phone as its grid workers are,
opens a survey from the menu, finds four elders by name, enters their answers (3 satisfied),
submits (75.0 %: a rectification opens); the provider's administrator answers it from the work
list with a PDF; the town accepts it from its own work list."""

import datetime

import pytest
from playwright.sync_api import expect

from eldercare.models import Role
from providers.models import Rectification, SatisfactionSurvey, ServiceAgreement
from tests.factories import ElderFactory, user_with_role
from tests.files import pdf_bytes
from tests.test_browser_month import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "pw-12345678"
PDF = pdf_bytes()
NAMES = ["王秀英", "李桂兰", "张玉珍", "刘淑芬"]


def login(browser, live_server, username, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
    # The live server shares one SQLite connection between its threads (and every request is
    # atomic): the browser's own favicon request must not run beside a page's request.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("待办事项")
    return context, page


def no_sideways_scrolling(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_town_surveys_on_a_phone_provider_answers_town_accepts(
    world, tree, clock, live_server, browser, settings, tmp_path
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in March 2026
    settings.MEDIA_ROOT = tmp_path
    elders = [ElderFactory(community=tree.a1, name=name) for name in NAMES]
    for e in elders:
        ServiceAgreement.objects.create(elder=e, provider=world.provider, signed_on=datetime.date(2025, 6, 1))
    town = user_with_role(Role.STREET_REVIEWER, tree.street_a, username="longchuan")
    town.set_password(PASSWORD)
    town.save()
    world.admin.set_password(PASSWORD)
    world.admin.save()

    # The town, on a phone: menu → surveys → open one for the provider.
    context, page = login(
        browser, live_server, "longchuan", PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    open_menu(page, "满意度测评")
    page.wait_for_load_state("networkidle")
    page.select_option("#id_provider", label=world.provider.name)
    page.get_by_role("button", name="发起测评").click()
    expect(page.locator("h1")).to_have_text(world.provider.name)

    # Four elders found by typing their names; the last one is not satisfied.
    for i, name in enumerate(NAMES):
        page.wait_for_load_state("networkidle")
        page.wait_for_selector(".elder-picker[data-ready]", state="attached")  # the picker's script has run
        page.fill("#id_elder_q", name)
        page.locator("#id_elder_results [role=option]", has_text=name).click()
        page.get_by_label("满意" if i < 3 else "不满意", exact=True).check()
        page.get_by_role("button", name="保存答复").click()
        expect(page.locator(".alert-success")).to_contain_text(name)
    expect(page.locator("#survey-tally")).to_contain_text("已录入 4 条答复，其中满意 3 条")
    page.screenshot(path="test-results/surveys-town-phone-entering.png", full_page=True)
    no_sideways_scrolling(page)

    page.get_by_role("button", name="提交测评").click()
    expect(page.locator("#survey-rate")).to_have_text("75.0%")
    expect(page.locator("#rectification-link")).to_contain_text("2026-04-08")
    page.screenshot(path="test-results/surveys-town-phone-submitted.png", full_page=True)
    no_sideways_scrolling(page)
    context.close()
    survey = SatisfactionSurvey.objects.get()
    assert (survey.surveyed, survey.satisfied) == (4, 3)
    rect = Rectification.objects.get(survey=survey)

    # The provider's administrator answers from the work list, with a PDF.
    context, page = login(browser, live_server, world.admin.username, DESKTOP)
    page.locator(".work-panel", has_text="待答复的整改").get_by_role("link", name=world.provider.name).click()
    page.fill("#id_text", "已约谈护理员，固定上门时间并开展服务规范培训。")
    page.set_input_files("#id_evidence", files=[{"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    page.get_by_role("button", name="提交答复").click()
    expect(page.locator("#rectification-status")).to_have_text("已答复，待街道（镇）审核")
    page.screenshot(path="test-results/surveys-provider-answered.png", full_page=True)
    context.close()

    # The town accepts it from its work list (on a desktop this time).
    context, page = login(browser, live_server, "longchuan", DESKTOP)
    page.locator(".work-panel", has_text="待审核的整改答复").get_by_role("link", name=world.provider.name).click()
    expect(page.locator("#steps")).to_contain_text("已约谈护理员")
    page.fill("#id_text", "复查属实，整改到位。")
    page.get_by_role("button", name="通过：已整改").click()
    expect(page.locator("#rectification-status")).to_have_text("已整改")
    page.screenshot(path="test-results/surveys-town-accepted.png", full_page=True)
    context.close()

    rect.refresh_from_db()
    assert rect.status == Rectification.Status.RESOLVED and rect.resolution == "复查属实，整改到位。"
    assert list(rect.steps.values_list("kind", flat=True)) == ["answer", "accept"]
