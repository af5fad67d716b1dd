"""Pages, PDFs and the API: scoping (404 across providers), badge verification, phone check-in."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.models import Role, RoleAssignment
from providers.models import Provider, WorkOrder
from providers.tokens import badge_token
from tests.vouchers.factories import grant

from .conftest import START
from .factories import elder_code, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The rate limits count in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


def test_badge_verification_page_is_public(world, client):
    url = reverse("providers:badge_verify", args=[badge_token(caregiver_id=world.caregiver.pk)])
    r = client.get(url)
    assert r.status_code == 200 and world.caregiver.name in r.content.decode()
    world.caregiver.active = False
    world.caregiver.save()
    assert client.get(url).status_code == 410


def test_forged_badge_and_suspended_provider(world, client):
    assert client.get(reverse("providers:badge_verify", args=["12:abc:forged"])).status_code == 410
    Provider.objects.filter(pk=world.provider.pk).update(status=Provider.Status.SUSPENDED)
    url = reverse("providers:badge_verify", args=[badge_token(caregiver_id=world.caregiver.pk)])
    assert client.get(url).status_code == 410


def test_badge_expires_after_a_year(world, client, clock):
    url = reverse("providers:badge_verify", args=[badge_token(caregiver_id=world.caregiver.pk)])
    clock.shift(datetime.timedelta(days=367))
    assert client.get(url).status_code == 410


def test_badge_and_card_pdfs(world, client):
    client.force_login(world.admin)
    r = client.get(reverse("providers:caregiver_badge", args=[world.caregiver.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.get(reverse("providers:elder_card", args=[world.elder.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    client.force_login(world.other_admin)
    assert client.get(reverse("providers:caregiver_badge", args=[world.caregiver.pk])).status_code == 404
    assert client.get(reverse("providers:elder_card", args=[world.elder.pk])).status_code == 404


def test_other_providers_caregiver_gets_404_on_pages_and_api(world, client):
    order = make_order(world)
    client.force_login(world.other_caregiver.user)
    assert client.get(reverse("providers:visit", args=[order.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(world.other_caregiver.user)
    assert (
        api.post(f"/api/v1/work-orders/{order.pk}/check-in/", {"code": world.token}, format="json").status_code == 404
    )
    assert api.get("/api/v1/work-orders/").json()["count"] == 0


def test_caregiver_who_left_the_provider_gets_404_on_a_visit_still_assigned_to_them(world):
    """The visit stays assigned, but the account no longer works for the provider: out of scope."""
    order = make_order(world, at=START)
    RoleAssignment.objects.filter(user=world.caregiver.user, role=Role.CAREGIVER).delete()
    api = APIClient()
    api.force_authenticate(world.caregiver.user)
    r = api.post(f"/api/v1/work-orders/{order.pk}/check-in/", {"code": world.token}, format="json")
    assert r.status_code == 404
    order.refresh_from_db()
    assert order.status == S.ASSIGNED and order.checked_in_at is None


def test_phone_app_checks_in_and_out_with_token_auth(world, client, clock, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    order = make_order(world, at=START)
    world.caregiver.user.set_password("pw-12345678")
    world.caregiver.user.save()
    api = APIClient()
    token = api.post(
        "/api/v1/auth-token/", {"username": world.caregiver.user.username, "password": "pw-12345678"}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    r = api.post(
        f"/api/v1/work-orders/{order.pk}/check-in/",
        {"code": world.token, "request_id": "a1", "lat": "32.1"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == S.IN_PROGRESS
    assert (
        api.post(
            f"/api/v1/work-orders/{order.pk}/check-in/", {"code": world.token, "request_id": "a1"}, format="json"
        ).status_code
        == 200
    )
    r = api.post(f"/api/v1/work-orders/{order.pk}/check-in/", {"code": world.token, "request_id": "a2"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "already_checked_in"
    r = api.post(f"/api/v1/work-orders/{order.pk}/check-in/", {"code": "1:forged:x"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "invalid_card"
    clock.shift(datetime.timedelta(hours=1, minutes=5))
    charge = api.get(f"/api/v1/work-orders/{order.pk}/charge/").json()
    assert charge == {
        "price": "50.00",
        "subsidy": "50.00",
        "personal": "0.00",
        "cash": "0.00",
        "copay": "0.00",
        "redeemed": False,
    }
    # Without the elder's confirmation the visit would be held: refused until accepted, nothing written.
    r = api.post(f"/api/v1/work-orders/{order.pk}/check-out/", {"code": world.code, "request_id": "a3"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "unpaid_check_out" and r.json()["reasons"]
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS
    r = api.post(
        f"/api/v1/work-orders/{order.pk}/check-out/",
        {"code": world.code, "request_id": "a3", "elder_code": elder_code(world.elder)},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == S.COMPLETED
    assert api.get(f"/api/v1/work-orders/{order.pk}/charge/").json()["redeemed"] is True


def test_phone_page_check_in_with_short_code(world, client):
    order = make_order(world)
    client.force_login(world.caregiver.user)
    page = client.get(reverse("providers:my_visits"))
    assert world.elder.name in page.content.decode()
    r = client.post(
        reverse("providers:visit", args=[order.pk]),
        {"code": world.code, "request_id": "x1", "action": "check_in"},
        follow=True,
    )
    assert r.status_code == 200
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS
    r = client.post(
        reverse("providers:visit", args=[order.pk]),
        {"code": world.code, "request_id": "x2", "action": "check_in"},
        follow=True,
    )
    assert "already checked in" in r.content.decode() or "已" in r.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "provider_list",
        "caregiver_list",
        "order_list",
        "order_book",
        "callbacks",
        "frequency",
        "rectifications",
        "community_contacts",
    ],
)
def test_pages_render(world, client, users, name):
    client.force_login(users["sysadmin"])
    assert client.get(reverse(f"providers:{name}")).status_code == 200


def test_home_work_lists(world, client, users):
    for user in (world.admin, world.caregiver.user, users["district"], users["community"]):
        client.force_login(user)
        assert client.get("/").status_code == 200


def test_order_and_provider_detail(world, client, users):
    order = make_order(world)
    client.force_login(world.admin)
    assert client.get(reverse("providers:order_detail", args=[order.pk])).status_code == 200
    client.force_login(users["district"])
    assert client.get(reverse("providers:provider_detail", args=[world.provider.pk])).status_code == 200
