"""The API of buy-on-behalf: in the schema, scoped like the pages, writes through the services."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from outreach.purchases.models import OrderStatus, PurchaseRequest

from .steps import order

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


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
    assert "get" in paths[f"{V1}/necessities/"]
    assert "get" in paths[f"{V1}/partner-supermarkets/"]
    assert {"get", "post"} <= set(paths[f"{V1}/purchase-requests/"])
    for step in ("cancel", "deliver", "pay"):
        assert "post" in paths[f"{V1}/purchase-requests/{{id}}/{step}/"]
    assert {"get", "post"} <= set(paths[f"{V1}/purchase-runs/"])
    assert "post" in paths[f"{V1}/purchase-runs/{{id}}/pack/"]
    assert "post" in paths[f"{V1}/purchase-runs/{{id}}/hand-over/"]


def test_the_whole_flow_through_the_api(tree, worker, volunteer, clerk, shop, households, rice, oil):
    catalogue = _api(volunteer).get(f"{V1}/necessities/").json()
    assert {"name": "大米", "unit": "5kg袋", "typical_price": "32.00"}.items() <= catalogue[0].items()
    response = _api(volunteer).post(
        f"{V1}/purchase-requests/",
        {
            "elder": households[0].pk,
            "urgent": True,
            "items": [{"necessity": rice.pk, "quantity": 1}, {"free_text": "布洛芬缓释胶囊", "quantity": 2}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "requested" and response.json()["payment"] is None
    response = _api(worker).post(f"{V1}/purchase-runs/", {"community": tree.a1.pk}, format="json")
    assert response.status_code == 201, response.content
    run = response.json()
    assert (run["kind"], run["cycle"], run["households"], run["supermarket"]) == ("regular", 1, 1, shop.pk)
    detail = _api(clerk).get(f"{V1}/purchase-runs/{run['id']}/").json()
    assert [(c["label"], c["quantity"]) for c in detail["consolidated"]] == [("大米", 1), ("布洛芬缓释胶囊", 2)]
    lines = [
        {"item": i["id"], "price": p} for i, p in zip(detail["orders"][0]["items"], ["31.80", "24.60"], strict=True)
    ]
    response = _api(clerk).post(f"{V1}/purchase-runs/{run['id']}/pack/", {"order": pk, "lines": lines}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount_due"] == "56.40"
    assert _api(clerk).post(f"{V1}/purchase-runs/{run['id']}/hand-over/").json()["handed_over_by"] == "clerk"
    response = _api(worker).post(f"{V1}/purchase-requests/{pk}/deliver/", {"note": "挂门把手上"}, format="json")
    assert response.json()["delivery"]["note"] == "挂门把手上"
    response = _api(volunteer).post(f"{V1}/purchase-requests/{pk}/pay/", {"method": "fund"}, format="json")
    assert response.status_code == 201 and response.json()["amount"] == "56.40"
    detail = _api(volunteer).get(f"{V1}/purchase-requests/{pk}/").json()
    assert detail["status"] == "paid" and [e["to_status"] for e in detail["events"]][-1] == "paid"


def test_the_api_is_scoped_and_refuses_with_the_right_status(
    tree, worker, worker_b, volunteer, clerk, other_clerk, households, rice
):
    mine = order(households[0], volunteer, (rice, 1))
    other = order(households[2], worker, (rice, 1))
    assert _ids(_api(volunteer).get(f"{V1}/purchase-requests/")) == [mine.pk]
    assert _ids(_api(worker_b).get(f"{V1}/purchase-requests/")) == []
    assert _api(worker_b).get(f"{V1}/purchase-requests/{mine.pk}/").status_code == 404
    # a household outside the user's care: 404; a community worker of another community: 404
    body = {"elder": households[2].pk, "items": [{"necessity": rice.pk, "quantity": 1}]}
    assert _api(volunteer).post(f"{V1}/purchase-requests/", body, format="json").status_code == 404
    # a run for someone else's community: 403
    assert _api(worker_b).post(f"{V1}/purchase-runs/", {"community": tree.a1.pk}, format="json").status_code == 403
    run = _api(worker).post(f"{V1}/purchase-runs/", {"community": tree.a1.pk}, format="json").json()
    # a second regular run the same day: nothing waits (409)
    assert _api(worker).post(f"{V1}/purchase-runs/", {"community": tree.a1.pk}, format="json").status_code == 409
    assert _ids(_api(clerk).get(f"{V1}/purchase-runs/")) == [run["id"]]
    assert _ids(_api(other_clerk).get(f"{V1}/purchase-runs/")) == []
    assert _api(other_clerk).get(f"{V1}/purchase-runs/{run['id']}/").status_code == 404
    # delivering before the hand-over: 409; an invalid item: 400
    assert _api(worker).post(f"{V1}/purchase-requests/{other.pk}/deliver/", {}, format="json").status_code == 409
    bad = {"elder": households[0].pk, "items": [{"necessity": rice.pk, "quantity": 0}]}
    assert _api(volunteer).post(f"{V1}/purchase-requests/", bad, format="json").status_code == 400
    assert PurchaseRequest.objects.filter(status=OrderStatus.IN_RUN).count() == 2
