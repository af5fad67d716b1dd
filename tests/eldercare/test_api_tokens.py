"""The phone app's API tokens: stored hashed, ending a shift after their last use, on sign-out,
on a new password and on a deactivated account; every refusal in Chinese."""

import datetime
import hashlib

import pytest
import time_machine
from django.contrib.auth import get_user_model
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from eldercare.models import Role
from eldercare.settings import base
from tests.factories import api_token, user_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "pw-12345678"  # tests.factories
START = datetime.datetime(2026, 12, 3, 7, 30, tzinfo=datetime.UTC)  # 15:30 in Jiangdu


def _sign_in(api, username, password=PASSWORD):
    return api.post("/api/v1/auth-token/", {"username": username, "password": password}, format="json")


def _with_token(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="wang")


def test_a_token_from_the_sign_in_opens_the_api_and_only_its_hash_is_stored(worker):
    answer = _sign_in(APIClient(), "wang")
    assert answer.status_code == 200
    key = answer.json()["token"]
    assert _with_token(key).get("/api/v1/divisions/").status_code == 200
    (stored,) = AuthToken.objects.filter(user=worker)
    assert stored.digest == hashlib.sha512(key.encode()).hexdigest()
    assert key not in (stored.digest, stored.token_key) and len(key) == 64 and len(stored.token_key) == 15


def test_the_token_lives_a_shift_after_its_last_use(worker):
    assert base.API_TOKEN_TTL_HOURS == 12
    with time_machine.travel(START, tick=False) as clock:
        answer = _sign_in(APIClient(), "wang")
        assert answer.json()["expiry"] == "2026-12-04T03:30:00+08:00"  # 12 hours, Asia/Shanghai
        api = _with_token(answer.json()["token"])
        clock.shift(datetime.timedelta(hours=11))
        assert api.get("/api/v1/divisions/").status_code == 200  # used: renewed until 11 + 12 hours
        clock.shift(datetime.timedelta(hours=11, minutes=59))
        assert api.get("/api/v1/divisions/").status_code == 200
        clock.shift(datetime.timedelta(hours=12, minutes=1))  # a shift without use
        expired = api.get("/api/v1/divisions/")
        assert expired.status_code == 403
        assert expired.json() == {"detail": "您在应用上的登录已过期，请重新登录。", "code": "token_expired"}
        # The next sign-in deletes the expired token.
        fresh = _sign_in(APIClient(), "wang").json()["token"]
    assert [t.digest for t in AuthToken.objects.filter(user=worker)] == [hashlib.sha512(fresh.encode()).hexdigest()]


def test_use_does_not_keep_a_token_past_a_week_after_sign_in(worker):
    with time_machine.travel(START, tick=False) as clock:
        api = _with_token(_sign_in(APIClient(), "wang").json()["token"])
        for _ in range(16):  # used every ten hours, for 160 hours
            clock.shift(datetime.timedelta(hours=10))
            assert api.get("/api/v1/divisions/").status_code == 200
        clock.shift(datetime.timedelta(hours=8, minutes=1))  # 7 days and a minute after sign-in
        assert api.get("/api/v1/divisions/").json()["code"] == "token_expired"


def test_a_new_password_ends_the_api_tokens(worker):
    keys = [api_token(worker), api_token(worker)]
    worker.set_password("Another-2026")
    worker.save()
    assert not AuthToken.objects.filter(user=worker).exists()
    refusals = [_with_token(key).get("/api/v1/divisions/").json() for key in keys]
    assert refusals == [{"detail": "认证令牌无效。", "code": "authentication_failed"}] * 2


def test_a_deactivated_account_loses_its_tokens(worker, tree):
    colleague = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    api_token(worker)
    kept = api_token(colleague)
    worker.is_active = False
    worker.save()
    assert not AuthToken.objects.filter(user=worker).exists()
    assert _with_token(kept).get("/api/v1/divisions/").status_code == 200


def test_sign_out_ends_that_token_only(worker):
    phone, tablet = _sign_in(APIClient(), "wang").json()["token"], _sign_in(APIClient(), "wang").json()["token"]
    assert _with_token(phone).post("/api/v1/auth-token/logout/").status_code == 204
    assert _with_token(phone).get("/api/v1/divisions/").json()["detail"] == "认证令牌无效。"
    assert _with_token(tablet).get("/api/v1/divisions/").status_code == 200
    assert AuthToken.objects.filter(user=worker).count() == 1


def test_api_refusals_are_in_chinese_even_to_an_english_client(worker):
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    anonymous = APIClient().get("/api/v1/divisions/", **english)
    assert anonymous.status_code == 403
    assert anonymous.json() == {"detail": "身份认证信息未提供。", "code": "not_authenticated"}
    wrong = _with_token("0" * 64).get("/api/v1/divisions/", **english)
    assert wrong.json()["detail"] == "认证令牌无效。"
    bad_password = APIClient().post(
        "/api/v1/auth-token/", {"username": "wang", "password": "wrong"}, format="json", **english
    )
    assert bad_password.status_code == 400
    assert bad_password.json() == {"detail": "用户名或密码不正确，无法登录。", "code": "invalid_credentials"}
    missing = APIClient().post("/api/v1/auth-token/", {"username": "wang"}, format="json", **english)
    assert missing.json() == {"password": ["该字段是必填项。"]}


def test_a_locked_out_sign_in_is_refused_in_chinese(worker, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 2
    api = APIClient(REMOTE_ADDR="10.0.0.7")
    assert [_sign_in(api, "wang", "wrong").status_code for _ in range(2)] == [400, 429]
    locked = _sign_in(api, "wang")
    assert locked.status_code == 429
    assert locked.json() == {
        "detail": "该账号在此地址密码错误次数过多，登录已锁定 1 小时。请稍后再试，或请系统管理员解锁。",
        "code": "locked_out",
    }


def test_a_throttled_client_is_told_in_chinese_when_to_come_back(monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    api = APIClient()
    with time_machine.travel(START, tick=False):
        for _ in range(2):
            _sign_in(api, "nobody", "x")
        throttled = _sign_in(api, "nobody", "x")
    assert throttled.status_code == 429 and throttled["Retry-After"] == "60"
    assert throttled.json()["detail"] == "请求已被限流。 预计 60 秒后可用。"


def test_the_user_model_has_no_plain_token_left():
    assert not hasattr(get_user_model(), "auth_token")
