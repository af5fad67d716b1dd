"""Simultaneous check-outs on PostgreSQL: 50 of one caregiver and 50 of one elder. The work order
and the caregiver's overlapping visits are locked together in id order, then the accounts, so
nothing deadlocks: no answer is a 500, each visit is redeemed at most once, the ledger holds."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from providers.models import ServiceAgreement, VisitException, WorkOrder
from providers.services import card_issue, card_token_for
from providers.services.presence import card_confirmation_codes
from tests.factories import ElderFactory, api_token, make_tree
from tests.vouchers.factories import grant
from vouchers.models import LedgerTransaction

from .factories import make_caregiver, make_item, make_provider

N = 50
S = WorkOrder.Status
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_progress(*, elder, caregiver, item, provider, minutes_ago=65) -> WorkOrder:
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return WorkOrder.objects.create(
        elder=elder,
        provider=provider,
        item=item,
        price=item.price,
        scheduled_at=started,
        booked_via=WorkOrder.BookedVia.PROVIDER,
        booked_by=caregiver.user,
        caregiver=caregiver,
        status=S.IN_PROGRESS,
        checked_in_at=started,
    )


def fire(requests: list[tuple[str, str, dict]]) -> list[int]:
    """POST every (token, url, body) at once, each from its own thread and connection."""
    barrier = threading.Barrier(len(requests))

    def post(request):
        token, url, body = request
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            barrier.wait()
            return client.post(url, body, format="json").status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(post, requests))


def ledger_clean(capsys) -> bool:
    call_command("check_ledger")
    return "Ledger OK" in capsys.readouterr().out


def test_fifty_check_outs_of_one_caregiver_at_once(capsys):
    tree = make_tree()
    provider = make_provider(tree)
    item = make_item(provider)
    caregiver = make_caregiver(provider)
    token = api_token(caregiver.user)
    requests, orders = [], []
    for _ in range(N):
        elder = ElderFactory(community=tree.a1)
        ServiceAgreement.objects.create(elder=elder, provider=provider, signed_on=datetime.date(2025, 1, 1))
        card = card_issue(elder=elder, by=None)
        grant(elder, f"{timezone.localdate():%Y-%m}", "80.00", tree)
        order = in_progress(elder=elder, caregiver=caregiver, item=item, provider=provider)
        orders.append(order)
        body = {
            "code": card_token_for(card),
            "request_id": f"out-{order.pk}",
            "elder_code": card_confirmation_codes(card)[0],
            "accept_unpaid": True,
        }
        requests.append((token, f"/api/v1/work-orders/{order.pk}/check-out/", body))
    codes = fire(requests)
    # Then ten phones retry at once with the same request ids: answered as before, nothing added.
    codes += fire(requests[:10])
    assert 500 not in codes and set(codes) <= {200, 409}, sorted(set(codes))
    # All fifty were open at once: each overlaps the others and is held, none is paid twice.
    assert set(WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {S.HELD}
    assert VisitException.objects.filter(order__in=orders, kind="overlap").count() == N
    assert LedgerTransaction.objects.filter(kind="redemption").count() == 0
    assert ledger_clean(capsys)


def test_fifty_check_outs_of_one_elder_at_once(capsys):
    tree = make_tree()
    provider = make_provider(tree)
    item = make_item(provider)
    elder = ElderFactory(community=tree.a1)
    ServiceAgreement.objects.create(elder=elder, provider=provider, signed_on=datetime.date(2025, 1, 1))
    card = card_issue(elder=elder, by=None)
    grant(elder, f"{timezone.localdate():%Y-%m}", "80.00", tree)
    elder_codes = card_confirmation_codes(card)
    requests, orders = [], []
    for i in range(N):
        caregiver = make_caregiver(provider, name=f"护工{i}")
        order = in_progress(elder=elder, caregiver=caregiver, item=item, provider=provider)
        orders.append(order)
        body = {"code": card_token_for(card), "request_id": f"out-{order.pk}", "elder_code": elder_codes[i]}
        requests.append((api_token(caregiver.user), f"/api/v1/work-orders/{order.pk}/check-out/", body))
    codes = fire(requests)
    assert codes == [200] * N
    redeemed = WorkOrder.objects.filter(pk__in=[o.pk for o in orders], status=S.COMPLETED)
    assert redeemed.count() == N
    assert LedgerTransaction.objects.filter(kind="redemption").count() == N
    assert len(set(redeemed.values_list("redemption_id", flat=True))) == N
    assert ledger_clean(capsys)
