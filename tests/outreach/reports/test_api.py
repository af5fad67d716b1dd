"""The API of the daily report: scoped like the pages, submits through the service, in the schema."""

import pytest
import time_machine
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from outreach.reports.models import DailyReport

from ..conftest import TODAY
from .conftest import at

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _rows(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def test_the_endpoints_are_in_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "post"} <= set(paths[f"{V1}/outreach-daily-reports/"])
    assert "get" in paths[f"{V1}/outreach-daily-reports/{{id}}/"]
    assert "get" in paths[f"{V1}/outreach-daily-reports/figures/"]
    assert "get" in paths[f"{V1}/outreach-daily-rollup/"]


def test_a_unit_submits_its_figures_on_time_and_late(scene, tree):
    api = _api(scene.worker)
    body = {"response": scene.response.pk, "unit_kind": "community", "unit": tree.a1.pk}
    preview = api.get(f"{V1}/outreach-daily-reports/figures/", body)
    assert preview.status_code == 200, preview.content
    assert preview.json()["contacted"] == 5 and preview.json()["needs_open"] == 3
    with time_machine.travel(at(TODAY, 15, 59), tick=False):
        first = api.post(f"{V1}/outreach-daily-reports/", {**body, "note": "按时"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["on_time"] is True and first.json()["contacted"] == 5
    with time_machine.travel(at(TODAY, 16, 1), tick=False):
        late = api.post(
            f"{V1}/outreach-daily-reports/",
            {"response": scene.response.pk, "unit_kind": "community", "unit": tree.a2.pk},
            format="json",
        )
    assert late.status_code == 404  # another community: not even visible
    api_a2 = _api(scene.worker_a2)
    with time_machine.travel(at(TODAY, 16, 1), tick=False):
        late = api_a2.post(
            f"{V1}/outreach-daily-reports/",
            {"response": scene.response.pk, "unit_kind": "community", "unit": tree.a2.pk, "staff_on_duty": 2},
            format="json",
        )
    assert late.status_code == 201 and late.json()["on_time"] is False and late.json()["staff_on_duty"] == 2
    # Each worker lists only their community's report.
    assert [r["unit_name"] for r in _rows(api.get(f"{V1}/outreach-daily-reports/"))] == ["龙川社区"]
    assert [r["unit_name"] for r in _rows(api_a2.get(f"{V1}/outreach-daily-reports/"))] == ["文昌社区"]
    other = DailyReport.objects.get(community=tree.a2)
    assert api.get(f"{V1}/outreach-daily-reports/{other.pk}/").status_code == 404


def test_a_reviewer_may_not_submit_and_the_roll_up_sums_the_units(scene, tree, users):
    street = _api(users["street"])
    body = {"response": scene.response.pk, "unit_kind": "community", "unit": tree.a1.pk}
    assert street.post(f"{V1}/outreach-daily-reports/", body, format="json").status_code == 403
    _api(scene.worker).post(f"{V1}/outreach-daily-reports/", body, format="json")
    _api(scene.worker_a2).post(
        f"{V1}/outreach-daily-reports/", {**body, "unit": tree.a2.pk, "staff_on_duty": 3}, format="json"
    )
    rollup = street.get(f"{V1}/outreach-daily-rollup/", {"response": scene.response.pk, "day": "2026-03-16"})
    assert rollup.status_code == 200, rollup.content
    data = rollup.json()
    (group,) = data["streets"]
    for figure in ("covered", "contacted", "problems", "needs_open", "needs_closed", "staff_on_duty"):
        assert group["totals"][figure] == sum(row["report"][figure] for row in group["rows"])
    assert group["totals"]["contacted"] == 6 and group["totals"]["staff_on_duty"] == 5
    assert data["providers"] is None and data["unreported"] == []
    district = _api(users["district"]).get(f"{V1}/outreach-daily-rollup/", {"response": scene.response.pk}).json()
    assert [(r["unit_name"], r["status"], r["late"]) for r in district["unreported"]] == [
        ("新都村", "missing", True),
        ("康乐居家服务中心", "missing", True),
    ]


def test_the_api_refuses_outside_users(scene, volunteer):
    api = _api(volunteer)
    assert _rows(api.get(f"{V1}/outreach-daily-reports/")) == []
    assert api.get(f"{V1}/outreach-daily-rollup/", {"response": scene.response.pk}).status_code == 404
