"""The voucher ledger's rules with the policy's own figures."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.money import cny
from eldercare.periods import Month
from subsidies.standards.models import Entitlement, Scheme
from subsidies.standards.services.entitlements import fraud_record
from vouchers.errors import (
    AccountFrozen,
    AlreadyReversed,
    ElderDisqualified,
    IdempotencyMismatch,
    InsufficientBalance,
)
from vouchers.models import Account, AccountEvent, LedgerEntry, LedgerTransaction
from vouchers.services import (
    account_cancel,
    account_for_elder,
    account_freeze,
    account_unfreeze,
    funding_account,
    grant_credit,
    ledger,
    personal_deposit,
    redemption_create,
    redemption_reverse,
)
from vouchers.services import redemption as redemption_module

from .factories import grant

pytestmark = pytest.mark.django_db

JAN = datetime.datetime(2026, 1, 20, 10, 0, tzinfo=datetime.UTC)
FEB = datetime.datetime(2026, 2, 20, 10, 0, tzinfo=datetime.UTC)


def balance(elder, kind=Account.Kind.SUBSIDY):
    return account_for_elder(elder=elder, kind=kind).balance


def entries_sum(account):
    return sum((e.amount.amount for e in account.entries.all()), Decimal("0"))


def assert_balanced():
    for tx in LedgerTransaction.objects.all():
        assert sum((e.amount.amount for e in tx.entries.all()), Decimal("0")) == 0
    for account in Account.objects.all():
        # Elder accounts cache their balance; pooled ones keep none (their balance is the sum).
        assert account.current_balance.amount == entries_sum(account)
        if not account.caches_balance:
            assert account.balance.amount == 0


def redeem(elder, provider, amount, key, **kwargs):
    return redemption_create(
        elder=elder, amount=cny(amount), provider=provider, idempotency_key=key, reference=key, **kwargs
    )


def test_credit_spend_and_carry_over(tree, elder_a1, provider):
    # Given a credit of 150 in January and a visit of 120
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        assert balance(elder_a1) == cny(150)
        result = redeem(elder_a1, provider, 120, "visit-1")
    assert result.subsidy_paid == cny(120) and result.copay == cny(0)
    # Then 30 carries over, and February's credit brings 180
    assert balance(elder_a1) == cny(30)
    with time_machine.travel(FEB, tick=False):
        grant(elder_a1, "2026-02", 150, tree)
    assert balance(elder_a1) == cny(180)
    assert_balanced()


def test_grant_is_shared_district_seven_town_three(tree, elder_a1):
    tx = grant(elder_a1, "2026-01", 150, tree)
    amounts = {e.account.division_id: e.amount for e in tx.entries.select_related("account") if e.account.division_id}
    assert amounts == {tree.district.pk: cny(-105), tree.street_a.pk: cny(-45)}
    assert tx.idempotency_key == f"grant:{elder_a1.pk}:2026-01"
    assert tx.fingerprint == f"grant|elder={elder_a1.pk}|month=2026-01|amount=150.00"
    assert tx.month == datetime.date(2026, 1, 1)
    assert funding_account(division=tree.district).current_balance == cny(-105)


def test_shares_must_add_up(tree, elder_a1):
    with pytest.raises(ValidationFailed):
        grant_credit(
            elder=elder_a1,
            month=Month(2026, 1),
            amount=cny(150),
            shares={tree.district: cny(100)},
            idempotency_key="g",
        )


def test_visit_of_200_on_150_splits_subsidy_and_copay(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        result = redeem(elder_a1, provider, 200, "visit-200")
    assert result.subsidy_paid == cny(150)
    assert result.copay == cny(50)
    assert result.copay_cash == cny(50)  # no personal balance: paid at the door
    assert balance(elder_a1) == cny(0)
    assert account_for_elder(elder=elder_a1, kind=Account.Kind.EXTERNAL).current_balance == cny(-50)
    assert result.transaction.entries.get(account__kind=Account.Kind.PROVIDER).amount == cny(200)
    assert_balanced()


def test_personal_account_pays_before_cash(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        personal_deposit(elder=elder_a1, amount=cny(30), idempotency_key="dep-1")
        result = redeem(elder_a1, provider, 200, "visit-200")
    assert (result.subsidy_paid, result.personal_paid, result.copay_cash) == (cny(150), cny(30), cny(20))
    assert result.copay == cny(50)
    assert balance(elder_a1, Account.Kind.PERSONAL) == cny(0)
    assert_balanced()


def test_subsidy_only_redemption_refused_when_not_covered(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        with pytest.raises(InsufficientBalance):
            redeem(elder_a1, provider, 200, "visit-200", allow_copay=False)
    assert not LedgerTransaction.objects.filter(kind="redemption").exists()
    assert balance(elder_a1) == cny(150)


def test_frozen_account_refuses_credit_and_redemption(tree, users, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        account_freeze(elder=elder_a1, reason=Account.Cause.DECEASED, by=users["community"])
        with pytest.raises(AccountFrozen) as refused:
            redeem(elder_a1, provider, 50, "visit-50")
        assert "died" in refused.value.message or "去世" in refused.value.message
    with time_machine.travel(FEB, tick=False), pytest.raises(AccountFrozen):
        grant(elder_a1, "2026-02", 150, tree)
    assert balance(elder_a1) == cny(150)
    assert LedgerTransaction.objects.count() == 1


def test_refusal_says_why_in_chinese(tree, users, elder_a1, provider):
    from django.utils import translation

    account_freeze(elder=elder_a1, reason=Account.Cause.MOVED, by=users["community"])
    with translation.override("zh-hans"), pytest.raises(AccountFrozen) as refused:
        redeem(elder_a1, provider, 50, "visit-50")
    assert "迁出" in refused.value.message


def test_a_carried_over_balance_is_spent_in_the_new_year(tree, elder_a1, provider):
    # Given 150 credited in December 2025 and left unspent (carried over into 2026)
    with time_machine.travel(datetime.datetime(2025, 12, 10, tzinfo=datetime.UTC), tick=False):
        grant(elder_a1, "2025-12", 150, tree)
    # and 150 credited for January 2026: the balance is 300, and so is the room of 2026
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        assert balance(elder_a1) == cny(300)
        result = redeem(elder_a1, provider, 200, "visit-200")
        # Then the subsidy account pays all 200 (余额可结转使用)
        assert result.subsidy_paid == cny(200) and result.copay == cny(0)
        second = redeem(elder_a1, provider, 140, "visit-140")
        assert second.subsidy_paid == cny(100) and second.copay == cny(40)
    assert balance(elder_a1) == cny(0)
    # A reversed redemption gives its room back within the year
    with time_machine.travel(JAN, tick=False):
        redemption_reverse(transaction=result.transaction, reason="作废单", idempotency_key="rev-1")
        third = redeem(elder_a1, provider, 100, "visit-100")
    assert third.subsidy_paid == cny(100)
    assert_balanced()


def test_same_key_twice_books_once(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        first = redeem(elder_a1, provider, 200, "visit-1")
        again = redeem(elder_a1, provider, 200, "visit-1")
        grant(elder_a1, "2026-01", 150, tree)
    assert again.transaction.pk == first.transaction.pk
    assert (again.subsidy_paid, again.personal_paid, again.copay_cash) == (
        first.subsidy_paid,
        first.personal_paid,
        first.copay_cash,
    )
    assert LedgerTransaction.objects.count() == 2
    assert balance(elder_a1) == cny(0)


def test_a_key_booked_by_another_request_after_the_look_up_returns_that_booking_without_a_savepoint(
    tree, elder_a1, provider, monkeypatch
):
    # Given a visit of 100 paid under "visit-1", and a retry whose first look-up of the key comes
    # before the first request's booking was visible (the two requests raced)
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        first = redeem(elder_a1, provider, 100, "visit-1")
        looked_up = ledger._existing
        calls = []

        def late_look_up(key, fingerprint):
            calls.append(key)
            return None if len(calls) == 1 else looked_up(key, fingerprint)

        monkeypatch.setattr(redemption_module, "_existing", late_look_up)
        monkeypatch.setattr(ledger, "_existing", late_look_up)
        # When the retry books: its insert meets the stored key
        with CaptureQueriesContext(connection) as sent:
            again = redeem(elder_a1, provider, 100, "visit-1", savepoint=False)
    # Then it answers with the first booking, booked once, through no savepoint
    assert again.transaction.pk == first.transaction.pk
    assert LedgerTransaction.objects.filter(idempotency_key="visit-1").count() == 1
    assert [q["sql"] for q in sent.captured_queries if "SAVEPOINT" in q["sql"]] == []
    assert balance(elder_a1) == cny(50)


def test_a_key_said_new_that_was_booked_after_all_returns_that_booking_once(tree, elder_a1, provider):
    # Given a visit of 100 paid under "visit-1" from a grant of 150
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        first = redeem(elder_a1, provider, 100, "visit-1")
        # When a caller that took the key for new books it again, and another amount under it
        again = redeem(elder_a1, provider, 100, "visit-1", new_key=True)
        with pytest.raises(IdempotencyMismatch):
            redeem(elder_a1, provider, 120, "visit-1", new_key=True)
        with pytest.raises(ValidationFailed):
            redeem(elder_a1, provider, 100, "", new_key=True)
    # Then the first booking answers, paid once: 50 left
    assert again.transaction.pk == first.transaction.pk
    assert LedgerTransaction.objects.filter(idempotency_key="visit-1").count() == 1
    assert balance(elder_a1) == cny(50)


def test_same_key_with_other_amount_is_refused(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        redeem(elder_a1, provider, 100, "visit-1")
        with pytest.raises(IdempotencyMismatch):
            redeem(elder_a1, provider, 120, "visit-1")
        with pytest.raises(IdempotencyMismatch):
            grant_credit(
                elder=elder_a1,
                month=Month(2026, 1),
                amount=cny(80),
                shares={tree.district: cny(80)},
                idempotency_key=f"grant:{elder_a1.pk}:2026-01",
            )
    assert LedgerTransaction.objects.count() == 2
    assert balance(elder_a1) == cny(50)


def test_reversal_is_exact_opposite_and_happens_once(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        paid = redeem(elder_a1, provider, 200, "visit-1").transaction
        reversal = redemption_reverse(transaction=paid, reason="作废单", idempotency_key="void-1")
        assert redemption_reverse(transaction=paid, reason="作废单", idempotency_key="void-1").pk == reversal.pk
        with pytest.raises(AlreadyReversed):
            redemption_reverse(transaction=paid, reason="again", idempotency_key="void-2")
    assert reversal.reverses_id == paid.pk and reversal.kind == LedgerTransaction.Kind.REVERSAL
    original = sorted((e.account_id, e.amount.amount) for e in paid.entries.all())
    opposite = sorted((e.account_id, -e.amount.amount) for e in reversal.entries.all())
    assert original == opposite
    assert balance(elder_a1) == cny(150)
    assert account_for_elder(elder=elder_a1, kind=Account.Kind.EXTERNAL).current_balance == cny(0)
    assert_balanced()


def test_grant_reversal_cannot_overdraw(tree, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        credit = grant(elder_a1, "2026-01", 150, tree)
        redeem(elder_a1, provider, 100, "visit-1")
        with pytest.raises(InsufficientBalance):
            redemption_reverse(transaction=credit, reason="wrong grant", idempotency_key="rev-g")
    assert balance(elder_a1) == cny(50)


def test_cancellation_refunds_personal_balance_and_archives(tree, users, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        personal_deposit(elder=elder_a1, amount=cny(88.5), idempotency_key="dep-1")
        refund = account_cancel(elder=elder_a1, reason="户籍迁出", by=users["district"])
    assert refund.kind == LedgerTransaction.Kind.REFUND
    assert balance(elder_a1, Account.Kind.PERSONAL) == cny(0)
    assert account_for_elder(elder=elder_a1, kind=Account.Kind.EXTERNAL).current_balance == cny(
        0
    )  # 88.50 in, 88.50 back
    subsidy = account_for_elder(elder=elder_a1, kind=Account.Kind.SUBSIDY)
    assert subsidy.status == Account.Status.ARCHIVED and subsidy.status_reason == "户籍迁出"
    assert list(AccountEvent.objects.filter(account=subsidy).values_list("from_status", "to_status")) == [
        ("frozen", "archived"),
        ("active", "frozen"),
    ]
    with pytest.raises(AccountFrozen):
        personal_deposit(elder=elder_a1, amount=cny(10), idempotency_key="dep-2")
    with pytest.raises(AccountFrozen):
        account_unfreeze(elder=elder_a1, reason="mistake", by=users["district"])
    assert_balanced()


def test_unfreeze_needs_district_reviewer_and_reason(tree, users, elder_a1, provider):
    account_freeze(elder=elder_a1, reason=Account.Cause.DECEASED, by=users["community"])
    with pytest.raises(NotAllowed):
        account_unfreeze(elder=elder_a1, reason="死亡报告有误", by=users["street"])
    with pytest.raises(ValidationFailed):
        account_unfreeze(elder=elder_a1, reason="  ", by=users["district"])
    account_unfreeze(elder=elder_a1, reason="死亡报告有误", by=users["district"])
    subsidy = account_for_elder(elder=elder_a1, kind=Account.Kind.SUBSIDY)
    assert subsidy.status == Account.Status.ACTIVE
    event = subsidy.events.first()
    assert (event.from_status, event.to_status, event.reason, event.by) == (
        "frozen",
        "active",
        "死亡报告有误",
        users["district"],
    )


def test_freeze_outside_jurisdiction_is_refused(tree, users, elder_a1):
    with pytest.raises(NotAllowed):
        account_freeze(elder=elder_a1, reason=Account.Cause.DECEASED, by=users["community_b"])
    with pytest.raises(NotAllowed):
        account_freeze(elder=elder_a1, reason=Account.Cause.DECEASED, by=users["finance"])


def test_fraud_repays_and_disqualifies_for_life(tree, users, elder_a1, provider):
    scheme = Scheme.objects.create(code="a", name="江都", jurisdiction=tree.district)
    entitlement = Entitlement.objects.create(
        elder=elder_a1,
        scheme=scheme,
        start_month=datetime.date(2025, 7, 1),
        approved_at=timezone.now(),
        approved_by=users["district"],
    )
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 150, tree)
        with pytest.raises(NotAllowed):
            fraud_record(elder=elder_a1, amount=cny(300), reason="转卖服务券", by=users["street"])
        repayment = fraud_record(elder=elder_a1, amount=cny(300), reason="转卖服务券", by=users["district"])
    assert repayment.kind == LedgerTransaction.Kind.FRAUD_REPAYMENT
    assert funding_account(division=tree.district).current_balance == cny(-105 + 300)
    elder_a1.refresh_from_db()
    assert elder_a1.disqualified_at is not None and elder_a1.disqualified_reason == "转卖服务券"
    entitlement.refresh_from_db()
    assert entitlement.status == Entitlement.Status.ENDED and entitlement.end_month == datetime.date(2026, 1, 1)
    with time_machine.travel(FEB, tick=False), pytest.raises(ElderDisqualified) as refused:
        grant(elder_a1, "2026-02", 150, tree)
    assert "转卖服务券" in refused.value.message
    with pytest.raises(AccountFrozen):
        redeem(elder_a1, provider, 10, "visit-x")
    with pytest.raises(ElderDisqualified):
        account_unfreeze(elder=elder_a1, reason="?", by=users["district"])
    assert_balanced()


def test_entries_are_never_negative_for_elders_in_the_database(tree, elder_a1):
    from django.db import IntegrityError, transaction

    account = account_for_elder(elder=elder_a1, kind=Account.Kind.SUBSIDY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=Decimal("-1"))
    assert LedgerEntry.objects.count() == 0
