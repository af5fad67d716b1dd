"""The monthly run's foreign keys: every row it writes points at rows that exist when it commits,
whether the database checks each key of each row or the run checks them set-based (PostgreSQL,
a role allowed to switch the row-by-row checks off)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection

from eldercare.models import Elder, ElderCategory
from eldercare.periods import Month
from subsidies.standards.models import Assessment, Entitlement, Grant, SubsidyRun
from subsidies.standards.services import run as run_module
from subsidies.standards.services.run import GRANT_KEYS, run_month
from vouchers.models import Account, LedgerEntry, LedgerTransaction
from vouchers.services.grants import GRANT_LEDGER_KEYS

from .policy_factories import entitled_elder, schemes

DEC = Month(2026, 12)


def _foreign_keys(model) -> set[tuple[str, str]]:
    return {
        (model._meta.db_table, f.column)
        for f in model._meta.concrete_fields
        if f.is_relation and (f.many_to_one or f.one_to_one) and f.db_constraint
    }


def test_every_foreign_key_of_the_rows_the_run_writes_is_held_or_accounted_for():
    """A key added to a grant, a ledger transaction or an entry must say how the run holds it when
    the database's own checks are off."""
    written = _foreign_keys(Grant) | _foreign_keys(LedgerTransaction) | _foreign_keys(LedgerEntry)
    assert written == set(GRANT_KEYS) | set(GRANT_LEDGER_KEYS)


def _gone(*rows: tuple[str, int]) -> None:
    """Rows deleted while the run runs, in an order the database allows (what points at a row
    goes first), as a repair by hand at the database prompt might."""
    with connection.cursor() as cur:
        for table, pk in rows:
            cur.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 -- a model's table


def _table(model) -> str:
    return model._meta.db_table


def _whole_elder(elder) -> list[tuple[str, int]]:
    """The elder and every row that points at it."""
    rows = [(_table(Account), a.pk) for a in Account.objects.filter(elder=elder)]
    rows += [(_table(Entitlement), e.pk) for e in Entitlement.objects.filter(elder=elder)]
    rows += [(_table(Assessment), a.pk) for a in Assessment.objects.filter(elder=elder)]
    rows += [(_table(ElderCategory), c.pk) for c in ElderCategory.objects.filter(elder=elder)]
    return [*rows, (_table(Elder), elder.pk)]


GONE = {
    "elder": _whole_elder,
    "elder's entitlement": lambda elder: [(_table(Entitlement), Entitlement.objects.get(elder=elder).pk)],
    "subsidy account": lambda elder: [(_table(Account), Account.objects.get(elder=elder, kind="subsidy").pk)],
    "town's funding account": lambda elder: [
        (_table(Account), Account.objects.get(kind=Account.Kind.FUNDING, division_id=elder.community.parent_id).pk)
    ],
}


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("set_based", [True, False], ids=["set-based", "row-by-row"])
@pytest.mark.parametrize("what", list(GONE))
def test_a_row_deleted_during_the_run_fails_the_chunk_and_writes_nothing(tree, monkeypatch, set_based, what):
    scheme = schemes(tree)["jiangdu"]
    elder = entitled_elder(scheme=scheme, community=tree.a1, categories=["tekun"])
    entitled_elder(scheme=scheme, community=tree.a1, categories=["dibao"], care_level="semi_disabled")
    monkeypatch.setattr(run_module, "keys_checked_by_batch", lambda cur: set_based)
    build_pay = run_module._build_pay

    def build_pay_then_delete(cur, month):
        to_pay = build_pay(cur, month)
        _gone(*GONE[what](elder))
        return to_pay

    monkeypatch.setattr(run_module, "_build_pay", build_pay_then_delete)
    with pytest.raises(IntegrityError):
        run_month(month=DEC)
    assert Grant.objects.count() == 0
    assert LedgerTransaction.objects.count() == 0 and LedgerEntry.objects.count() == 0
    assert SubsidyRun.objects.get().status == SubsidyRun.Status.FAILED


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("set_based", [True, False], ids=["set-based", "row-by-row"])
def test_both_ways_of_checking_the_keys_write_the_same_month(tree, monkeypatch, set_based):
    scheme = schemes(tree)["jiangdu"]
    tekun = entitled_elder(scheme=scheme, community=tree.a1, categories=["tekun"])
    dibao = entitled_elder(scheme=scheme, community=tree.b1, categories=["dibao"], care_level="semi_disabled")
    monkeypatch.setattr(run_module, "keys_checked_by_batch", lambda cur: set_based)
    result = run_month(month=DEC, chunk_size=1)
    assert result.created == 2 and result.total == Decimal("230.00")
    assert {g.elder_id: g.amount.amount for g in Grant.objects.all()} == {tekun.pk: 80, dibao.pk: 150}
    assert LedgerEntry.objects.count() == 6  # each grant: the subsidy account, the district, the town
    assert Account.objects.get(elder=dibao, kind="subsidy").balance.amount == 150
