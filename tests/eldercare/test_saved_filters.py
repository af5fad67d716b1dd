"""Saved filters: a user's own named filters of a list page, opened again in one tap."""

import re

import pytest
from django.urls import reverse

from eldercare.models import SavedFilter
from eldercare.services import SAVED_FILTERS_PER_LIST
from tests.factories import ElderFactory

pytestmark = pytest.mark.django_db

ID_NUMBER = "321012195003150021"


def _saved_links(page: str) -> dict[str, str]:
    block = page[page.index('id="saved-filters"') :].split("</div>")[0]
    return {name: href.replace("&amp;", "&") for href, name in re.findall(r'<a [^>]*href="([^"]+)">([^<]+)</a>', block)}


def test_saved_filters_reopen_the_list_as_it_was_filtered(tree, users, client):
    ElderFactory(community=tree.a1, name="王玉珍")
    ElderFactory(community=tree.a1, name="李秀兰")
    client.force_login(users["community"])
    answer = client.post(
        reverse("saved_filter_create"),
        {"view_name": "elder_list", "name": "王姓老人", "query": "q=王&page=3"},
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("elder_list") + "?q=%E7%8E%8B"  # the page number is not kept
    page = client.get(reverse("elder_list")).content.decode()
    link = _saved_links(page)["王姓老人"]
    filtered = client.get(link).content.decode()
    assert 'data-count="1"' in filtered and "王玉珍" in filtered and "李秀兰" not in filtered


def test_search_text_holding_a_personal_number_is_never_saved(tree, users, client):
    client.force_login(users["community"])
    # The search box posts its text, which the list keeps in the session behind `?s=`.
    searched = client.post(reverse("elder_list"), {"q": ID_NUMBER})
    page = client.get(searched["Location"] + "&category=dibao").content.decode()
    block = page[page.index('id="saved-filters"') :].split("</div>")[0]
    assert 'name="query" value="category=dibao"' in block  # the filters are offered, the number is not
    assert ID_NUMBER not in block
    answer = client.post(
        reverse("saved_filter_create"), {"view_name": "elder_list", "name": "身份证", "query": f"q={ID_NUMBER}"}
    )
    assert answer.status_code == 302
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_the_users_own(tree, users, client):
    mine = SavedFilter.objects.create(user=users["community"], view_name="elder_list", name="我的", query="q=王")
    client.force_login(users["community_b"])
    assert _saved_links(client.get(reverse("elder_list")).content.decode()) == {}
    assert client.get("/api/v1/saved-filters/").json()["results"] == []
    assert client.post(reverse("saved_filter_delete", args=[mine.pk])).status_code == 404
    assert client.delete(f"/api/v1/saved-filters/{mine.pk}/").status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    client.force_login(users["community"])
    assert client.post(reverse("saved_filter_delete", args=[mine.pk])).status_code == 302
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


def test_api_saves_replaces_by_name_and_limits_each_list(tree, users, client):
    client.force_login(users["street"])
    url = "/api/v1/saved-filters/"
    made = client.post(url, {"view_name": "subsidies:application_list", "name": "逾期", "query": "overdue=1"})
    assert made.status_code == 201, made.content
    assert made.json()["url"] == reverse("subsidies:application_list") + "?overdue=1"
    again = client.post(
        url, {"view_name": "subsidies:application_list", "name": "逾期", "query": "overdue=1&status=street_review"}
    )
    assert again.status_code == 201
    listed = client.get(url, {"view": "subsidies:application_list"}).json()["results"]
    assert [(f["name"], f["query"]) for f in listed] == [("逾期", "overdue=1&status=street_review")]
    refused = client.post(url, {"view_name": "elder_list", "name": "号码", "query": "phone=13912345678"})
    assert refused.status_code == 400
    assert client.post(url, {"view_name": "no_such_page", "name": "x", "query": ""}).status_code == 400
    for n in range(SAVED_FILTERS_PER_LIST - 1):
        client.post(url, {"view_name": "subsidies:application_list", "name": f"筛选{n}", "query": f"batch={n}"})
    over = client.post(url, {"view_name": "subsidies:application_list", "name": "再多一个", "query": "batch=99"})
    assert over.status_code == 400
    assert str(SAVED_FILTERS_PER_LIST) in over.json()["detail"]
    assert SavedFilter.objects.filter(user=users["street"]).count() == SAVED_FILTERS_PER_LIST
