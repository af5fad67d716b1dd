import datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from tests.factories import ElderFactory
from tests.files import pdf_upload

from .factories import at

pytestmark = pytest.mark.django_db


def test_api_file_upload_move_and_scope(tree, scheme, batch, users):
    elder = ElderFactory(community=tree.a1)
    api = APIClient()
    api.force_authenticate(users["community"])
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False):
        r = api.post(
            "/api/v1/applications/",
            {"elder": elder.pk, "scheme": scheme.pk, "categories": [], "care_situation": "self_care"},
            format="json",
        )
        assert r.status_code == 201, r.content
        pk = r.json()["id"]
        assert r.json()["days_left"] == 10
        r = api.post(f"/api/v1/applications/{pk}/transition/", {"action": "accept"}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "material_missing"
        for kind in ("approval_form", "id_card", "household_register"):
            r = api.post(
                f"/api/v1/applications/{pk}/materials/",
                {"material_type": kind, "file": pdf_upload()},
                format="multipart",
            )
            assert r.status_code == 201, r.content
        r = api.post(f"/api/v1/applications/{pk}/transition/", {"action": "accept"}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "community_review"
        r = api.post(f"/api/v1/applications/{pk}/transition/", {"action": "accept"}, format="json")
        assert r.status_code == 409
    other = APIClient()
    other.force_authenticate(users["street_b"])
    assert other.get(f"/api/v1/applications/{pk}/").status_code == 404
    other.force_authenticate(users["street"])
    r = other.post(f"/api/v1/applications/{pk}/transition/", {"action": "return", "opinion": "x"}, format="json")
    assert r.status_code == 403


def test_schema_lists_application_endpoints(client, users):
    client.force_login(users["district"])
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/applications/{id}/transition/" in schema
    assert "/api/v1/intake-batches/" in schema
