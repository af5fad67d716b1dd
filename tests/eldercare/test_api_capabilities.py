"""Every capability of the platform is in the OpenAPI schema with its write endpoints.

The table below names, per capability, the concrete paths and methods the API serves; a
capability dropped from the API (a route no longer registered, an action renamed, a method
removed) fails here. The request bodies of the writes are checked for the fields that make the
capability what it is (a reason, a file, a flag), and every write the schema advertises is served:
no 405, no server error, whatever the body. (Validity without warnings is
`test_api_schema.py`'s.)
"""

import datetime

import pytest
import time_machine
from djmoney.money import Money
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from eldercare.models import Role
from providers.models import (
    Approval,
    Contract,
    ElderCard,
    Rectification,
    SatisfactionSurvey,
    ServiceAgreement,
    ServicePackage,
)
from tests.factories import user_with_role
from tests.providers.conftest import START
from tests.providers.factories import make_order, make_world

WRITES = ("post", "put", "patch", "delete")
V1 = "/api/v1"

# capability → the (path, method) pairs that serve it.
CAPABILITIES: dict[str, list[tuple[str, str]]] = {
    "provider library": [
        (f"{V1}/providers/", "post"),  # register a provider won by tender
        (f"{V1}/providers/{{id}}/", "put"),
        (f"{V1}/providers/{{id}}/", "patch"),
        (f"{V1}/contracts/", "post"),  # sign a one-year contract
        (f"{V1}/contracts/{{id}}/renew/", "post"),
        (f"{V1}/providers/{{id}}/status/", "post"),  # suspend or reinstate, with the reason
        (f"{V1}/providers/{{id}}/scorecard/", "get"),  # the quarter's scorecard
        (f"{V1}/providers/{{id}}/scorecard/", "post"),  # confirmed by the district
    ],
    "provider staff": [
        (f"{V1}/caregivers/", "post"),  # with the photo
        (f"{V1}/caregivers/{{id}}/", "put"),
        (f"{V1}/caregivers/{{id}}/", "patch"),
        (f"{V1}/caregivers/{{id}}/trainings/", "post"),
        (f"{V1}/caregivers/{{id}}/certificates/", "post"),  # with the expiry
        (f"{V1}/caregivers/{{id}}/reveal/", "post"),  # the full phone, with a reason (logged)
    ],
    "catalogue": [
        (f"{V1}/service-items/", "post"),
        (f"{V1}/service-items/{{id}}/revise/", "post"),  # a new version from a date
        (f"{V1}/service-items/{{id}}/approve/", "post"),
        (f"{V1}/service-items/{{id}}/reject/", "post"),
        (f"{V1}/service-packages/", "post"),
        (f"{V1}/service-packages/{{id}}/revise/", "post"),
        (f"{V1}/service-packages/{{id}}/approve/", "post"),
        (f"{V1}/service-packages/{{id}}/reject/", "post"),
    ],
    "subsidy standards": [
        (f"{V1}/policy-versions/", "get"),
        (f"{V1}/policy-versions/{{id}}/preview/", "post"),  # the effect of a draft, nothing saved
        (f"{V1}/policy-versions/{{id}}/publish/", "post"),  # a new version from a month
        (f"{V1}/policy-versions/{{id}}/withdraw/", "post"),  # before any month is paid under it
    ],
    "monthly run": [
        (f"{V1}/subsidy-runs/", "post"),  # start the month (202), done by a worker
        (f"{V1}/subsidy-runs/{{id}}/", "get"),  # its progress, then its figures
    ],
    "bookings": [
        (f"{V1}/work-orders/", "post"),  # one item, subsidised or self-paid
        (f"{V1}/work-orders/book-package/", "post"),
    ],
    "visits": [
        (f"{V1}/work-orders/{{id}}/assign/", "post"),  # refused for a caregiver without the certificate
        (f"{V1}/work-orders/{{id}}/check-in/", "post"),
        (f"{V1}/work-orders/{{id}}/check-out/", "post"),
        (f"{V1}/work-orders/{{id}}/cancel/", "post"),
        (f"{V1}/work-orders/{{id}}/void/", "post"),
        (f"{V1}/work-orders/{{id}}/callback/", "post"),
    ],
    "service agreements": [
        (f"{V1}/agreements/", "post"),  # sign
        (f"{V1}/agreements/{{id}}/end/", "post"),
        (f"{V1}/agreements/{{id}}/change-provider/", "post"),
        (f"{V1}/providers/{{id}}/terminate/", "post"),  # the provider's termination cascade
    ],
    "service cards": [
        (f"{V1}/cards/", "get"),
        (f"{V1}/cards/issue/", "post"),  # issue or re-issue, with a reason
    ],
    "satisfaction surveys": [
        (f"{V1}/satisfaction-surveys/", "post"),
        (f"{V1}/satisfaction-surveys/{{id}}/answers/", "post"),  # one elder's answer
        (f"{V1}/satisfaction-surveys/{{id}}/import/", "post"),  # a spreadsheet of answers
        (f"{V1}/satisfaction-surveys/{{id}}/submit/", "post"),  # below 80 % opens a rectification
        (f"{V1}/rectifications/{{id}}/answer/", "post"),  # with evidence
        (f"{V1}/rectifications/{{id}}/accept/", "post"),
        (f"{V1}/rectifications/{{id}}/reject/", "post"),
    ],
    "elder picker": [
        (f"{V1}/elders/", "get"),
    ],
    "settlement": [
        (f"{V1}/settlement-months/{{month}}/", "get"),
        (f"{V1}/settlement-months/{{month}}/confirm/", "post"),  # a town confirms its figures
        (f"{V1}/settlement-quarters/{{quarter}}/", "get"),  # the quarter page: months and their lock
        (f"{V1}/settlement-quarters/{{quarter}}/prepare/", "post"),
        (f"{V1}/settlement-quarters/{{quarter}}/send-back/", "post"),
        (f"{V1}/settlement-quarters/{{quarter}}/approve/", "post"),
    ],
    "logins of the providers' people": [
        (f"{V1}/providers/{{id}}/admin-login/", "post"),  # the district, for the provider's administrator
        (f"{V1}/caregivers/{{id}}/login/", "post"),  # the provider administrator, for a caregiver
        (f"{V1}/caregivers/{{id}}/password/", "post"),
    ],
    "holiday calendar": [
        (f"{V1}/calendar-years/", "get"),
        (f"{V1}/calendar-years/", "post"),  # the district enters a year the built-in calendar lacks
    ],
}

EXPECTED = sorted({(path, method) for rows in CAPABILITIES.values() for path, method in rows})


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def request_body(schema: dict, path: str, method: str, content: str = "application/json") -> dict:
    body = schema["paths"][path][method]["requestBody"]["content"][content]["schema"]
    return _resolve(schema, body)


def response_body(schema: dict, path: str, method: str, code: str) -> dict:
    body = schema["paths"][path][method]["responses"][code]["content"]["application/json"]["schema"]
    return _resolve(schema, body)


@pytest.mark.parametrize(("path", "method"), EXPECTED)
def test_each_capability_is_in_the_schema(schema, path, method):
    assert path in schema["paths"], f"{path} is missing from the API"
    assert method in schema["paths"][path], f"{method.upper()} {path} is missing from the API"


# The other writes of the same resources: the registry's own (elders are registered and edited,
# and their numbers revealed, by the community side).
OTHER_WRITES = {
    (f"{V1}/elders/", "post"),
    (f"{V1}/elders/{{id}}/", "put"),
    (f"{V1}/elders/{{id}}/reveal/", "post"),
    (f"{V1}/elders/search/", "post"),
}


def test_every_write_of_these_resources_is_in_a_capability(schema):
    """A new write under a capability's resources joins the table (and so its role tests)."""
    resources = {path.split("/")[3] for path, _method in EXPECTED}
    served = {
        (path, method)
        for path, ops in schema["paths"].items()
        for method in ops
        if method in WRITES and path.startswith(V1) and path.split("/")[3] in resources
    }
    expected_writes = {(path, method) for path, method in EXPECTED if method in WRITES}
    assert served - OTHER_WRITES == expected_writes


def test_the_writes_carry_what_each_capability_needs(schema):
    status = request_body(schema, f"{V1}/providers/{{id}}/status/", "post")
    assert set(status["required"]) == {"to", "reason"}
    assert set(_resolve(schema, status["properties"]["to"])["enum"]) == {"suspended", "contracted"}

    terminate = request_body(schema, f"{V1}/providers/{{id}}/terminate/", "post")
    assert set(_resolve(schema, terminate["properties"]["ground"])["enum"]) == {
        "unable_to_deliver",
        "fraud",
        "violation",
        "rectification_overdue",
    }
    cascade = response_body(schema, f"{V1}/providers/{{id}}/terminate/", "post", "200")
    assert {"agreements_ended", "orders_cancelled"} <= set(cascade["properties"])

    assert request_body(schema, f"{V1}/contracts/{{id}}/renew/", "post")["required"] == ["number"]
    confirm = request_body(schema, f"{V1}/providers/{{id}}/scorecard/", "post")
    assert confirm["required"] == ["quarter"]

    caregiver = request_body(schema, f"{V1}/caregivers/", "post", "multipart/form-data")
    assert caregiver["properties"]["photo"]["format"] == "binary"
    certificate = request_body(schema, f"{V1}/caregivers/{{id}}/certificates/", "post")
    assert {"kind", "number", "valid_until"} <= set(certificate["required"])
    training = request_body(schema, f"{V1}/caregivers/{{id}}/trainings/", "post")
    assert {"course", "completed_on", "hours"} <= set(training["required"])
    assert request_body(schema, f"{V1}/caregivers/{{id}}/reveal/", "post")["required"] == ["reason"]

    revise = request_body(schema, f"{V1}/service-items/{{id}}/revise/", "post")
    assert revise["required"] == ["valid_from"]
    assert "note" in request_body(schema, f"{V1}/service-packages/{{id}}/reject/", "post")["properties"]

    book = request_body(schema, f"{V1}/work-orders/", "post")
    assert {"elder", "item", "scheduled_at"} <= set(book["required"])
    assert {"self_paid", "caregiver"} <= set(book["properties"])
    package = request_body(schema, f"{V1}/work-orders/book-package/", "post")
    assert {"elder", "package", "scheduled_at"} <= set(package["required"]) and "item" not in package["properties"]

    end = request_body(schema, f"{V1}/agreements/{{id}}/end/", "post")
    assert {"ends_on", "reason"} <= set(end["required"])
    change = request_body(schema, f"{V1}/agreements/{{id}}/change-provider/", "post")
    assert {"provider", "starts_on"} <= set(change["required"])

    card = request_body(schema, f"{V1}/cards/issue/", "post")
    assert set(card["required"]) == {"elder", "reason"}

    sheet = request_body(schema, f"{V1}/satisfaction-surveys/{{id}}/import/", "post", "multipart/form-data")
    assert sheet["properties"]["file"]["format"] == "binary"
    answer = request_body(schema, f"{V1}/satisfaction-surveys/{{id}}/answers/", "post")
    assert {"elder", "satisfied", "asked_on"} <= set(answer["required"])
    evidence = request_body(schema, f"{V1}/rectifications/{{id}}/answer/", "post", "multipart/form-data")
    assert (
        set(evidence["required"]) == {"text", "evidence"} and evidence["properties"]["evidence"]["format"] == "binary"
    )

    assert "search" in {p["name"] for p in schema["paths"][f"{V1}/elders/"]["get"]["parameters"]}

    assert request_body(schema, f"{V1}/settlement-months/{{month}}/confirm/", "post")["required"] == ["street"]
    assert request_body(schema, f"{V1}/policy-versions/{{id}}/withdraw/", "post")["required"] == ["reason"]
    draft = request_body(schema, f"{V1}/policy-versions/{{id}}/publish/", "post")
    assert {"month", "district_percent", "town_percent", "rows"} <= set(draft["required"])
    assert request_body(schema, f"{V1}/settlement-quarters/{{quarter}}/send-back/", "post")["required"] == ["reason"]
    page = response_body(schema, f"{V1}/settlement-quarters/{{quarter}}/", "get", "200")
    month = _resolve(schema, page["properties"]["months"]["items"])
    assert {"status", "locked_at", "confirmed", "missing"} <= set(month["properties"])


def test_the_elder_edit_is_advertised_as_the_whole_record_only(schema, db):
    """PATCH of an elder is refused (405), so the schema does not offer it."""
    assert set(schema["paths"][f"{V1}/elders/{{id}}/"]) == {"get", "put"}


# --- every advertised write is served --------------------------------------------------------


@pytest.fixture
def world(tree):
    with time_machine.travel(START, tick=False):
        yield make_world(tree)


@pytest.fixture
def objects(world, tree) -> dict[str, int]:
    """One real object per resource, so that the calls below reach the views' own checks."""
    town = user_with_role(Role.STREET_REVIEWER, tree.street_a)
    contract = Contract.objects.create(
        provider=world.provider, number="JD-1", starts_on=datetime.date(2025, 4, 1), ends_on=datetime.date(2026, 3, 31)
    )
    package = ServicePackage.objects.create(
        provider=world.provider, name="基础套餐", price=Money("45.00", "CNY"), approval=Approval.APPROVED
    )
    package.items.set([world.item])
    survey = SatisfactionSurvey.objects.create(
        provider=world.provider,
        street=tree.street_a,
        quarter=datetime.date(2026, 1, 1),
        status=SatisfactionSurvey.Status.OPEN,
        by=town,
    )
    low = SatisfactionSurvey.objects.create(
        provider=world.provider,
        street=tree.street_a,
        quarter=datetime.date(2025, 10, 1),
        surveyed=4,
        satisfied=3,
        by=town,
    )
    rectification = Rectification.objects.create(
        provider=world.provider, survey=low, deadline=datetime.date(2026, 4, 8)
    )
    return {
        "providers": world.provider.pk,
        "contracts": contract.pk,
        "caregivers": world.caregiver.pk,
        "service-items": world.item.pk,
        "service-packages": package.pk,
        "agreements": ServiceAgreement.objects.get(elder=world.elder).pk,
        "cards": ElderCard.objects.get(elder=world.elder).pk,
        "work-orders": make_order(world).pk,
        "satisfaction-surveys": survey.pk,
        "rectifications": rectification.pk,
        "elders": world.elder.pk,
    }


def _url(path: str, objects: dict[str, int]) -> str:
    resource = path.split("/")[3]
    return (
        path.replace("{id}", str(objects.get(resource, 999999)))
        .replace("{month}", "2026-02")
        .replace("{quarter}", "2026Q1")
        .replace("{field}", "phone")
    )


@pytest.mark.parametrize("body", [{}, [], {"street": "abc", "reason": ["x"], "note": {"a": 1}}], ids=repr)
def test_every_advertised_write_is_served_whatever_the_body(schema, objects, tree, body):
    admin = user_with_role(Role.SYSADMIN, tree.district)
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(admin)
    answers = {}
    for path, ops in schema["paths"].items():
        for method in ops:
            if method in WRITES:
                url = _url(path, objects)
                answers[f"{method.upper()} {url}"] = getattr(api, method)(url, body, format="json").status_code
    assert answers and not {call: code for call, code in answers.items() if code == 405 or code >= 500}
