"""The API of presence at the door: the district's rules, the reason codes, the homes' locations."""

from decimal import Decimal

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from providers.models import HomeLocation, ReasonCode, VisitPolicy

pytestmark = pytest.mark.django_db

POLICY = "/api/v1/visit-policy/"
HOMES = "/api/v1/home-locations/"
RULES = {
    "early_minutes": 20,
    "late_minutes": 90,
    "use_location": True,
    "geofence_metres": 400,
    "confirmation_required": False,
    "long_visit_factor": "1.5",
}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_everyone_in_the_district_reads_its_rules(users, tree, world):
    for user in (users["community_b"], users["street"], users["supervisor"], world.caregiver.user):
        r = api(user).get(POLICY)
        assert r.status_code == 200, r.content
        assert r.json()["district_name"] == "江都区" and r.json()["geofence_metres"] == 300


def test_district_puts_the_rules(users, tree):
    r = api(users["district"]).put(POLICY, RULES, format="json")

    assert r.status_code == 200, r.json()
    assert r.json()["geofence_metres"] == 400 and r.json()["long_visit_factor"] == "1.5"
    policy = VisitPolicy.objects.get(district=tree.district)
    assert (policy.early_minutes, policy.late_minutes, policy.confirmation_required) == (20, 90, False)
    assert api(users["community"]).get(POLICY).json()["late_minutes"] == 90


@pytest.mark.parametrize("role", ["community", "street", "supervisor", "finance"])
def test_others_may_not_put_the_rules(users, role):
    r = api(users[role]).put(POLICY, RULES, format="json")
    assert r.status_code == 403 and r.json()["detail"]
    assert not VisitPolicy.objects.exists()


def test_a_10_metre_geofence_is_400_in_chinese(users):
    r = api(users["district"]).put(POLICY, {**RULES, "geofence_metres": 10}, format="json")
    assert r.status_code == 400
    assert "电子围栏半径至少 50 米" in r.json()["geofence_metres"][0]
    assert not VisitPolicy.objects.exists()


def test_reason_codes_are_the_active_rows_in_chinese(users):
    ReasonCode.objects.all().delete()
    ReasonCode.objects.create(code="phone-flat", name_zh="手机没电", name_en="Phone battery flat", sort=1)
    ReasonCode.objects.create(code="other", name_zh="其他", name_en="Other", note_required=True, sort=2)
    ReasonCode.objects.create(code="old", name_zh="停用", name_en="Retired", active=False)

    r = api(users["community"]).get("/api/v1/reason-codes/")

    assert r.status_code == 200
    assert r.json() == [
        {"code": "phone-flat", "name": "手机没电", "note_required": False},
        {"code": "other", "name": "其他", "note_required": True},
    ]
    english = api(users["community"])
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert [c["name"] for c in english.get("/api/v1/reason-codes/").json()] == ["Phone battery flat", "Other"]


def test_community_worker_puts_the_home_and_the_list_is_scoped(users, elder_a1):
    r = api(users["community"]).put(f"{HOMES}{elder_a1.pk}/", {"lat": "32.4282714", "lng": "119.5699625"})

    assert r.status_code == 200, r.json()
    assert r.json()["lat"] == "32.428271" and r.json()["source"] == "community"
    assert HomeLocation.objects.get(elder=elder_a1).set_by == users["community"]
    # Again: the same row is replaced, not a second one added.
    api(users["community"]).put(f"{HOMES}{elder_a1.pk}/", {"lat": "32.43", "lng": "119.57"})
    assert HomeLocation.objects.get(elder=elder_a1).lat == Decimal("32.430000")

    assert [h["elder"] for h in api(users["street"]).get(HOMES).json()["results"]] == [elder_a1.pk]
    assert api(users["district"]).get(f"{HOMES}{elder_a1.pk}/").status_code == 200
    assert api(users["community_b"]).get(HOMES).json()["count"] == 0
    assert api(users["street_b"]).get(f"{HOMES}{elder_a1.pk}/").status_code == 404


def test_home_outside_the_scope_is_404_and_other_roles_403(users, world):
    url = f"{HOMES}{world.elder.pk}/"
    assert api(users["community_b"]).put(url, {"lat": "32.4", "lng": "119.5"}).status_code == 404
    assert api(users["street"]).put(url, {"lat": "32.4", "lng": "119.5"}).status_code == 403
    # The provider sees the elder (an open agreement) but never records where the home is.
    assert api(world.admin).put(url, {"lat": "32.4", "lng": "119.5"}).status_code == 403
    assert api(world.admin).get(HOMES).json()["count"] == 0
    assert not HomeLocation.objects.exists()


def test_out_of_range_home_is_400(users, elder_a1):
    r = api(users["community"]).put(f"{HOMES}{elder_a1.pk}/", {"lat": "95", "lng": "119.5"})
    assert r.status_code == 400 and "lat" in r.json()
    assert not HomeLocation.objects.exists()


def test_the_schema_serves_the_three_resources():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "put"} <= set(paths[POLICY]) and "post" not in paths[POLICY]
    assert "type" not in paths[POLICY]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(paths["/api/v1/reason-codes/"]) == {"get", "post"}
    assert {"get", "put"} <= set(paths["/api/v1/home-locations/{elder}/"])
