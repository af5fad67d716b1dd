"""Active care calls: a weekly plan for left-behind elders, the lists it generates day by day,
outcomes, two unanswered calls sending the responsible person to the door, who sees what, the API."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare import sms
from eldercare.errors import NotAllowed
from eldercare.models import Notification, RevealLog, Role
from eldercare.nav import work_panels_for
from outreach.calls import selectors, services, tasks
from outreach.calls.errors import CallAlreadyRecorded, CallInvalid, VisitAlreadyRecorded
from outreach.calls.models import CallListEntry, CallOutcome, HomeVisitRequest

from ...factories import ElderFactory, user_with_role
from ..conftest import TODAY
from ..factories import responsible, screened

pytestmark = pytest.mark.django_db
OLD = datetime.date(1945, 5, 1)


def _on(days: int, hour_utc: int = 2):
    """Travel to `days` after TODAY at 10:00 in Shanghai (02:00 UTC)."""
    day = TODAY + datetime.timedelta(days=days)
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour_utc, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def district_user(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


@pytest.fixture
def operator(tree):
    """A hotline operator: a district reviewer's colleague named on the plan."""
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="hotline")


@pytest.fixture
def homes(tree, worker, volunteer):
    """Left-behind 留守甲 (龙川社区, the volunteer's) and 留守乙 (新都村, a grid worker with a phone);
    独居丙 lives alone but is not left behind."""
    volunteer.phone = "13900002222"
    volunteer.save(update_fields=["phone"])
    a = ElderFactory(community=tree.a1, name="留守甲", birth_date=OLD)
    b = ElderFactory(community=tree.b1, name="留守乙", birth_date=OLD)
    c = ElderFactory(community=tree.a1, name="独居丙", birth_date=OLD)
    screened(a, worker, left_behind=True)
    screened(b, worker, left_behind=True)
    screened(c, worker, solitary=True)
    responsible(a, worker, user=volunteer)
    responsible(b, worker, name="网格员 周晓燕")  # phone 13900001111
    responsible(c, worker, user=volunteer)
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def plan(district_user, tree, operator):
    return services.plan_create(
        by=district_user,
        district=tree.district,
        name="留守老人每周关爱",
        target="left_behind",
        interval_days=7,
        starts_on=TODAY,
        callers=[operator],
    )


def _listed(day_offset: int) -> set[str]:
    day = TODAY + datetime.timedelta(days=day_offset)
    return set(CallListEntry.objects.filter(day=day).values_list("elder__name", flat=True))


def _call(operator, elder, result, note=""):
    entry = CallListEntry.objects.get(elder=elder, day=datetime.date.today())
    return services.call_record(entry=entry, by=operator, result=result, note=note)


def test_the_lists_day_by_day_weekly_retry_after_no_answer_visit_after_two(plan, homes, operator, volunteer):
    # Day 0: both left-behind households, not the one living alone; running again adds nothing.
    with _on(0):
        assert tasks.generate_call_lists() == 2
        assert tasks.generate_call_lists() == 0
        assert _listed(0) == {"留守甲", "留守乙"}
        _call(operator, homes["a"], "reached_fine")
        _call(operator, homes["b"], "unreachable")
        assert not HomeVisitRequest.objects.exists()
    # Day 1: only 留守乙 again (not answered yesterday); 留守甲 waits a week.
    with _on(1):
        assert tasks.generate_call_lists() == 1
        assert _listed(1) == {"留守乙"}
        outcome = _call(operator, homes["b"], "unreachable")
        visit = HomeVisitRequest.objects.get()
        assert (visit.elder, visit.outcome, visit.responsible.name) == (homes["b"], outcome, "网格员 周晓燕")
        # the grid worker has no login: a text message to their phone
        assert [p for p, _t in sms.outbox] == ["13900001111"]
        assert "留守乙" in sms.outbox[0][1]
    # Days 2 to 6: nobody (the visit is pending, 留守甲 was reached on day 0).
    for day in range(2, 7):
        with _on(day):
            assert tasks.generate_call_lists() == 0
    # Day 7: 留守甲's weekly call.
    with _on(7):
        services.call_lists_generate()
        assert _listed(7) == {"留守甲"}


def test_unreachable_twice_puts_a_visit_on_the_volunteers_work_list_until_recorded(plan, homes, operator, volunteer):
    with _on(0):
        services.call_lists_generate()
        _call(operator, homes["a"], "unreachable")
    with _on(1):
        services.call_lists_generate()
        _call(operator, homes["a"], "wrong_number")
        visit = HomeVisitRequest.objects.get(elder=homes["a"])
        assert visit.responsible.user == volunteer
        notice = Notification.objects.get(user=volunteer)
        assert notice.url == reverse("outreach_calls:visit", args=[visit.pk])
        assert [p for p, _t in sms.outbox] == ["13900002222"]
        panel = next(p for p in work_panels_for(volunteer) if p.url == reverse("outreach_calls:visits"))
        assert panel.count == 1 == len(selectors.visit_list(user=volunteer, open_only=True))
        assert [r["label"] for r in panel.rows] == ["留守甲"]
        with pytest.raises(CallInvalid):
            services.visit_record(visit=visit, by=volunteer, finding="away", note="")
        services.visit_record(visit=visit, by=volunteer, finding="away", note="住院了，女儿陪护")
        assert not any(p.url == reverse("outreach_calls:visits") for p in work_panels_for(volunteer))
        with pytest.raises(VisitAlreadyRecorded):
            services.visit_record(visit=visit, by=volunteer, finding="fine")
    # the household is back on the next day's list (留守乙, never called, stays on it too)
    with _on(2):
        services.call_lists_generate()
        assert _listed(2) == {"留守甲", "留守乙"}


def test_outcomes_are_recorded_once_by_the_plans_operators_and_needs_ask_for_a_note(
    plan, homes, operator, worker, tree
):
    services.call_lists_generate()
    entry = CallListEntry.objects.get(elder=homes["a"], day=TODAY)
    with pytest.raises(NotAllowed):
        services.call_record(entry=entry, by=worker, result="reached_fine")
    with pytest.raises(CallInvalid):
        services.call_record(entry=entry, by=operator, result="reached_needs_help", note=" ")
    services.call_record(entry=entry, by=operator, result="reached_needs_help", note="想要一袋大米")
    # the household's community is told of the need
    assert Notification.objects.filter(user=worker, message__contains="想要一袋大米").exists()
    with pytest.raises(CallAlreadyRecorded):
        services.call_record(entry=entry, by=operator, result="reached_fine")
    assert CallOutcome.objects.count() == 1


def test_a_plan_is_managed_by_its_districts_reviewers_with_operators_of_the_district(tree, worker, operator):
    with pytest.raises(NotAllowed):
        services.plan_create(
            by=worker, district=tree.district, name="x", target="left_behind", starts_on=TODAY, callers=[operator]
        )
    district_user = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    with pytest.raises(CallInvalid) as exc:
        services.plan_create(
            by=district_user, district=tree.district, name="x", target="left_behind", starts_on=TODAY, callers=[]
        )
    assert "callers" in exc.value.params["errors"]


def test_the_operators_page_lists_today_and_records_an_outcome(client, plan, homes, operator):
    services.call_lists_generate()
    client.force_login(operator)
    page = client.get(reverse("outreach_calls:today"))
    assert page.status_code == 200
    assert [e.elder.name for e in page.context["rows"]] == ["留守甲", "留守乙"]
    entry = CallListEntry.objects.get(elder=homes["a"])
    detail = client.get(reverse("outreach_calls:call", args=[entry.pk]))
    assert detail.context["phone"] == "13812345678"
    assert RevealLog.objects.filter(user=operator, elder=homes["a"], field="phone").count() == 1
    response = client.post(reverse("outreach_calls:call", args=[entry.pk]), {"result": "reached_fine", "note": ""})
    assert response.status_code == 302
    assert [e.elder.name for e in client.get(reverse("outreach_calls:today")).context["rows"]] == ["留守乙"]
    panel = next(p for p in work_panels_for(operator) if p.url == reverse("outreach_calls:today"))
    assert panel.count == 1


def test_the_district_creates_a_plan_from_its_page(client, tree, district_user, operator, homes):
    client.force_login(district_user)
    response = client.post(
        reverse("outreach_calls:plans"),
        {
            "name": "独居老人每三天",
            "target": "solitary",
            "interval_days": 3,
            "starts_on": "2026-03-16",
            "callers": [operator.pk],
        },
    )
    assert response.status_code == 302
    services.call_lists_generate()
    assert _listed(0) == {"独居丙"}
    page = client.get(reverse("outreach_calls:plans"))
    assert page.context["plans"][0].today_total == 1


def test_a_volunteer_sees_only_their_households_and_a_community_worker_only_theirs(
    plan, homes, operator, volunteer, tree
):
    with _on(0):
        services.call_lists_generate()
        _call(operator, homes["a"], "unreachable")
        _call(operator, homes["b"], "unreachable")
    with _on(1):
        services.call_lists_generate()
        _call(operator, homes["a"], "unreachable")
        _call(operator, homes["b"], "unreachable")
        assert HomeVisitRequest.objects.count() == 2
        assert [v.elder for v in selectors.visit_list(user=volunteer)] == [homes["a"]]
        assert {e.elder.name for e in selectors.entry_list(user=volunteer)} == {"留守甲"}
        village = user_with_role(Role.COMMUNITY_WORKER, tree.b1)
        assert [v.elder for v in selectors.visit_list(user=village)] == [homes["b"]]
        # the operator sees the plan's whole list, the volunteer no other household's visit
        assert selectors.entry_list(user=operator).count() == 4
        other = HomeVisitRequest.objects.get(elder=homes["b"])
        client = APIClient()
        client.force_authenticate(volunteer)
        assert client.get(f"/api/v1/home-visits/{other.pk}/").status_code == 404
        with pytest.raises(NotAllowed):
            services.visit_record(visit=other, by=volunteer, finding="fine")


def test_api_plans_lists_outcomes_and_visits(plan, homes, operator, volunteer, district_user, tree):
    api = APIClient()
    api.force_authenticate(district_user)
    created = api.post(
        "/api/v1/call-plans/",
        {
            "district": tree.district.pk,
            "name": "分散特困每两周",
            "target": "dispersed_extreme_poverty",
            "interval_days": 14,
            "starts_on": "2026-03-16",
            "callers": [operator.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["interval_days"] == 14
    services.call_lists_generate()
    api.force_authenticate(operator)
    listed = api.get("/api/v1/call-list/", {"day": "2026-03-16", "open": "true"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert sorted(r["elder_name"] for r in rows) == ["留守乙", "留守甲"]
    entry = next(r for r in rows if r["elder_name"] == "留守甲")
    bad = api.post(f"/api/v1/call-list/{entry['id']}/outcome/", {"result": "maybe"}, format="json")
    assert bad.status_code == 400
    ok = api.post(f"/api/v1/call-list/{entry['id']}/outcome/", {"result": "unreachable"}, format="json")
    assert ok.status_code == 201
    again = api.post(f"/api/v1/call-list/{entry['id']}/outcome/", {"result": "reached_fine"}, format="json")
    assert again.status_code == 409
    with _on(1):
        services.call_lists_generate()
        entry2 = CallListEntry.objects.get(elder=homes["a"], day=TODAY + datetime.timedelta(days=1))
        api.post(f"/api/v1/call-list/{entry2.pk}/outcome/", {"result": "unreachable"}, format="json")
        api.force_authenticate(volunteer)
        visits = api.get("/api/v1/home-visits/", {"open": "true"}).json()
        rows = visits["results"] if isinstance(visits, dict) else visits
        assert [v["elder_name"] for v in rows] == ["留守甲"]
        done = api.post(f"/api/v1/home-visits/{rows[0]['id']}/record/", {"finding": "fine"}, format="json")
        assert done.status_code == 200
        assert done.json()["finding"] == "fine"
