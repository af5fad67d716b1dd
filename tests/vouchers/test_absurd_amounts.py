"""Amounts that are not numbers or do not fit the ledger's columns are refused in words, never
reach the database."""

from decimal import Decimal

import pytest
from django.utils import translation
from djmoney.money import Money
from rest_framework.test import APIClient

from eldercare.money import cny
from vouchers.errors import InvalidAmount
from vouchers.models import LedgerTransaction
from vouchers.services import PaymentMethod, personal_counter_deposit, redemption_create

pytestmark = pytest.mark.django_db

ABSURD = [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("1e15"), Decimal("1e12")]


@pytest.mark.parametrize("amount", ABSURD, ids=str)
def test_a_deposit_of_an_absurd_amount_is_refused_in_words(users, elder_a1, amount):
    with translation.override("en"), pytest.raises(InvalidAmount) as refused:
        personal_counter_deposit(
            elder=elder_a1,
            amount=Money(amount, "CNY"),
            method=PaymentMethod.CASH,
            request_id="d",
            by=users["community"],
        )
    assert "amount" in refused.value.message
    assert not LedgerTransaction.objects.exists()


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), 1e15], ids=str)
def test_a_redemption_of_an_absurd_price_is_refused(elder_a1, provider, amount):
    with pytest.raises(InvalidAmount):
        redemption_create(elder=elder_a1, amount=amount, provider=provider, idempotency_key="v", reference="v")
    assert not LedgerTransaction.objects.exists()


def test_the_largest_amount_the_ledger_holds_is_booked(users, elder_a1):
    tx = personal_counter_deposit(
        elder=elder_a1, amount=cny("999999999999.99"), method=PaymentMethod.CASH, request_id="d", by=users["community"]
    )
    assert tx.transaction.entries.count() == 2


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "1e15", 1e15, "1000000000000"])
def test_the_deposit_api_answers_400_with_the_reason(users, elder_a1, amount):
    api = APIClient()
    api.force_authenticate(users["community"])
    body = {"elder": elder_a1.pk, "amount": amount, "method": "cash", "request_id": "r"}
    answer = api.post("/api/v1/personal-deposits/", body, format="json")
    assert answer.status_code == 400
    assert answer.json()["amount"]
    assert not LedgerTransaction.objects.exists()
