"""The accounts page offers the counter's deposit and refund only while the personal account is open."""

import datetime

import pytest
from django.urls import reverse

from vouchers.models import Account

from .factories import ElderFactory

pytestmark = pytest.mark.django_db


def _page(client, user, elder) -> str:
    client.force_login(user)
    response = client.get(reverse("voucher_elder", args=[elder.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_living_elder_is_offered_deposit_and_refund(client, users, elder_a1):
    page = _page(client, users["community"], elder_a1)
    assert reverse("voucher_counter", args=[elder_a1.pk, "deposit"]) in page
    assert reverse("voucher_counter", args=[elder_a1.pk, "refund"]) in page
    assert 'id="counter-closed"' not in page


def test_deceased_elder_has_no_deposit_or_refund_and_the_page_says_why(client, users, tree):
    elder = ElderFactory(
        community=tree.a1,
        birth_date=datetime.date(1940, 5, 1),
        life_status="deceased",
        life_status_date=datetime.date(2026, 10, 3),
    )
    page = _page(client, users["community"], elder)
    assert reverse("voucher_counter", args=[elder.pk, "deposit"]) not in page
    assert reverse("voucher_counter", args=[elder.pk, "refund"]) not in page
    assert 'id="counter-closed"' in page


@pytest.mark.parametrize("status", [Account.Status.FROZEN, Account.Status.ARCHIVED])
def test_frozen_or_archived_personal_account_has_no_deposit(client, users, elder_a1, status):
    Account.objects.create(kind=Account.Kind.PERSONAL, elder=elder_a1, status=status)
    page = _page(client, users["community"], elder_a1)
    assert reverse("voucher_counter", args=[elder_a1.pk, "deposit"]) not in page
    assert 'id="counter-closed"' in page


def test_the_counter_form_of_a_deceased_elder_sends_back_to_the_accounts_page(client, users, tree):
    elder = ElderFactory(community=tree.a1, life_status="deceased", life_status_date=datetime.date(2026, 10, 3))
    client.force_login(users["community"])
    response = client.get(reverse("voucher_counter", args=[elder.pk, "deposit"]))
    assert response.status_code == 302 and response.url == reverse("voucher_elder", args=[elder.pk])


def test_the_elder_page_of_a_deceased_elder_offers_no_deposit(client, users, tree, elder_a1):
    elder = ElderFactory(
        community=tree.a1,
        birth_date=datetime.date(1940, 5, 1),
        life_status="deceased",
        life_status_date=datetime.date(2026, 10, 3),
    )
    Account.objects.create(kind=Account.Kind.SUBSIDY, elder=elder, status=Account.Status.FROZEN)
    Account.objects.create(kind=Account.Kind.SUBSIDY, elder=elder_a1)
    client.force_login(users["community"])
    dead = client.get(reverse("elder_detail", args=[elder.pk])).content.decode()
    living = client.get(reverse("elder_detail", args=[elder_a1.pk])).content.decode()
    assert reverse("voucher_counter", args=[elder_a1.pk, "deposit"]) in living
    assert reverse("voucher_counter", args=[elder.pk, "deposit"]) not in dead
    assert reverse("voucher_counter", args=[elder.pk, "refund"]) not in dead
