"""With the broker unreachable, an approval still answers normally once committed, and the sweeper
produces the written decision later."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from eldercare.models import DifficultyCategory
from subsidies.applications.models import ApplicationStatus, DecisionNotice
from subsidies.applications.services import review as svc
from subsidies.applications.tasks import generate_decision_notice, sweep_decision_notices
from tests.factories import ElderFactory

from .factories import at, walk

pytestmark = pytest.mark.django_db
MONDAY = datetime.date(2026, 3, 2)


def broker_down():
    return mock.patch.object(
        generate_decision_notice, "delay", side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379.")
    )


@pytest.fixture
def awaiting_district(tree, scheme, batch, users):
    elder = ElderFactory(community=tree.a1, name="周凤英")
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = svc.application_file(
            elder=elder,
            scheme=scheme,
            categories=[DifficultyCategory.LOW_INCOME],
            care_situation="non_self_care",
            by=users["community"],
        )
        return walk(app, users, until="district_decision", traveller=traveller), timezone.now()


def test_approval_answers_normally_with_the_broker_down_and_the_sweeper_makes_the_notice(
    awaiting_district, users, client, django_capture_on_commit_callbacks
):
    app, now = awaiting_district
    download = reverse("subsidies:decision_download", args=[app.pk])
    with time_machine.travel(now, tick=False):
        client.force_login(users["district"])
        with broker_down(), django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("subsidies:application_act", args=[app.pk, "approve"]), {"opinion": "同意核准"}
            )
        assert response.status_code == 302
        assert client.get(download).status_code == 404  # no file yet
    app.refresh_from_db()
    assert app.status == ApplicationStatus.APPROVED
    notice = DecisionNotice.objects.get(application=app)
    assert not notice.file  # the task never reached a worker

    # Five minutes later it may still be on its way: the sweeper leaves it.
    with time_machine.travel(now + datetime.timedelta(minutes=5), tick=False):
        assert sweep_decision_notices.delay().get() == 0
    # Eleven minutes later it was lost: the sweeper produces it, once.
    with time_machine.travel(now + datetime.timedelta(minutes=11), tick=False):
        assert sweep_decision_notices.delay().get() == 1
        assert sweep_decision_notices.delay().get() == 0
        response = client.get(download)
    notice.refresh_from_db()
    assert notice.file.name == f"decisions/approval-{app.pk}.pdf"
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
