"""The daily check-in: enrolment, the personal page and its token, text message replies, the
alert when the deadline passes without a check-in, the responsible person's confirmation, who
sees what, the API."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare import sms
from eldercare.errors import NotAllowed
from eldercare.models import Notification, Role
from eldercare.nav import work_panels_for
from outreach.checkins import selectors, services, tasks, tokens
from outreach.checkins.errors import AlertResolved, AlreadyEnrolled, EnrolmentInvalid
from outreach.checkins.models import CheckIn, MissedCheckin

from ...factories import ElderFactory, user_with_role
from ..conftest import TODAY
from ..factories import responsible, screened

pytestmark = pytest.mark.django_db
OLD = datetime.date(1942, 8, 1)
SECRET = "webhook-secret-for-tests"


def _shanghai(hour: int, minute: int = 0, days: int = 0):
    day = TODAY + datetime.timedelta(days=days)
    local = datetime.datetime(
        day.year, day.month, day.day, hour, minute, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    return time_machine.travel(local, tick=False)


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


@pytest.fixture
def solitary(tree, worker, volunteer):
    """独居甲 (the volunteer's household, checks in herself) and 独居乙 (a daughter checks in; a
    grid worker without a login is responsible), both of 龙川社区, both enrolled with a 10:00 deadline."""
    volunteer.phone = "13900002222"
    volunteer.save(update_fields=["phone"])
    a = ElderFactory(community=tree.a1, name="独居甲", birth_date=OLD)
    b = ElderFactory(community=tree.a1, name="独居乙", birth_date=OLD)
    for elder in (a, b):
        screened(elder, worker, solitary=True)
    responsible(a, worker, user=volunteer)
    responsible(b, worker, name="网格员 蒋涛")  # phone 13900001111
    with _shanghai(8):
        ea = services.enrolment_create(elder=a, by=worker, phone="13700000001")
        eb = services.enrolment_create(
            elder=b, by=worker, phone="+86 137 0000 0002", checker="family", checker_name="女儿 王芳"
        )
    return {"a": a, "b": b, "ea": ea, "eb": eb}


def test_enrolment_defaults_to_ten_and_checks_its_input(solitary, worker, tree, volunteer):
    assert solitary["ea"].deadline == datetime.time(10, 0)
    assert solitary["eb"].phone == "13700000002"
    assert solitary["eb"].phone_masked == "137****0002"
    with pytest.raises(AlreadyEnrolled):
        services.enrolment_create(elder=solitary["a"], by=worker, phone="13700000009")
    other = ElderFactory(community=tree.a1, birth_date=OLD)
    with pytest.raises(EnrolmentInvalid) as exc:
        services.enrolment_create(elder=other, by=worker, phone="12345", checker="family")
    assert set(exc.value.params["errors"]) == {"phone", "checker_name"}
    with pytest.raises(NotAllowed):
        services.enrolment_create(elder=other, by=volunteer, phone="13700000009")


def test_alert_at_10_01_not_at_09_59_once_and_on_the_work_list_until_confirmed(solitary, volunteer):
    # 独居乙's daughter replied at 08:30; 独居甲 has not pressed her button.
    with _shanghai(8, 30):
        services.sms_reply_receive(phone="13700000002", text="好")
    with _shanghai(9, 59):
        assert tasks.alert_missing_checkins() == 0
    with _shanghai(10, 1):
        assert tasks.alert_missing_checkins() == 1
        assert tasks.alert_missing_checkins() == 0  # every 15 minutes: once per elder and day
        alert = MissedCheckin.objects.get()
        assert (alert.elder, alert.day, alert.responsible.user) == (solitary["a"], TODAY, volunteer)
        assert [p for p, _t in sms.outbox] == ["13900002222"]
        assert "独居甲" in sms.outbox[0][1] and "10:00" in sms.outbox[0][1]
        assert Notification.objects.get(user=volunteer).url == reverse("outreach_checkins:alert", args=[alert.pk])
        panel = next(p for p in work_panels_for(volunteer) if p.url == reverse("outreach_checkins:alerts"))
        assert panel.count == 1 == len(selectors.alert_list(user=volunteer, open_only=True))
        services.alert_confirm(alert=alert, by=volunteer, how="phoned", note="在邻居家打牌，忘了按")
        assert not any(p.url == reverse("outreach_checkins:alerts") for p in work_panels_for(volunteer))
        with pytest.raises(AlertResolved):
            services.alert_confirm(alert=alert, by=volunteer, how="visited")
    # the next day starts afresh: nobody has checked in by 10:00
    with _shanghai(10, 15, days=1):
        assert tasks.alert_missing_checkins() == 2


def test_a_grid_worker_without_login_is_texted_and_the_community_sees_the_alert(solitary, worker):
    with _shanghai(8):
        services.checkin_record(enrolment=solitary["ea"], channel="page")
    with _shanghai(10, 5):
        tasks.alert_missing_checkins()
    alert = MissedCheckin.objects.get()
    assert alert.elder == solitary["b"]
    assert [p for p, _t in sms.outbox] == ["13900001111"]
    assert list(selectors.alert_list(user=worker, open_only=True)) == [alert]
    with pytest.raises(EnrolmentInvalid):
        services.alert_confirm(alert=alert, by=worker, how="help", note="")
    services.alert_confirm(alert=alert, by=worker, how="family", note="女儿说老人去医院复查了")
    assert alert.__class__.objects.get().how == "family"


def test_a_late_check_in_closes_the_alert(solitary):
    with _shanghai(10, 1):
        tasks.alert_missing_checkins()
    with _shanghai(10, 40):
        services.checkin_record(enrolment=solitary["ea"], channel="page")
    alert = MissedCheckin.objects.get(elder=solitary["a"])
    assert alert.how == "late_checkin" and alert.resolved_at is not None
    assert MissedCheckin.objects.get(elder=solitary["b"]).resolved_at is None


def test_the_personal_page_by_its_token_bad_or_revoked_is_404(client, solitary, worker):
    token = tokens.page_token(solitary["ea"])
    url = reverse("outreach_checkins:page", args=[token])
    with _shanghai(7, 45):
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["checkin"] is None
        assert "独居甲" in page.content.decode()
        assert client.post(url).status_code == 302
        assert client.post(url).status_code == 302  # pressed twice: one check-in
        checkin = CheckIn.objects.get()
        assert (checkin.elder, checkin.day, checkin.channel) == (solitary["a"], TODAY, "page")
        assert client.get(url).context["checkin"] == checkin
    assert client.get(reverse("outreach_checkins:page", args=[token[:-2] + "xx"])).status_code == 404
    assert client.get(reverse("outreach_checkins:page", args=["1.abc:def:ghi"])).status_code == 404
    # a new link revokes the old one
    services.link_reissue(enrolment=solitary["ea"], by=worker)
    solitary["ea"].refresh_from_db()
    assert client.get(url).status_code == 404
    new_url = reverse("outreach_checkins:page", args=[tokens.page_token(solitary["ea"])])
    assert client.get(new_url).status_code == 200
    # ending the enrolment revokes it too
    services.enrolment_end(enrolment=solitary["ea"], by=worker)
    assert client.get(new_url).status_code == 404
    assert client.post(new_url).status_code == 404


def test_the_sms_webhook_needs_the_secret_and_any_reply_from_the_phone_counts(client, settings, solitary):
    settings.OUTREACH_CHECKIN_SMS_SECRET = SECRET
    url = reverse("outreach_checkins:sms")
    body = {"phone": "+8613700000002", "text": "1"}
    assert client.post(url, body).status_code == 403
    assert client.post(url, body, headers={"X-Checkin-Secret": "wrong"}).status_code == 403
    with _shanghai(9, 12):
        ok = client.post(url, body, headers={"X-Checkin-Secret": SECRET})
        assert ok.json() == {"recorded": 1}
        unknown = client.post(
            url,
            {"phone": "13600000000", "text": "好"},
            content_type="application/json",
            headers={"X-Checkin-Secret": SECRET},
        )
        assert unknown.json() == {"recorded": 0}
    checkin = CheckIn.objects.get()
    assert (checkin.elder, checkin.channel, checkin.text) == (solitary["b"], "sms", "1")
    with _shanghai(10, 1):
        tasks.alert_missing_checkins()
    assert list(MissedCheckin.objects.values_list("elder__name", flat=True)) == ["独居甲"]


def test_an_unset_secret_refuses_every_reply(client, settings, solitary):
    settings.OUTREACH_CHECKIN_SMS_SECRET = ""
    response = client.post(
        reverse("outreach_checkins:sms"), {"phone": "13700000002", "text": "1"}, headers={"X-Checkin-Secret": ""}
    )
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_the_community_list_shows_todays_state(client, solitary, worker):
    with _shanghai(8, 5):
        services.checkin_record(enrolment=solitary["eb"], channel="sms", text="好")
    client.force_login(worker)
    with _shanghai(9, 0):
        rows = client.get(reverse("outreach_checkins:list")).context["rows"]
        assert [(r.enrolment.elder.name, r.state) for r in rows] == [("独居甲", "waiting"), ("独居乙", "checked_in")]
    with _shanghai(10, 30):
        rows = client.get(reverse("outreach_checkins:list")).context["rows"]
        assert [(r.enrolment.elder.name, r.state) for r in rows] == [("独居甲", "missed"), ("独居乙", "checked_in")]


def test_enrol_from_the_page_and_the_link_is_shown(client, tree, worker):
    elder = ElderFactory(community=tree.a1, name="独居丙", birth_date=OLD)
    screened(elder, worker, solitary=True)
    client.force_login(worker)
    response = client.post(
        reverse("outreach_checkins:enrol"),
        {"elder": elder.pk, "checker": "elder", "phone": "13700000003", "deadline": "09:30"},
    )
    assert response.status_code == 302
    enrolment = selectors.enrolment_list(user=worker).get(elder=elder)
    assert enrolment.deadline == datetime.time(9, 30)
    page = client.get(response["Location"])
    assert page.context["link"].endswith(reverse("outreach_checkins:page", args=[tokens.page_token(enrolment)]))


def test_a_volunteer_sees_only_their_households_another_community_nothing(solitary, volunteer, tree):
    with _shanghai(10, 1):
        tasks.alert_missing_checkins()
    assert [a.elder.name for a in selectors.alert_list(user=volunteer)] == ["独居甲"]
    assert [e.elder.name for e in selectors.enrolment_list(user=volunteer)] == ["独居甲"]
    village = user_with_role(Role.COMMUNITY_WORKER, tree.b1)
    assert not selectors.alert_list(user=village).exists()
    assert not selectors.enrolment_list(user=village).exists()
    other = MissedCheckin.objects.get(elder=solitary["b"])
    with pytest.raises(NotAllowed):
        services.alert_confirm(alert=other, by=volunteer, how="phoned")


def test_api_enrol_list_today_and_confirm(solitary, worker, volunteer, tree):
    api = APIClient()
    api.force_authenticate(worker)
    elder = ElderFactory(community=tree.a1, name="独居丁", birth_date=OLD)
    created = api.post(
        "/api/v1/checkin-enrolments/", {"elder": elder.pk, "phone": "13700000004", "deadline": "08:00"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert (created.json()["deadline"], created.json()["phone_masked"]) == ("08:00", "137****0004")
    outside = ElderFactory(community=tree.b1, birth_date=OLD)
    assert api.post("/api/v1/checkin-enrolments/", {"elder": outside.pk, "phone": "13700000005"}).status_code == 404
    with _shanghai(10, 1):
        tasks.alert_missing_checkins()
        today = api.get("/api/v1/checkin-enrolments/today/").json()
        assert [(r["elder_name"], r["state"]) for r in today] == [
            ("独居丁", "missed"),
            ("独居乙", "missed"),
            ("独居甲", "missed"),
        ]
    api.force_authenticate(volunteer)
    listed = api.get("/api/v1/missed-checkins/", {"open": "true"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["elder_name"] for r in rows] == ["独居甲"]
    bad = api.post(f"/api/v1/missed-checkins/{rows[0]['id']}/confirm/", {"how": "late_checkin"}, format="json")
    assert bad.status_code == 400
    ok = api.post(f"/api/v1/missed-checkins/{rows[0]['id']}/confirm/", {"how": "visited"}, format="json")
    assert ok.status_code == 200 and ok.json()["how"] == "visited"
    other = MissedCheckin.objects.get(elder__name="独居乙")
    assert api.get(f"/api/v1/missed-checkins/{other.pk}/").status_code == 404
