"""The register's API: scoped like the pages, writes through the services, in the schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from eldercare.models import Role
from outreach.models import ResponsiblePerson, VulnerabilityProfile

from ..factories import ElderFactory, user_with_role
from .factories import responsible, screened

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _ids(response) -> list[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return [r["id"] for r in rows]


def test_the_endpoints_are_in_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "post"} <= set(paths[f"{V1}/vulnerability-profiles/"])
    assert set(paths[f"{V1}/vulnerability-profiles/{{id}}/"]) == {"get", "put"}
    assert {"get", "post"} <= set(paths[f"{V1}/responsible-persons/"])
    assert "post" in paths[f"{V1}/responsible-persons/{{id}}/end/"]
    assert "get" in paths[f"{V1}/coverage/"]


def test_create_and_update_a_screening_through_the_service(tree, worker):
    elder = ElderFactory(community=tree.a1)
    api = _api(worker)
    body = {
        "elder": elder.pk,
        "living_arrangement": "alone",
        "screened_on": "2026-03-16",
        "solitary": True,
        "risk_level": "low",  # read-only: derived, never typed
        "contacts": [{"name": "张伟", "relation": "儿子", "phone": "13812345678"}],
    }
    response = api.post(f"{V1}/vulnerability-profiles/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["risk_level"] == "high"
    assert response.json()["contacts"] == [{"name": "张伟", "relation": "儿子", "phone_masked": "138****5678"}]
    pk = response.json()["id"]
    response = api.put(
        f"{V1}/vulnerability-profiles/{pk}/",
        {**body, "solitary": False, "living_arrangement": "children", "contacts": []},
        format="json",
    )
    assert response.status_code == 200 and response.json()["risk_level"] == "low"

    bad = api.post(
        f"{V1}/vulnerability-profiles/",
        {**body, "contacts": [{"name": "张伟", "relation": "儿子", "phone": "555"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert VulnerabilityProfile.objects.get().contacts.count() == 0


def test_a_volunteer_sees_only_assigned_households_in_the_api(tree, worker, volunteer):
    mine = ElderFactory(community=tree.a1)
    other = ElderFactory(community=tree.a1)
    mine_profile = screened(mine, worker)
    other_profile = screened(other, worker)
    responsible(mine, worker, user=volunteer)
    responsible(other, worker, name="网格员 张三")
    api = _api(volunteer)
    assert _ids(api.get(f"{V1}/vulnerability-profiles/")) == [mine_profile.pk]
    assert api.get(f"{V1}/vulnerability-profiles/{other_profile.pk}/").status_code == 404
    assert [r["elder"] for r in api.get(f"{V1}/responsible-persons/").json()["results"]] == [mine.pk]
    assert api.get(f"{V1}/coverage/").json() == []
    # Not one of theirs: 404, nothing written.
    response = api.post(
        f"{V1}/vulnerability-profiles/",
        {"elder": other.pk, "living_arrangement": "alone", "screened_on": "2026-03-16"},
        format="json",
    )
    assert response.status_code == 404
    # Assigning is the community's: refused.
    response = api.post(
        f"{V1}/responsible-persons/",
        {"elder": mine.pk, "duty": "deputy", "kind": "volunteer", "user": volunteer.pk, "starts_on": "2026-03-16"},
        format="json",
    )
    assert response.status_code == 403


def test_a_community_worker_of_another_community_gets_404(tree, worker):
    elder = ElderFactory(community=tree.a1)
    profile = screened(elder, worker)
    person = responsible(elder, worker, name="网格员 张三")
    api = _api(user_with_role(Role.COMMUNITY_WORKER, tree.a2))
    assert api.get(f"{V1}/vulnerability-profiles/{profile.pk}/").status_code == 404
    assert api.post(f"{V1}/responsible-persons/{person.pk}/end/", {"ends_on": "2026-03-16"}).status_code == 404


def test_assign_refuses_a_second_primary_and_ends(tree, worker):
    elder = ElderFactory(community=tree.a1)
    api = _api(worker)
    body = {
        "elder": elder.pk,
        "duty": "primary",
        "kind": "grid_worker",
        "name": "张三",
        "phone": "13900001111",
        "starts_on": "2026-03-16",
    }
    first = api.post(f"{V1}/responsible-persons/", body, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["phone_masked"] == "139****1111"
    assert api.post(f"{V1}/responsible-persons/", body, format="json").status_code == 409
    ended = api.post(f"{V1}/responsible-persons/{first.json()['id']}/end/", {"ends_on": "2026-03-16"}, format="json")
    assert ended.status_code == 200 and ended.json()["ends_on"] == "2026-03-16"
    assert api.post(f"{V1}/responsible-persons/", body, format="json").status_code == 201
    assert ResponsiblePerson.objects.filter(elder=elder).count() == 2


def test_coverage_per_community(tree, worker):
    ElderFactory(community=tree.a1)
    screened(ElderFactory(community=tree.a1), worker, care_need="disabled")
    ElderFactory(community=tree.b1)
    rows = _api(user_with_role(Role.STREET_REVIEWER, tree.street_a)).get(f"{V1}/coverage/").json()
    by_name = {r["community_name"]: r for r in rows}
    assert set(by_name) == {"龙川社区", "文昌社区"}
    assert by_name["龙川社区"] | {} == {
        **by_name["龙川社区"],
        "elders": 2,
        "screened": 1,
        "unscreened": 1,
        "unassigned": 1,
        "high": 1,
    }
