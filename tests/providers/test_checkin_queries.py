"""The check-in and check-out requests stay cheap: the number of SQL queries of each is pinned
(the check-in benchmark's target: p95 under 100 ms with 50 caregivers at once)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from providers.models import WorkOrder
from tests.factories import api_token
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder, provider_account

from .factories import elder_code, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


def _api(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.caregiver.user)}")
    return api


def test_check_in_and_check_out_queries(world, clock, tree):
    # Given an elder whose accounts are all open (the steady state: opened at the first visit)
    grant(world.elder, "2026-03", "80.00", tree)
    for kind in (Account.Kind.PERSONAL, Account.Kind.EXTERNAL):
        account_for_elder(elder=world.elder, kind=kind)
    provider_account(provider=world.provider)
    order = make_order(world)
    api = _api(world)
    with CaptureQueriesContext(connection) as check_in:
        r = api.post(
            f"/api/v1/work-orders/{order.pk}/check-in/", {"code": world.token, "request_id": "q1"}, format="json"
        )
    assert r.status_code == 200 and r.json()["status"] == S.IN_PROGRESS
    clock.shift(datetime.timedelta(hours=1, minutes=5))
    with CaptureQueriesContext(connection) as check_out:
        r = api.post(
            f"/api/v1/work-orders/{order.pk}/check-out/",
            {"code": world.code, "request_id": "q2", "elder_code": elder_code(world.elder)},
            format="json",
        )
    assert r.status_code == 200 and r.json()["status"] == S.COMPLETED
    # Was 18 and 32 (history rows, savepoints and the request's transaction included); each
    # query left is a rule: token, scope, order (scoped, then locked), replay, card, frozen
    # account / ledger key, accounts, lock, yearly cap, writes and their event and history rows.
    # Verification at the door added the visit read before its lock (to lock the caregiver's
    # overlapping visits with it, in id order), those visits, and the district's policy.
    assert len(check_in.captured_queries) <= 18, [q["sql"][:120] for q in check_in.captured_queries]
    # The check-out also reads the elder's card and the codes already used (the one-time code), and
    # the visit's open exceptions; an hour after the check-in it renews the token's expiry (a write
    # at most every quarter of an hour).
    assert any('UPDATE "knox_authtoken"' in q["sql"] for q in check_out.captured_queries)
    assert len(check_out.captured_queries) <= 34, [q["sql"][:120] for q in check_out.captured_queries]
