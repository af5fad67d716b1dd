"""Emergency responses: who is due today, contacts, escalations to the community, who may act."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from eldercare import sms
from eldercare.errors import NotAllowed
from eldercare.models import Division, Notification, Role
from eldercare.nav import work_panels_for
from outreach import rules, selectors, services
from outreach.errors import ContactInvalid, EscalationClosed
from outreach.models import Contact, Escalation

from ..factories import ElderFactory, user_with_role
from .conftest import TODAY
from .factories import responsible, screened

pytestmark = pytest.mark.django_db
RULE = rules.ContactRule()  # high 1, medium 3, low 7 days


# The rule alone ----------------------------------------------------------------------------------


def test_high_risk_is_due_every_day():
    assert rules.contact_due(rules.HIGH, RULE, TODAY - datetime.timedelta(days=1), TODAY)
    assert not rules.contact_due(rules.HIGH, RULE, TODAY, TODAY)


def test_medium_risk_is_due_every_third_day():
    assert not rules.contact_due(rules.MEDIUM, RULE, TODAY - datetime.timedelta(days=2), TODAY)
    assert rules.contact_due(rules.MEDIUM, RULE, TODAY - datetime.timedelta(days=3), TODAY)


def test_low_risk_is_due_weekly_and_the_interval_is_the_responses():
    assert not rules.contact_due(rules.LOW, RULE, TODAY - datetime.timedelta(days=6), TODAY)
    assert rules.contact_due(rules.LOW, RULE, TODAY - datetime.timedelta(days=7), TODAY)
    twice_a_week = rules.ContactRule(interval_low=4)
    assert rules.contact_due(rules.LOW, twice_a_week, TODAY - datetime.timedelta(days=4), TODAY)


def test_never_reached_is_due_and_unscreened_counts_as_high():
    assert rules.contact_due(rules.LOW, RULE, None, TODAY)
    assert rules.contact_due("", RULE, TODAY - datetime.timedelta(days=1), TODAY)


@given(
    risk=st.sampled_from([rules.HIGH, rules.MEDIUM, rules.LOW]),
    days=st.integers(min_value=0, max_value=60),
)
def test_due_exactly_once_the_interval_has_passed(risk, days):
    assert rules.contact_due(risk, RULE, TODAY - datetime.timedelta(days=days), TODAY) == (days >= RULE.interval(risk))


def test_escalation_reasons():
    U, F, H = rules.RESULT_UNREACHABLE, rules.RESULT_FINE, rules.RESULT_HEALTH
    assert rules.escalation_reason([U]) is None
    assert rules.escalation_reason([U, F]) is None
    assert rules.escalation_reason([U, U]) == rules.ESCALATE_UNREACHABLE
    assert rules.escalation_reason([H]) == rules.ESCALATE_HEALTH
    assert rules.escalation_reason([F, H]) is None


# With the database ------------------------------------------------------------------------------


@pytest.fixture
def district_user(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def heat_wave(district_user, tree):
    return services.response_declare(
        by=district_user,
        district=tree.district,
        kind="heat_wave",
        name="2026年3月高温关爱",
        starts_on=TODAY - datetime.timedelta(days=3),
    )


@pytest.fixture
def households(tree, worker, volunteer):
    """Three households of 龙川社区 in the volunteer's care (high, medium, high) and one not."""
    high = ElderFactory(community=tree.a1, name="高一", birth_date=datetime.date(1940, 1, 1))
    medium = ElderFactory(community=tree.a1, name="中二", birth_date=datetime.date(1940, 1, 1))
    high2 = ElderFactory(community=tree.a1, name="高三", birth_date=datetime.date(1940, 1, 1))
    other = ElderFactory(community=tree.a1, name="他人", birth_date=datetime.date(1940, 1, 1))
    screened(high, worker, solitary=True)
    screened(medium, worker, empty_nest=True)
    screened(high2, worker, solitary=True)
    screened(other, worker, solitary=True)
    for elder in (high, medium, high2):
        responsible(elder, worker, user=volunteer)
    responsible(other, worker, name="网格员 周晓燕")
    return {"high": high, "medium": medium, "high2": high2, "other": other}


def _at(days_ago: int, hour: int = 9) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=days_ago)
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


def _contact(response, elder, by, result="fine", **kwargs):
    kwargs.setdefault("method", "phone")
    return services.contact_record(response=response, elder=elder, by=by, result=result, **kwargs)


def test_today_lists_the_high_risk_household_not_yet_contacted_today_not_the_one_contacted(
    heat_wave, households, volunteer
):
    _contact(heat_wave, households["high2"], volunteer)  # today
    _contact(heat_wave, households["medium"], volunteer, at=_at(1))  # yesterday: medium waits 3 days
    due = selectors.today_list(user=volunteer)
    assert [r.elder for r in due] == [households["high"]]
    assert due[0].response == heat_wave


def test_today_orders_high_risk_first_then_the_longest_without_a_contact(heat_wave, households, volunteer):
    _contact(heat_wave, households["high"], volunteer, at=_at(1))
    _contact(heat_wave, households["high2"], volunteer, at=_at(2))
    due = selectors.today_list(user=volunteer)
    assert [r.elder for r in due] == [households["high2"], households["high"], households["medium"]]


def test_an_unanswered_call_keeps_the_household_on_the_list(heat_wave, households, volunteer):
    _contact(heat_wave, households["high"], volunteer, result="unreachable")
    assert households["high"] in [r.elder for r in selectors.today_list(user=volunteer)]


def test_a_response_of_other_streets_or_ended_lists_nobody(district_user, tree, households, volunteer):
    services.response_declare(
        by=district_user,
        district=tree.district,
        kind="flood",
        name="仙女镇汛情",
        starts_on=TODAY,
        streets=[tree.street_b],
    )
    assert selectors.today_list(user=volunteer) == []


def test_unreachable_twice_in_a_row_escalates_to_the_community_with_a_deadline_once_does_not(
    heat_wave, households, volunteer, tree, worker
):
    elder = households["high"]
    _contact(heat_wave, elder, volunteer, result="unreachable", at=_at(0, 1))
    assert not Escalation.objects.exists()
    contact = _contact(heat_wave, elder, volunteer, result="unreachable", at=_at(0, 2))
    escalation = Escalation.objects.get()
    assert (escalation.elder, escalation.community, escalation.reason) == (elder, tree.a1, "unreachable")
    assert escalation.deadline == contact.at + datetime.timedelta(hours=24)
    assert Notification.objects.filter(
        user=worker, url=reverse("outreach:escalation_close", args=[escalation.pk])
    ).exists()
    # a third unanswered call does not open a second one
    _contact(heat_wave, elder, volunteer, result="unreachable")
    assert Escalation.objects.count() == 1
    # on the community worker's work list until closed, the count the length of the list
    assert list(selectors.escalation_list(user=worker, open_only=True)) == [escalation]
    panel = next(p for p in work_panels_for(worker) if p.url == reverse("outreach:escalations"))
    assert panel.count == 1
    services.escalation_close(escalation=escalation, by=worker, note="上门查看，老人外出买菜，已平安")
    assert not selectors.escalation_list(user=worker, open_only=True).exists()
    with pytest.raises(EscalationClosed):
        services.escalation_close(escalation=escalation, by=worker, note="again")


def test_the_community_is_texted_and_its_notice_is_settled_when_a_colleague_closes(
    heat_wave, households, volunteer, tree, worker
):
    worker.phone = "13905140001"
    worker.save(update_fields=["phone"])
    colleague = user_with_role(Role.COMMUNITY_WORKER, tree.a1)
    _contact(heat_wave, households["high"], volunteer, result="health_problem", note="胸闷")
    escalation = Escalation.objects.get()
    assert [phone for phone, _text in sms.outbox] == ["13905140001"]
    assert "高一" in sms.outbox[0][1]
    assert Notification.objects.filter(user=worker, read_at__isnull=True).count() == 1
    services.escalation_close(escalation=escalation, by=colleague, note="已联系家庭医生上门")
    assert not Notification.objects.filter(user=worker, read_at__isnull=True).exists()
    # an escalation closed does not text anyone again
    assert len(sms.outbox) == 1


def test_unreachable_then_reached_then_unreachable_does_not_escalate(heat_wave, households, volunteer):
    elder = households["high"]
    _contact(heat_wave, elder, volunteer, result="unreachable", at=_at(1, 1))
    _contact(heat_wave, elder, volunteer, result="fine", at=_at(1, 2))
    _contact(heat_wave, elder, volunteer, result="unreachable")
    assert not Escalation.objects.exists()


def test_a_health_problem_escalates_at_once(heat_wave, households, volunteer):
    _contact(heat_wave, households["medium"], volunteer, result="health_problem", note="头晕乏力")
    assert Escalation.objects.get().reason == "health_problem"


def test_a_missing_temperature_is_refused_when_the_response_requires_it(district_user, tree, households, volunteer):
    epidemic = services.response_declare(
        by=district_user,
        district=tree.district,
        kind="epidemic",
        name="居家隔离健康监测",
        starts_on=TODAY,
        temperature_required=True,
    )
    with pytest.raises(ContactInvalid) as refused:
        _contact(epidemic, households["high"], volunteer)
    assert "temperature" in refused.value.params["errors"]
    with pytest.raises(ContactInvalid):
        _contact(epidemic, households["high"], volunteer, temperature=Decimal("45.0"))
    contact = _contact(epidemic, households["high"], volunteer, temperature=Decimal("36.6"))
    assert contact.temperature == Decimal("36.6")
    # nobody answered: no temperature to take
    _contact(epidemic, households["medium"], volunteer, result="unreachable")
    assert Contact.objects.count() == 2


def test_a_household_under_two_responses_is_listed_once_and_one_contact_serves_both(
    heat_wave, district_user, tree, households, volunteer
):
    flood = services.response_declare(
        by=district_user, district=tree.district, kind="flood", name="汛期关爱", starts_on=TODAY
    )
    due = selectors.today_list(user=volunteer)
    assert sorted(r.elder.name for r in due) == ["中二", "高一", "高三"]
    # listed under the response declared first, where its rule makes it due first
    assert {r.response for r in due} == {heat_wave}
    _contact(flood, households["high"], volunteer)
    assert sorted(r.elder.name for r in selectors.today_list(user=volunteer)) == ["中二", "高三"]


def test_a_volunteer_sees_and_contacts_only_their_households(heat_wave, households, volunteer, worker, client):
    _contact(heat_wave, households["other"], worker)
    _contact(heat_wave, households["high"], volunteer)
    assert {c.elder for c in selectors.contact_list(user=volunteer)} == {households["high"]}
    assert households["other"] not in [r.elder for r in selectors.today_list(user=volunteer)]
    with pytest.raises(NotAllowed):
        _contact(heat_wave, households["other"], volunteer)
    client.force_login(volunteer)
    url = reverse("outreach:contact", args=[heat_wave.pk, households["other"].pk])
    assert client.get(url).status_code == 404


def test_another_districts_reviewer_cannot_end_the_response(heat_wave, db):
    other_district = Division.objects.create(code="321084000000", name="高邮市", level="district")
    outsider = user_with_role(Role.DISTRICT_REVIEWER, other_district)
    assert heat_wave not in selectors.response_list(user=outsider)
    with pytest.raises(NotAllowed):
        services.response_end(response=heat_wave, by=outsider)
    heat_wave.refresh_from_db()
    assert heat_wave.ended_at is None


def test_the_district_ends_the_response_and_nobody_is_due_any_more(heat_wave, households, volunteer, district_user):
    services.response_end(response=heat_wave, by=district_user)
    assert selectors.today_list(user=volunteer) == []


def test_a_community_worker_cannot_declare(worker, tree):
    with pytest.raises(NotAllowed):
        services.response_declare(by=worker, district=tree.district, kind="flood", name="汛情", starts_on=TODAY)


def test_the_today_panel_counts_the_list_and_the_page_shows_it(heat_wave, households, volunteer, client):
    panel = next(p for p in work_panels_for(volunteer) if p.url == reverse("outreach:today"))
    assert panel.count == len(selectors.today_list(user=volunteer)) == 3
    client.force_login(volunteer)
    page = client.get(reverse("outreach:today")).content.decode()
    assert "高一" in page and "他人" not in page


def test_the_contact_form_records_and_leaves_the_list(heat_wave, households, volunteer, client):
    client.force_login(volunteer)
    url = reverse("outreach:contact", args=[heat_wave.pk, households["high"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"method": "visit", "result": "fine", "temperature": "", "needs": "", "note": ""})
    assert response.status_code == 302, response.content.decode()
    assert households["high"] not in [r.elder for r in selectors.today_list(user=volunteer)]


def test_the_district_declares_and_ends_from_its_pages(district_user, tree, client):
    client.force_login(district_user)
    assert client.get(reverse("outreach:responses")).status_code == 200
    response = client.post(
        reverse("outreach:responses"),
        {
            "kind": "cold_snap",
            "name": "寒潮关爱",
            "starts_on": TODAY.isoformat(),
            "interval_high": 1,
            "interval_medium": 3,
            "interval_low": 7,
        },
    )
    assert response.status_code == 302
    declared = selectors.response_list(user=district_user).get()
    client.post(reverse("outreach:response_end", args=[declared.pk]))
    declared.refresh_from_db()
    assert declared.ended_by == district_user


def test_an_escalation_past_its_deadline_says_so_on_the_communitys_list(
    heat_wave, households, volunteer, worker, client
):
    _contact(heat_wave, households["high"], volunteer, result="health_problem", at=_at(2))
    _contact(heat_wave, households["medium"], volunteer, result="health_problem")
    client.force_login(worker)
    items = client.get(reverse("outreach:escalations")).content.decode().split('class="list-group-item')
    late = next(i for i in items if "高一" in i)
    fresh = next(i for i in items if "中二" in i)
    assert "<strong>已超期</strong>" in late
    assert "<strong>已超期</strong>" not in fresh


def test_the_community_closes_from_its_page(heat_wave, households, volunteer, worker, client):
    _contact(heat_wave, households["high"], volunteer, result="health_problem")
    escalation = Escalation.objects.get()
    client.force_login(worker)
    assert "高一" in client.get(reverse("outreach:escalations")).content.decode()
    url = reverse("outreach:escalation_close", args=[escalation.pk])
    assert client.post(url, {"note": ""}).status_code == 200  # a note is needed
    assert client.post(url, {"note": "已联系家庭医生上门"}).status_code == 302
    escalation.refresh_from_db()
    assert escalation.closed_by == worker


# The API ------------------------------------------------------------------------------------------


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_endpoints_are_in_the_schema():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/emergency-responses/"])
    assert "post" in paths["/api/v1/emergency-responses/{id}/end/"]
    assert {"get", "post"} <= set(paths["/api/v1/contacts/"])
    assert "get" in paths["/api/v1/escalations/"]
    assert "post" in paths["/api/v1/escalations/{id}/close/"]
    assert "get" in paths["/api/v1/contacts-today/"]


def test_the_api_declares_lists_today_records_escalates_closes_and_ends(
    district_user, tree, households, volunteer, worker
):
    declared = _api(district_user).post(
        "/api/v1/emergency-responses/",
        {"kind": "heat_wave", "name": "高温关爱", "starts_on": TODAY.isoformat(), "streets": [tree.street_a.pk]},
        format="json",
    )
    assert declared.status_code == 201, declared.content
    pk = declared.json()["id"]
    assert _api(worker).post("/api/v1/emergency-responses/", declared.json(), format="json").status_code == 403
    today = _api(volunteer).get("/api/v1/contacts-today/").json()
    assert [r["elder_name"] for r in today] == ["高一", "高三", "中二"]
    body = {"response": pk, "elder": households["high"].pk, "method": "phone", "result": "health_problem"}
    assert _api(volunteer).post("/api/v1/contacts/", body, format="json").status_code == 201
    other = {**body, "elder": households["other"].pk}
    assert _api(volunteer).post("/api/v1/contacts/", other, format="json").status_code == 404
    escalations = _api(worker).get("/api/v1/escalations/?status=open").json()["results"]
    assert [e["elder_name"] for e in escalations] == ["高一"]
    closed = _api(worker).post(f"/api/v1/escalations/{escalations[0]['id']}/close/", {"note": "已送医"}, format="json")
    assert closed.status_code == 200 and closed.json()["closed_by"] == worker.username
    ended = _api(district_user).post(f"/api/v1/emergency-responses/{pk}/end/")
    assert ended.status_code == 200 and ended.json()["active"] is False


def test_the_today_list_takes_the_same_queries_for_more_households(heat_wave, households, volunteer, worker, tree):
    def count() -> int:
        volunteer._scope = None
        volunteer._role_set = None
        volunteer._assignments = None
        with CaptureQueriesContext(connection) as queries:
            selectors.today_list(user=volunteer)
        return len(queries)

    before = count()
    for i in range(5):
        elder = ElderFactory(community=tree.a1, name=f"新{i}", birth_date=datetime.date(1940, 1, 1))
        screened(elder, worker, empty_nest=True)
        responsible(elder, worker, user=volunteer)
    assert count() == before


def test_the_pages_render_for_each_role(heat_wave, households, volunteer, worker, district_user, client):
    _contact(heat_wave, households["high"], volunteer, result="health_problem", note="头晕")
    escalation = Escalation.objects.get()
    services.response_end(response=heat_wave, by=district_user)
    for user, url in (
        (worker, reverse("outreach:escalation_close", args=[escalation.pk])),
        (worker, reverse("home")),
        (worker, reverse("outreach:escalations") + "?status=closed"),
        (volunteer, reverse("home")),
        (volunteer, reverse("outreach:responses")),
        (district_user, reverse("outreach:responses")),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 200, url


def test_the_person_on_the_phone_is_told_the_household_is_escalated(heat_wave, households, volunteer, client):
    client.force_login(volunteer)
    url = reverse("outreach:contact", args=[heat_wave.pk, households["high"].pk])
    body = {"method": "phone", "result": "unreachable", "temperature": "", "needs": "", "note": ""}
    with translation.override("zh-hans"):
        first = client.post(url, body, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        second = client.post(url, body, follow=True, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已上报社区" not in first
    assert "已上报社区（连续两次联系不上）" in second


@pytest.mark.postgres
def test_the_contacts_list_comes_from_an_index_in_its_order(tree):
    """Newest first across the district: read backwards from an index, never sorted in full."""
    district = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    with connection.cursor() as cursor:  # for the test's transaction only
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = selectors.contact_list(user=district)[:25].explain()
    assert "Index Scan Backward using contact_at_idx" in plan, plan
    assert "Sort Key" not in plan, plan
