"""The monthly payment roster (发放花名册) of a community and of a street: the run's grants, with the
run report's totals to the fen, as PDF (read back with pdftotext) and XLSX (openpyxl); who may print
which; the public verification page of its code."""

import datetime
import io
import re
import subprocess
from decimal import Decimal
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.periods import Month
from subsidies.applications.documents import document_qr
from subsidies.applications.models import DocumentRule
from subsidies.applications.roster import roster_build
from subsidies.standards.selectors import run_report
from subsidies.standards.services.run import run_month
from tests.factories import api_token

from .policy_factories import entitled_elder, schemes

DEC = Month(2026, 12)
TITLE = "2026年12月居家养老服务补贴发放花名册"
pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(tree):
    """December run: 龙川社区 pays 150 (低保, semi-disabled), 60 (high age) and 80 (特困, first month);
    文昌社区 260 (低保 + 失独, disabled); 新都村 (another street) 80."""
    a = schemes(tree)["jiangdu"]
    people = {
        "dibao_semi": entitled_elder(
            scheme=a, community=tree.a1, name="张桂兰", categories=["dibao"], care_level="semi_disabled"
        ),
        "old_only": entitled_elder(
            scheme=a, community=tree.a1, name="李福生", birth_date=datetime.date(1940, 1, 1), care_level="self_care"
        ),
        "first_month": entitled_elder(
            scheme=a, community=tree.a1, name="王秀英", categories=["tekun"], care_level="self_care", start_month=DEC
        ),
        "old_difficult": entitled_elder(
            scheme=a,
            community=tree.a2,
            name="赵德明",
            birth_date=datetime.date(1944, 5, 1),
            categories=["dibao", "shidu"],
            care_level="disabled",
        ),
        "other_street": entitled_elder(
            scheme=a, community=tree.b1, name="孙玉珍", categories=["tekun"], care_level="self_care"
        ),
    }
    DocumentRule.objects.create(
        district=tree.district, number_prefix="江民养", number_width=3, issuing_body="扬州市江都区民政局"
    )
    run_month(month=DEC)
    return people


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "roster.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _line_with(text: str, figure: str) -> str:
    return next(line for line in text.splitlines() if figure in line)


def _report_line(lines, label):
    return next(x for x in lines if x.label == label)


def test_community_roster_has_the_run_reports_count_and_totals_to_the_fen(tree, users, paid):
    roster = roster_build(division=tree.a1, month=DEC)
    line = _report_line(run_report(user=users["district"], month=DEC).by_community, "龙川社区")
    assert (roster.people, roster.total) == (line.people, line.amount) == (3, Decimal("290.00"))
    assert (roster.district_share, roster.town_share) == (line.district_share, line.town_share)
    assert (roster.district_share, roster.town_share) == (Decimal("203.00"), Decimal("87.00"))
    rows = {r.name: r for r in roster.rows}
    assert (
        rows["张桂兰"].amount == 150 and rows["张桂兰"].care_level == "半失能" and rows["张桂兰"].categories == "低保"
    )
    assert rows["李福生"].amount == 60 and "高龄" in rows["李福生"].remarks
    assert "首月" in rows["王秀英"].remarks and "首月" not in rows["张桂兰"].remarks
    assert [r.number for r in roster.rows] == [1, 2, 3]


def test_street_roster_covers_its_communities_only(tree, users, paid):
    roster = roster_build(division=tree.street_a, month=DEC)
    line = _report_line(run_report(user=users["district"], month=DEC).by_street, "龙川街道")
    assert (roster.people, roster.total) == (line.people, line.amount) == (4, Decimal("550.00"))
    assert {r.community for r in roster.rows} == {"龙川社区", "文昌社区"}
    assert "孙玉珍" not in {r.name for r in roster.rows}


def test_roster_pdf_reads_back_with_title_issuer_total_and_count(tree, users, paid, client, tmp_path):
    client.force_login(users["community"])
    response = client.get(reverse("subsidies:roster_pdf", args=["2026-12", tree.a1.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert TITLE in text and "扬州市江都区民政局" in text and "龙川街道 龙川社区" in text
    assert paid["dibao_semi"].id_masked in text and "张桂兰" in text  # names with masked ID numbers
    totals = _line_with(text, "290.00")
    assert re.search(r"\b3\b", totals) and "203.00" in totals and "87.00" in totals
    assert "/verify/" not in text  # the code is an image, not a printed address


def test_roster_xlsx_has_the_same_totals(tree, users, paid, client):
    client.force_login(users["street"])
    response = client.get(reverse("subsidies:roster_xlsx", args=["2026-12", tree.street_a.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == 4 and [r[0] for r in body] == [1, 2, 3, 4]
    assert Decimal(str(totals[6])) == Decimal("550.00") and sum(Decimal(str(r[6])) for r in body) == 550
    assert "4" in totals[1]
    assert {r[2] for r in body} == {e.id_masked for k, e in paid.items() if k != "other_street"}


def test_who_may_print_which_roster(tree, users, paid, client):
    def status(user, division):
        client.force_login(user)
        return client.get(reverse("subsidies:roster_pdf", args=["2026-12", division.pk])).status_code

    assert status(users["community"], tree.a1) == 200
    assert status(users["community_b"], tree.a1) == 404  # another community's worker
    assert status(users["community"], tree.street_a) == 404  # a community worker has no street roster
    assert status(users["street"], tree.a2) == 200
    assert status(users["street_b"], tree.street_a) == 404
    assert status(users["finance"], tree.street_b) == 200
    assert status(users["district"], tree.b1) == 200
    assert status(users["assessor"], tree.a1) == 403
    # A month that was not run has no roster.
    client.force_login(users["district"])
    assert client.get(reverse("subsidies:roster_pdf", args=["2027-01", tree.a1.pk])).status_code == 404


def test_run_report_page_links_the_rosters_the_viewer_may_print(tree, users, paid, client):
    client.force_login(users["street"])
    page = client.get(reverse("subsidy_run_report", args=["2026-12"])).content.decode()
    assert reverse("subsidies:roster_pdf", args=["2026-12", tree.street_a.pk]) in page
    assert reverse("subsidies:roster_xlsx", args=["2026-12", tree.a2.pk]) in page
    client.force_login(users["community"])
    page = client.get(reverse("subsidy_run_report", args=["2026-12"])).content.decode()
    assert reverse("subsidies:roster_pdf", args=["2026-12", tree.a1.pk]) in page
    assert reverse("subsidies:roster_pdf", args=["2026-12", tree.street_a.pk]) not in page


def test_api_returns_the_files_scoped(tree, users, paid):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(users['community'])}")
    r = api.get("/api/v1/payment-rosters/xlsx/", {"month": "2026-12", "division": tree.a1.pk})
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    assert Decimal(str(list(sheet.iter_rows(values_only=True))[-1][6])) == Decimal("290.00")
    r = api.get("/api/v1/payment-rosters/pdf/", {"month": "2026-12", "division": tree.a1.pk})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = api.get("/api/v1/payment-rosters/pdf/", {"month": "2026-12", "division": tree.b1.pk})
    assert r.status_code == 404


def test_verify_page_confirms_the_roster_without_personal_data(tree, users, paid, client):
    roster = roster_build(division=tree.a1, month=DEC)
    url = document_qr(roster.ref)["verify_url"]
    response = client.get(urlsplit(url).path)  # no login
    assert response.status_code == 200
    page = response.content.decode()
    assert TITLE in page and "扬州市江都区民政局" in page and "龙川街道 龙川社区" in page
    assert "2026-12" in page and "290.00" in page and re.search(r'id="document-count">3<', page)
    for elder in paid.values():
        assert elder.name not in page and elder.id_masked not in page
