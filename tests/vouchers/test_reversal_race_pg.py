"""One redemption reversed by many requests at once (PostgreSQL: real row locks, real threads)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from eldercare.money import cny
from tests.factories import ElderFactory, make_tree
from vouchers.checks import ledger_problems
from vouchers.errors import AlreadyReversed
from vouchers.models import LedgerTransaction
from vouchers.services import redemption_create, redemption_reverse

from .factories import ProviderFactory

THREADS = 20


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_reversed_once_index_exists_after_all_migrations():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'vouchers_ledgertransaction' AND indexname = %s",
            ["ledger_reversed_once"],
        )
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert "UNIQUE" in rows[0][0]
    assert "reverses_id IS NOT NULL" in rows[0][0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reversals_of_a_redemption_on_pooled_accounts_book_exactly_one():
    # Given a self-paid visit paid in cash: its legs are the elder's EXTERNAL account and the
    # provider's account, both pooled (never locked by the ledger's account locks)
    tree = make_tree()
    elder = ElderFactory(community=tree.a1)
    provider = ProviderFactory(district=tree.district)
    paid = redemption_create(
        elder=elder, amount=cny(50), provider=provider, idempotency_key="visit", reference="visit", use_subsidy=False
    )
    assert {e.account.kind for e in paid.transaction.entries.select_related("account")} == {"external", "provider"}
    barrier = threading.Barrier(THREADS)
    outcomes: list = []

    def worker(i):
        try:
            barrier.wait()
            try:
                outcomes.append(
                    redemption_reverse(transaction=paid.transaction, reason="void", idempotency_key=f"void-{i}")
                )
            except AlreadyReversed as exc:
                outcomes.append(exc)
            except Exception as exc:  # noqa: BLE001 - any other failure is what the test looks for
                outcomes.append(exc)
        finally:
            connection.close()

    # When THREADS requests, each under its own key, reverse it at once
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    # Then exactly one reversal is booked and every other request is refused as already reversed
    booked = [o for o in outcomes if isinstance(o, LedgerTransaction)]
    refused = [o for o in outcomes if isinstance(o, AlreadyReversed)]
    assert (len(booked), len(refused)) == (1, THREADS - 1), [repr(o) for o in outcomes if isinstance(o, Exception)]
    assert LedgerTransaction.objects.filter(reverses=paid.transaction).count() == 1
    assert ledger_problems() == []
