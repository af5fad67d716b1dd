"""Monthly and quarterly settlement with hand-computed figures (see scenario.py)."""

from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, transaction
from djmoney.money import Money

from eldercare.errors import Conflict
from eldercare.periods import Quarter
from settlement.models import MonthLine, QuarterSettlement, ServiceMonth
from settlement.services import (
    MonthLocked,
    NotReconciled,
    QuarterApproved,
    SamePerson,
    month_confirm,
    quarter_approve,
    quarter_prepare,
)
from tests.appendonly import guards_lifted
from vouchers.models import LedgerEntry
from vouchers.services import provider_account, redemption_create

from .scenario import DEC, NOV, OCT, at

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)


def D(x):
    return Decimal(x)


def money(x):
    return Money(x, "CNY")


def _lines(month):
    return list(MonthLine.objects.filter(service_month__month=month.first_day))


def test_october_lines_hold_visits_hours_subsidy_and_copay(q4, tree):
    lines = {(x.provider_id, x.community_id): x for x in _lines(OCT)}
    p1a1 = lines[(q4.p1.pk, tree.a1.pk)]
    # The October visit voided in November stays in October as it was when October locked.
    assert (p1a1.visits, p1a1.minutes, p1a1.total, p1a1.voided_visits) == (1, 90, money("50.00"), 0)
    p2a2 = lines[(q4.p2.pk, tree.a2.pk)]
    assert p2a2.subsidy == money("60.00")
    assert p2a2.personal == money("10.00")
    assert p2a2.cash == money("30.00")
    assert p2a2.total == money("100.00")
    assert (p2a2.district_share, p2a2.town_share) == (money("42.00"), money("18.00"))
    assert sum(x.total.amount for x in lines.values()) == D("230.00")


def test_void_after_lock_is_an_adjustment_of_november_naming_what_it_corrects(q4, tree):
    adjustments = [x for x in _lines(NOV) if x.kind == MonthLine.Kind.ADJUSTMENT]
    assert len(adjustments) == 1
    adj = adjustments[0]
    assert (adj.provider_id, adj.community_id) == (q4.p1.pk, tree.a1.pk)
    assert adj.total == money("-50.00")
    assert (adj.district_share, adj.town_share) == (money("-35.00"), money("-15.00"))
    assert adj.corrects_month == OCT.first_day
    assert adj.corrects_id == q4.voided_after_lock.redemption_id
    assert adj.reversal_id == q4.voided_after_lock.reversal_id
    assert adj.work_order_id == q4.voided_after_lock.pk
    assert sum(x.total.amount for x in _lines(NOV)) == D("40.00")


def test_void_before_lock_is_netted_in_its_month(q4, tree):
    (line,) = [x for x in _lines(DEC) if x.provider_id == q4.p1.pk]
    assert (line.visits, line.voided_visits, line.total, line.voided_amount) == (2, 1, money("80.00"), money("80.00"))


def test_month_locks_only_when_every_town_with_activity_confirmed(tree):
    from .scenario import build

    q = build(tree, lock_december=False)
    assert ServiceMonth.objects.get(month=OCT.first_day).status == ServiceMonth.Status.LOCKED
    assert ServiceMonth.objects.get(month=NOV.first_day).status == ServiceMonth.Status.LOCKED
    assert not ServiceMonth.objects.filter(month=DEC.first_day, status="locked").exists()
    with time_machine.travel(at(2027, 1, 4), tick=False):
        with pytest.raises(Conflict, match="2026-12"):
            quarter_prepare(quarter=Q4, by=q.finance)


def test_quarter_totals_split_seven_to_three_and_next_need(q4, tree):
    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
    assert s.differences == []
    assert s.total == money("350.00")
    assert s.subsidy == money("310.00")
    assert s.copay == money("40.00")
    assert (s.district_share, s.town_share) == (money("217.00"), money("93.00"))
    assert s.adjustments == money("-50.00")
    lines = {(x.provider_id, x.street_id): x for x in s.lines.all()}
    p1a = lines[(q4.p1.pk, tree.street_a.pk)]
    assert (p1a.total, p1a.month1, p1a.month2, p1a.month3, p1a.adjustments) == (
        money("50.00"),
        money("50.00"),
        money("0.00"),
        money("0.00"),
        money("-50.00"),
    )
    p1b = lines[(q4.p1.pk, tree.street_b.pk)]
    assert (p1b.total, p1b.district_share, p1b.town_share) == (money("160.00"), money("112.00"), money("48.00"))
    p2a = lines[(q4.p2.pk, tree.street_a.pk)]
    assert (p2a.total, p2a.subsidy, p2a.copay) == (money("140.00"), money("100.00"), money("40.00"))
    assert (s.need_people, s.need_amount) == (3, money("1410.00"))


def test_one_user_cannot_prepare_and_approve(q4):
    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
        with pytest.raises(SamePerson):
            quarter_approve(settlement=s, by=q4.finance)
        approved = quarter_approve(settlement=s, by=q4.finance2)
    assert approved.status == QuarterSettlement.Status.APPROVED
    assert [e.to_status for e in approved.events.all()] == ["prepared", "approved"]


def test_approved_quarter_is_immutable(q4):
    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_approve(settlement=quarter_prepare(quarter=Q4, by=q4.finance), by=q4.finance2)
        with pytest.raises(QuarterApproved):
            quarter_prepare(quarter=Q4, by=q4.finance2)
    with pytest.raises(DatabaseError), transaction.atomic():
        QuarterSettlement.objects.filter(pk=s.pk).update(total=money("1.00"))
    with pytest.raises(DatabaseError), transaction.atomic():
        s.lines.all().delete()


def test_reconciliation_catches_a_broken_ledger_and_refuses_approval(q4, tree):
    # A redemption booked straight on the ledger, without a work order: the ledger says more.
    with time_machine.travel(at(2026, 12, 20), tick=False):
        redemption_create(
            elder=q4.e2, amount=money("30.00"), provider=q4.p1, idempotency_key="stray", reference="stray"
        )
    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
        by_level = {(d["level"], d["id"]): d for d in s.differences}
        assert by_level[("provider", q4.p1.pk)]["difference"] == "-30.00"
        assert by_level[("town", tree.street_b.pk)]["ledger"] == "190.00"
        assert ("provider", q4.p2.pk) not in by_level
        with pytest.raises(NotReconciled) as refused:
            quarter_approve(settlement=s, by=q4.finance2)
    assert len(refused.value.differences) == 2


def test_reconciliation_catches_a_tampered_entry(q4):
    entry = LedgerEntry.objects.filter(account=provider_account(provider=q4.p2)).first()
    with guards_lifted("vouchers_ledgerentry"):  # tampering that the database itself refuses
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=entry.amount.amount + 1)
    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
    assert [(d["level"], d["id"], d["difference"]) for d in s.differences] == [("provider", q4.p2.pk, "-1.00")]


def test_locked_month_refuses_changes(q4, tree):
    with time_machine.travel(at(2026, 12, 5), tick=False):
        with pytest.raises(MonthLocked):
            month_confirm(month=OCT, street=tree.street_a, by=q4.street_a_user)
    with pytest.raises(DatabaseError), transaction.atomic():
        MonthLine.objects.filter(service_month__month=OCT.first_day).update(visits=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        ServiceMonth.objects.filter(month=OCT.first_day).update(status="open", locked_at=None)
    with pytest.raises(DatabaseError), transaction.atomic():
        MonthLine.objects.filter(service_month__month=OCT.first_day).delete()


def test_street_reviewer_confirms_only_its_town(tree):
    from eldercare.errors import NotAllowed

    from .scenario import build

    q = build(tree, lock_december=False)
    with time_machine.travel(at(2027, 1, 4), tick=False):
        with pytest.raises(NotAllowed):
            month_confirm(month=DEC, street=tree.street_b, by=q.street_a_user)


def test_one_pass_over_the_quarter_gives_each_month_as_locked(q4):
    """months_figures (the batch's one pass) equals month_figures month by month, and both equal
    the lines frozen when each month locked (adjustment included)."""
    from settlement.compute import month_figures, months_figures

    def key(x):
        amount = x.total.amount if hasattr(x.total, "amount") else x.total
        district = x.district_share.amount if hasattr(x.district_share, "amount") else x.district_share
        return (x.provider_id, x.community_id, x.kind, x.visits, x.voided_visits, amount, district, x.work_order_id)

    together = months_figures(Q4.months)
    for month, figures in zip(Q4.months, together, strict=True):
        one = sorted(key(x) for x in figures.lines)
        assert one == sorted(key(x) for x in month_figures(month).lines)
        assert one == sorted(key(x) for x in _lines(month))
    assert sum(len(f.lines) for f in together) > 3


def test_locking_a_month_snapshots_the_pooled_balances(tree, django_capture_on_commit_callbacks):
    """Once every town has confirmed a month, its redemptions are final: the provider and funding
    accounts are snapshotted, and their balance is read from the snapshot plus what came after."""
    from vouchers.models import Account, BalanceSnapshot

    from .scenario import build

    q4 = build(tree, lock_december=False)
    payee = Account.objects.get(provider=q4.p1, kind=Account.Kind.PROVIDER)
    assert not BalanceSnapshot.objects.filter(account=payee).exists()
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(at(2027, 1, 4), tick=False):
        month_confirm(month=DEC, street=tree.street_b, by=q4.street_b_user)
    snapshot = BalanceSnapshot.objects.get(account=payee)
    # p1's visits: October 50 (voided in November: -50) and 80, November 50, December 80 and 80
    # (the second voided: -80).
    assert snapshot.balance == money("210.00")
    redemption_create(elder=q4.e2, amount=money("30.00"), provider=q4.p1, idempotency_key="after-lock", reference="x")
    assert payee.current_balance == money("240.00")
    assert BalanceSnapshot.objects.filter(account=payee).count() == 1
