"""The inspections API: scoped like the pages, the same services behind each action."""

import datetime

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from outreach.inspections.models import Problem

from .factories import add_problem

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_an_inspection_and_its_problem_through_the_api(people, tree, heat_wave):
    district = _api(people["district"])
    answer = district.post(
        "/api/v1/inspections/",
        {"inspected_on": "2026-03-16", "place_kind": "community", "community": tree.a1.pk, "response": heat_wave.pk},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["level"], answer.json()["place"]) == ("district", "龙川社区")
    answer = district.post(
        "/api/v1/inspection-problems/",
        {
            "inspection": answer.json()["id"],
            "category": "contact",
            "description": "高风险户当日未联系",
            "severity": "serious",
            "unit_kind": "community",
            "unit_community": tree.a1.pk,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["status"], body["deadline"], body["overdue"]) == ("open", "2026-03-19", False)
    assert [e["action"] for e in body["events"]] == ["create"]


def test_the_unit_corrects_and_the_inspector_verifies_through_the_api(people, district_inspection):
    problem = add_problem(district_inspection, people["district"])
    url = f"/api/v1/inspection-problems/{problem.pk}/"
    assert _api(people["district"]).post(url + "correct/", {"action_taken": "代报"}).status_code == 403
    answer = _api(people["community"]).post(url + "correct/", {"action_taken": "已补齐台账", "evidence": "照片"})
    assert answer.status_code == 200 and answer.json()["status"] == "corrected"
    assert answer.json()["corrections"][0]["evidence"] == "照片"
    assert _api(people["community"]).post(url + "correct/", {"action_taken": "再报"}).status_code == 409
    answer = _api(people["district"]).post(url + "reopen/", {"note": "仍不完整", "deadline": "2026-03-20"})
    assert answer.json()["status"] == "open" and answer.json()["deadline"] == "2026-03-20"
    _api(people["community"]).post(url + "correct/", {"action_taken": "已全部补齐"})
    answer = _api(people["district"]).post(url + "verify/", {"note": "核实"})
    assert answer.json()["status"] == "closed"
    assert Problem.objects.get(pk=problem.pk).events.count() == 5


def test_the_api_lists_are_scoped_and_filtered(people, tree, district_inspection):
    later = datetime.date(2026, 3, 30)
    ours = add_problem(district_inspection, people["district"], description="甲", deadline=later)
    add_problem(district_inspection, people["district"], description="乙", deadline=district_inspection.inspected_on)
    other = add_problem(district_inspection, people["district"], unit=tree.b1, description="丙", deadline=later)
    mine = _api(people["community_b"]).get("/api/v1/inspection-problems/").json()
    assert [p["description"] for p in mine["results"]] == ["丙"]
    assert _api(people["community_b"]).get(f"/api/v1/inspection-problems/{ours.pk}/").status_code == 404
    overdue = _api(people["district"]).get("/api/v1/inspection-problems/", {"status": "overdue"}).json()
    assert [p["description"] for p in overdue["results"]] == ["乙"]
    to_correct = _api(people["community"]).get("/api/v1/inspection-problems/", {"todo": "correct"}).json()
    assert {p["description"] for p in to_correct["results"]} == {"甲", "乙"}
    assert other.pk not in {p["id"] for p in to_correct["results"]}
    assert _api(people["provider_admin"]).get("/api/v1/inspections/").json()["count"] == 0


def test_a_community_worker_cannot_record_an_inspection(people, tree):
    answer = _api(people["community"]).post(
        "/api/v1/inspections/", {"inspected_on": "2026-03-16", "place_kind": "community", "community": tree.a1.pk}
    )
    assert answer.status_code == 403


def test_the_schema_describes_the_inspection_endpoints():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/inspection-problems/{id}/reopen/" in schema["paths"]
    assert "/api/v1/continuity/" in schema["paths"]
