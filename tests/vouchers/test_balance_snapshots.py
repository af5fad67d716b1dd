"""Balance snapshots of the pooled accounts: the balance a list shows is the latest snapshot plus
the entries written since; each snapshot is append-only and checked against the entries."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from eldercare.money import cny
from vouchers.checks import ledger_problems
from vouchers.models import Account, BalanceSnapshot, LedgerEntry
from vouchers.selectors import with_ledger_balance
from vouchers.services import redemption_create
from vouchers.services.snapshots import balances_snapshot

from ..appendonly import guards_lifted
from .factories import grant

pytestmark = pytest.mark.django_db


def _entries_sum(account: Account) -> Decimal:
    return LedgerEntry.objects.filter(account=account).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _listed(account: Account) -> Decimal:
    return with_ledger_balance(Account.objects.filter(pk=account.pk)).get().ledger_balance


@pytest.fixture
def january(tree, elder_a1, provider):
    """Scheme A's 2026 figure for an elder in difficulty aged 80 or more living alone, 300 yuan a
    month, shared 70 % district and 30 % town; 45 yuan of it spent at a provider."""
    with time_machine.travel(datetime.datetime(2026, 1, 20, 10, tzinfo=datetime.UTC), tick=False):
        grant(elder_a1, "2026-01", 300, tree)
        redemption_create(elder=elder_a1, amount=cny(45), provider=provider, idempotency_key="v1", reference="v1")


def test_a_snapshot_counts_every_pooled_account_up_to_the_last_entry(january, tree, provider, elder_a1):
    taken = balances_snapshot()
    district = Account.objects.get(division=tree.district, kind=Account.Kind.FUNDING)
    town = Account.objects.get(division=elder_a1.community.parent, kind=Account.Kind.FUNDING)
    payee = Account.objects.get(provider=provider, kind=Account.Kind.PROVIDER)
    snapshots = {s.account_id: s for s in BalanceSnapshot.objects.all()}
    assert snapshots[district.pk].balance == cny(-210)
    assert snapshots[town.pk].balance == cny(-90)
    assert snapshots[payee.pk].balance == cny(45)
    # An elder's subsidy and personal accounts cache their balance: they are never snapshotted.
    assert not BalanceSnapshot.objects.filter(account__kind__in=["subsidy", "personal"]).exists()
    assert {s.through_entry for s in snapshots.values()} == {taken.through_entry}
    assert taken.through_entry == LedgerEntry.objects.order_by("-id").first().pk
    assert ledger_problems() == []


def test_the_balance_is_the_snapshot_plus_the_entries_since(january, tree, elder_a1, provider):
    balances_snapshot()
    with time_machine.travel(datetime.datetime(2026, 2, 3, 10, tzinfo=datetime.UTC), tick=False):
        grant(elder_a1, "2026-02", 300, tree)
    district = Account.objects.get(division=tree.district, kind=Account.Kind.FUNDING)
    assert _listed(district) == Decimal("-420.00") == _entries_sum(district)
    assert district.current_balance == cny(-420)
    # The provider had no entry since: its snapshot alone is its balance.
    payee = Account.objects.get(provider=provider, kind=Account.Kind.PROVIDER)
    assert _listed(payee) == Decimal("45.00")

    second = balances_snapshot()
    # Only the accounts that moved get a new snapshot: the funding accounts and the elder's cash.
    assert second.accounts == 2
    assert BalanceSnapshot.objects.filter(account=payee).count() == 1
    latest = BalanceSnapshot.objects.filter(account=district).order_by("-through_entry").first()
    assert latest.balance == cny(-420) and latest.entries == 1
    assert ledger_problems() == []


def test_a_second_snapshot_with_nothing_new_writes_nothing(january):
    first = balances_snapshot()
    again = balances_snapshot()
    assert again.accounts == 0 and again.through_entry == first.through_entry
    assert BalanceSnapshot.objects.count() == first.accounts


def test_lists_read_the_snapshot_not_the_history(january, tree):
    # Proof that a list does not sum the account's history: a snapshot altered at the database
    # prompt is what the list shows, and what the ledger check reports.
    balances_snapshot()
    district = Account.objects.get(division=tree.district, kind=Account.Kind.FUNDING)
    with guards_lifted("vouchers_balancesnapshot"), connection.cursor() as cursor:
        cursor.execute("UPDATE vouchers_balancesnapshot SET balance = -1000 WHERE account_id = %s", [district.pk])
    assert _listed(district) == Decimal("-1000.00")
    assert district.current_balance == cny(-1000)
    problems = ledger_problems()
    assert [p.code for p in problems] == ["snapshot"]
    assert problems[0].sample_ids == list(BalanceSnapshot.objects.filter(account=district).values_list("pk", flat=True))


def test_snapshots_are_append_only(january):
    balances_snapshot()
    snapshot = BalanceSnapshot.objects.first()
    for sql in (
        "UPDATE vouchers_balancesnapshot SET balance = 0 WHERE id = %s",
        "DELETE FROM vouchers_balancesnapshot WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [snapshot.pk])
    assert BalanceSnapshot.objects.get(pk=snapshot.pk).balance == snapshot.balance
