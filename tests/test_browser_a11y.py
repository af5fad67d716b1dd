"""Accessibility of every page a role opens from its menu, checked by axe-core (WCAG 2 A and AA) in
Chromium on the seeded demo: the login page, then for each role its work list and each menu page.
A serious or critical violation fails the test, named by rule, page and element."""

from pathlib import Path

import pytest

from tests.browser_pages import demo, log_in, menu_urls  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

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


@pytest.mark.usefixtures("demo")
def test_no_serious_accessibility_violation_on_any_role_page(live_server, browser):
    problems: list[str] = []
    ctx = browser.new_context(bypass_csp=True)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/login/")
    problems += violations(page, "/login/ (anonymous)")
    ctx.close()

    shell: list[str] = []
    for role in ROLES:
        ctx, page = log_in(browser, live_server, role)
        shell += violations(page, f"the menu bar and footer ({role})", shell=True)
        for url in ["/", *menu_urls(role)]:
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None and response.ok, f"{role} {url}: {response and response.status}"
            problems += violations(page, f"{url} ({role})")
        ctx.close()

    assert not shell + problems, "\n".join(shell + problems)
