"""Lists count their rows up to a cap: past it the page says "more than" and asks for the search or
a filter, and the API's pages say `count_capped`; under it the count is exact."""

import re

import pytest
from rest_framework.test import APIClient

from eldercare import paging
from eldercare.models import Role

from ..factories import ElderFactory, api_token, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_user(tree):
    for i in range(5):
        ElderFactory(community=tree.a1 if i % 2 else tree.b1)
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


def _count(html: str) -> tuple[int, bool]:
    found = re.search(r'id="result-count" data-count="(\d+)"( data-capped="true")?', html)
    assert found, "no count on the page"
    return int(found.group(1)), bool(found.group(2))


def test_the_elder_list_counts_exactly_under_the_cap(client, district_user, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    client.force_login(district_user)
    assert _count(client.get("/elders/").content.decode()) == (5, False)


def test_past_the_cap_the_list_says_more_than_and_still_pages(client, district_user, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    client.force_login(district_user)
    response = client.get("/elders/")
    html = response.content.decode()
    assert _count(html) == (3, True)
    assert "超过 3 条，请用搜索或筛选缩小范围" in html
    # The rows past the cap are reached by narrowing the list, not by paging.
    assert len(response.context["table"].page) == 3


def test_the_api_says_when_its_count_stops_at_the_cap(district_user, monkeypatch):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(district_user)}")
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    body = api.get("/api/v1/elders/").json()
    assert (body["count"], body["count_capped"]) == (3, True)
    monkeypatch.setattr(paging, "COUNT_CAP", 10)
    body = api.get("/api/v1/elders/").json()
    assert (body["count"], body["count_capped"]) == (5, False)


def test_the_schema_documents_count_capped(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    lists = [s for name, s in schema["components"]["schemas"].items() if name.startswith("Paginated")]
    assert lists and all("count_capped" in s["properties"] for s in lists)
