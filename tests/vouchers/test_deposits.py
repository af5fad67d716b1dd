"""Deposits into and refunds from the personal account at the community's counter."""

import datetime
import re

import pytest
import time_machine
from django.utils import translation
from rest_framework.test import APIClient

from eldercare.errors import NotAllowed
from eldercare.money import cny
from vouchers.errors import InsufficientBalance
from vouchers.models import Account, LedgerEntry, LedgerTransaction
from vouchers.services import (
    PaymentMethod,
    account_for_elder,
    personal_counter_deposit,
    personal_counter_refund,
    redemption_create,
)

from .factories import grant

pytestmark = pytest.mark.django_db

JAN = datetime.datetime(2026, 1, 20, 10, tzinfo=datetime.UTC)


def personal_balance(elder):
    return account_for_elder(elder=elder, kind=Account.Kind.PERSONAL).balance


def deposit(elder, by, amount, request_id="d-1", **kwargs):
    return personal_counter_deposit(
        elder=elder, amount=cny(amount), method=PaymentMethod.CASH, request_id=request_id, by=by, **kwargs
    )


def test_visit_paid_by_subsidy_then_personal_then_cash(tree, users, elder_a1, provider):
    with time_machine.travel(JAN, tick=False):
        grant(elder_a1, "2026-01", 30, tree)
        receipt = deposit(elder_a1, users["community"], "50.00", note="女儿代存")
        result = redemption_create(
            elder=elder_a1, amount=cny("120.00"), provider=provider, idempotency_key="v1", reference="WO-1"
        )
    assert receipt.amount == cny(50) and receipt.method == PaymentMethod.CASH and receipt.note == "女儿代存"
    assert re.fullmatch(r"CR20260120\d{8}", receipt.number)
    assert (result.subsidy_paid, result.personal_paid, result.copay_cash) == (cny(30), cny(50), cny(40))
    assert personal_balance(elder_a1) == cny(0)


def test_refund_above_the_balance_is_refused_in_chinese_and_writes_nothing(users, elder_a1):
    deposit(elder_a1, users["community"], "20.00")
    transactions, entries = LedgerTransaction.objects.count(), LedgerEntry.objects.count()
    with translation.override("zh-hans"), pytest.raises(InsufficientBalance) as refused:
        personal_counter_refund(
            elder=elder_a1, amount=cny("20.01"), method=PaymentMethod.CASH, request_id="r-1", by=users["community"]
        )
    assert "余额" in refused.value.message
    assert (LedgerTransaction.objects.count(), LedgerEntry.objects.count()) == (transactions, entries)
    assert personal_balance(elder_a1) == cny(20)


def test_refund_within_the_balance(users, elder_a1):
    deposit(elder_a1, users["community"], "20.00")
    receipt = personal_counter_refund(
        elder=elder_a1, amount=cny("15.00"), method=PaymentMethod.TRANSFER, request_id="r-1", by=users["community"]
    )
    assert receipt.is_refund and receipt.number.startswith("TK")
    assert personal_balance(elder_a1) == cny(5)
    assert account_for_elder(elder=elder_a1, kind=Account.Kind.EXTERNAL).current_balance == cny(-5)


def test_only_the_community_worker_of_the_community_may_book(users, elder_a1):
    for who in ("community_b", "street", "district"):
        with pytest.raises(NotAllowed):
            deposit(elder_a1, users[who], "10.00")
    assert not LedgerTransaction.objects.exists()


def test_pages_deposit_then_receipt(client, users, elder_a1):
    client.force_login(users["community"])
    accounts = client.get(f"/vouchers/elders/{elder_a1.pk}/").content.decode()
    assert f"/vouchers/elders/{elder_a1.pk}/personal/deposit/" in accounts
    assert "先从补贴账户支付" in accounts
    hub = client.get(f"/elders/{elder_a1.pk}/").content.decode()
    assert "存入" in hub and "退款" in hub
    form = client.get(f"/vouchers/elders/{elder_a1.pk}/personal/deposit/")
    assert form.status_code == 200
    request_id = form.context["form"].initial["request_id"]
    data = {"amount": "50.00", "method": "citizen_card", "note": "", "request_id": request_id}
    response = client.post(f"/vouchers/elders/{elder_a1.pk}/personal/deposit/", data, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "市民卡" in page and "¥50.00" in page
    tx = LedgerTransaction.objects.get(kind=LedgerTransaction.Kind.DEPOSIT)
    assert response.redirect_chain[-1][0] == f"/vouchers/elders/{elder_a1.pk}/receipts/{tx.pk}/"
    # The same form submitted twice books the money once.
    client.post(f"/vouchers/elders/{elder_a1.pk}/personal/deposit/", data)
    assert personal_balance(elder_a1) == cny(50)
    refused = client.post(
        f"/vouchers/elders/{elder_a1.pk}/personal/refund/",
        {"amount": "60.00", "method": "cash", "request_id": "page-r-1"},
    )
    assert refused.status_code == 200 and "余额" in refused.content.decode()
    assert personal_balance(elder_a1) == cny(50)


def test_pages_answer_404_outside_and_403_for_roles_that_may_only_look(client, users, elder_a1):
    receipt = deposit(elder_a1, users["community"], "10.00")
    client.force_login(users["community_b"])
    assert client.get(f"/vouchers/elders/{elder_a1.pk}/personal/deposit/").status_code == 404
    assert client.get(f"/vouchers/elders/{elder_a1.pk}/receipts/{receipt.transaction.pk}/").status_code == 404
    client.force_login(users["street"])
    assert client.get(f"/vouchers/elders/{elder_a1.pk}/personal/deposit/").status_code == 403
    assert client.get(f"/vouchers/elders/{elder_a1.pk}/receipts/{receipt.transaction.pk}/").status_code == 200


def test_api_deposit_201_and_idempotent_replay(users, elder_a1):
    api = APIClient()
    api.force_authenticate(users["community"])
    body = {"elder": elder_a1.pk, "amount": "50.00", "method": "transfer", "note": "银行转账", "request_id": "req-1"}
    first = api.post("/api/v1/personal-deposits/", body, format="json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/personal-deposits/", body, format="json")
    assert again.status_code == 201 and again.json() == first.json()
    assert first.json()["personal_balance"] == "50.00" and first.json()["method"] == "transfer"
    assert LedgerTransaction.objects.filter(kind=LedgerTransaction.Kind.DEPOSIT).count() == 1
    changed = api.post("/api/v1/personal-deposits/", {**body, "amount": "60.00"}, format="json")
    assert changed.status_code == 409
    refund = {"elder": elder_a1.pk, "amount": "80.00", "method": "cash", "request_id": "req-2"}
    assert api.post("/api/v1/personal-refunds/", refund, format="json").status_code == 409
    refund["amount"] = "30.00"
    answered = api.post("/api/v1/personal-refunds/", refund, format="json")
    assert answered.status_code == 201 and answered.json()["personal_balance"] == "20.00"


def test_api_is_scoped(users, elder_a1):
    api = APIClient()
    body = {"elder": elder_a1.pk, "amount": "50.00", "method": "cash", "request_id": "req-1"}
    api.force_authenticate(users["community_b"])
    assert api.post("/api/v1/personal-deposits/", body, format="json").status_code == 404
    assert api.post("/api/v1/personal-refunds/", body, format="json").status_code == 404
    api.force_authenticate(users["street"])
    assert api.post("/api/v1/personal-deposits/", body, format="json").status_code == 403
    assert not LedgerTransaction.objects.exists()
