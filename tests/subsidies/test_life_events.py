"""A death or a move: reported by the provider, verified by the community, everything follows."""

import datetime

import pytest
from django.urls import reverse

from eldercare.errors import NotAllowed
from eldercare.models import LifeStatus, Notification
from eldercare.periods import Month
from providers.models import WorkOrder
from providers.services.life_events import life_event_report, life_event_verify
from subsidies.standards.models import Entitlement
from subsidies.standards.services.run import run_month
from vouchers.errors import AccountFrozen
from vouchers.models import Account
from vouchers.services import redemption_create

from ..providers.factories import make_order, make_world
from .policy_factories import entitled_elder, schemes


@pytest.fixture
def world(tree, users):
    world = make_world(tree)
    scheme = schemes(tree)["jiangdu"]
    # The world's elder becomes a subsidised difficulty elder (低保, self-care: 80 a month).
    elder = entitled_elder(scheme=scheme, community=tree.a1, categories=["dibao"], start_month=Month(2026, 1))
    from providers.models import ServiceAgreement

    ServiceAgreement.objects.create(elder=elder, provider=world.provider, signed_on=datetime.date(2025, 1, 1))
    world.subsidised = elder
    return world


def test_verified_death_ends_entitlement_freezes_accounts_recovers_and_cancels(world, users):
    elder = world.subsidised
    for month in (Month(2026, 1), Month(2026, 2), Month(2026, 3)):
        run_month(month=month)
    later = make_order(world, elder=elder, at=datetime.datetime(2026, 2, 20, 1, 0, tzinfo=datetime.UTC))
    earlier = make_order(world, elder=elder, at=datetime.datetime(2026, 2, 9, 1, 0, tzinfo=datetime.UTC))

    # Died on 10 February, reported after the March grant was paid.
    result = life_event_verify(
        elder=elder, status=LifeStatus.DECEASED, on=datetime.date(2026, 2, 10), by=users["community"], note="家属告知"
    )

    elder.refresh_from_db()
    assert elder.life_status == LifeStatus.DECEASED and elder.life_status_date == datetime.date(2026, 2, 10)
    entitlement = Entitlement.objects.get(elder=elder)
    assert entitlement.status == Entitlement.Status.ENDED and entitlement.end_month == datetime.date(2026, 2, 1)
    assert result.entitlement_ended and result.grants_recovered == 1  # March, not February
    subsidy = Account.objects.get(elder=elder, kind=Account.Kind.SUBSIDY)
    assert subsidy.status == Account.Status.FROZEN
    assert subsidy.balance.amount == 160  # January and February (80 each) stay; March went back
    later.refresh_from_db()
    earlier.refresh_from_db()
    assert later.status == WorkOrder.Status.CANCELLED and earlier.status == WorkOrder.Status.ASSIGNED
    assert result.orders_cancelled == 1
    with pytest.raises(AccountFrozen):
        redemption_create(
            elder=elder, amount=world.item.price, provider=world.provider, idempotency_key="after-death", reference="x"
        )
    # April's run pays nothing to a deceased elder.
    assert run_month(month=Month(2026, 4)).created == 0


def test_provider_reports_and_the_community_is_asked_to_verify(world, users):
    elder = world.subsidised
    notified = life_event_report(elder=elder, status=LifeStatus.MOVED, on=datetime.date(2026, 3, 1), by=world.admin)
    assert notified == 1
    notice = Notification.objects.get(user=users["community"])
    assert elder.name in notice.message and notice.url == reverse("life_event_verify", args=[elder.pk])
    elder.refresh_from_db()
    assert elder.life_status == LifeStatus.ACTIVE  # nothing changes until verified


def test_provider_staff_cannot_verify_and_other_streets_cannot_touch(world, users):
    elder = world.subsidised
    with pytest.raises(NotAllowed):
        life_event_verify(elder=elder, status=LifeStatus.DECEASED, on=datetime.date(2026, 2, 1), by=world.admin)
    with pytest.raises(NotAllowed):
        life_event_verify(elder=elder, status=LifeStatus.DECEASED, on=datetime.date(2026, 2, 1), by=users["street_b"])


def test_the_page_verifies_for_the_community_worker(client, world, users):
    elder = world.subsidised
    client.force_login(users["community"])
    url = reverse("life_event_verify", args=[elder.pk])
    assert "确认" in client.get(url).content.decode()
    response = client.post(url, {"status": "deceased", "on": "2026-02-10", "note": "家属告知"})
    assert response.status_code == 302
    elder.refresh_from_db()
    assert elder.life_status == LifeStatus.DECEASED
    client.force_login(users["community_b"])
    assert client.get(url).status_code == 404
