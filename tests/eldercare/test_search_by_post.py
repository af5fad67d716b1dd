"""No personal number travels in a URL: the search boxes post their text (kept in the session
under a short key the page's address carries instead), and a GET search holding a whole ID
number or a phone is refused with 400, on the pages and in the API. Short searches still work by
GET."""

import pytest
from django.urls import reverse

from eldercare.searching import NumberInUrl, holds_personal_number

from ..factories import ElderFactory

pytestmark = pytest.mark.django_db


def refusal() -> str:
    """The refusal in the language of the page ("请在搜索框中输入，号码不能出现在网址中。")."""
    return NumberInUrl().message


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("320321194501011234", True),
        ("13912345678", True),
        ("139 1234 5678", True),
        ("139-1234-5678", True),
        ("1234567", True),
        ("123456", False),
        ("12345X", False),
        ("王秀英", False),
        ("wxy", False),
        ("", False),
    ],
)
def test_what_counts_as_a_personal_number(text, held):
    assert holds_personal_number(text) is held


@pytest.fixture
def elders(tree):
    return {
        "wang": ElderFactory(community=tree.a1, name="王秀英", phone="13912345678"),
        "zhang": ElderFactory(community=tree.a1, name="张建国", phone="13600001111"),
    }


def _names(response) -> set[str]:
    return {e.name for e in response.context["table"].data}


def test_the_elder_list_searches_a_whole_id_number_by_post_and_keeps_it_out_of_the_address(client, users, elders):
    client.force_login(users["community"])
    wang = elders["wang"]
    response = client.post(reverse("elder_list"), {"q": wang.id_number, "life_status": "active"})
    assert response.status_code == 302
    location = response["Location"]
    assert wang.id_number not in location and "s=" in location and "life_status=active" in location
    page = client.get(location)
    assert _names(page) == {"王秀英"}
    # The search box shows the text again; the address does not hold it.
    assert f'value="{wang.id_number}"' in page.content.decode()


def test_a_get_search_with_a_whole_id_number_or_a_phone_is_refused(client, users, elders):
    client.force_login(users["community"])
    for text in (elders["wang"].id_number, "13912345678"):
        response = client.get(reverse("elder_list"), {"q": text})
        assert response.status_code == 400
        assert refusal() in response.content.decode()
        assert "王秀英" not in response.content.decode()


def test_short_searches_keep_working_by_get(client, users, elders):
    client.force_login(users["community"])
    assert _names(client.get(reverse("elder_list"), {"q": "wxy"})) == {"王秀英"}
    assert _names(client.get(reverse("elder_list"), {"q": elders["zhang"].id_number[-4:]})) == {"张建国"}
    assert _names(client.get(reverse("elder_list"), {"q": "1111"})) == {"张建国"}


def test_a_search_key_of_another_session_finds_nothing_of_it(client, users, elders, django_user_model):
    client.force_login(users["community"])
    location = client.post(reverse("elder_list"), {"q": "13912345678"})["Location"]
    client.logout()
    client.force_login(users["community"])
    # A new session does not know the key: the list is the unfiltered one, not the search.
    assert _names(client.get(location)) == {"王秀英", "张建国"}


def test_the_picker_takes_the_text_by_post_and_refuses_it_by_get(client, users, elders):
    client.force_login(users["community"])
    found = client.post(reverse("elder_pick") + "?active=1", {"q": elders["wang"].id_number}).json()["results"]
    assert [r["name"] for r in found] == ["王秀英"]
    refused = client.get(reverse("elder_pick"), {"q": elders["wang"].id_number})
    assert refused.status_code == 400 and refused.json()["detail"] == refusal()
    assert [r["name"] for r in client.get(reverse("elder_pick"), {"q": "zjg"}).json()["results"]] == ["张建国"]


def test_the_api_refuses_a_number_in_the_address_and_searches_it_by_post(client, users, elders):
    client.force_login(users["community"])
    refused = client.get("/api/v1/elders/", {"search": elders["wang"].id_number})
    assert refused.status_code == 400 and refused.json()["detail"] == refusal()
    response = client.post("/api/v1/elders/search/", {"q": elders["wang"].id_number}, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and [e["name"] for e in body["results"]] == ["王秀英"]
    assert "id_number" not in body["results"][0]
    by_tail = client.post("/api/v1/elders/search/", {"q": "1111"}, content_type="application/json").json()
    assert [e["name"] for e in by_tail["results"]] == ["张建国"]
    assert client.get("/api/v1/elders/", {"search": "wxy"}).json()["count"] == 1


def test_the_api_search_keeps_the_users_scope(client, users, tree, elders):
    ElderFactory(community=tree.b1, name="王小云", phone="13912345678")
    client.force_login(users["community"])
    body = client.post("/api/v1/elders/search/", {"q": "wx"}, content_type="application/json").json()
    assert [e["name"] for e in body["results"]] == ["王秀英"]
    client.force_login(users["community_b"])
    body = client.post("/api/v1/elders/search/", {"q": "wx"}, content_type="application/json").json()
    assert [e["name"] for e in body["results"]] == ["王小云"]
