"""A monthly run whose worker died (kill -9) does not stay "running" for ever: with no sign of life
for RUN_STALE_MINUTES the sweeper marks it failed with the reason, the page says so, and the month
can be run again, which pays exactly what was missing."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from eldercare.models import Role
from subsidies.standards.models import Grant, SubsidyRun
from subsidies.standards.services.run import run_month
from subsidies.standards.tasks import sweep_stalled_runs
from tests.factories import user_with_role

from .test_monthly_run import DEC, _population

pytestmark = pytest.mark.django_db
KILLED_AT = datetime.datetime(2026, 12, 1, 1, 41, tzinfo=datetime.UTC)  # 09:41 in Shanghai


def _killed_run() -> SubsidyRun:
    """What a worker killed at 11 % leaves: the row still running, its last heartbeat at 09:41."""
    run = SubsidyRun.objects.create(month=DEC.first_day, started_at=KILLED_AT, progress=11)
    SubsidyRun.objects.filter(pk=run.pk).update(updated_at=KILLED_AT)
    return run


def test_a_run_whose_worker_died_is_marked_failed_and_the_month_runs_again(tree, client, settings):
    settings.RUN_STALE_MINUTES = 30
    _population(tree)
    run = _killed_run()
    # 29 minutes without a sign of life: perhaps a slow step, left alone.
    with time_machine.travel(KILLED_AT + datetime.timedelta(minutes=29), tick=False):
        assert sweep_stalled_runs.delay().get() == 0
    run.refresh_from_db()
    assert run.status == SubsidyRun.Status.RUNNING
    with time_machine.travel(KILLED_AT + datetime.timedelta(minutes=31), tick=False):
        assert sweep_stalled_runs.delay().get() == 1
        assert sweep_stalled_runs.delay().get() == 0
    run.refresh_from_db()
    assert run.status == SubsidyRun.Status.FAILED
    assert run.finished_at == KILLED_AT + datetime.timedelta(minutes=31)
    assert "11" in run.message and "2026-12-01 09:41" in run.message

    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    page = client.get(reverse("subsidy_run_list")).content.decode()
    assert run.message in page and "2026-12-01 09:41" in page

    with time_machine.travel(KILLED_AT + datetime.timedelta(minutes=40), tick=False):
        result = run_month(month=DEC)
    assert result.run.status == SubsidyRun.Status.DONE and result.created == 4
    assert Grant.objects.filter(month=DEC.first_day).count() == 4


def test_a_new_run_marks_a_dead_one_failed_itself(tree, settings):
    settings.RUN_STALE_MINUTES = 30
    _population(tree)
    run = _killed_run()
    with time_machine.travel(KILLED_AT + datetime.timedelta(hours=2), tick=False):
        assert timezone.now() > run.started_at
        run_month(month=DEC)
    run.refresh_from_db()
    assert run.status == SubsidyRun.Status.FAILED
    assert list(SubsidyRun.objects.filter(month=DEC.first_day).values_list("status", flat=True)) == ["done", "failed"]
