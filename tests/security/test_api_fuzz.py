"""The API answers generated requests from its own OpenAPI schema without a server error and
only with status codes the schema documents, for roles of every kind on the seeded demo.

schemathesis generates the requests (a few per operation, derandomized so that a run is the
same each time) and sends them in process through Django's WSGI handler with the role's token.
"""

import contextlib
import json
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from tests.factories import api_token

# One worker runs the security checks, so the demo is seeded once for all of them (--dist loadgroup).
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seeded-demo")]

ROLES = ("district", "community", "caregiver", "finance")
READ_EXAMPLES = 2
WRITE_EXAMPLES = 2
# Writes cheap to try with made-up data: they refuse it (or act on made-up ids) without a document.
WRITES = {("PUT", "/api/v1/elders/{id}/"), ("POST", "/api/v1/applications/")}
# A role's time: the operations are tried from a different place of the schema for each role, so
# that a slow machine that runs out of time still has every operation tried by some role.
BUDGET_SECONDS = 15


@contextlib.contextmanager
def wsgi_handler():
    """Django's WSGI handler, in this thread's database transaction (as the test client does:
    the handler would otherwise close the connection at the end of each request)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema(user):
    client = Client()
    client.force_login(user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(json.loads(response.content))


def failures_of(operation, handler, headers, examples) -> list[str]:
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(app=handler, headers=headers)
        try:
            case.validate_response(response, checks=[not_a_server_error, status_code_conformance])
        except Exception as exc:  # noqa: BLE001 - collected, each operation's first failure reported
            if not failures:
                failures.append(
                    f"{operation.label}: {case.path} {case.query or ''} -> {response.status_code}: {exc}"[:600]
                )

    run()
    return failures


@pytest.mark.parametrize("login", ROLES)
def test_the_api_answers_each_role_within_its_schema(world, login):
    user = world[login]
    headers = {"Authorization": f"Token {api_token(user)}"}
    schema = load_schema(user)
    started = time.monotonic()
    failures: list[str] = []
    tried = 0
    operations = [
        (operation, READ_EXAMPLES if operation.method.upper() == "GET" else WRITE_EXAMPLES)
        for operation in (result.ok() for result in schema.get_all_operations())
        if operation.method.upper() == "GET" or (operation.method.upper(), operation.path) in WRITES
    ]
    assert len(operations) > 90  # every list and detail of the API, and the writes above
    first = ROLES.index(login) * len(operations) // len(ROLES)
    with wsgi_handler() as handler:
        for operation, examples in operations[first:] + operations[:first]:
            if time.monotonic() - started > BUDGET_SECONDS and tried >= len(operations) // len(ROLES):
                break
            failures += failures_of(operation, handler, headers, examples)
            tried += 1
    assert failures == [], "\n".join(failures)
