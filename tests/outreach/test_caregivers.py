"""Temporary caregivers: a household whose family carers are away is never left without one."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Role
from eldercare.nav import work_panels_for
from outreach import rules, selectors, services

from ..factories import ElderFactory, user_with_role
from .conftest import TODAY
from .factories import responsible, screened

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def away(tree, worker):
    """高奶奶: her son, her only carer, is isolated; 李爷爷's carers are at home."""
    elder = ElderFactory(community=tree.a1, name="高奶奶", birth_date=datetime.date(1938, 5, 1))
    screened(elder, worker, carers_absent=True, solitary=True)
    other = ElderFactory(community=tree.a1, name="李爷爷", birth_date=datetime.date(1940, 5, 1))
    screened(other, worker)
    return elder


def _name(elder, by, starts_on=TODAY, ends_on=TODAY + 6 * DAY, **kwargs):
    kwargs.setdefault("meals", True)
    return services.caregiver_name(
        elder=elder, name="王阿姨", phone="13905140011", starts_on=starts_on, ends_on=ends_on, by=by, **kwargs
    )


def test_the_gap_is_a_day_with_carers_away_and_no_period_covering_it():
    week = [(TODAY, TODAY + 6 * DAY)]
    assert rules.carer_gap(True, [], TODAY)
    assert not rules.carer_gap(True, week, TODAY)
    assert not rules.carer_gap(True, week, TODAY + 6 * DAY)  # the last day is covered
    assert rules.carer_gap(True, week, TODAY + 7 * DAY)
    assert rules.carer_gap(True, week, TODAY - DAY)
    assert not rules.carer_gap(False, [], TODAY)  # carers at home: nobody needed


def test_a_household_without_anyone_is_on_the_work_list_until_a_caregiver_covers_today(away, worker):
    assert [e.name for e in selectors.register_elders(user=worker, status=selectors.UNCARED)] == ["高奶奶"]
    panel = next(p for p in work_panels_for(worker) if p.url.endswith(f"status={selectors.UNCARED}"))
    assert panel.count == 1
    assert panel.rows[0]["url"] == reverse("outreach:caregivers", args=[away.pk])
    # a period that starts tomorrow leaves today uncovered
    _name(away, worker, starts_on=TODAY + DAY)
    assert selectors.register_elders(user=worker, status=selectors.UNCARED).count() == 1
    _name(away, worker)
    assert not selectors.register_elders(user=worker, status=selectors.UNCARED).exists()
    assert not any(p.url.endswith(f"status={selectors.UNCARED}") for p in work_panels_for(worker))
    row = next(r for r in selectors.coverage(user=worker) if r["community"].pk == away.community_id)
    assert row["uncared"] == 0


def test_the_coverage_counts_the_households_left_without_anyone(away, worker, tree):
    second = ElderFactory(community=tree.a1, name="赵奶奶", birth_date=datetime.date(1936, 1, 1))
    screened(second, worker, carers_absent=True)
    _name(second, worker, starts_on=TODAY - 10 * DAY, ends_on=TODAY - DAY)  # ended yesterday
    row = next(r for r in selectors.coverage(user=worker) if r["community"].pk == tree.a1.pk)
    assert row["uncared"] == 2
    assert selectors.coverage_totals(selectors.coverage(user=worker))["uncared"] == 2


def test_a_caregiver_needs_a_name_a_phone_a_duty_and_dates_in_order(away, worker):
    with pytest.raises(ValidationFailed) as refused:
        services.caregiver_name(elder=away, name=" ", phone="123", starts_on=TODAY, ends_on=TODAY - DAY, by=worker)
    assert set(refused.value.params["errors"]) == {"name", "phone", "ends_on", "meals"}
    caregiver = _name(away, worker, meals=False, medicine=True, note="每晚陪护")
    assert caregiver.phone_masked == "139****0011"
    assert caregiver.duties == ["用药照护", "每晚陪护"]


def test_a_caregivers_name_is_stored_without_invisible_controls(away, worker):
    caregiver = services.caregiver_name(
        elder=away,
        name="王\u202e阿姨\u200b",
        phone="13905140011",
        starts_on=TODAY,
        ends_on=TODAY,
        meals=True,
        by=worker,
    )
    assert caregiver.name == "王阿姨"


def test_only_the_households_community_names_and_ends_caregivers(away, worker, tree, volunteer):
    outsider = user_with_role(Role.COMMUNITY_WORKER, tree.a2)
    with pytest.raises(NotAllowed):
        _name(away, outsider)
    caregiver = _name(away, worker)
    with pytest.raises(NotAllowed):
        services.caregiver_end(caregiver=caregiver, ends_on=TODAY + DAY, by=volunteer)
    with pytest.raises(ValidationFailed):
        services.caregiver_end(caregiver=caregiver, ends_on=TODAY + 6 * DAY, by=worker)  # not early
    services.caregiver_end(caregiver=caregiver, ends_on=TODAY + 2 * DAY, by=worker)
    caregiver.refresh_from_db()
    assert caregiver.ends_on == TODAY + 2 * DAY


def test_the_responsible_person_sees_the_caregiver_of_their_household_only(away, worker, volunteer, tree):
    responsible(away, worker, user=volunteer)
    _name(away, worker)
    elsewhere = ElderFactory(community=tree.a1, birth_date=datetime.date(1940, 1, 1))
    screened(elsewhere, worker, carers_absent=True)
    _name(elsewhere, worker)
    assert [c.elder for c in selectors.caregiver_list(user=volunteer)] == [away]


def test_the_community_names_one_from_the_households_page(away, worker, client):
    client.force_login(worker)
    page = client.get(reverse("outreach:responsible", args=[away.pk])).content.decode()
    assert reverse("outreach:caregivers", args=[away.pk]) in page
    url = reverse("outreach:caregivers", args=[away.pk])
    assert 'id="caregiver-gap"' in client.get(url).content.decode()
    form = {
        "name": "王阿姨",
        "phone": "13905140011",
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY - DAY).isoformat(),
        "meals": "on",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200
    assert refused.context["form"].errors["ends_on"]
    assert client.post(url, {**form, "ends_on": (TODAY + 6 * DAY).isoformat()}).status_code == 302
    page = client.get(url).content.decode()
    assert 'id="caregiver-gap"' not in page
    assert "139****0011" in page


def test_the_api_names_lists_and_ends_caregivers(away, worker, volunteer):
    api = APIClient()
    api.force_authenticate(worker)
    created = api.post(
        "/api/v1/temporary-caregivers/",
        {
            "elder": away.pk,
            "name": "王阿姨",
            "phone": "13905140011",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + 6 * DAY).isoformat(),
            "daily_care": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["phone_masked"] == "139****0011"
    assert "phone" not in created.json()
    listed = api.get(f"/api/v1/temporary-caregivers/?elder={away.pk}").json()["results"]
    assert [c["name"] for c in listed] == ["王阿姨"]
    ended = api.post(
        f"/api/v1/temporary-caregivers/{created.json()['id']}/end/", {"ends_on": (TODAY + DAY).isoformat()}
    )
    assert ended.json()["ends_on"] == (TODAY + DAY).isoformat()
    other = APIClient()
    other.force_authenticate(volunteer)
    assert other.get(f"/api/v1/temporary-caregivers/{created.json()['id']}/").status_code == 404
