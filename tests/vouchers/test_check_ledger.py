"""`manage.py check_ledger` passes on a sound ledger and reports each kind of breakage."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from eldercare.money import cny
from vouchers.checks import ledger_problems
from vouchers.models import Account, LedgerTransaction
from vouchers.services import account_for_elder, redemption_create, redemption_reverse

from ..appendonly import guards_lifted
from .factories import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(tree, elder_a1, provider):
    with time_machine.travel(datetime.datetime(2026, 1, 20, 10, tzinfo=datetime.UTC), tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        paid = redemption_create(
            elder=elder_a1, amount=cny(200), provider=provider, idempotency_key="v1", reference="v1"
        ).transaction
        redemption_create(elder=elder_a1, amount=cny(20), provider=provider, idempotency_key="v2", reference="v2")
        redemption_reverse(transaction=paid, reason="作废单", idempotency_key="r1")
    return paid


def run(capsys):
    try:
        call_command("check_ledger")
    except SystemExit as exc:
        return exc.code, capsys.readouterr().err
    return 0, capsys.readouterr().out


def test_sound_ledger_passes(ledger, capsys):
    code, out = run(capsys)
    assert code == 0 and "OK" in out


def test_entry_inserted_with_raw_sql_is_caught(ledger, elder_a1, capsys):
    account = account_for_elder(elder=elder_a1, kind=Account.Kind.SUBSIDY)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO vouchers_ledgerentry (transaction_id, account_id, amount, amount_currency, created_at)"
            " VALUES (%s, %s, %s, 'CNY', %s)",
            [ledger.pk, account.pk, "10.00", datetime.datetime(2026, 1, 21, tzinfo=datetime.UTC)],
        )
    code, err = run(capsys)
    assert code == 1
    codes = {p.code for p in ledger_problems()}
    assert {"unbalanced", "cache", "reversal_mismatch"} <= codes
    assert "unbalanced" in err and str(ledger.pk) in err


def test_tampered_cached_balance_is_caught(ledger, elder_a1, capsys):
    personal = account_for_elder(elder=elder_a1, kind=Account.Kind.PERSONAL)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE vouchers_account SET balance = 5 WHERE id = %s", [personal.pk])
    assert [p.code for p in ledger_problems()] == ["cache"]
    assert run(capsys)[0] == 1


def test_a_cached_balance_on_a_pooled_account_is_caught(ledger, provider):
    # Pooled accounts keep no cache: a value there means some code wrote one nobody maintains.
    payee = Account.objects.get(provider=provider, kind=Account.Kind.PROVIDER)
    assert payee.balance.amount == 0 and payee.current_balance == cny(20)  # the sum of its entries
    with connection.cursor() as cursor:
        cursor.execute("UPDATE vouchers_account SET balance = 20 WHERE id = %s", [payee.pk])
    assert [p.code for p in ledger_problems()] == ["pooled_cache"]


def test_deleted_credit_leaves_a_negative_sum_and_is_caught(ledger, elder_a1):
    subsidy = account_for_elder(elder=elder_a1, kind=Account.Kind.SUBSIDY)
    # The database refuses it (tests/vouchers/test_append_only.py); someone who can lift its
    # guards can still do it, and the checker must see it.
    with guards_lifted("vouchers_ledgerentry"), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM vouchers_ledgerentry WHERE account_id = %s AND transaction_id IN "
            "(SELECT id FROM vouchers_ledgertransaction WHERE kind IN ('grant', 'reversal'))",
            [subsidy.pk],
        )
    codes = {p.code for p in ledger_problems()}
    assert {"unbalanced", "cache", "negative", "reversal_mismatch"} <= codes


def test_reversal_of_nothing_is_caught(ledger):
    # The unique constraint refuses a second row reversing the same transaction; a redemption
    # relabelled as a reversal (of nothing) is what a hand-made "second reversal" looks like.
    original = LedgerTransaction.objects.get(kind="reversal")
    with guards_lifted("vouchers_ledgertransaction"), connection.cursor() as cursor:
        cursor.execute("UPDATE vouchers_ledgertransaction SET kind = 'reversal' WHERE idempotency_key = 'v2'")
    codes = {p.code for p in ledger_problems()}
    assert "reversal_kind" in codes
    assert original.reverses_id == ledger.pk
