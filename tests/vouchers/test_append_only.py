"""The ledger is append-only in the database itself: raw SQL cannot change or remove a transaction,
an entry or an account's status change, and the admin offers no way to."""

import pytest
from django.db import DatabaseError, connection, transaction

from eldercare.models import Role
from vouchers.models import AccountEvent, LedgerEntry, LedgerTransaction
from vouchers.services import account_freeze

from ..factories import user_with_role
from .factories import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(tree, elder_a1):
    tx = grant(elder_a1, "2026-03", "150.00", tree)
    account_freeze(elder=elder_a1, reason="住院", by=user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    return tx


def _refused(sql: str, params) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_cannot_change_or_remove_a_grant(booked):
    entry = LedgerEntry.objects.filter(transaction=booked).order_by("-amount").first()
    assert entry.amount.amount == 150  # the elder's side of the 150.00 grant
    _refused("UPDATE vouchers_ledgertransaction SET memo = 'x' WHERE id = %s", [booked.pk])
    _refused("DELETE FROM vouchers_ledgertransaction WHERE id = %s", [booked.pk])
    _refused("UPDATE vouchers_ledgerentry SET amount = 1500 WHERE id = %s", [entry.pk])
    _refused("DELETE FROM vouchers_ledgerentry WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.amount.amount == 150
    assert LedgerEntry.objects.filter(transaction=booked).count() == 3  # elder +150, district −105, town −45


def test_raw_sql_cannot_change_or_remove_an_account_status_change(booked):
    event = AccountEvent.objects.filter(to_status="frozen").first()  # the subsidy and the personal account
    _refused("UPDATE vouchers_accountevent SET reason = '' WHERE id = %s", [event.pk])
    _refused("DELETE FROM vouchers_accountevent WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.reason == "住院"


def test_the_admin_refuses_to_delete_ledger_rows(client, tree, booked):
    admin = user_with_role(Role.SYSADMIN, tree.district)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    event = AccountEvent.objects.filter(to_status="frozen").first()  # the subsidy and the personal account
    for path in (
        f"/admin/vouchers/ledgertransaction/{booked.pk}/delete/",
        f"/admin/vouchers/ledgerentry/{booked.entries.first().pk}/delete/",
        f"/admin/vouchers/accountevent/{event.pk}/delete/",
    ):
        assert client.post(path, {"post": "yes"}).status_code == 403
    assert LedgerTransaction.objects.filter(pk=booked.pk).exists()
    assert AccountEvent.objects.filter(pk=event.pk).exists()
