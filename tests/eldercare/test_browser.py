import pytest

from eldercare.models import Role

from ..factories import ElderFactory, user_with_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_worker_logs_in_finds_an_elder_and_reads_chinese(live_server, page, tree):
    ElderFactory(community=tree.a1, name="王秀英")
    ElderFactory(community=tree.b1, name="李桂兰")  # another street: must not be found
    user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="cw")

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "cw")
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")
    page.get_by_role("link", name="老人档案").click()
    page.fill("#id_q", "王秀英")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="王秀英").click()

    assert page.locator("h1").inner_text().startswith("王秀英")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "户籍社区" in page.content() and "龙川社区" in page.content()
    page.goto(f"{live_server.url}/elders/?q=李桂兰")
    assert "李桂兰" not in page.locator("table").inner_text()
    page.screenshot(path="test-results/community-worker-elder.png", full_page=True)
