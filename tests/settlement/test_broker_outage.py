"""With the broker unreachable, asking for a report still answers normally, and the sweeper
produces the report later instead of leaving it waiting for ever."""

import datetime
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError

from eldercare.periods import Quarter
from settlement.models import SettlementReport
from settlement.services import quarter_approve, quarter_prepare
from settlement.tasks import produce_report, sweep_reports

from .scenario import at

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)


@pytest.fixture
def approved(q4, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with time_machine.travel(at(2027, 1, 5), tick=False):
        return quarter_approve(settlement=quarter_prepare(quarter=Q4, by=q4.finance), by=q4.finance2)


def test_report_asked_for_with_the_broker_down_is_produced_by_the_sweeper(
    approved, q4, client, django_capture_on_commit_callbacks
):
    client.force_login(q4.finance)
    asked = at(2027, 1, 6)
    down = mock.patch.object(produce_report, "delay", side_effect=OperationalError("Error 111 connecting."))
    with time_machine.travel(asked, tick=False), down, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("settlement_report_request", args=["2026Q4"]), {"kind": "settlement_xlsx"})
    assert response.status_code == 302
    report = SettlementReport.objects.get(kind=SettlementReport.Kind.SETTLEMENT_XLSX)
    assert report.status == SettlementReport.Status.PENDING

    with time_machine.travel(asked + datetime.timedelta(minutes=9), tick=False):
        assert sweep_reports.delay().get() == 0  # may still be on its way
    with time_machine.travel(asked + datetime.timedelta(minutes=10), tick=False):
        assert sweep_reports.delay().get() == 1
        assert sweep_reports.delay().get() == 0
    report.refresh_from_db()
    assert report.status == SettlementReport.Status.DONE and report.progress == 100
    summary = pd.read_excel(Path(report.path), sheet_name="汇总")
    assert summary[summary.iloc[:, 0] == "合计"]["合计"].iloc[0] == pytest.approx(350.00)
