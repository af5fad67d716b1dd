"""The register: coverage counts, one primary per household, who sees what, the screening form."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from eldercare import paging
from eldercare.models import Role
from eldercare.nav import work_panels_for
from outreach import selectors, services
from outreach.errors import ResponsibleTaken
from outreach.models import EmergencyContact, ResponsiblePerson, VulnerabilityProfile

from ..factories import ElderFactory, user_with_role
from .conftest import TODAY
from .factories import responsible, screened

pytestmark = pytest.mark.django_db


def _sixty_today() -> datetime.date:
    return TODAY.replace(year=TODAY.year - 60)


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


UNSCREENED_URL = "/outreach/?status=unscreened"
UNASSIGNED_URL = "/outreach/?status=unassigned"


def _panels(user) -> dict:
    """The outreach panels of the user's work list, by the list each opens."""
    return {p.url: p for p in work_panels_for(user) if p.url.startswith("/outreach/")}


def _row(rows, community):
    return next(r for r in rows if r["community"] == community)


def test_a_household_whose_primary_has_ended_or_with_a_deputy_only_is_without_a_responsible_person(tree, worker):
    ended, deputy_only, assigned, unscreened = (ElderFactory(community=tree.a1) for _ in range(4))
    for elder in (ended, deputy_only, assigned):
        screened(elder, worker)
    services.responsible_end(
        person=responsible(ended, worker, name="网格员 张三"), ends_on=datetime.date(2026, 4, 1), by=worker
    )
    responsible(deputy_only, worker, duty="deputy", name="邻居 李四")
    responsible(assigned, worker, name="网格员 王五")
    responsible(unscreened, worker, name="网格员 赵六")  # a person, but not screened yet

    assert set(selectors.register_elders(user=worker, status="unassigned")) == {ended, deputy_only}
    assert _row(selectors.coverage(user=worker), tree.a1)["unassigned"] == 2
    other = user_with_role(Role.COMMUNITY_WORKER, tree.a2)
    assert list(selectors.register_elders(user=other, status="unassigned")) == []


def test_the_work_list_counts_as_far_as_the_list_it_opens_counts_and_says_there_are_more(
    client, tree, worker, monkeypatch
):
    for _ in range(4):
        ElderFactory(community=tree.a1)
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    panel = _panels(worker)[UNSCREENED_URL]
    assert (panel.count, panel.capped) == (3, True)
    client.force_login(worker)
    register = client.get(panel.url).context["page"].paginator
    assert (register.count, register.capped) == (3, True)
    home = client.get("/").content.decode()
    assert re.search(r'<span class="badge bg-secondary">3\+</span>', home)

    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    panel = _panels(worker)[UNSCREENED_URL]
    assert (panel.count, panel.capped) == (4, False)
    assert re.search(r'<span class="badge bg-secondary">4</span>', client.get("/").content.decode())


def test_coverage_counts_an_unscreened_elder_of_sixty_not_one_of_fifty_nine_nor_another_community(tree, worker):
    turned_sixty = ElderFactory(community=tree.a1, birth_date=_sixty_today())
    ElderFactory(community=tree.a1, birth_date=_sixty_today() + datetime.timedelta(days=1))  # 59 until tomorrow
    ElderFactory(community=tree.a2, birth_date=datetime.date(1940, 1, 1))  # another community
    ElderFactory(
        community=tree.a1,
        birth_date=datetime.date(1940, 1, 1),
        life_status="deceased",
        life_status_date=datetime.date(2026, 1, 2),
    )

    rows = selectors.coverage(user=worker)
    assert [r["community"] for r in rows] == [tree.a1]
    assert _row(rows, tree.a1)["elders"] == 1 and _row(rows, tree.a1)["unscreened"] == 1
    assert list(selectors.register_elders(user=worker, status="unscreened")) == [turned_sixty]

    # The street sees both of its communities, the other one's elder too.
    street = user_with_role(Role.STREET_REVIEWER, tree.street_a)
    rows = selectors.coverage(user=street)
    assert {r["community"]: r["unscreened"] for r in rows} == {tree.a1: 1, tree.a2: 1}


def test_work_list_counts_equal_the_lists_they_open(client, tree, worker):
    a = ElderFactory(community=tree.a1)
    b = ElderFactory(community=tree.a1)
    c = ElderFactory(community=tree.a1)
    screened(a, worker, solitary=True)
    screened(b, worker)
    responsible(b, worker, name="网格员 张三")
    ElderFactory(community=tree.b1)  # another street

    panels = _panels(worker)
    unscreened = panels[UNSCREENED_URL]
    unassigned = panels[UNASSIGNED_URL]
    assert unscreened.count == 1 and unassigned.count == 1
    client.force_login(worker)
    for panel, expected in ((unscreened, c), (unassigned, a)):
        page = client.get(panel.url)
        assert page.status_code == 200
        assert page.context["page"].paginator.count == panel.count
        assert list(page.context["page"]) == [expected]

    # Once everyone is screened and assigned, the panels leave the work list.
    screened(c, worker)
    responsible(a, worker, name="网格员 李四")
    responsible(c, worker, name="网格员 王五")
    assert UNSCREENED_URL not in _panels(worker) and UNASSIGNED_URL not in _panels(worker)

    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    assert _panels(district)[UNSCREENED_URL].count == 1  # the elder of 新都村


def test_one_current_primary_per_household(tree, worker):
    elder = ElderFactory(community=tree.a1)
    responsible(elder, worker, name="网格员 张三")
    with pytest.raises(IntegrityError), transaction.atomic():
        responsible(elder, worker, name="网格员 李四")
    with pytest.raises(ResponsibleTaken):
        services.responsible_assign(
            elder=elder,
            duty="primary",
            kind="grid_worker",
            starts_on=TODAY,
            by=worker,
            name="李四",
            phone="13900002222",
        )
    # A deputy beside the primary is fine; after the primary ends, a new one can be named.
    services.responsible_assign(
        elder=elder,
        duty="deputy",
        kind="family_doctor",
        starts_on=TODAY,
        by=worker,
        name="刘医生",
        phone="0514-86221234",
    )
    current = ResponsiblePerson.objects.get(elder=elder, duty="primary")
    services.responsible_end(person=current, ends_on=TODAY, by=worker)
    services.responsible_assign(
        elder=elder, duty="primary", kind="grid_worker", starts_on=TODAY, by=worker, name="李四", phone="13900002222"
    )
    assert ResponsiblePerson.objects.filter(elder=elder, ends_on__isnull=True).count() == 2


def test_a_volunteer_sees_only_the_households_assigned_to_them(client, tree, worker, volunteer):
    mine = ElderFactory(community=tree.a1, name="李桂英")
    other = ElderFactory(community=tree.a1, name="王秀兰")
    screened(mine, worker, solitary=True)
    screened(other, worker)
    responsible(mine, worker, user=volunteer)

    client.force_login(volunteer)
    page = client.get(reverse("outreach:register"))
    assert list(page.context["page"]) == [mine]
    assert "王秀兰" not in page.content.decode()
    assert client.get(reverse("outreach:responsible", args=[mine.pk])).status_code == 200
    assert client.get(reverse("outreach:responsible", args=[other.pk])).status_code == 404
    assert client.get(reverse("outreach:screen", args=[other.pk])).status_code == 404
    assert client.get(reverse("outreach:coverage")).status_code == 403
    # Nothing of the registry beyond: the core's pages show no elder.
    assert client.get(reverse("elder_detail", args=[other.pk])).status_code == 404
    assert _panels(volunteer)[reverse("outreach:register") + "?status=mine"].count == 1

    # The volunteer may record a new screening of the household in their care.
    response = client.post(
        reverse("outreach:screen", args=[mine.pk]),
        {"living_arrangement": "alone", "care_need": "self_care", "screened_on": "2026-03-16", "solitary": "on"},
    )
    assert response.status_code == 302
    assert VulnerabilityProfile.objects.get(elder=mine).screened_by == volunteer


def test_a_community_worker_of_another_community_gets_404(client, tree, worker):
    elder = ElderFactory(community=tree.a1)
    screened(elder, worker)
    person = responsible(elder, worker, name="网格员 张三")
    client.force_login(user_with_role(Role.COMMUNITY_WORKER, tree.a2))
    assert client.get(reverse("outreach:screen", args=[elder.pk])).status_code == 404
    assert client.get(reverse("outreach:responsible", args=[elder.pk])).status_code == 404
    assert client.post(reverse("outreach:responsible_end", args=[person.pk])).status_code == 404
    assert list(client.get(reverse("outreach:register")).context["page"]) == []


def _screening(**extra) -> dict:
    return {
        "living_arrangement": "spouse",
        "care_need": "semi_disabled",
        "screened_on": "2026-03-15",
        "contact1_name": "张伟",
        "contact1_relation": "儿子",
        "contact1_phone": "13812345678",
        **extra,
    }


def test_the_screening_form_records_the_profile_and_derives_the_risk(client, tree, worker):
    elder = ElderFactory(community=tree.a1)
    client.force_login(worker)
    response = client.post(reverse("outreach:screen", args=[elder.pk]), _screening(empty_nest="on"))
    assert response.status_code == 302
    profile = VulnerabilityProfile.objects.get(elder=elder)
    assert profile.risk_level == "medium" and profile.screened_by == worker
    contact = profile.contacts.get()
    assert contact.phone == "13812345678" and contact.phone_masked == "138****5678"

    # Screened again: family carers now absent with a semi-disabled elder makes it high.
    client.post(reverse("outreach:screen", args=[elder.pk]), _screening(carers_absent="on"))
    profile.refresh_from_db()
    assert profile.risk_level == "high" and profile.contacts.count() == 1


def test_the_screening_form_refuses_a_bad_phone_in_chinese_and_writes_nothing(client, tree, worker):
    elder = ElderFactory(community=tree.a1)
    client.force_login(worker)
    response = client.post(reverse("outreach:screen", args=[elder.pk]), _screening(contact1_phone="1381234"))
    assert response.status_code == 200
    assert "请填写有效的电话号码。" in response.content.decode()
    assert not VulnerabilityProfile.objects.exists() and not EmergencyContact.objects.exists()


def test_the_service_refuses_a_bad_phone_and_writes_nothing(tree, worker):
    elder = ElderFactory(community=tree.a1)
    data = services.ScreeningData(
        living_arrangement="alone",
        screened_on=TODAY,
        contacts=[services.ContactData("张伟", "儿子", "12345")],
    )
    with pytest.raises(services.ScreeningInvalid):
        services.profile_screen(elder=elder, data=data, by=worker)
    assert not VulnerabilityProfile.objects.exists()


def test_the_elders_page_links_the_screening(client, tree, worker):
    elder = ElderFactory(community=tree.a1)
    client.force_login(worker)
    html = client.get(reverse("elder_detail", args=[elder.pk])).content.decode()
    assert reverse("outreach:screen", args=[elder.pk]) in html


def test_the_assignment_form_names_a_volunteer_by_login(client, tree, worker, volunteer):
    elder = ElderFactory(community=tree.a1)
    screened(elder, worker)
    client.force_login(worker)
    response = client.post(
        reverse("outreach:responsible", args=[elder.pk]),
        {"duty": "primary", "kind": "volunteer", "login": "volunteer", "starts_on": "2026-03-16"},
    )
    assert response.status_code == 302
    assert ResponsiblePerson.objects.get(elder=elder).user == volunteer
    response = client.post(
        reverse("outreach:responsible", args=[elder.pk]),
        {"duty": "deputy", "kind": "grid_worker", "name": "张三", "phone": "123", "starts_on": "2026-03-16"},
    )
    assert response.status_code == 200 and "请填写有效的电话号码。" in response.content.decode()
    assert ResponsiblePerson.objects.filter(elder=elder).count() == 1


def test_the_coverage_page_rolls_up_the_street(client, tree):
    ElderFactory(community=tree.a1)
    ElderFactory(community=tree.a2)
    client.force_login(user_with_role(Role.STREET_REVIEWER, tree.street_a))
    response = client.get(reverse("outreach:coverage"))
    assert response.status_code == 200
    assert response.context["totals"]["unscreened"] == 2


def test_the_screening_form_opens_with_the_last_screening(client, tree, worker):
    elder = ElderFactory(community=tree.a1)
    client.force_login(worker)
    client.post(reverse("outreach:screen", args=[elder.pk]), _screening(chronic_medicine="on", medicines="二甲双胍"))
    response = client.get(reverse("outreach:screen", args=[elder.pk]))
    form = response.context["form"]
    assert form.initial["care_need"] == "semi_disabled" and form.initial["medicines"] == "二甲双胍"
    assert form.initial["contact1_phone"] == "138****5678"
    assert client.get(reverse("outreach:import")).status_code == 200


def test_households_in_my_care_open_only_mine(client, tree, worker):
    mine, other = ElderFactory(community=tree.a1), ElderFactory(community=tree.a1)
    screened(mine, worker)
    screened(other, worker)
    responsible(mine, worker, user=worker, duty="deputy")
    panel = _panels(worker)["/outreach/?status=mine"]
    client.force_login(worker)
    page = client.get(panel.url)
    assert panel.count == 1 and list(page.context["page"]) == [mine]


def test_the_screening_form_shows_the_contacts_phone_masked_and_keeps_it_when_unchanged(client, tree, worker):
    elder = ElderFactory(community=tree.a1)
    client.force_login(worker)
    client.post(reverse("outreach:screen", args=[elder.pk]), _screening())
    page = client.get(reverse("outreach:screen", args=[elder.pk])).content.decode()
    assert "13812345678" not in page and 'value="138****5678"' in page

    # Screened again with the phone left as shown: the stored number stays.
    response = client.post(reverse("outreach:screen", args=[elder.pk]), _screening(contact1_phone="138****5678"))
    assert response.status_code == 302
    assert VulnerabilityProfile.objects.get(elder=elder).contacts.get().phone == "13812345678"

    # A whole number typed replaces it.
    client.post(reverse("outreach:screen", args=[elder.pk]), _screening(contact1_phone="13911112222"))
    contact = VulnerabilityProfile.objects.get(elder=elder).contacts.get()
    assert (contact.phone, contact.phone_masked) == ("13911112222", "139****2222")


def test_a_worker_in_charge_of_a_household_elsewhere_sees_it_with_the_area(tree, worker):
    elsewhere = ElderFactory(community=tree.b1, birth_date=datetime.date(1950, 1, 1))
    ElderFactory(community=tree.b1, birth_date=datetime.date(1950, 1, 1))  # not in the worker's care
    at_home = ElderFactory(community=tree.a1, birth_date=datetime.date(1950, 1, 1))
    responsible(elsewhere, worker, user=worker)
    assert set(selectors.register_elders(user=worker, on=TODAY)) == {elsewhere, at_home}


@pytest.mark.postgres
def test_the_register_of_a_community_filters_by_values_the_indexes_can_read(tree, worker):
    """The households in the worker's own care are a list beside the area, not a subquery:
    PostgreSQL tests `community OR id IN (subquery)` row by row over every elder of the district
    (a hashed SubPlan), where `community = … OR id = …` reads the indexes."""
    mine = ElderFactory(community=tree.b1, birth_date=datetime.date(1950, 1, 1))
    responsible(mine, worker, user=worker)
    plan = selectors.register_elders(user=worker, on=TODAY)[:25].explain()
    # Both parts are values the indexes can read (which index, and whether as a condition or a
    # filter, is the planner's choice over a table of a few rows), never a subquery per row.
    assert f"id = {mine.pk})" in plan and f"community_id = {tree.a1.pk})" in plan, plan
    assert "hashed SubPlan" not in plan, plan
