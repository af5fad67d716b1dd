"""A provider's monthly statement of services (结算单), on the hand-computed quarter of scenario.py:
each redeemed visit, voids deducted, late voids of locked months, the total equal to the provider's
on the month's settlement to the fen; PDF (pdftotext) and XLSX (openpyxl); who may print it; the
links; the public verification page of its code."""

import io
import re
import subprocess
from decimal import Decimal
from urllib.parse import urlsplit

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.periods import Month
from settlement.selectors import month_lines
from settlement.statement import Kind, provider_month_totals, statement_build
from subsidies.applications.documents import document_qr
from tests.factories import api_token

from .scenario import DEC, NOV, OCT, at

pytestmark = pytest.mark.django_db


def _settled(q4, provider, month: Month) -> Decimal:
    """The provider's total on the month's settlement, as finance reads it."""
    _service_month, lines = month_lines(user=q4.finance, month=month)
    return provider_month_totals(lines).get(provider.pk, Decimal("0"))


def _pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(
    ("provider", "month", "payable", "visits"),
    [
        ("p1", OCT, Decimal("130.00"), 2),
        ("p1", NOV, Decimal("0.00"), 0),  # 50.00 served, the October visit voided after its lock: −50.00
        ("p1", DEC, Decimal("80.00"), 1),  # 80.00 twice, one voided before the lock
        ("p2", OCT, Decimal("100.00"), 1),
        ("p2", NOV, Decimal("40.00"), 1),
    ],
)
def test_statement_total_is_the_providers_settlement_to_the_fen(q4, provider, month, payable, visits):
    p = getattr(q4, provider)
    statement = statement_build(provider=p, month=month)
    assert statement.locked
    assert statement.payable == _settled(q4, p, month) == payable
    assert statement.visits == visits
    assert sum(s.amount for s in statement.by_item) == payable


def test_voids_are_deducted_and_late_ones_name_their_month(q4):
    nov = statement_build(provider=q4.p1, month=NOV)
    assert [(r.kind, r.amount) for r in nov.rows] == [
        (Kind.VISIT, Decimal("50.00")),
        (Kind.LATE_VOID, Decimal("-50.00")),
    ]
    assert nov.rows[1].of_month == "2026-10" and nov.rows[1].order_id == q4.voided_after_lock.pk
    assert (nov.gross, nov.deductions) == (Decimal("50.00"), Decimal("-50.00"))
    dec = statement_build(provider=q4.p1, month=DEC)
    assert [r.kind for r in dec.rows] == [Kind.VISIT, Kind.VISIT, Kind.VOID]
    assert dec.rows[0].minutes == 90 and dec.rows[0].item == "生活照料：助浴" and dec.rows[0].elder == "李桂兰"
    p2 = statement_build(provider=q4.p2, month=OCT)
    assert (p2.subsidy, p2.personal, p2.cash) == (Decimal("60.00"), Decimal("10.00"), Decimal("30.00"))


def test_statement_pdf_reads_back_with_title_total_and_count(q4, client, tmp_path):
    client.force_login(q4.provider1_admin)
    response = client.get(reverse("settlement_statement_pdf", args=["2026-12", q4.p1.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "2026年12月居家养老服务结算单" in text and "康乐居家服务中心" in text and "江都区民政局" in text
    assert q4.e2.id_masked in text and "-80.00" in text  # the void is printed as a deduction
    totals = next(line for line in text.splitlines() if re.search(r"\b1\b", line) and line.rstrip().endswith("80.00"))
    assert "80.00" in totals
    assert "安康养老服务公司" not in text


def test_statement_xlsx_has_the_same_totals(q4, client):
    client.force_login(q4.finance)
    response = client.get(reverse("settlement_statement_xlsx", args=["2026-10", q4.p2.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == 1 and body[0][5] == "助洁：深度清洁" and body[0][4] == q4.e3.id_masked
    assert [Decimal(str(v)) for v in totals[7:11]] == [Decimal("60"), Decimal("10"), Decimal("30"), Decimal("100")]
    assert "1" in totals[1]
    items = list(book.worksheets[1].iter_rows(values_only=True))
    assert items[1][0] == "助洁：深度清洁" and Decimal(str(items[1][3])) == 100


def test_who_may_print_which_statement(q4, client, users):
    def status(user, provider, month="2026-12"):
        client.force_login(user)
        return client.get(reverse("settlement_statement_pdf", args=[month, provider.pk])).status_code

    assert status(q4.provider1_admin, q4.p1) == 200
    assert status(q4.provider2_admin, q4.p1) == 404  # another provider's administrator
    assert status(q4.street_a_user, q4.p1) == 404
    assert status(users["community"], q4.p2) == 404
    assert status(q4.finance, q4.p2) == 200
    assert status(q4.district, q4.p1) == 200
    assert status(q4.finance, q4.p1, "2026-13") == 404


def test_month_page_and_provider_page_link_the_statements(q4, client):
    client.force_login(q4.finance)
    page = client.get(reverse("settlement_month", args=["2026-11"])).content.decode()
    for p in (q4.p1, q4.p2):
        assert reverse("settlement_statement_pdf", args=["2026-11", p.pk]) in page
        assert reverse("settlement_statement_xlsx", args=["2026-11", p.pk]) in page
    client.force_login(q4.provider1_admin)
    page = client.get(reverse("settlement_month", args=["2026-11"])).content.decode()
    assert reverse("settlement_statement_pdf", args=["2026-11", q4.p1.pk]) in page
    assert reverse("settlement_statement_pdf", args=["2026-11", q4.p2.pk]) not in page
    client.force_login(q4.street_a_user)
    page = client.get(reverse("settlement_month", args=["2026-11"])).content.decode()
    assert "/statements/" not in page
    with time_machine.travel(at(2027, 1, 10), tick=False):
        client.force_login(q4.provider1_admin)
        page = client.get(reverse("providers:provider_detail", args=[q4.p1.pk])).content.decode()
    assert reverse("settlement_statement_pdf", args=["2026-12", q4.p1.pk]) in page
    assert reverse("settlement_statement_xlsx", args=["2027-01", q4.p1.pk]) in page


def test_api_returns_the_files_scoped(q4):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(q4.provider1_admin)}")
    r = api.get("/api/v1/provider-statements/xlsx/", {"month": "2026-12", "provider": q4.p1.pk})
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert Decimal(str(rows[-1][10])) == Decimal("80.00")
    r = api.get("/api/v1/provider-statements/pdf/", {"month": "2026-12", "provider": q4.p1.pk})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = api.get("/api/v1/provider-statements/pdf/", {"month": "2026-12", "provider": q4.p2.pk})
    assert r.status_code == 404


def test_verify_page_confirms_the_statement_without_personal_data(q4, client):
    statement = statement_build(provider=q4.p1, month=DEC)
    response = client.get(urlsplit(document_qr(statement.ref)["verify_url"]).path)  # no login
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026年12月居家养老服务结算单" in page and "康乐居家服务中心" in page and "江都区民政局" in page
    assert "2026-12" in page and "80.00" in page and re.search(r'id="document-count">1<', page)
    for elder in (q4.e1, q4.e2, q4.e3):
        assert elder.name not in page and elder.id_masked not in page
