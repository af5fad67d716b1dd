"""The district enters a year's official calendar when the built-in one ends; deadlines that run
into that year then count its holidays."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role
from eldercare.workdays import UnknownCalendarYear, add_workdays, calendar_year_enter, is_workday
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
HOLIDAYS_2027 = "2027-01-01 元旦\n2027-02-08 春节\n2027-02-09 春节\n2027-02-10 春节\n2027-02-11 春节\n2027-02-12 春节"
NOTICE = "国务院办公厅关于2027年部分节假日安排的通知"


@pytest.fixture
def district(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


def test_a_deadline_into_an_unknown_year_is_refused_until_the_district_enters_it(district):
    with pytest.raises(UnknownCalendarYear):
        add_workdays(datetime.date(2026, 12, 3), 21)
    calendar_year_enter(year=2027, holidays=HOLIDAYS_2027, workdays="2027-02-20 春节调休", source=NOTICE, by=district)
    # 2026-12-03 + 21 working days: 20 in December (4th–31st); 2027-01-01 is a holiday, 01-02/03 a weekend → 01-04.
    assert add_workdays(datetime.date(2026, 12, 3), 21) == datetime.date(2027, 1, 4)
    assert not is_workday(datetime.date(2027, 2, 8)) and is_workday(datetime.date(2027, 2, 20))


def test_bad_lines_and_wrong_people_are_refused_and_nothing_is_saved(district, tree):
    with pytest.raises(ValidationFailed) as exc:
        calendar_year_enter(year=2027, holidays="2027-13-01 元旦", workdays="", source=NOTICE, by=district)
    assert "2027-01-01" in exc.value.message  # the example of the expected form
    with pytest.raises(ValidationFailed):
        calendar_year_enter(year=2027, holidays="2028-01-01 元旦", workdays="", source=NOTICE, by=district)
    with pytest.raises(ValidationFailed):
        calendar_year_enter(
            year=2027, holidays="2027-02-20 春节", workdays="2027-02-20 调休", source=NOTICE, by=district
        )
    with pytest.raises(Conflict):
        calendar_year_enter(year=2026, holidays="2026-01-01 元旦", workdays="", source=NOTICE, by=district)
    with pytest.raises(NotAllowed):
        calendar_year_enter(
            year=2027,
            holidays=HOLIDAYS_2027,
            workdays="",
            source=NOTICE,
            by=user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        )
    with pytest.raises(UnknownCalendarYear):
        is_workday(datetime.date(2027, 1, 1))


def test_district_is_reminded_from_its_work_list_and_enters_the_year_on_the_page(district, client):
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC), tick=False):
        client.force_login(district)
        home = client.get(reverse("home")).content.decode()
        assert "请录入 2027 年法定节假日安排" in home and reverse("calendar") in home
        page = client.post(
            reverse("calendar"),
            {"year": 2027, "source": NOTICE, "holidays": "2027-01-01 元旦\n2027-1-x", "workdays": ""},
        ).content.decode()
        assert "第 2 行" in page and not is_workday_known(2027)
        client.post(reverse("calendar"), {"year": 2027, "source": NOTICE, "holidays": HOLIDAYS_2027, "workdays": ""})
        assert is_workday_known(2027)
        assert "请录入 2027 年法定节假日安排" not in client.get(reverse("home")).content.decode()


def is_workday_known(year: int) -> bool:
    try:
        is_workday(datetime.date(year, 1, 1))
    except UnknownCalendarYear:
        return False
    return True


def test_the_calendar_page_is_the_districts(tree, client):
    client.force_login(user_with_role(Role.COMMUNITY_WORKER, tree.a1))
    assert client.get(reverse("calendar")).status_code == 403


def test_the_calendar_through_the_api(district, tree):
    api = APIClient()
    api.force_authenticate(user_with_role(Role.COMMUNITY_WORKER, tree.a1))
    body = {"year": 2027, "source": NOTICE, "holidays": HOLIDAYS_2027, "workdays": "2027-02-20 春节调休"}
    assert api.post("/api/v1/calendar-years/", body).status_code == 403
    assert api.get("/api/v1/calendar-years/").status_code == 403
    api.force_authenticate(district)
    r = api.post("/api/v1/calendar-years/", body)
    assert r.status_code == 201 and len(r.json()["days"]) == 7
    assert api.get("/api/v1/calendar-years/2027/").json()["days"][0] == {
        "date": "2027-01-01",
        "is_workday": False,
        "name": "元旦",
    }
    bad = api.post("/api/v1/calendar-years/", {**body, "holidays": "2027-02-30 春节"})
    assert bad.status_code == 400 and "第 1 行" in str(bad.json())
