"""The library's API per role: the district, the provider admin of this provider, the admin of
another provider, a community worker and a caregiver; allowed and refused calls."""

import datetime
import io
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from eldercare.models import Role
from providers.models import (
    Callback,
    CallbackResult,
    Caregiver,
    Contract,
    Provider,
    QuarterlyAssessment,
    ServiceAgreement,
    WorkOrder,
)
from tests.factories import user_with_role

from .factories import make_order

S = WorkOrder.Status
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(world, tree):
    return {
        "district": user_with_role(Role.DISTRICT_REVIEWER, tree.district),
        "admin": world.admin,
        "other_admin": world.other_admin,
        "community": user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "caregiver": world.caregiver.user,
    }


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


NEW_PROVIDER = {
    "name": "颐和居家养老服务中心",
    "kind": "social",
    "licence_number": "52321012MJ0009",
    "other_licences": "食品经营许可证 JY0001",
    "phone": "0514-86000000",
    "address": "龙川路8号",
    "contact_name": "周主任",
    "contact_phone": "13912345678",
}


def test_only_the_district_registers_and_edits_providers(roles, tree, world):
    body = {**NEW_PROVIDER, "streets": [tree.street_a.pk]}
    for name in ("admin", "other_admin", "community", "caregiver"):
        r = api(roles[name]).post("/api/v1/providers/", body, format="json")
        assert r.status_code == 403, name
    r = api(roles["district"]).post("/api/v1/providers/", body, format="json")
    assert r.status_code == 201, r.content
    assert (r.data["status"], r.data["district"], r.data["streets"]) == (
        "candidate",
        tree.district.pk,
        [tree.street_a.pk],
    )
    again = api(roles["district"]).post("/api/v1/providers/", body, format="json")
    assert again.status_code == 400 and "证照号码" in again.data["detail"]

    pk = r.data["id"]
    r = api(roles["district"]).patch(f"/api/v1/providers/{pk}/", {"contact_name": "吴主任"}, format="json")
    assert r.status_code == 200 and r.data["contact_name"] == "吴主任"
    r = api(roles["admin"]).patch(f"/api/v1/providers/{world.provider.pk}/", {"phone": "1"}, format="json")
    assert r.status_code == 403


def test_providers_are_read_within_scope(roles, world):
    assert api(roles["district"]).get(f"/api/v1/providers/{world.other.pk}/").status_code == 200
    assert api(roles["admin"]).get(f"/api/v1/providers/{world.provider.pk}/").status_code == 200
    assert api(roles["admin"]).get(f"/api/v1/providers/{world.other.pk}/").status_code == 404
    assert api(roles["caregiver"]).get(f"/api/v1/providers/{world.provider.pk}/").status_code == 200
    community = api(roles["community"]).get("/api/v1/providers/")
    assert community.status_code == 200
    assert {p["id"] for p in community.data["results"]} >= {world.provider.pk}


def test_contracts_signed_and_renewed_by_the_district(roles, world, clock):
    candidate = Provider.objects.create(
        name="新中标", kind="business", licence_number="L-NEW", district=world.provider.district
    )
    body = {"provider": candidate.pk, "number": "JD-9", "starts_on": "2026-04-01"}
    assert api(roles["admin"]).post("/api/v1/contracts/", body, format="json").status_code == 404  # not in scope
    assert api(roles["community"]).post("/api/v1/contracts/", body, format="json").status_code in (403, 404)
    r = api(roles["district"]).post("/api/v1/contracts/", body, format="json")
    assert r.status_code == 201 and r.data["ends_on"] == "2027-03-31"
    candidate.refresh_from_db()
    assert candidate.status == Provider.Status.CONTRACTED
    contract = Contract.objects.get(number="JD-9")
    renew = f"/api/v1/contracts/{contract.pk}/renew/"
    r = api(roles["district"]).post(renew, {"number": "JD-10"}, format="json")
    assert r.status_code == 201 and (r.data["starts_on"], r.data["ends_on"]) == ("2027-04-01", "2028-03-31")
    assert api(roles["district"]).post(renew, {"number": "JD-11"}, format="json").status_code == 409


def test_status_change_with_reason(roles, world):
    url = f"/api/v1/providers/{world.provider.pk}/status/"
    assert api(roles["admin"]).post(url, {"to": "suspended", "reason": "自查"}, format="json").status_code == 403
    assert api(roles["district"]).post(url, {"to": "suspended", "reason": ""}, format="json").status_code == 400
    r = api(roles["district"]).post(url, {"to": "suspended", "reason": "投诉集中"}, format="json")
    assert r.status_code == 200 and (r.data["status"], r.data["status_reason"]) == ("suspended", "投诉集中")


def test_terminate_answers_the_cascade_counts(roles, world, clock):
    make_order(world, status=S.BOOKED, caregiver=None)
    make_order(world, status=S.ASSIGNED)
    url = f"/api/v1/providers/{world.provider.pk}/terminate/"
    body = {"ground": "violation", "reason": "违规收费"}
    for name in ("admin", "community", "caregiver"):
        assert api(roles[name]).post(url, body, format="json").status_code == 403, name
    assert api(roles["other_admin"]).post(url, body, format="json").status_code == 404
    assert api(roles["district"]).post(url, {"ground": "bad", "reason": "x"}, format="json").status_code == 400
    r = api(roles["district"]).post(url, body, format="json")
    assert r.status_code == 200
    assert (r.data["agreements_ended"], r.data["orders_cancelled"], r.data["provider"]["status"]) == (
        2,
        2,
        "terminated",
    )
    assert not ServiceAgreement.objects.filter(provider=world.provider, ends_on__isnull=True).exists()


def test_scorecard_read_and_confirmed_by_the_district(roles, world, clock):
    order = make_order(world, status=S.COMPLETED, at=datetime.datetime(2025, 11, 5, 9, 0, tzinfo=SHANGHAI))
    Callback.objects.create(order=order, source="district", result=CallbackResult.SATISFIED, by=roles["district"])
    url = f"/api/v1/providers/{world.provider.pk}/scorecard/"
    r = api(roles["district"]).get(url, {"quarter": "2025Q4"})
    assert r.status_code == 200
    parts = {p["key"]: p for p in r.data["parts"]}
    assert (parts["district_callbacks"]["numerator"], parts["district_callbacks"]["denominator"]) == (1, 1)
    assert r.data["confirmed_at"] is None
    assert api(roles["district"]).get(url, {"quarter": "spring"}).status_code == 400
    assert api(roles["admin"]).get(url, {"quarter": "2025Q4"}).status_code == 403
    assert api(roles["admin"]).post(url, {"quarter": "2025Q4"}, format="json").status_code == 403
    r = api(roles["district"]).post(url, {"quarter": "2025Q4"}, format="json")
    assert r.status_code == 201 and r.data["confirmed_at"]
    assessment = QuarterlyAssessment.objects.get(provider=world.provider)
    assert r.data["score"] == f"{assessment.score}" and assessment.figures["figures"]["district_callbacks"] == 1
    assert api(roles["district"]).post(url, {"quarter": "2025Q4"}, format="json").status_code == 409


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 40), (10, 20, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


def test_caregivers_created_by_their_own_provider_admin_only(roles, world):
    body = {"provider": world.provider.pk, "name": "孙护工", "staff_number": "K-9", "phone": "13955556666"}
    assert api(roles["other_admin"]).post("/api/v1/caregivers/", body, format="json").status_code == 403
    for name in ("district", "community", "caregiver"):
        assert api(roles[name]).post("/api/v1/caregivers/", body, format="json").status_code == 403, name
    r = api(roles["admin"]).post("/api/v1/caregivers/", {**body, "photo": _png()}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.data["phone"] == "139****6666"  # masked for everyone: the admin reveals it, logged
    caregiver = Caregiver.objects.get(staff_number="K-9")
    assert caregiver.phone == "13955556666"
    assert caregiver.photo
    assert api(roles["admin"]).post("/api/v1/caregivers/", body, format="json").status_code == 400  # staff number


def test_caregivers_updated_by_their_own_provider_admin_only(roles, world):
    url = f"/api/v1/caregivers/{world.caregiver.pk}/"
    assert api(roles["other_admin"]).patch(url, {"name": "x"}, format="json").status_code == 404  # out of scope
    assert api(roles["district"]).patch(url, {"name": "x"}, format="json").status_code == 403
    assert api(roles["caregiver"]).patch(url, {"name": "x"}, format="json").status_code == 403
    r = api(roles["admin"]).patch(url, {"phone": "13700001111"}, format="json")
    assert r.status_code == 200 and r.data["phone"] == "137****1111"
    world.caregiver.refresh_from_db()
    assert world.caregiver.phone == "13700001111"
    r = api(roles["admin"]).patch(url, {"active": False}, format="json")
    assert r.status_code == 200 and r.data["active"] is False


def test_phone_is_masked_for_others_in_scope(roles, world):
    r = api(roles["district"]).get(f"/api/v1/caregivers/{world.caregiver.pk}/")
    assert r.status_code == 200 and r.data["phone"] == "139****0000"
    r = api(roles["caregiver"]).get(f"/api/v1/caregivers/{world.caregiver2.pk}/")
    assert r.status_code == 200 and r.data["phone"] == "139****0000"


def test_trainings_and_certificates(roles, world, clock):
    trainings = f"/api/v1/caregivers/{world.caregiver.pk}/trainings/"
    certificates = f"/api/v1/caregivers/{world.caregiver.pk}/certificates/"
    training = {"course": "失能照护", "completed_on": "2026-03-01", "hours": "12.5"}
    certificate = {"kind": "rehabilitation", "number": "KF-1", "valid_until": "2027-06-30"}
    for name in ("district", "caregiver"):
        assert api(roles[name]).post(trainings, training, format="json").status_code == 403, name
        assert api(roles[name]).post(certificates, certificate, format="json").status_code == 403, name
    assert api(roles["other_admin"]).post(trainings, training, format="json").status_code == 404
    r = api(roles["admin"]).post(trainings, training, format="json")
    assert r.status_code == 201 and r.data["hours"] == "12.5"
    assert api(roles["admin"]).post(trainings, {**training, "hours": "0"}, format="json").status_code == 400
    r = api(roles["admin"]).post(certificates, certificate, format="json")
    assert r.status_code == 201 and r.data["kind"] == "rehabilitation"
    detail = api(roles["admin"]).get(f"/api/v1/caregivers/{world.caregiver.pk}/").data
    assert [c["number"] for c in detail["certificates"]] == ["KF-1"]
    assert [t["course"] for t in detail["trainings"]] == ["失能照护"]


def test_schema_lists_the_library_actions(roles, client):
    client.force_login(roles["district"])
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/providers/{id}/terminate/",
        "/api/v1/providers/{id}/status/",
        "/api/v1/providers/{id}/scorecard/",
        "/api/v1/contracts/{id}/renew/",
        "/api/v1/caregivers/{id}/trainings/",
        "/api/v1/caregivers/{id}/certificates/",
    ):
        assert path in schema
