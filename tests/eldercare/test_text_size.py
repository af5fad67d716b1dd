"""The text size (A− / A / A+): kept in the `textsize` cookie, rendered by the server on <html> so
the page opens at that size; the buttons work without JavaScript through a form that sets the
cookie and goes back to a page of this site."""

import re

import pytest

from eldercare.models import Role

from ..factories import user_with_role

pytestmark = pytest.mark.django_db


def html_class(response) -> str:
    match = re.search(r'<html lang="[^"]+" class="([^"]*)">', response.content.decode())
    assert match is not None
    return match.group(1)


def pressed(response) -> list[str]:
    return re.findall(r'name="size" value="(\w+)"[^>]*aria-pressed="true"', response.content.decode())


@pytest.mark.parametrize("size", ["small", "normal", "large"])
def test_the_cookie_sets_the_class_of_the_page(client, size):
    client.cookies["textsize"] = size

    response = client.get("/login/")

    assert html_class(response) == f"textsize-{size}"
    assert pressed(response) == [size]


@pytest.mark.parametrize("value", ["", "huge", "large;x", "<b>"])
def test_a_missing_or_unknown_cookie_gives_the_normal_size(client, value):
    client.cookies["textsize"] = value

    response = client.get("/login/")

    assert html_class(response) == "textsize-normal"
    assert "huge" not in response.content.decode()


def test_the_login_page_has_the_three_buttons_with_chinese_names(client):
    page = client.get("/login/").content.decode()

    form = page[page.index('id="textsize-form"') : page.index("</form>", page.index('id="textsize-form"'))]
    assert re.findall(r'value="(\w+)" aria-label="([^"]+)"', form) == [
        ("small", "缩小字号"),
        ("normal", "标准字号"),
        ("large", "放大字号"),
    ]
    assert 'name="next" type="hidden" value="/login/"' in form


def test_the_form_without_javascript_sets_the_cookie_and_goes_back(client, tree):
    client.force_login(user_with_role(Role.COMMUNITY_WORKER, tree.a1))

    response = client.post("/text-size/", {"size": "large", "next": "/elders/?page=2"})

    assert response.status_code == 302 and response["Location"] == "/elders/?page=2"
    cookie = response.cookies["textsize"]
    assert cookie.value == "large" and cookie["samesite"] == "Lax" and cookie["max-age"] == 365 * 24 * 60 * 60
    assert html_class(client.get("/elders/")) == "textsize-large"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_form_goes_back_only_to_a_page_of_this_site(client, target):
    response = client.post("/text-size/", {"size": "small", "next": target})

    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_size_or_a_get_changes_nothing(client):
    response = client.post("/text-size/", {"size": "huge", "next": "/login/"})
    assert response["Location"] == "/login/" and "textsize" not in response.cookies

    response = client.get("/text-size/", {"size": "large", "next": "/login/"})
    assert response["Location"] == "/login/" and "textsize" not in response.cookies
