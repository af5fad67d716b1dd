"""Rate limits of check-in and check-out: wrong card or confirmation codes lock out after five, per
caregiver and per work order, for the rest of a 15-minute window; at most 60 check requests a
minute per caregiver. On the phone page and in the API alike."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from providers import throttle
from providers.models import WorkOrder

from .conftest import START
from .factories import elder_code, make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db

# Short codes a guesser could type: the card alphabet, none of them the elder's.
GUESSES = ["ABCD2345", "ZZZZ9999", "HJKM2345", "PQRS6789", "TUVW2345", "XYZ23456", "MNPQ3456"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The counters live in Django's default cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def check_in(api, order, code, request_id=""):
    return api.post(
        f"/api/v1/work-orders/{order.pk}/check-in/", {"code": code, "request_id": request_id}, format="json"
    )


def wrong_codes(world, api, order, n=throttle.FAILURE_LIMIT):
    for guess in GUESSES[:n]:
        assert guess != world.code
        r = check_in(api, order, guess)
        assert r.status_code == 403 and r.json()["code"] == "invalid_card"


def test_a_guessed_short_code_locks_out_in_a_handful_of_tries(world, clock):
    api = api_for(world.caregiver.user)
    order = make_order(world, at=START)
    tries = 0
    for guess in GUESSES:
        tries += 1
        r = check_in(api, order, guess)
        if r.status_code == 429:
            break
    assert tries == throttle.FAILURE_LIMIT + 1
    assert r.json()["code"] == "too_many_attempts" and "分钟后再试" in r.json()["detail"]
    assert 0 < int(r["Retry-After"]) <= 15 * 60 and r.json()["retry_after"] == int(r["Retry-After"])
    # Locked even with the right code, for the rest of the window; then the card works again.
    assert check_in(api, order, world.code).status_code == 429
    assert WorkOrder.objects.get(pk=order.pk).status == S.ASSIGNED
    clock.shift(datetime.timedelta(minutes=16))
    assert check_in(api, order, world.code).status_code == 200


def test_the_lock_is_per_caregiver_across_visits(world, clock):
    api = api_for(world.caregiver.user)
    first = make_order(world, at=START)
    second = make_order(world, elder=world.elder2, at=START)
    wrong_codes(world, api, first)
    r = check_in(api, second, world.token2)
    assert r.status_code == 429 and "卡码或确认码错误次数过多" in r.json()["detail"]
    # Another caregiver is not locked by the first one's mistakes.
    other = make_order(world, caregiver=world.caregiver2, at=START)
    assert check_in(api_for(world.caregiver2.user), other, world.token).status_code == 200


def test_the_lock_is_per_work_order_from_any_account(world, clock):
    order = make_order(world, at=START)
    wrong_codes(world, api_for(world.caregiver.user), order)
    # The visit is given to another caregiver: the code being guessed stays locked.
    WorkOrder.objects.filter(pk=order.pk).update(caregiver=world.caregiver2)
    r = check_in(api_for(world.caregiver2.user), order, world.token)
    assert r.status_code == 429 and "本次服务" in r.json()["detail"]


def test_wrong_one_time_codes_count_too(world, clock):
    api = api_for(world.caregiver.user)
    order = make_order(world, at=START)
    assert check_in(api, order, world.token).status_code == 200
    clock.shift(datetime.timedelta(hours=1, minutes=5))
    url = f"/api/v1/work-orders/{order.pk}/check-out/"
    for n in range(throttle.FAILURE_LIMIT):
        r = api.post(url, {"code": world.token, "elder_code": f"00000{n}"}, format="json")
        assert r.status_code == 403 and r.json()["code"] == "wrong_confirmation"
    r = api.post(url, {"code": world.token, "elder_code": elder_code(world.elder)}, format="json")
    assert r.status_code == 429
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS


def test_refusals_that_guess_nothing_do_not_count(world, clock):
    api = api_for(world.caregiver.user)
    order = make_order(world, at=START)
    assert check_in(api, order, world.token).status_code == 200
    for n in range(throttle.FAILURE_LIMIT + 3):
        r = check_in(api, order, world.token, request_id=f"again-{n}")
        assert r.status_code == 409 and r.json()["code"] == "already_checked_in"
    # Not the assigned caregiver (the provider's administrator): refused before any code is checked.
    other = make_order(world, elder=world.elder2, at=START)
    admin = api_for(world.admin)
    for guess in GUESSES[: throttle.FAILURE_LIMIT + 1]:
        assert check_in(admin, other, guess).json()["code"] == "not_assigned"
    assert check_in(api, other, world.token2).status_code == 200


def test_the_phone_page_and_the_api_share_the_count(world, client, clock):
    order = make_order(world, at=START)
    client.force_login(world.caregiver.user)
    url = reverse("providers:visit", args=[order.pk])
    for guess in GUESSES[:3]:
        r = client.post(url, {"action": "check_in", "code": guess, "request_id": f"page-{guess}"})
        assert r.status_code == 403 and "alert-danger" in r.content.decode()
    wrong_codes(world, api_for(world.caregiver.user), order, n=2)

    r = client.post(url, {"action": "check_in", "code": world.code, "request_id": "page-right"})

    assert r.status_code == 429
    assert "请" in r.content.decode() and "分钟后再试" in r.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).status == S.ASSIGNED


def test_sixty_check_requests_a_minute_per_caregiver(world, clock):
    api = api_for(world.caregiver.user)
    order = make_order(world, at=START)
    # A retried request id is answered again without doing anything: cheap, and never a failure.
    for _n in range(60):
        assert check_in(api, order, world.token, request_id="retry").status_code == 200
    r = check_in(api, order, world.token, request_id="retry")
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"
    clock.shift(datetime.timedelta(seconds=61))
    assert check_in(api, order, world.token, request_id="retry").status_code == 200
