"""Each role's walk in Chromium on the seeded demo: the login page, then for each role its work list
and each menu page.

- Accessibility, checked by axe-core (WCAG 2 A and AA): a serious or critical violation fails the
  test, named by rule, page and element.
- The work list tells the truth: each panel's count equals the list its "see all" opens, and the
  unread badge equals the unread notices its page shows."""

from pathlib import Path

import pytest

from tests.browser_pages import demo, log_in, menu_urls  # noqa: F401 - the fixture
from tests.security.test_worklist_counts import NOT_A_LIST

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ROLES = [
    "community",
    "street",
    "district",
    "assessor",
    "finance",
    "supervisor",
    "provider",
    "caregiver",
    "volunteer",
    "supermarket",
]
BLOCKING = {"serious", "critical"}
# The shell (menu bar and footer, templates/base.html) is checked on its own, once: every page shares it.
RUN_AXE = """async (shell) => await axe.run(
    shell ? {include: [['nav.navbar'], ['body > footer']]} : {exclude: [['nav.navbar'], ['body > footer']]},
    {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}, resultTypes: ['violations']})"""


def violations(page, where: str, shell: bool = False) -> list[str]:
    """axe's serious and critical findings on the open page, one line per element."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE, shell)["violations"]
    return [
        f"{v['id']} ({v['impact']}) on {where}: {' '.join(map(str, node['target']))} — {v['help']}"
        for v in found
        if v["impact"] in BLOCKING
        for node in v["nodes"]
    ]


PANELS = """() => [...document.querySelectorAll('.work-panel')].map((p, index) => ({
    index, title: p.querySelector('.card-header span').innerText.trim(),
    count: p.querySelector('.card-header .badge') ? p.querySelector('.card-header .badge').innerText : null,
    href: p.querySelector('.card-footer a') ? p.querySelector('.card-footer a').getAttribute('href') : null}))"""


def count_mismatches(page, live_server, role: str) -> list[str]:
    """Open each counted panel's list from the work list, and the notices from the unread badge."""
    found = []
    page.goto(f"{live_server.url}/")
    badge = page.locator("#unread-badge")
    unread = int(badge.inner_text()) if badge.count() else 0
    if unread:
        badge.click()
    else:
        page.click("#notices-link")
    shown = int(page.locator("#unread-count").get_attribute("data-count"))
    if shown != unread:
        found.append(f"{role}: the badge says {unread} unread, the notices page {shown}")
    page.goto(f"{live_server.url}/")
    panels = [p for p in page.evaluate(PANELS) if p["count"] is not None and p["href"]]
    for panel in panels:
        if panel["href"].split("?")[0] in NOT_A_LIST:
            continue
        page.goto(f"{live_server.url}/")
        page.locator(".work-panel").nth(panel["index"]).locator(".card-footer a").click()
        page.wait_for_load_state("load")
        result = page.locator("#result-count")
        listed = result.first.get_attribute("data-count") if result.count() else "no #result-count"
        if listed != panel["count"]:
            found.append(f"{role}: “{panel['title']}” counts {panel['count']}, {panel['href']} lists {listed}")
    return found


@pytest.mark.usefixtures("demo")
def test_each_role_pages_are_accessible_and_its_work_list_counts_true(live_server, browser):
    problems: list[str] = []
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    problems += violations(page, "/login/ (anonymous)")
    ctx.close()

    shell: list[str] = []
    counts: list[str] = []
    for role in ROLES:
        ctx, page = log_in(browser, live_server, role)
        shell += violations(page, f"the menu bar and footer ({role})", shell=True)
        counts += count_mismatches(page, live_server, role)
        for url in ["/", *menu_urls(role)]:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.ok, f"{role} {url}: {response and response.status}"
            problems += violations(page, f"{url} ({role})")
        ctx.close()

    assert not shell + problems + counts, "\n".join(shell + problems + counts)
