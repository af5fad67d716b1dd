"""The notices page and API: the user's own notices, marked read when opened or all at once."""

import pytest
from django.urls import reverse

from eldercare.models import Notification
from eldercare.services import notification_send
from tests.factories import api_token


@pytest.fixture
def notices(users):
    me, other = users["community"], users["street"]
    mine = [notification_send(user=me, message=f"notice {i}", url=f"/elders/?n={i}") for i in range(35)]
    theirs = notification_send(user=other, message="not yours", url="/elders/")
    return me, other, mine, theirs


def test_page_lists_own_notices_newest_first_paginated(client, notices):
    me, _other, mine, _theirs = notices
    client.force_login(me)
    page = client.get(reverse("notice_list"))
    assert page.status_code == 200
    listed = page.context["page"]
    assert page.context["unread"] == 35
    assert listed.paginator.count == 35 and len(listed) == 30
    assert listed[0].pk == mine[-1].pk
    assert b'data-count="35"' in page.content
    assert b"not yours" not in page.content
    assert len(client.get(reverse("notice_list") + "?page=2").context["page"]) == 5


def test_badge_and_home_link_to_the_page(client, notices):
    me = notices[0]
    client.force_login(me)
    home = client.get(reverse("home")).content.decode()
    assert 'id="unread-badge"' in home and reverse("notice_list") in home


def test_open_marks_read_and_redirects_to_the_link(client, notices):
    me, _other, mine, theirs = notices
    client.force_login(me)
    answer = client.get(reverse("notice_open", args=[mine[3].pk]))
    assert answer.status_code == 302 and answer.url == "/elders/?n=3"
    mine[3].refresh_from_db()
    assert mine[3].read_at is not None
    assert client.get(reverse("notice_open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_open_never_leaves_the_site(client, users, url):
    notice = notification_send(user=users["community"], message="x", url=url)
    client.force_login(users["community"])
    answer = client.get(reverse("notice_open", args=[notice.pk]))
    assert answer.status_code == 302 and answer.url == reverse("notice_list")


def test_mark_all_read_is_a_post_and_touches_only_own(client, notices):
    me, other, _mine, _theirs = notices
    client.force_login(me)
    assert client.get(reverse("notices_read_all")).status_code == 405
    client.post(reverse("notices_read_all"))
    assert not Notification.objects.filter(user=me, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1


def _api(client, user):
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {api_token(user)}"
    return client


def test_api_lists_own_with_unread_count_and_filter(client, notices):
    me, _other, mine, theirs = notices
    api = _api(client, me)
    Notification.objects.filter(pk=mine[0].pk).update(read_at=mine[0].created_at)
    data = api.get("/api/v1/notifications/").json()
    assert data["count"] == 35 and data["unread"] == 34
    assert theirs.pk not in [n["id"] for n in data["results"]]
    unread = api.get("/api/v1/notifications/?unread=1").json()
    assert unread["count"] == 34 and all(not n["read"] for n in unread["results"])
    assert api.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404


def test_api_marks_read(client, notices):
    me, _other, mine, theirs = notices
    api = _api(client, me)
    answer = api.post(f"/api/v1/notifications/{mine[1].pk}/read/")
    assert answer.status_code == 200 and answer.json()["read"] is True
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 34}
    assert api.get("/api/v1/notifications/").json()["unread"] == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
