"""Each work-list panel's count equals the number of rows the page it opens lists for the same
user (a panel saying "3 to do" must not open a page that says "nothing to do"). The pages give
their count in `#result-count[data-count]`."""

import re

import pytest

from eldercare.nav import work_panels_for

from .conftest import ROLE_LOGINS

# One worker runs the security checks, so the demo is seeded once for all of them (--dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seeded-demo")]

COUNT = re.compile(r'id="result-count" data-count="(\d+)"')

# Panels whose page is not a list of the same rows: a report to fill in, a month or quarter to act
# on, a quota of callbacks, a report of continuity. Keep this short; each entry is a page to give a count.
NOT_A_LIST = {
    "/outreach/reports/today/",
    "/settlement/",
    "/settlement/months/",
    "/providers/community-callbacks/",
    "/outreach/inspections/continuity/",
}


def _listed(url: str) -> bool:
    path = url.split("?")[0]
    return not any(path == p or (p.endswith("/months/") and path.startswith(p)) for p in NOT_A_LIST)


@pytest.mark.parametrize("login", ROLE_LOGINS)
def test_each_panel_count_equals_the_rows_of_the_page_it_opens(world, client, login):
    user = world[login]
    client.force_login(user)
    mismatches = []
    for panel in work_panels_for(user):
        if panel.count is None or not panel.url or not _listed(panel.url):
            continue
        page = client.get(panel.url)
        assert page.status_code == 200, panel.url
        found = COUNT.search(page.content.decode())
        assert found, f"{panel.url} gives no #result-count"
        if int(found.group(1)) != panel.count:
            mismatches.append((panel.title, panel.count, panel.url, int(found.group(1))))
    assert mismatches == []
