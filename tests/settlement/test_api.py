"""The settlement API: months (towns confirmed / missing, confirm) and quarters (months, prepare,
approve, send back), each role's allowed and refused calls."""

import pytest
import time_machine
from rest_framework.test import APIClient

from eldercare.models import Role
from settlement.models import QuarterSettlement
from tests.factories import user_with_role

from .scenario import at, build

pytestmark = pytest.mark.django_db
JAN4, JAN5 = at(2027, 1, 4), at(2027, 1, 5)


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def q(tree):
    return build(tree, lock_december=False)


def test_month_retrieve_names_towns_confirmed_and_missing(q, tree):
    with time_machine.travel(JAN4, tick=False):
        data = _api(q.street_a_user).get("/api/v1/settlement-months/2026-12/").json()
        assert (data["month"], data["status"], data["ended"]) == ("2026-12", "open", True)
        assert data["missing"] == [{"id": tree.street_b.pk, "name": "仙女镇"}]
        october = _api(q.finance).get("/api/v1/settlement-months/2026-10/").json()
    assert october["status"] == "locked"
    assert [c["street_name"] for c in october["confirmed"]] == ["龙川街道", "仙女镇"]
    assert october["missing"] == []


def test_month_list_for_finance_and_town(q):
    months = [m["month"] for m in _api(q.finance).get("/api/v1/settlement-months/").json()]
    assert months == ["2026-11", "2026-10"]  # December has no row until a town confirms it
    assert _api(q.street_b_user).get("/api/v1/settlement-months/").status_code == 200


def test_town_confirms_its_month_but_not_another_towns(q, tree):
    with time_machine.travel(JAN4, tick=False):
        refused = _api(q.street_a_user).post(
            "/api/v1/settlement-months/2026-12/confirm/", {"street": tree.street_b.pk}, format="json"
        )
        assert refused.status_code == 403
        ok = _api(q.street_b_user).post(
            "/api/v1/settlement-months/2026-12/confirm/", {"street": tree.street_b.pk, "note": "已核对"}, format="json"
        )
        assert ok.status_code == 200
        assert (ok.json()["status"], ok.json()["missing"]) == ("locked", [])
        again = _api(q.street_b_user).post(
            "/api/v1/settlement-months/2026-12/confirm/", {"street": tree.street_b.pk}, format="json"
        )
    assert again.status_code == 409


def test_community_worker_is_refused_months_and_quarters(q, tree):
    worker = _api(user_with_role(Role.COMMUNITY_WORKER, tree.a1))
    assert worker.get("/api/v1/settlement-months/").status_code == 403
    assert worker.get("/api/v1/settlement-months/2026-12/").status_code == 403
    assert worker.get("/api/v1/settlement-quarters/").status_code == 403
    assert worker.post("/api/v1/settlement-quarters/2026Q4/prepare/").status_code == 403
    # A town reviewer sees months, not the quarters' money.
    assert _api(q.street_a_user).get("/api/v1/settlement-quarters/2026Q4/").status_code == 403


def test_quarter_prepare_refused_while_a_month_is_open_then_prepared(q, tree):
    finance = _api(q.finance)
    with time_machine.travel(JAN4, tick=False):
        before = finance.get("/api/v1/settlement-quarters/2026Q4/").json()
        assert (before["status"], before["settlement"]) == ("", None)
        assert [m["status"] for m in before["months"]] == ["locked", "locked", "open"]
        refused = finance.post("/api/v1/settlement-quarters/2026Q4/prepare/")
        assert refused.status_code == 409 and "2026-12" in refused.json()["detail"]
        _api(q.street_b_user).post(
            "/api/v1/settlement-months/2026-12/confirm/", {"street": tree.street_b.pk}, format="json"
        )
    with time_machine.travel(JAN5, tick=False):
        done = finance.post("/api/v1/settlement-quarters/2026Q4/prepare/")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["settlement"]["total"]) == ("prepared", "350.00")


def test_quarter_four_eyes_send_back_and_approve_by_role(tree):
    q = build(tree)
    finance, finance2 = _api(q.finance), _api(q.finance2)
    base = "/api/v1/settlement-quarters/2026Q4"
    with time_machine.travel(JAN5, tick=False):
        assert finance.post(f"{base}/prepare/").status_code == 200
        # The preparer neither approves nor sends back.
        assert finance.post(f"{base}/approve/").status_code == 403
        assert finance.post(f"{base}/send-back/", {"reason": "复核"}, format="json").status_code == 403
        # Other roles may not act.
        assert _api(q.district).post(f"{base}/approve/").status_code == 403
        assert _api(q.street_b_user).post(f"{base}/send-back/", {"reason": "x"}, format="json").status_code == 403
        # The reviewer sends back: a reason is required.
        assert finance2.post(f"{base}/send-back/", {"reason": ""}, format="json").status_code == 400
        returned = finance2.post(f"{base}/send-back/", {"reason": "仙女镇数据需复核"}, format="json")
        assert returned.status_code == 200
        assert returned.json()["status"] == "returned"
        assert returned.json()["events"][-1]["note"] == "仙女镇数据需复核"
        assert finance2.post(f"{base}/approve/").status_code == 409  # sent back: prepare again first
        assert finance.post(f"{base}/prepare/").status_code == 200
        approved = finance2.post(f"{base}/approve/", {"note": "同意"}, format="json")
    assert approved.status_code == 200
    body = approved.json()
    assert (body["status"], body["settlement"]["approved_by"], body["settlement"]["prepared_by"]) == (
        "approved",
        "finance2",
        "finance1",
    )
    assert [e["to_status"] for e in body["events"]] == ["prepared", "returned", "prepared", "approved"]
    assert QuarterSettlement.objects.get().status == "approved"
    assert [x["quarter"] for x in finance.get("/api/v1/settlement-quarters/").json()] == ["2026Q4"]


def test_settlement_endpoints_are_in_the_schema(client, tree):
    client.force_login(user_with_role(Role.FINANCE, tree.district))
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/v1/settlement-months/{month}/confirm/",
        "/api/v1/settlement-quarters/{quarter}/prepare/",
        "/api/v1/settlement-quarters/{quarter}/approve/",
        "/api/v1/settlement-quarters/{quarter}/send-back/",
    ):
        assert path in schema, path
