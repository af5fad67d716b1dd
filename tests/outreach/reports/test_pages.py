"""The pages: a unit's report of today, the roll-up with the late units marked, the work lists,
and the printed form as PDF and XLSX with the province's layout and totals."""

import io
import re
import subprocess

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from eldercare.nav import work_panels_for
from outreach.reports import selectors, services
from outreach.reports.models import DailyReport

from ..conftest import TODAY
from .conftest import at

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    """The text as the Chinese pages print it (the msgid until the catalogue has it)."""
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def title(area: str) -> str:
    return zh("%(area)s daily report of care services for elders") % {"area": area}


def _panels(user) -> dict:
    return {p.url: p for p in work_panels_for(user) if p.url.startswith("/outreach/reports/")}


def test_the_unit_confirms_today_s_figures_on_its_page(client, scene, tree):
    client.force_login(scene.worker)
    page = client.get(reverse("outreach_reports:today")).content.decode()
    assert "龙川社区" in page and "文昌社区" not in page
    card = page[page.index('id="report-') :]
    # The computed figures are shown: 6 households, 5 contacted.
    assert re.search(r">\s*6\s*</td>", card) and re.search(r">\s*5\s*</td>", card)
    url = reverse("outreach_reports:submit", args=[scene.response.pk, "community", tree.a1.pk])
    prefix = f"{scene.response.pk}-community-{tree.a1.pk}"
    with time_machine.travel(at(TODAY, 15, 59), tick=False):
        response = client.post(url, {f"{prefix}-staff_on_duty": "3", f"{prefix}-note": "两人上门"}, follow=True)
    report = DailyReport.objects.get(community=tree.a1, is_current=True)
    assert (report.on_time, report.contacted, report.staff_on_duty, report.note) == (True, 5, 3, "两人上门")
    page = response.content.decode()
    assert (
        'class="badge text-bg-success"' in page
        and f'href="{reverse("outreach_reports:report", args=[report.pk])}"' in page
    )


def test_a_worker_cannot_submit_or_see_another_community_s_report(client, scene, tree):
    a2 = services.report_submit(response=scene.response, unit=scene.unit(tree.a2), day=TODAY, by=scene.worker_a2)
    client.force_login(scene.worker)
    url = reverse("outreach_reports:submit", args=[scene.response.pk, "community", tree.a2.pk])
    assert client.post(url, {}).status_code == 404
    assert client.get(reverse("outreach_reports:report", args=[a2.pk])).status_code == 404
    page = client.get(reverse("outreach_reports:rollup", args=[scene.response.pk])).content.decode()
    assert "文昌社区" not in page and "龙川社区" in page
    # The street reviewer sees a2's report but does not submit for it.
    client.force_login(scene.worker_b1)
    assert client.post(url, {}).status_code == 404


def test_the_street_reviewer_may_not_submit_a_community_s_report(client, scene, tree, users):
    client.force_login(users["street"])
    url = reverse("outreach_reports:submit", args=[scene.response.pk, "community", tree.a1.pk])
    assert client.post(url, {}).status_code == 403
    assert not DailyReport.objects.exists()


def test_the_roll_up_page_marks_the_late_units(client, scene, tree, users):
    with time_machine.travel(at(TODAY, 15, 0), tick=False):
        services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    client.force_login(users["district"])
    page = client.get(reverse("outreach_reports:rollup", args=[scene.response.pk])).content.decode()
    assert f'data-unit="community-{tree.a1.pk}" data-status="on_time"' in page
    for unit in (f"community-{tree.a2.pk}", f"community-{tree.b1.pk}", f"provider-{scene.provider.pk}"):
        assert f'class="table-danger" data-unit="{unit}" data-status="missing"' in page


def test_the_work_lists(scene, tree, users):
    # The unit: its report to send until sent.
    panel = _panels(scene.worker)[reverse("outreach_reports:today")]
    assert panel.count == 1 and panel.rows[0]["label"] == "龙川社区"
    services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    assert reverse("outreach_reports:today") not in _panels(scene.worker)
    # The district: the units not reported, the count that of the page it opens.
    panel = _panels(users["district"])[reverse("outreach_reports:unreported")]
    assert panel.count == 3 == len(selectors.unreported_today(user=users["district"]))
    assert all(row["flag"] for row in panel.rows)  # 18:00: past the cut-off
    street = _panels(users["street"])[reverse("outreach_reports:unreported")]
    assert street.count == 1 and street.rows[0]["label"] == "文昌社区"


def test_the_unreported_page_lists_what_the_panel_counts(client, scene, users):
    client.force_login(users["district"])
    page = client.get(reverse("outreach_reports:unreported")).content.decode()
    items = page.count('<li class="list-group-item d-flex')
    assert items == _panels(users["district"])[reverse("outreach_reports:unreported")].count == 4


def _submit_three(scene, tree):
    services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    services.report_submit(
        response=scene.response, unit=scene.unit(tree.a2), day=TODAY, by=scene.worker_a2, staff_on_duty=4
    )
    services.report_submit(response=scene.response, unit=scene.provider_unit, day=TODAY, by=scene.provider_admin)


def test_the_xlsx_has_the_province_layout_and_totals(client, scene, tree, users):
    _submit_three(scene, tree)
    client.force_login(users["district"])
    response = client.get(reverse("outreach_reports:xlsx", args=[scene.response.pk, TODAY.isoformat()]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0] == title("江都区")
    assert "江都区" in rows[1][0] and "2026-03-16" in rows[1][6]
    header = rows[3]
    assert header[:4] == [zh("No."), zh("Reporting unit"), zh("Street / town"), zh("Elders covered")]
    by_unit = {r[1]: r for r in rows[4:] if r[1]}
    a1, a2, b1 = by_unit["龙川社区"], by_unit["文昌社区"], by_unit["新都村"]
    total = by_unit[zh("Total of the communities")]
    for col in range(3, 9):
        assert total[col] == (a1[col] or 0) + (a2[col] or 0) + (b1[col] or 0)
    assert (a1[4], a2[4], total[4]) == (5, 1, 6)  # contacted
    assert total[8] == 2 + 4  # staff on duty
    assert b1[3] is None and b1[10] == zh("Not reported")
    assert a1[9] == "18:00" and a1[10] == zh("Late")
    assert by_unit[zh("Total of the providers")][4] == by_unit["康乐居家服务中心"][4] == 1
    assert any(r[0] and str(r[0]).startswith(zh("Filled by")) for r in rows)


def test_a_note_like_a_formula_stays_text_in_the_xlsx(client, scene, tree, users):
    services.report_submit(
        response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker, note='=HYPERLINK("http://x","y")'
    )
    client.force_login(users["district"])
    response = client.get(reverse("outreach_reports:xlsx", args=[scene.response.pk, TODAY.isoformat()]))
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    notes = [row[11].value for row in ws.iter_rows() if row[1].value == "龙川社区"]
    assert notes == ['\'=HYPERLINK("http://x","y")']
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)


def test_the_pdf_renders_the_form(client, scene, tree, users):
    _submit_three(scene, tree)
    client.force_login(users["street"])
    response = client.get(reverse("outreach_reports:pdf", args=[scene.response.pk, TODAY.isoformat()]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert title("龙川街道") in " ".join(text.split())
    assert "文昌社区" in text and "新都村" not in text  # the street's communities only
    assert "康乐居家服务中心" not in text  # providers roll up to the district
    assert zh("Filled by") in text


def test_the_days_so_far_and_one_report_with_its_versions(client, scene, tree, users):
    first = services.report_submit(response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker)
    services.report_submit(
        response=scene.response, unit=scene.unit(tree.a1), day=TODAY, by=scene.worker2, staff_on_duty=6
    )
    client.force_login(users["district"])
    # One response in progress: the index opens its roll-up.
    index = client.get(reverse("outreach_reports:responses"))
    assert index.status_code == 302 and index.url == reverse("outreach_reports:rollup", args=[scene.response.pk])
    page = client.get(reverse("outreach_reports:history", args=[scene.response.pk])).content.decode()
    assert page.count("?day=2026-03-1") == 3  # the 14th, the 15th and the 16th
    client.force_login(scene.worker)
    page = client.get(reverse("outreach_reports:report", args=[first.pk])).content.decode()
    versions = page[page.index('id="versions"') :]
    assert versions.count("<tr") == 3  # the header and two versions
    assert "<td>6 (2)</td>" in versions  # the corrected staff on duty beside the contacts' count
