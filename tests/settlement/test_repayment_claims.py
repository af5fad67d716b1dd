"""Repayment claims against a provider (追缴退赔), with the figures of scenario.py's 2026Q4:
P1's quarter total 210.00, P2's 140.00.

A claim of 240.00 against P1: the Q4 settlement deducts 210.00 (P1 payable 0.00), 30.00 stays
open; a receipt of 30.00 settles it. Preparing again (refresh, or after sending back) deducts once.
Approval and receipts are booked in the ledger as FRAUD_REPAYMENT (provider → district funding),
which neither the reconciliation nor the ledger checks see as a difference.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from djmoney.money import Money

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Division, Role
from eldercare.periods import Quarter
from settlement.models import RepaymentClaim, RepaymentDeduction, RepaymentReceipt
from settlement.selectors import claim_get, claims_for, claims_open, quarter_payables
from settlement.services import (
    claim_create,
    claim_receipt_record,
    quarter_approve,
    quarter_prepare,
    quarter_send_back,
    reconcile,
)
from tests.factories import user_with_role
from vouchers.checks import ledger_problems
from vouchers.models import LedgerEntry, LedgerTransaction
from vouchers.services import funding_account, provider_account

from .scenario import at

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)
JAN5 = at(2027, 1, 5)


def D(x):
    return Decimal(x)


def _claim(q4, amount="240.00", by=None):
    with time_machine.travel(at(2027, 1, 4, 15), tick=False):
        return claim_create(
            provider=q4.p1,
            amount=Money(amount, "CNY"),
            ground=RepaymentClaim.Ground.FRAUD,
            reason="虚报服务工单4单",
            evidence="区民政局核查记录 2027-01",
            by=by or q4.district,
        )


def _figures(claim):
    return claim_get(user=claim.created_by, pk=claim.pk)


def _repayments():
    return LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.FRAUD_REPAYMENT)


def test_q4_deducts_the_provider_total_and_the_rest_stays_open(q4):
    claim = _claim(q4)
    with time_machine.travel(JAN5, tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
    (d,) = RepaymentDeduction.objects.filter(settlement=s)
    assert (d.claim, d.amount) == (claim, Money("210.00", "CNY"))
    payables = {p.provider_id: p for p in quarter_payables(s).providers}
    assert (payables[q4.p1.pk].total, payables[q4.p1.pk].deducted, payables[q4.p1.pk].payable) == (
        D("210.00"),
        D("210.00"),
        D("0.00"),
    )
    assert (payables[q4.p2.pk].deducted, payables[q4.p2.pk].payable) == (D("0"), D("140.00"))
    totals = quarter_payables(s)
    assert (totals.total, totals.deducted, totals.payable) == (D("350.00"), D("210.00"), D("140.00"))
    c = _figures(claim)
    assert (c.remaining, c.status) == (D("30.00"), RepaymentClaim.Status.PARTLY_SETTLED)
    # The reconciliation with the ledger is unaffected.
    assert s.differences == [] and reconcile(quarter=Q4) == []


def test_approval_books_the_deduction_then_a_receipt_of_the_rest_settles_the_claim(q4):
    claim = _claim(q4)
    with time_machine.travel(JAN5, tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
        quarter_approve(settlement=s, by=q4.finance2)
    (tx,) = _repayments()
    assert tx.business_date == datetime.date(2027, 1, 5)
    legs = {e.account_id: e.amount for e in LedgerEntry.objects.filter(transaction=tx)}
    district_funding = funding_account(division=q4.p1.district)
    assert legs == {
        provider_account(provider=q4.p1).pk: Money("-210.00", "CNY"),
        district_funding.pk: Money("210.00", "CNY"),
    }
    # More than what remains is refused, and nothing is written.
    with time_machine.travel(at(2027, 1, 20), tick=False):
        with pytest.raises(ValidationFailed):
            claim_receipt_record(claim=claim, amount="30.01", received_on=datetime.date(2027, 1, 20), by=q4.finance)
        assert not RepaymentReceipt.objects.exists()
        receipt = claim_receipt_record(
            claim=claim, amount="30.00", received_on=datetime.date(2027, 1, 18), by=q4.finance, note="银行转账"
        )
    c = _figures(claim)
    assert (c.deducted_amount, c.received_amount, c.remaining, c.status) == (
        D("210.00"),
        D("30.00"),
        D("0.00"),
        RepaymentClaim.Status.SETTLED,
    )
    assert receipt.amount == Money("30.00", "CNY")
    booked = _repayments().get(idempotency_key=f"repayment:receipt:{receipt.pk}")
    assert booked.business_date == datetime.date(2027, 1, 18)
    # P1's provider account: 210.00 of the quarter's visits − 210.00 deducted; the 30.00 paid back
    # directly came from outside the platform (the district's external account), not from it.
    provider_entries = LedgerEntry.objects.filter(account=provider_account(provider=q4.p1))
    assert sum(e.amount.amount for e in provider_entries) == D("0.00")
    outside = LedgerEntry.objects.filter(transaction=booked, account__kind="external", account__division=q4.p1.district)
    assert [e.amount for e in outside] == [Money("-30.00", "CNY")]
    # The district's funding: −329.00 of October's district shares (105 + 182 + 42) + 240.00 repaid.
    assert sum(e.amount.amount for e in LedgerEntry.objects.filter(account=district_funding)) == D("-89.00")
    assert claims_open(user=q4.finance) == []
    # The ledger still holds together and the approved quarter still reconciles.
    assert ledger_problems() == []
    call_command("check_ledger")
    assert reconcile(quarter=Q4) == []


def test_a_quarter_sent_back_and_prepared_again_deducts_once(q4):
    claim = _claim(q4)
    with time_machine.travel(JAN5, tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
        s = quarter_prepare(quarter=Q4, by=q4.finance)  # a refresh
        quarter_send_back(settlement=s, by=q4.finance2, reason="康乐居家服务中心的追缴需复核")
        s = quarter_prepare(quarter=Q4, by=q4.finance2)
    assert [(d.claim_id, d.amount) for d in RepaymentDeduction.objects.all()] == [(claim.pk, Money("210.00", "CNY"))]
    assert _figures(claim).remaining == D("30.00")
    assert not _repayments().exists()  # booked only on approval
    with time_machine.travel(JAN5, tick=False):
        quarter_approve(settlement=s, by=q4.finance)
    assert _repayments().count() == 1
    assert ledger_problems() == []


def test_a_receipt_while_the_quarter_waits_leaves_less_to_deduct_when_prepared_again(q4):
    claim = _claim(q4)
    with time_machine.travel(JAN5, tick=False):
        quarter_prepare(quarter=Q4, by=q4.finance)
        claim_receipt_record(claim=claim, amount="30.00", received_on=datetime.date(2027, 1, 5), by=q4.finance)
        s = quarter_prepare(quarter=Q4, by=q4.finance)
    (d,) = s.repayment_deductions.all()
    assert d.amount == Money("210.00", "CNY")
    assert _figures(claim).status == RepaymentClaim.Status.SETTLED


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "NaN", "Infinity", "abc", "0.001"])
def test_a_claim_of_zero_negative_or_not_a_number_is_refused_with_nothing_written(q4, amount):
    with pytest.raises(ValidationFailed):
        claim_create(provider=q4.p1, amount=amount, ground="fraud", reason="虚报服务工单", by=q4.district)
    assert not RepaymentClaim.objects.exists()


def test_a_claim_needs_a_reason_and_a_ground(q4):
    with pytest.raises(ValidationFailed):
        claim_create(provider=q4.p1, amount="10.00", ground="fraud", reason="   ", by=q4.district)
    with pytest.raises(ValidationFailed):
        claim_create(provider=q4.p1, amount="10.00", ground="bribery", reason="x", by=q4.district)
    assert not RepaymentClaim.objects.exists()


def test_a_town_user_a_provider_or_another_district_cannot_make_a_claim(q4, tree):
    other = Division.objects.create(code="321084000000", name="高邮市", level="district")
    for user in (
        q4.street_a_user,
        q4.provider1_admin,
        user_with_role(Role.FINANCE, other),
        user_with_role(Role.SUPERVISOR, tree.district),
    ):
        with pytest.raises(NotAllowed):
            claim_create(provider=q4.p1, amount="10.00", ground="fraud", reason="虚报", by=user)
    assert not RepaymentClaim.objects.exists()
    # Finance of the district may; so may its reviewer.
    assert claim_create(provider=q4.p1, amount="10.00", ground="violation", reason="超范围收费", by=q4.finance)


def test_only_the_district_finance_records_a_receipt(q4):
    claim = _claim(q4)
    for user in (q4.district, q4.street_a_user, q4.provider1_admin):
        with pytest.raises(NotAllowed):
            claim_receipt_record(claim=claim, amount="10.00", received_on=datetime.date(2027, 1, 4), by=user)
    assert not RepaymentReceipt.objects.exists() and not _repayments().exists()


def test_another_district_finance_sees_nothing(q4, tree):
    claim = _claim(q4)
    other = user_with_role(Role.FINANCE, Division.objects.create(code="321084000000", name="高邮市", level="district"))
    assert list(claims_for(user=other)) == []
    assert list(claims_for(user=q4.street_a_user)) == [] and list(claims_for(user=q4.provider1_admin)) == []
    assert list(claims_for(user=q4.finance)) == [claim]


# --- pages and API -------------------------------------------------------------------------------


def test_pages_create_a_claim_show_it_and_take_a_receipt(q4, client):
    # The pages run on 2027-01-05 (a session is bound to the day it was opened).
    with time_machine.travel(JAN5, tick=False):
        client.force_login(q4.district)
        page = client.get(reverse("settlement_claims")).content.decode()
        assert q4.p1.name in page  # the provider picker of the district
        response = client.post(
            reverse("settlement_claims"),
            {"provider": q4.p1.pk, "amount": "240.00", "ground": "fraud", "reason": "虚报服务工单4单"},
        )
        claim = RepaymentClaim.objects.get()
        assert response.status_code == 302 and response.url == reverse("settlement_claim", args=[claim.pk])
        quarter_prepare(quarter=Q4, by=q4.finance)
        client.force_login(q4.finance)
        quarter_page = client.get(reverse("settlement_quarter", args=["2026Q4"])).content.decode()
        assert 'id="quarter-deducted">210.00<' in quarter_page and 'id="quarter-payable">140.00<' in quarter_page
        assert 'id="quarter-claims-deducted"' in quarter_page
        detail = client.get(reverse("settlement_claim", args=[claim.pk])).content.decode()
        assert 'id="claim-remaining">30.00<' in detail and 'id="receipt-form"' in detail
        home = client.get("/").content.decode()
        assert "虚报服务工单4单" in home  # the open claim is on finance's work list
        client.post(
            reverse("settlement_claim_receipt", args=[claim.pk]),
            {"amount": "30.00", "received_on": "2027-01-05", "method": "transfer", "note": ""},
        )
        assert _figures(claim).status == RepaymentClaim.Status.SETTLED
        # The district reviewer sees the claim but takes no receipt; a town user sees no claim.
        client.force_login(q4.district)
        assert 'id="receipt-form"' not in client.get(reverse("settlement_claim", args=[claim.pk])).content.decode()
        client.force_login(q4.street_a_user)
        assert client.get(reverse("settlement_claims")).status_code == 404
        assert client.get(reverse("settlement_claim", args=[claim.pk])).status_code == 404


def test_api_lists_creates_retrieves_and_records_receipts_scoped_to_the_district(q4, client):
    with time_machine.travel(JAN5, tick=False):
        _api_journey(q4, client)


def _api_journey(q4, client):
    client.force_login(q4.district)
    url = "/api/v1/repayment-claims/"
    for amount in ("0", "-1", "NaN"):
        refused = client.post(
            url, {"provider": q4.p1.pk, "amount": amount, "ground": "fraud", "reason": "虚报"}, "application/json"
        )
        assert refused.status_code == 400
    assert not RepaymentClaim.objects.exists()
    created = client.post(
        url,
        {"provider": q4.p1.pk, "amount": "240.00", "ground": "fraud", "reason": "虚报服务工单4单"},
        "application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (created.json()["amount"], created.json()["remaining"], created.json()["status"]) == (
        "240.00",
        "240.00",
        "open",
    )
    # Only finance records receipts.
    receipt = {"amount": "40.00", "received_on": "2027-01-04"}
    assert client.post(f"{url}{pk}/receipts/", receipt, "application/json").status_code == 403
    client.force_login(q4.finance)
    answer = client.post(f"{url}{pk}/receipts/", receipt, "application/json")
    assert answer.status_code == 201, answer.content
    assert (answer.json()["remaining"], answer.json()["status"], len(answer.json()["receipts"])) == (
        "200.00",
        "partly_settled",
        1,
    )
    assert [c["id"] for c in client.get(url).json()] == [pk]
    other = user_with_role(Role.FINANCE, Division.objects.create(code="321084000000", name="高邮市", level="district"))
    client.force_login(other)
    assert client.get(url).json() == []
    assert client.get(f"{url}{pk}/").status_code == 404
    client.force_login(q4.provider1_admin)
    assert client.get(url).status_code == 403
    refused = client.post(
        url, {"provider": q4.p1.pk, "amount": "1.00", "ground": "fraud", "reason": "x"}, "application/json"
    )
    assert refused.status_code == 403
