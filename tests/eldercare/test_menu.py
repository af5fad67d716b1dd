"""The menu is grouped by task: the district reviewer's thirty-odd entries fit in a few top-level
entries (a dropdown per group with two entries or more, a plain link for a group of one), every
entry is still there, and the current page's entry and its group are marked."""

from html.parser import HTMLParser

import pytest

from eldercare.models import Role
from eldercare.nav import nav_links_for
from tests.providers.factories import make_caregiver, make_provider

from ..factories import user_with_role

pytestmark = pytest.mark.django_db

# Every entry the district reviewer's flat menu had before the grouping, besides the work list.
DISTRICT_ENTRIES = {
    "/elders/",
    "/subsidies/applications/",
    "/subsidies/batches/",
    "/subsidies/policies/",
    "/subsidies/runs/",
    "/providers/catalogue/",
    "/providers/",
    "/providers/caregivers/",
    "/providers/orders/",
    "/providers/exceptions/",
    "/providers/callbacks/",
    "/providers/frequency/",
    "/providers/rectifications/",
    "/providers/agreements/",
    "/providers/surveys/",
    "/vouchers/",
    "/settlement/",
    "/settlement/claims/",
    "/outreach/",
    "/outreach/coverage/",
    "/outreach/responses/",
    "/outreach/today/",
    "/outreach/calls/",
    "/outreach/purchases/",
    "/outreach/calls/plans/",
    "/outreach/purchases/mine/",
    "/outreach/reports/",
    "/outreach/inspections/",
    "/outreach/inspections/problems/",
    "/outreach/calls/visits/",
    "/outreach/inspections/continuity/",
    "/outreach/checkins/",
    "/outreach/checkins/alerts/",
    "/audit/",
    "/providers/visit-verification/",
    "/calendar/",
    "/offices/",
}


class _Menu(HTMLParser):
    """The top level of the navbar's menu: each entry a dict with `toggle` (a dropdown's button
    text, or None for a plain link), `links` [(href, text, aria-current)] and `classes`."""

    def __init__(self):
        super().__init__()
        self.entries: list[dict] = []
        self.depth = 0  # <ul> nesting inside the menu; 0: outside it
        self.capture: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "ul" and (self.depth or a.get("id") == "mainmenu"):
            self.depth += 1
        elif tag == "li" and self.depth == 1:
            self.entries.append({"toggle": None, "links": [], "expanded": None, "active": False})
        elif tag == "button" and self.depth == 1 and "dropdown-toggle" in (a.get("class") or ""):
            entry = self.entries[-1]
            entry["toggle"], entry["expanded"] = "", a.get("aria-expanded")
            entry["active"] = "active" in a["class"].split()
            self.capture = [entry, "toggle"]
        elif tag == "a" and self.depth:
            self.entries[-1]["links"].append([a["href"], "", a.get("aria-current")])
            self.capture = [self.entries[-1]["links"][-1], 1]

    def handle_endtag(self, tag):
        if tag == "ul" and self.depth:
            self.depth -= 1
        elif tag in ("a", "button"):
            self.capture = None

    def handle_data(self, data):
        if self.capture is not None:
            target, key = self.capture
            target[key] += data.strip()


def menu_of(client, path="/") -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200
    parser = _Menu()
    parser.feed(response.content.decode())
    return parser.entries


def test_the_district_reviewers_menu_fits_in_eight_entries_and_keeps_every_entry(client, tree):
    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))

    menu = menu_of(client)

    assert len(menu) <= 8
    assert [e["toggle"] for e in menu] == [
        None,
        None,
        "补助审批",
        "服务与机构",
        "资金",
        "应急关爱",
        "管理",
    ]
    assert [link[1] for link in menu[0]["links"]] == ["待办事项"]
    assert menu[1]["links"] == [["/elders/", "老人档案", None]]  # a group of one entry is a plain link
    entries = [link[0] for e in menu[1:] for link in e["links"]]
    assert len(entries) == len(DISTRICT_ENTRIES) == 37
    assert set(entries) == DISTRICT_ENTRIES
    # Each group is a dropdown whose toggle is a button, closed until pressed.
    assert {e["expanded"] for e in menu[2:]} == {"false"}
    money = menu[4]
    assert [link[1] for link in money["links"]] == ["补贴账户", "资金结算", "追缴退赔"]


def test_the_current_page_and_its_group_are_marked(client, tree):
    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))

    menu = menu_of(client, "/providers/orders/")

    current = [(link[0], e["toggle"]) for e in menu for link in e["links"] if link[2] == "page"]
    assert current == [("/providers/orders/", "服务与机构")]  # not 服务商's /providers/, a shorter prefix
    assert [e["toggle"] for e in menu if e["active"]] == ["服务与机构"]
    home = menu_of(client, "/")
    assert [(link[0], link[2]) for e in home for link in e["links"] if link[2]] == [("/", "page")]


def test_a_caregivers_visits_and_work_list_are_one_tap_away(client, tree):
    caregiver = make_caregiver(make_provider(tree))
    client.force_login(caregiver.user)

    menu = menu_of(client)

    plain = {link[1]: link[0] for e in menu if e["toggle"] is None for link in e["links"]}
    assert plain["待办事项"] == "/"
    assert plain["今日服务"] == "/providers/my/"
    assert not {link[0] for e in menu for link in e["links"]} & {"/providers/orders/", "/subsidies/applications/"}


def test_each_role_sees_only_its_own_entries(client, tree):
    community = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    finance = user_with_role(Role.FINANCE, tree.district)
    clerk = user_with_role(Role.SUPERMARKET, tree.district)

    for user, has, lacks in [
        (community, {"/providers/community-callbacks/", "/outreach/reports/today/"}, {"/audit/", "/calendar/"}),
        (finance, {"/settlement/", "/subsidies/policies/"}, {"/elders/new/", "/providers/orders/", "/audit/"}),
        (clerk, {"/outreach/purchases/runs/"}, {"/elders/", "/outreach/today/"}),
    ]:
        client.force_login(user)
        shown = {link[0] for e in menu_of(client) for link in e["links"]}
        assert shown - {"/"} == {link["url"] for link in nav_links_for(user)}
        assert has <= shown
        assert not shown & lacks
