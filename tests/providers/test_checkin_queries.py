"""The check-in and check-out requests stay lean (the check-in benchmark's target: p95 under
100 ms with 200 caregivers at once): the service is the request's one transaction, with no
savepoint, and the number of SQL statements of each is pinned.

The tests run outside a test transaction so that what is captured is exactly what a request
sends to the database in production."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from providers.models import WorkOrder
from tests.factories import api_token
from tests.vouchers.factories import grant
from vouchers.models import Account, LedgerTransaction
from vouchers.services import account_for_elder, provider_account

from .factories import elder_code, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db(transaction=True)


def _steady_state(world, tree):
    """An elder whose accounts are all open (the steady state: opened at the first visit)."""
    grant(world.elder, "2026-03", "80.00", tree)
    for kind in (Account.Kind.PERSONAL, Account.Kind.EXTERNAL):
        account_for_elder(elder=world.elder, kind=kind)
    provider_account(provider=world.provider)


def _savepoints(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def _statements(captured) -> list[str]:
    """What the request sent, less the transaction's own BEGIN and COMMIT (SQLite logs them)."""
    return [q["sql"] for q in captured.captured_queries if q["sql"].split()[0].upper() not in ("BEGIN", "COMMIT")]


def test_api_check_in_and_check_out_send_no_savepoint_and_few_statements(world, clock, tree):
    _steady_state(world, tree)
    order = make_order(world)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.caregiver.user)}")
    with CaptureQueriesContext(connection) as check_in:
        r = api.post(
            f"/api/v1/work-orders/{order.pk}/check-in/", {"code": world.token, "request_id": "q1"}, format="json"
        )
    assert r.status_code == 200 and r.json()["status"] == S.IN_PROGRESS
    clock.shift(datetime.timedelta(hours=1, minutes=5))
    code = elder_code(world.elder)
    with CaptureQueriesContext(connection) as check_out:
        r = api.post(
            f"/api/v1/work-orders/{order.pk}/check-out/",
            {"code": world.token, "request_id": "q2", "elder_code": code},
            format="json",
        )
    assert r.status_code == 200 and r.json()["status"] == S.COMPLETED
    assert LedgerTransaction.objects.filter(reference=f"workorder:{order.pk}").count() == 1
    assert _savepoints(check_in) == [] and _savepoints(check_out) == []
    # Check-in, 11 (16 before, 2 of them a savepoint and its release): token, the visit (the
    # caregiver's own, at a provider the caregiver works for), the lock (the caregiver's
    # overlapping visits with it, and whether it holds an open exception), the request id kept,
    # the card, the subsidy account, the district's policy, the roles and jurisdiction the move
    # checks, the event, the visit and its history row.
    assert len(_statements(check_in)) <= 11, _statements(check_in)
    # Check-out, 18 (30 before, 6 of them savepoints and their releases): as the check-in, less
    # the account, plus the codes already used, the elder's accounts read then locked, the yearly
    # cap, the transaction (its key not looked up first: the visit in progress was never paid),
    # its entries, the balance; an hour after the check-in the token's expiry is renewed (at most
    # every quarter of an hour).
    assert any('UPDATE "knox_authtoken"' in q["sql"] for q in check_out.captured_queries)
    assert len(_statements(check_out)) <= 18, _statements(check_out)


def test_phone_page_check_out_sends_no_savepoint(world, clock, tree, client):
    _steady_state(world, tree)
    order = make_order(world, status=S.IN_PROGRESS)
    clock.shift(datetime.timedelta(hours=1, minutes=5))
    client.force_login(world.caregiver.user)
    code = elder_code(world.elder)
    with CaptureQueriesContext(connection) as check_out:
        r = client.post(
            f"/providers/my/{order.pk}/",
            {"action": "check_out", "code": world.code, "request_id": "p1", "elder_code": code},
        )
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.redemption_id is not None
    assert _savepoints(check_out) == []


def test_a_refused_check_out_writes_nothing_outside_a_request_transaction(world, clock, tree):
    # Shorter than an hour and not accepted as unpaid: 409, and the visit is still in progress.
    _steady_state(world, tree)
    order = make_order(world, status=S.IN_PROGRESS)
    clock.shift(datetime.timedelta(minutes=40))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.caregiver.user)}")
    r = api.post(
        f"/api/v1/work-orders/{order.pk}/check-out/",
        {"code": world.token, "request_id": "q3", "elder_code": elder_code(world.elder)},
        format="json",
    )
    assert r.status_code == 409 and r.json()["code"] == "unpaid_check_out"
    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS and order.checked_out_at is None and order.confirmation_code_no is None
    assert not WorkOrder.objects.filter(reservice_of=order).exists()
    assert not order.events.filter(to_status=S.SHORT).exists()
