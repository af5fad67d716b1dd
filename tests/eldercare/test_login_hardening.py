"""Identification and sessions as a level-3 system requires them: complex passwords, a lockout per
account and address (not per address: behind the load balancer everybody shares one), sessions
that end when idle, tokens that end with the password, the API schema for signed-in users only,
and a rate limit on the API."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from eldercare.models import Role
from eldercare.settings import base
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "pw-12345678"  # tests.factories


@pytest.mark.parametrize("weak", ["zhangsan", "jiangdu1", "12345678", "ZHANGSAN-"])
def test_simple_passwords_are_refused_in_chinese(weak):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(weak)
    assert "密码须至少包含小写字母、大写字母、数字和符号中的 3 种。" in refused.value.messages


@pytest.mark.parametrize("good", ["demo-2026", "Kangle-2026!", "Jiangdu#2026"])
def test_passwords_with_three_kinds_of_characters_pass(good):
    validate_password(good)


def _login(client, username, password, ip="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_lock_that_account_from_that_address_only(client, settings, tree):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    victim = user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="victim")
    colleague = user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="colleague")
    with translation.override("zh-hans"):
        for _ in range(3):
            _login(client, victim.username, "wrong")
        locked = _login(client, victim.username, PASSWORD)
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    # The colleague behind the same address signs in; the victim from another address too.
    assert _login(client, colleague.username, PASSWORD).status_code == 302
    client.logout()
    assert _login(client, victim.username, PASSWORD, ip="10.0.0.2").status_code == 302
    # The token endpoint answers the lockout in JSON.
    api = APIClient(REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    refused = api.post("/api/v1/auth-token/", {"username": victim.username, "password": PASSWORD}, format="json")
    assert refused.status_code == 429 and refused.json()["code"] == "locked_out"


def test_a_session_idle_for_two_hours_ends(client, settings, tree):
    settings.SESSION_COOKIE_AGE = base.SESSION_COOKIE_AGE  # the product's, not the test settings'
    assert base.SESSION_COOKIE_AGE == 2 * 60 * 60
    user = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    start = datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(user)
        assert client.get("/").status_code == 200
        clock.shift(datetime.timedelta(minutes=110))
        assert client.get("/").status_code == 200  # a request renews the session
        clock.shift(datetime.timedelta(minutes=121))
        response = client.get("/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_api_schema_and_docs_are_for_signed_in_users(client, tree):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert client.get("/api/docs/").status_code in (401, 403)
    client.force_login(user_with_role(Role.COMMUNITY_WORKER, tree.a1))
    assert client.get("/api/schema/").status_code == 200


def test_the_api_slows_down_a_runaway_anonymous_client(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "3/min", raising=False)
    api = APIClient()
    answers = [
        api.post("/api/v1/auth-token/", {"username": "x", "password": "y"}, format="json").status_code for _ in range(4)
    ]
    assert answers == [400, 400, 400, 429]
