"""The agreements and cards API: each role's allowed and refused calls."""

import pytest
from rest_framework.test import APIClient

from eldercare.models import Role
from providers.models import CardIssue, ElderCard, ServiceAgreement
from tests.factories import ElderFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh(tree):
    return ElderFactory(community=tree.a1)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def sign(user, **data):
    return api(user).post("/api/v1/agreements/", data, format="json")


def open_agreement(world):
    return ServiceAgreement.objects.get(elder=world.elder, provider=world.provider, ends_on__isnull=True)


def test_community_worker_signs_for_an_elder_of_the_community(world, users, fresh):
    r = sign(users["community"], elder=fresh.pk, provider=world.provider.pk, signed_on="2026-03-10")
    assert r.status_code == 201, r.json()
    assert r.json()["provider_name"] == world.provider.name and r.json()["ends_on"] is None


def test_community_worker_of_another_community_gets_404(world, users, fresh):
    r = sign(users["community_b"], elder=fresh.pk, provider=world.provider.pk, signed_on="2026-03-10")
    assert r.status_code == 404
    assert not ServiceAgreement.objects.filter(elder=fresh).exists()


def test_provider_admin_signs_by_id_number_only_with_consent(world, fresh):
    data = {"elder_id_number": fresh.id_number, "provider": world.provider.pk, "signed_on": "2026-03-10"}
    r = sign(world.admin, **data)
    assert r.status_code == 400 and "同意" in r.json()["detail"]
    r = sign(world.admin, **data, consent="本人当面签字")
    assert r.status_code == 201 and r.json()["consent"] == "本人当面签字"


def test_provider_admin_of_another_provider_is_refused(world, fresh):
    r = sign(
        world.other_admin,
        elder_id_number=fresh.id_number,
        provider=world.provider.pk,
        signed_on="2026-03-10",
        consent="本人当面签字",
    )
    assert r.status_code == 403
    assert not ServiceAgreement.objects.filter(elder=fresh).exists()


def test_duplicate_open_agreement_is_409_with_a_message(world, users):
    r = sign(users["community"], elder=world.elder.pk, provider=world.provider.pk, signed_on="2026-03-10")
    assert r.status_code == 409 and world.provider.name in r.json()["detail"]


def test_caregiver_and_district_cannot_sign(world, users, fresh):
    r = sign(world.caregiver.user, elder=fresh.pk, provider=world.provider.pk, signed_on="2026-03-10")
    assert r.status_code == 404  # the caregiver does not see the elder
    r = sign(users["district"], elder=fresh.pk, provider=world.provider.pk, signed_on="2026-03-10")
    assert r.status_code == 403


def test_list_is_scoped(world, users):
    assert api(users["community"]).get("/api/v1/agreements/").json()["count"] == 2
    assert api(users["community_b"]).get("/api/v1/agreements/").json()["count"] == 0
    assert api(world.admin).get("/api/v1/agreements/").json()["count"] == 2
    assert api(world.other_admin).get("/api/v1/agreements/").json()["count"] == 0
    assert api(world.caregiver.user).get("/api/v1/agreements/").json()["count"] == 0
    assert api(users["district"]).get("/api/v1/agreements/").json()["count"] == 2


def test_end_action(world, users):
    a = open_agreement(world)
    url = f"/api/v1/agreements/{a.pk}/end/"
    assert api(users["community_b"]).post(url, {"ends_on": "2026-03-10", "reason": "elder_choice"}).status_code == 404
    assert api(world.other_admin).post(url, {"ends_on": "2026-03-10", "reason": "elder_choice"}).status_code == 404
    assert api(users["district"]).post(url, {"ends_on": "2026-03-10", "reason": "elder_choice"}).status_code == 403
    r = api(users["community"]).post(url, {"ends_on": "2024-03-10", "reason": "elder_choice"}, format="json")
    assert r.status_code == 400 and "2025-01-01" in r.json()["detail"]
    r = api(world.admin).post(url, {"ends_on": "2026-03-10", "reason": "elder_choice"}, format="json")
    assert r.status_code == 200 and r.json()["end_reason"] == "elder_choice"


def test_change_provider_action(world, users):
    a = open_agreement(world)
    url = f"/api/v1/agreements/{a.pk}/change-provider/"
    body = {"provider": world.other.pk, "starts_on": "2026-04-01", "consent": "家属代签"}
    assert api(world.admin).post(url, body, format="json").status_code == 403
    r = api(users["community"]).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["provider"] == world.other.pk
    a.refresh_from_db()
    assert a.end_reason == "changed_provider" and a.ends_on.isoformat() == "2026-03-31"


def test_card_issue_needs_a_reason_and_the_right_role(world, users):
    card = ElderCard.objects.get(elder=world.elder)
    r = api(users["community"]).post("/api/v1/cards/issue/", {"elder": world.elder.pk, "reason": ""}, format="json")
    assert r.status_code == 400
    r = api(world.caregiver.user).post("/api/v1/cards/issue/", {"elder": world.elder.pk, "reason": "卡片遗失"})
    assert r.status_code == 404  # a caregiver sees only the elders it visits
    r = api(world.other_admin).post("/api/v1/cards/issue/", {"elder": world.elder.pk, "reason": "卡片遗失"})
    assert r.status_code == 404
    r = api(users["community_b"]).post("/api/v1/cards/issue/", {"elder": world.elder.pk, "reason": "卡片遗失"})
    assert r.status_code == 404
    assert ElderCard.objects.get(elder=world.elder).version == card.version
    r = api(world.admin).post("/api/v1/cards/issue/", {"elder": world.elder.pk, "reason": "卡片遗失"}, format="json")
    assert r.status_code == 201 and r.json()["version"] == card.version + 1
    assert r.json()["issues"][0]["reason"] == "卡片遗失"
    assert CardIssue.objects.get().by == world.admin


def test_caregivers_never_read_card_tokens(world, users):
    assert api(world.caregiver.user).get("/api/v1/cards/").status_code == 403
    card = ElderCard.objects.get(elder=world.elder)
    assert api(world.caregiver.user).get(f"/api/v1/cards/{card.pk}/").status_code == 404
    assert api(users["district"]).get("/api/v1/cards/").status_code == 403
    rows = api(users["community"]).get("/api/v1/cards/").json()["results"]
    assert {r["elder"] for r in rows} == {world.elder.pk, world.elder2.pk} and all(r["token"] for r in rows)
    assert api(world.other_admin).get("/api/v1/cards/").json()["count"] == 0


def test_endpoints_are_in_the_schema(client, users):
    client.force_login(users["sysadmin"])
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/agreements/{id}/end/", "/api/v1/agreements/{id}/change-provider/", "/api/v1/cards/issue/"):
        assert path in schema


def test_worker_of_a_street_only_cannot_sign_either(world, tree, fresh):
    street = user_with_role(Role.STREET_REVIEWER, tree.street_a)
    r = sign(street, elder=fresh.pk, provider=world.provider.pk, signed_on="2026-03-10")
    assert r.status_code == 403
