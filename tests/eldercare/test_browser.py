import datetime

import pytest
from playwright.sync_api import expect

from eldercare.models import Role
from tests.test_browser_month import open_menu

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
    open_menu(page, "老人档案")
    page.fill("#id_q", "王秀英")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="王秀英").click()

    assert page.locator("h1").inner_text().startswith("王秀英")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "户籍社区" in page.content() and "龙川社区" in page.content()
    page.goto(f"{live_server.url}/elders/?q=李桂兰")
    assert "李桂兰" not in page.locator("table").inner_text()
    page.screenshot(path="test-results/community-worker-elder.png", full_page=True)


def test_the_elder_list_searches_a_whole_id_number_by_post_and_keeps_it_out_of_the_address(live_server, page, tree):
    wang = ElderFactory(community=tree.a1, name="王秀英", birth_date=datetime.date(1941, 3, 9))
    ElderFactory(community=tree.a1, name="张建国", birth_date=datetime.date(1944, 7, 2))
    user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="cw")
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "cw")
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")
    open_menu(page, "老人档案")
    table = page.locator("#elder-table")
    expect(table.get_by_role("link", name="张建国")).to_be_visible()

    page.fill("#id_q", wang.id_number)
    page.get_by_role("button", name="查询").click()
    # htmx swaps the table in place: only 王秀英 is left, and the page itself did not reload.
    expect(table.get_by_role("link", name="张建国")).to_have_count(0)
    expect(table.get_by_role("link", name="王秀英")).to_be_visible()
    assert table.locator("tbody tr").count() == 1
    assert page.url == f"{live_server.url}/elders/"
    searches = [
        (method, url) for method, url in requests if "/elders/" in url and url.split("/elders/")[1][:1] in ("", "?")
    ]
    assert ("POST", f"{live_server.url}/elders/") in searches
    assert all(wang.id_number not in url and wang.id_number[-7:] not in url for _, url in requests)
    # the table's own links (sorting, pages) carry the session key, not the number
    sort_link = table.locator("thead a").first.get_attribute("href")
    assert sort_link is not None and "s=" in sort_link and wang.id_number[-7:] not in sort_link

    table.get_by_role("link", name="王秀英").click()
    assert page.locator("h1").inner_text().startswith("王秀英")
