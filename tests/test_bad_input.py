"""Ids, dates, months and search text that do not parse answer 404 or 400, or turn their filter
off, never a server error."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import ValidationFailed
from eldercare.params import date_param, int_param, text_param
from eldercare.periods import Month, Quarter

pytestmark = pytest.mark.django_db


def test_params_turn_what_does_not_parse_into_none():
    assert int_param("12") == 12
    assert [int_param(v) for v in ("abc", "", None, "0", "-3", "1.5", "٣", "9" * 30)] == [None] * 8
    assert date_param("2026-03-10") == datetime.date(2026, 3, 10)
    assert [date_param(v) for v in ("xyz", "", None, "2026-02-30", "\x00")] == [None] * 5
    assert text_param(" 王\x00秀 ") == "王秀"


@pytest.mark.parametrize("text", ["9999-12", "0000-01", "1899-12"])
def test_months_and_quarters_beyond_the_platforms_years_are_refused(text):
    with pytest.raises(ValidationFailed):
        Month.parse(text)
    with pytest.raises(ValidationFailed):
        Quarter.parse(text[:4] + "Q4")
    assert Month.parse("2999-12").next() == Month(3000, 1)


@pytest.mark.parametrize("path", ["/api/v1/elders/abc/", "/api/v1/divisions/1.5/", "/api/v1/calendar-years/next/"])
def test_api_ids_that_are_not_integers_are_404(users, path):
    api = APIClient()
    api.force_authenticate(users["district"])
    assert api.get(path).status_code == 404


def test_an_elder_api_id_still_answers(users, elder_a1):
    api = APIClient()
    api.force_authenticate(users["community"])
    assert api.get(f"/api/v1/elders/{elder_a1.pk}/").status_code == 200


def test_a_bad_day_on_the_order_list_turns_the_filter_off(client, users):
    client.force_login(users["district"])
    answer = client.get(reverse("providers:order_list"), {"day": "xyz"})
    assert answer.status_code == 200
    assert client.get(reverse("providers:order_list"), {"day": "2026-03-10"}).status_code == 200


@pytest.mark.parametrize("params", [{"batch": "abc"}, {"community": "x1"}, {"batch": "1", "q": "\x00"}])
def test_bad_filters_on_the_application_list_are_ignored(client, users, params):
    client.force_login(users["community"])
    assert client.get(reverse("subsidies:application_list"), params).status_code == 200


def test_a_settlement_month_beyond_the_calendar_is_404(client, users):
    client.force_login(users["finance"])
    assert client.get("/settlement/months/9999-12/").status_code == 404


@pytest.mark.parametrize("path", ["/elders/", "/api/v1/elders/", "/elders/pick/"])
def test_a_nul_in_the_elder_search_is_ignored(client, users, elder_a1, path):
    client.force_login(users["community"])
    answer = client.get(path, {"q": f"{elder_a1.name[:1]}\x00"})
    assert answer.status_code == 200
