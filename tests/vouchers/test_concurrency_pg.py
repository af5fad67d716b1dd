"""Concurrent redemptions on one account (PostgreSQL: real row locks, real threads)."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import time_machine
from django.db import connection, transaction

from eldercare.money import cny
from eldercare.periods import Month
from tests.factories import ElderFactory, make_tree
from vouchers.checks import ledger_problems
from vouchers.errors import InsufficientBalance
from vouchers.models import Account, LedgerEntry, LedgerTransaction
from vouchers.services import account_for_elder, grant_credit, grant_key, provider_account, redemption_create

from .factories import ProviderFactory

THREADS = 12
ATTEMPTS = 60


@pytest.fixture(autouse=True)
def _frozen_clock():
    # A fixed date (the clock still ticks so that timestamps differ); time-machine is process-wide.
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC), tick=True):
        yield


def _setup(balance: int):
    tree = make_tree()
    elder = ElderFactory(community=tree.a1)
    provider = ProviderFactory(district=tree.district)
    month = Month.current()
    grant_credit(
        elder=elder,
        month=month,
        amount=cny(balance),
        shares={tree.district: cny(balance)},
        idempotency_key=grant_key(elder_id=elder.pk, month=month),
    )
    return elder, provider


def _fire(elder, provider, price: int, allow_copay: bool, keys: list[str]):
    barrier = threading.Barrier(THREADS)
    outcomes: list = []

    def worker(chunk):
        try:
            barrier.wait()
            for key in chunk:
                try:
                    result = redemption_create(
                        elder=elder,
                        amount=cny(price),
                        provider=provider,
                        idempotency_key=key,
                        reference=key,
                        allow_copay=allow_copay,
                    )
                    outcomes.append(result)
                except InsufficientBalance as exc:
                    outcomes.append(exc)
        finally:
            connection.close()

    chunks = [keys[i::THREADS] for i in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, chunks))
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_only_as_many_subsidy_only_redemptions_as_the_balance_covers_succeed():
    # Given 300 on the subsidy account and 60 visits of 10 that the subsidy alone must pay
    elder, provider = _setup(300)
    outcomes = _fire(elder, provider, 10, allow_copay=False, keys=[f"visit-{i}" for i in range(ATTEMPTS)])
    # Then exactly 30 succeed, 30 are refused, and the books are exact
    succeeded = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, InsufficientBalance)]
    assert (len(succeeded), len(refused)) == (30, 30)
    assert all(o.subsidy_paid == cny(10) for o in succeeded)
    assert account_for_elder(elder=elder, kind=Account.Kind.SUBSIDY).balance == cny(0)
    assert LedgerTransaction.objects.filter(kind="redemption").count() == 30
    assert LedgerEntry.objects.filter(transaction__kind="redemption").count() == 60  # subsidy − and provider +
    assert Account.objects.get(provider=provider).current_balance == cny(300)
    assert ledger_problems() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_with_copay_and_replayed_keys_pay_the_balance_exactly_once():
    # Given 150 on the subsidy account; 60 visits of 7 fired twice each (every key replayed)
    elder, provider = _setup(150)
    keys = [f"visit-{i}" for i in range(ATTEMPTS)]
    outcomes = _fire(elder, provider, 7, allow_copay=True, keys=keys + keys)
    assert not [o for o in outcomes if isinstance(o, Exception)]
    # Then one transaction per key, the subsidy paid exactly its 150 and the rest is co-pay
    assert LedgerTransaction.objects.filter(kind="redemption").count() == ATTEMPTS
    by_tx = {o.transaction.pk: o for o in outcomes}
    assert len(by_tx) == ATTEMPTS
    subsidy_total = sum((o.subsidy_paid.amount for o in by_tx.values()), Decimal("0"))
    copay_total = sum((o.copay.amount for o in by_tx.values()), Decimal("0"))
    assert subsidy_total == Decimal("150.00")
    assert copay_total == Decimal(7 * ATTEMPTS) - Decimal("150.00")
    assert account_for_elder(elder=elder, kind=Account.Kind.SUBSIDY).balance == cny(0)
    assert account_for_elder(elder=elder, kind=Account.Kind.EXTERNAL).current_balance == cny(-copay_total)
    assert Account.objects.get(provider=provider).current_balance == cny(7 * ATTEMPTS)
    assert ledger_problems() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_redemptions_and_grants_of_other_elders_do_not_wait_for_each_other():
    """Pooled accounts (provider, funding) are never locked: while another transaction has
    redeemed with the same provider and granted from the same district and not yet committed,
    a second elder's check-out and grant go through at once (they used to queue on those rows)."""
    elder, provider = _setup(100)
    tree_district = elder.community.parent.parent
    other = ElderFactory(community=elder.community)
    month = Month.current()
    grant_credit(
        elder=other,
        month=month,
        amount=cny(100),
        shares={tree_district: cny(100)},
        idempotency_key=grant_key(elder_id=other.pk, month=month),
    )
    month = month.next()
    provider_account(provider=provider)  # opened by the provider's first redemption, long ago
    held, release = threading.Event(), threading.Event()

    def in_flight():
        try:
            with transaction.atomic():
                redemption_create(elder=other, amount=cny(10), provider=provider, idempotency_key="a", reference="a")
                grant_credit(
                    elder=other,
                    month=month,
                    amount=cny(80),
                    shares={tree_district: cny(80)},
                    idempotency_key=grant_key(elder_id=other.pk, month=month),
                )
                held.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=in_flight)
    thread.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # queueing on a pooled row would fail here
            result = redemption_create(
                elder=elder, amount=cny(30), provider=provider, idempotency_key="b", reference="b"
            )
            grant_credit(
                elder=elder,
                month=month,
                amount=cny(80),
                shares={tree_district: cny(80)},
                idempotency_key=grant_key(elder_id=elder.pk, month=month),
            )
    finally:
        release.set()
        thread.join()
    assert result.subsidy_paid == cny(30)
    assert account_for_elder(elder=elder, kind=Account.Kind.SUBSIDY).balance == cny(150)
    assert Account.objects.get(provider=provider).current_balance == cny(40)
    assert ledger_problems() == []
