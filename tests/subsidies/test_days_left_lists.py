"""The working days left of every open application on a list come from one look-up of each year's
calendar, and a calendar the district enters is counted from the next request on."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.models import DifficultyCategory
from eldercare.workdays import calendar_year_enter
from subsidies.applications.models import Application
from subsidies.applications.services import review as svc
from tests.factories import ElderFactory

from .factories import at

MONDAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def _file(tree, scheme, users, n: int) -> None:
    for _ in range(n):
        svc.application_file(
            elder=ElderFactory(community=tree.a1),
            scheme=scheme,
            categories=[DifficultyCategory.LOW_INCOME],
            care_situation="non_self_care",
            by=users["community"],
        )


def _queries(client, api, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = (api if path.startswith("/api/") else client).get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_of_open_applications_make_as_many_queries_for_two_as_for_six(tree, scheme, batch, users, client):
    # Given two open applications, each with working days left
    paths = ["/", reverse("subsidies:application_list"), "/api/v1/applications/"]
    api = APIClient()
    with time_machine.travel(at(MONDAY), tick=False):
        _file(tree, scheme, users, 2)
        client.force_login(users["community"])
        api.force_authenticate(users["community"])
        few = [_queries(client, api, path) for path in paths]
        # When four more are filed
        _file(tree, scheme, users, 4)
        many = [_queries(client, api, path) for path in paths]
        listed = api.get("/api/v1/applications/").json()
    # Then each page makes the same number of queries, and still counts the days of each
    assert many == few
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert len(rows) == 6 and all(row["days_left"] == 10 for row in rows)


def test_a_calendar_entered_between_two_requests_is_counted_by_the_second(tree, scheme, batch, users):
    # Given an open application whose deadline falls in a year the built-in calendar does not know
    with time_machine.travel(at(MONDAY), tick=False):
        _file(tree, scheme, users, 1)
    Application.objects.update(deadline=datetime.date(2027, 1, 4))
    api = APIClient()
    api.force_authenticate(users["district"])
    with time_machine.travel(at(datetime.date(2026, 12, 28)), tick=False):
        assert [row["days_left"] for row in _rows(api)] == [None]
        # When the district enters that year's calendar
        calendar_year_enter(
            year=2027, holidays="2027-01-01 元旦", workdays="", source="国务院办公厅通知", by=users["district"]
        )
        # Then the next request counts it: 29, 30, 31 December and 4 January (1 January a holiday)
        assert [row["days_left"] for row in _rows(api)] == [4]


def _rows(api) -> list[dict]:
    listed = api.get("/api/v1/applications/").json()
    return listed["results"] if isinstance(listed, dict) else listed
