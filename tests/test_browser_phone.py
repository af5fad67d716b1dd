"""No page scrolls sideways on a 390×844 phone: for the roles that work from a phone or a small
screen, the work list, each menu page and the first link of each work-list panel fit the screen's
width; so does the district's form for a new policy version."""

import pytest

from subsidies.standards.models import PolicyVersion
from tests.browser_pages import demo, log_in, menu_urls, panel_first_links  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
PHONE_CONTEXT = {"viewport": PHONE, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
ROLES = ["caregiver", "volunteer", "finance", "community"]
# Pages kept as pictures for a person to look at: the work list and the outreach register, whose links
# and buttons on tinted rows were darkened, and the policy form below.
SHOTS = {"community": {"/": "community-worklist", "/outreach/": "community-outreach"}}


def page_width(page, live_server, url: str) -> int:
    response = page.goto(f"{live_server.url}{url}")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    return page.evaluate("document.documentElement.scrollWidth")


def too_wide(page, live_server, urls: list[str], who: str) -> list[str]:
    widths = {url: page_width(page, live_server, url) for url in urls}
    return [f"{url} ({who}): {width} px" for url, width in widths.items() if width > PHONE["width"]]


@pytest.mark.usefixtures("demo")
def test_role_pages_and_the_new_policy_version_fit_a_phone(live_server, browser):
    problems: list[str] = []
    for role in ROLES:
        ctx, page = log_in(browser, live_server, role, **PHONE_CONTEXT)
        panels = panel_first_links(page)
        problems += too_wide(page, live_server, list(dict.fromkeys(["/", *menu_urls(role), *panels])), role)
        for url, name in SHOTS.get(role, {}).items():
            page.goto(f"{live_server.url}{url}")
            page.screenshot(path=f"/tmp/shots/hB-{name}.png", full_page=True)
        ctx.close()

    # The district's form for a new version of a policy: a table of standards, one row each.
    version = PolicyVersion.objects.order_by("pk").first()
    assert version is not None
    ctx, page = log_in(browser, live_server, "district", **PHONE_CONTEXT)
    problems += too_wide(page, live_server, [f"/subsidies/policies/{version.pk}/new/"], "district")
    page.screenshot(path="/tmp/shots/hB-policy-version-new.png", full_page=True)
    ctx.close()

    assert not problems, "pages wider than a 390 px phone:\n" + "\n".join(problems)
