"""Error pages in Chinese, styled like the site, each with the way back to the work list; the 500
page needs no database."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from eldercare.models import Role
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.eldercare.error_urls"


def test_a_failing_view_answers_the_styled_page_in_chinese_without_the_database(production, tree):
    client = Client(raise_request_exception=False)
    client.force_login(user_with_role(Role.COMMUNITY_WORKER, tree.a1))
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fails/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-hans">' in page and "bootstrap.min.css" in page
    assert "出错了" in page and "请稍后再试" in page
    assert '<a href="/">返回待办事项</a>' in page
    # The session and the user were read before the view failed; the page itself reads nothing.
    assert not [q for q in queries.captured_queries if "eldercare_" in q["sql"] and "user" not in q["sql"]]


def test_a_bad_request_page_is_in_chinese(production):
    response = Client().get("/", HTTP_HOST="attacker.example")
    page = response.content.decode()
    assert response.status_code == 400
    assert "无法理解此请求" in page and '<a href="/">返回待办事项</a>' in page


def test_a_forbidden_and_a_missing_page_are_in_chinese(production, client, tree):
    client.force_login(user_with_role(Role.COMMUNITY_WORKER, tree.a1))
    forbidden = client.get("/audit/")
    missing = client.get("/no-such-page/")
    assert forbidden.status_code == 403 and "您无权进行此操作" in forbidden.content.decode()
    assert missing.status_code == 404 and "未找到" in missing.content.decode()
    assert '<a href="/">返回待办事项</a>' in missing.content.decode()
