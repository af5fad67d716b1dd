"""The district starts a month's run from the runs page (or the API), sees its progress and its
report; a month is paid at most one month ahead, never run twice at once, and a run asked for
while the broker was down is started later by the sweeper."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from rest_framework.test import APIClient

from eldercare.errors import Conflict
from eldercare.periods import Month
from subsidies.standards.models import Grant, SubsidyRun
from subsidies.standards.services.run import run_queued
from subsidies.standards.services.starts import run_request
from subsidies.standards.tasks import run_requested, sweep_stalled_runs
from tests.factories import api_token

from .policy_factories import entitled_elder, schemes

pytestmark = pytest.mark.django_db
DEC = Month(2026, 12)


@pytest.fixture
def entitled(tree):
    s = schemes(tree)
    # 低保 + 半失能: 150 a month; 特困 + 失能: 260 (scheme A).
    entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="semi_disabled")
    entitled_elder(scheme=s["jiangdu"], community=tree.b1, categories=["tekun"], care_level="disabled")
    return s


def test_the_district_starts_the_month_from_the_page_and_reads_its_report(
    client, users, entitled, django_capture_on_commit_callbacks
):
    client.force_login(users["district"])
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC), tick=True):
        page = client.get(reverse("subsidy_run_list")).content.decode()
        assert 'id="run-start"' in page and 'value="2026-12"' in page  # this month is offered
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(reverse("subsidy_run_list"), {"month": "2026-12"})
        html = client.get(answer["Location"]).content.decode()
    assert "2026-12 的发放已开始" in html
    run = SubsidyRun.objects.get()
    assert (run.status, run.granted, run.total.amount, run.started_by) == (
        "done",
        2,
        Decimal("410.00"),
        users["district"],
    )
    assert f'data-run="{run.pk}" data-status="done"' in html
    assert reverse("subsidy_run_report", args=["2026-12"]) in html
    assert Grant.objects.filter(month=DEC.first_day).count() == 2


def test_a_month_too_far_ahead_or_already_under_way_is_refused(client, users, entitled):
    client.force_login(users["district"])
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC), tick=True):
        answer = client.post(reverse("subsidy_run_list"), {"month": "2027-02"})
    assert "2027-02 还不能发放：目前最晚可发放 2027-01" in answer.content.decode()
    assert not SubsidyRun.objects.exists()
    SubsidyRun.objects.create(month=DEC.first_day, status=SubsidyRun.Status.QUEUED, started_at=timezone.now())
    with pytest.raises(Conflict, match="2026-12 的发放正在进行"):
        run_request(month=DEC, by=users["district"])
    assert SubsidyRun.objects.count() == 1


def test_only_the_district_starts_a_run(client, users, entitled):
    client.force_login(users["community"])
    page = client.get(reverse("subsidy_run_list"))
    assert page.status_code == 200 and 'id="run-start"' not in page.content.decode()
    assert client.post(reverse("subsidy_run_list"), {"month": "2026-12"}).status_code == 403
    assert not SubsidyRun.objects.exists()


def test_a_run_asked_for_while_the_broker_was_down_is_started_by_the_sweeper_once(
    users, entitled, django_capture_on_commit_callbacks
):
    down = mock.patch.object(run_requested, "delay", side_effect=OperationalError("Error 111 connecting"))
    asked = timezone.now()
    with down, django_capture_on_commit_callbacks(execute=True):
        run = run_request(month=DEC, by=users["district"])
    run.refresh_from_db()
    assert run.status == SubsidyRun.Status.QUEUED and not Grant.objects.exists()
    with time_machine.travel(asked + datetime.timedelta(minutes=11), tick=False):
        sweep_stalled_runs.delay().get()
    run.refresh_from_db()
    assert (run.status, run.granted) == (SubsidyRun.Status.DONE, 2)
    # A second delivery of the same task finds the run taken: nothing is paid twice.
    assert run_queued(run_id=run.pk) is None
    assert Grant.objects.filter(month=DEC.first_day).count() == 2


def test_the_api_starts_a_run_and_shows_its_figures(users, entitled, django_capture_on_commit_callbacks):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(users['district'])}")
    with time_machine.travel(datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC), tick=True):
        with django_capture_on_commit_callbacks(execute=True):
            started = api.post("/api/v1/subsidy-runs/", {"month": "2026-12"}, format="json")
    assert started.status_code == 202 and started.json()["month"] == "2026-12"
    body = api.get(f"/api/v1/subsidy-runs/{started.json()['id']}/").json()
    assert (body["status"], body["progress"], body["granted"], body["total"]) == ("done", 100, 2, "410.00")
    assert api.post("/api/v1/subsidy-runs/", {"month": "2026-13"}, format="json").status_code == 400
    community = APIClient()
    community.credentials(HTTP_AUTHORIZATION=f"Token {api_token(users['community'])}")
    assert community.post("/api/v1/subsidy-runs/", {"month": "2026-12"}, format="json").status_code == 403
