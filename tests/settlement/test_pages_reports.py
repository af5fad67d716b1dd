"""Pages, scoping, report files (PDF text via pdftotext, XLSX read back with pandas) and the command."""

import io
import subprocess

import pandas as pd
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from eldercare.periods import Quarter
from settlement.models import SettlementReport
from settlement.services import quarter_approve, quarter_prepare, report_request
from tests.factories import user_with_role

from .scenario import at

pytestmark = pytest.mark.django_db
Q4 = Quarter(2026, 4)


@pytest.fixture
def approved(q4, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    with time_machine.travel(at(2027, 1, 5), tick=False):
        s = quarter_prepare(quarter=Q4, by=q4.finance)
        return quarter_approve(settlement=s, by=q4.finance2)


def _produce(kind, q4, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(quarter=Q4, kind=kind, by=q4.finance)
    report.refresh_from_db()
    assert report.status == SettlementReport.Status.DONE, report.error
    return report


def test_pdf_holds_chinese_headings_totals_and_signatures(approved, q4, django_capture_on_commit_callbacks):
    report = _produce(SettlementReport.Kind.SETTLEMENT_PDF, q4, django_capture_on_commit_callbacks)
    text = subprocess.run(["pdftotext", "-layout", report.path, "-"], capture_output=True, text=True, check=True).stdout
    for heading in ("季度资金结算报表", "按镇（街道）汇总", "按服务商汇总", "编制人", "审核人", "负责人", "页码 1 / "):
        assert heading in text, heading
    for figure in ("350.00", "217.00", "93.00", "1410.00"):
        assert figure in text, figure


def test_same_report_twice_gives_the_same_figures(approved, q4, django_capture_on_commit_callbacks):
    first = _produce(SettlementReport.Kind.SETTLEMENT_XLSX, q4, django_capture_on_commit_callbacks)
    second = _produce(SettlementReport.Kind.SETTLEMENT_XLSX, q4, django_capture_on_commit_callbacks)
    assert first.checksum == second.checksum != ""
    a = pd.read_excel(first.path, sheet_name=None)
    b = pd.read_excel(second.path, sheet_name=None)
    assert all(a[k].equals(b[k]) for k in a)


def test_xlsx_holds_the_page_totals(approved, q4, client, django_capture_on_commit_callbacks):
    report = _produce(SettlementReport.Kind.SETTLEMENT_XLSX, q4, django_capture_on_commit_callbacks)
    sheets = pd.read_excel(report.path, sheet_name=None)
    assert set(sheets) == {"汇总", "康乐居家服务中心", "安康养老服务公司"}
    summary = sheets["汇总"]
    total_row = summary[summary.iloc[:, 0] == "合计"]
    assert total_row["合计"].iloc[0] == pytest.approx(350.00)
    assert total_row["区级承担"].iloc[0] == pytest.approx(217.00)
    assert sheets["康乐居家服务中心"].iloc[-1]["合计"] == pytest.approx(210.00)
    client.force_login(q4.finance)
    page = client.get(reverse("settlement_quarter", args=["2026Q4"])).content.decode()
    assert 'id="quarter-total">350.00<' in page
    import openpyxl

    cell = openpyxl.load_workbook(io.BytesIO(open(report.path, "rb").read()))["汇总"]["K2"]
    assert isinstance(cell.value, (int, float)) and "¥" in cell.number_format


def test_usage_and_callback_records(approved, q4, django_capture_on_commit_callbacks):
    usage = _produce(SettlementReport.Kind.USAGE_XLSX, q4, django_capture_on_commit_callbacks)
    frame = pd.read_excel(usage.path)
    assert frame["合计"].sum() == pytest.approx(350.00)
    assert set(frame.iloc[:, 1]) == {"龙川社区", "文昌社区", "新都村"}
    record = _produce(SettlementReport.Kind.CALLBACKS_XLSX, q4, django_capture_on_commit_callbacks)
    sheets = pd.read_excel(record.path, sheet_name=None)
    assert len(sheets) == 2


def test_downloads_only_for_finance_and_supervisors(approved, q4, client, tree, django_capture_on_commit_callbacks):
    report = _produce(SettlementReport.Kind.SETTLEMENT_PDF, q4, django_capture_on_commit_callbacks)
    url = reverse("settlement_report_download", args=[report.pk])
    client.force_login(q4.finance2)
    assert client.get(url).status_code == 200
    client.force_login(user_with_role("supervisor", tree.district))
    assert client.get(url).status_code == 200
    for outsider in (q4.street_a_user, q4.provider1_admin, q4.district):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.get(reverse("settlement_quarter", args=["2026Q4"])).status_code == 404 or outsider == q4.district


def test_provider_sees_only_its_own_lines_and_street_only_its_town(q4, client, tree):
    client.force_login(q4.provider2_admin)
    page = client.get(reverse("settlement_month", args=["2026-10"])).content.decode()
    assert "安康养老服务公司" in page and "康乐居家服务中心</td>" not in page
    client.force_login(q4.street_b_user)
    page = client.get(reverse("settlement_month", args=["2026-10"])).content.decode()
    assert "新都村" in page and "文昌社区" not in page
    assert client.get(reverse("settlement_quarter", args=["2026Q4"])).status_code == 404


def test_dashboard_and_home_worklists(q4, client):
    with time_machine.travel(at(2027, 1, 5), tick=False):
        client.force_login(q4.finance)
        page = client.get(reverse("settlement_dashboard") + "?q=2026Q4").content.decode()
        assert "<svg" in page and "350.00" in page
        home = client.get(reverse("home")).content.decode()
        assert "2026Q4" in home


def test_settle_quarter_command(q4):
    out = io.StringIO()
    with time_machine.travel(at(2027, 1, 5), tick=False):
        call_command("settle_quarter", "2026Q4", "--user", "finance1", stdout=out)
    assert "total ¥350.00" in out.getvalue() or "350.00" in out.getvalue()
    assert "0 differences" in out.getvalue()
