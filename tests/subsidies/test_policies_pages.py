"""Policy pages (list, new version with preview) and the run report (page, PDF, XLSX)."""

import io

import pandas as pd
import pytest
from django.urls import reverse

from eldercare.periods import Month
from subsidies.standards.models import PolicyVersion
from subsidies.standards.services.policies import RowInput, policy_version_preview
from subsidies.standards.services.run import run_month

from .policy_factories import entitled_elder, schemes

pytestmark = pytest.mark.django_db


def test_preview_counts_people_who_change_and_the_totals(tree, users):
    s = schemes(tree)
    for _ in range(3):
        entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="semi_disabled")
    entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="disabled")
    rows = [
        RowInput("困难老人·自理", 80, categories_any=("dibao",), care_levels=("self_care",)),
        RowInput("困难老人·半失能", 180, categories_any=("dibao",), care_levels=("semi_disabled",)),
        RowInput("困难老人·失能", 260, categories_any=("dibao",), care_levels=("disabled",)),
    ]
    preview = policy_version_preview(
        scheme=s["jiangdu"], district=None, month=Month(2027, 1), rows=rows, by=users["district"]
    )
    assert (preview.people, preview.changed) == (4, 3)
    assert (preview.total_before, preview.total_after) == (3 * 150 + 260, 3 * 180 + 260)


def test_policy_pages(client, tree, users):
    s = schemes(tree)
    client.force_login(users["district"])
    assert "困难老人·半失能" in client.get(reverse("policy_list")).content.decode()
    version = PolicyVersion.objects.get(scheme=s["shenzhen"])
    page = client.get(reverse("policy_version_new", args=[version.pk]))
    assert page.status_code == 200
    client.force_login(users["community"])
    assert client.get(reverse("policy_list")).status_code == 403


def test_policy_list_names_categories_and_offers_a_new_version_to_the_district_only(client, tree, users):
    s = schemes(tree)
    version = PolicyVersion.objects.get(scheme=s["jiangdu"])
    new_link = reverse("policy_version_new", args=[version.pk])
    client.force_login(users["district"])
    page = client.get(reverse("policy_list")).content.decode()
    assert new_link in page
    assert "低保" in page and "半失能" in page and "dibao" not in page and "semi_disabled" not in page
    client.force_login(users["supervisor"])
    page = client.get(reverse("policy_list")).content.decode()
    assert "困难老人·半失能" in page and new_link not in page
    refused = client.get(new_link)
    assert refused.status_code == 403 and 'id="forbidden"' in refused.content.decode()


def test_run_report_page_pdf_and_xlsx(client, tree, users):
    s = schemes(tree)
    entitled_elder(
        scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="semi_disabled", name="王秀英"
    )
    entitled_elder(scheme=s["jiangdu"], community=tree.b1, categories=["tekun"], care_level="disabled")
    run_month(month=Month(2026, 12))
    client.force_login(users["district"])
    html = client.get(reverse("subsidy_run_report", args=["2026-12"])).content.decode()
    assert "王秀英" in html and "410" in html
    pdf = client.get(reverse("subsidy_run_pdf", args=["2026-12"]))
    assert pdf.content[:4] == b"%PDF"
    xlsx = client.get(reverse("subsidy_run_xlsx", args=["2026-12"]))
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    summary = list(sheets.values())[0]
    assert float(summary.iloc[0, 2]) == 410.0  # a number, not text
    # The street reviewer of street A sees only its own part.
    client.force_login(users["street"])
    html = client.get(reverse("subsidy_run_report", args=["2026-12"])).content.decode()
    assert "王秀英" in html and "新都村" not in html
