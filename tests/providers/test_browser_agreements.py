"""The community worker's journey, by clicking from the home page: find an elder in 老人档案, open
the elder, sign an agreement with a provider of the elder's street, re-issue the lost card with a
reason; then the same page on a 390×844 phone."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from eldercare.models import Role
from providers.models import CardIssue, ElderCard, ServiceAgreement
from providers.services import card_issue
from tests.factories import ElderFactory, user_with_role
from tests.test_browser_month import open_menu

from .factories import make_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("test-results")
PHONE = {"width": 390, "height": 844}


def test_community_worker_signs_an_agreement_and_reissues_the_card(live_server, page, tree):
    SHOTS.mkdir(exist_ok=True)
    provider = make_provider(tree, name="江都区康乐居家养老服务中心")
    make_provider(tree, name="仙女镇养老服务站", streets=[tree.street_b])  # not serving the elder's street
    elder = ElderFactory(community=tree.a1, name="周玉兰")
    old = card_issue(elder=elder, by=None)
    user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="cw")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "cw")
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")

    # Home → 老人档案 → search → the elder's page.
    open_menu(page, "老人档案")
    page.fill("#id_q", "周玉兰")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="周玉兰").click()
    hub = page.locator(".hub-section", has=page.get_by_role("heading", name="服务协议"))
    expect(hub).to_contain_text("暂无服务协议")
    page.screenshot(path=str(SHOTS / "agreements-hub-before.png"), full_page=True)

    # Sign with the provider of the elder's street (the other one is not offered).
    hub.get_by_role("link", name="签订服务协议").click()
    options = page.locator("#id_provider option").all_inner_texts()
    assert "江都区康乐居家养老服务中心" in options and "仙女镇养老服务站" not in options
    page.select_option("#id_provider", label="江都区康乐居家养老服务中心")
    page.screenshot(path=str(SHOTS / "agreements-sign.png"), full_page=True)
    page.click("#submit")
    expect(page.locator(".alert-success")).to_contain_text("已与 江都区康乐居家养老服务中心 签订服务协议")
    expect(page.locator(".open-agreement")).to_contain_text("江都区康乐居家养老服务中心")
    assert ServiceAgreement.objects.filter(elder=elder, provider=provider, ends_on__isnull=True).count() == 1

    # The card was lost: re-issue it with the reason.
    page.fill("#card-reason", "卡片遗失，老人申请补办")
    page.click("#card-issue")
    expect(page.locator(".alert-success")).to_contain_text("已发放新卡")
    expect(page.locator("#card-history")).to_contain_text("卡片遗失，老人申请补办")
    expect(page.locator("#card-current")).to_contain_text("第 2 版")
    card = ElderCard.objects.get(elder=elder)
    assert card.version == 2 and card.short_code != old.short_code
    assert CardIssue.objects.get(card=card).reason == "卡片遗失，老人申请补办"
    page.screenshot(path=str(SHOTS / "agreements-elder-desktop.png"), full_page=True)

    # Back on the elder's page, its sections show the agreement and the card's history.
    page.locator("h1 a", has_text="周玉兰").click()
    card_hub = page.locator(".hub-section", has=page.get_by_role("heading", name="服务卡"))
    expect(card_hub).to_contain_text("卡片遗失，老人申请补办")
    expect(page.locator(".hub-section", has=page.get_by_role("heading", name="服务协议"))).to_contain_text(
        "江都区康乐居家养老服务中心"
    )
    page.screenshot(path=str(SHOTS / "agreements-hub-after.png"), full_page=True)
    page.get_by_role("link", name="协议与服务卡").click()

    # The same page on a phone-sized screen: nothing wider than the screen.
    page.set_viewport_size(PHONE)
    expect(page.locator("#card-history")).to_contain_text("卡片遗失")
    page.screenshot(path=str(SHOTS / "agreements-elder-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
