"""Screenings from a spreadsheet: the registry import's rules (all rows or none, errors by row)."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from eldercare.exports import XLSX
from eldercare.importing import EXAMPLE_ID, EXAMPLE_NAME, primary_headers
from eldercare.models import Role
from outreach import importing
from outreach.models import VulnerabilityProfile

from ..factories import ElderFactory, user_with_role

pytestmark = pytest.mark.django_db
HEADER = "姓名,身份证号,排查日期,居住情况,独居,空巢,失能情况,慢病需用药,所用药品,紧急联系人,联系人关系,联系人电话\n"


def _upload(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("排查.csv", (HEADER + "\n".join(rows) + "\n").encode("utf-8-sig"), "text/csv")


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


def test_a_file_of_screenings_is_recorded_with_the_risk_levels(client, tree, worker):
    a = ElderFactory(community=tree.a1)
    b = ElderFactory(community=tree.a1)
    client.force_login(worker)
    response = client.post(
        reverse("outreach:import"),
        {
            "file": _upload(
                [
                    f"{a.name},{a.id_number},2026-03-10,独居,是,否,自理,否,,张伟,儿子,13812345678",
                    f"{b.name},{b.id_number},2026/3/11,与子女同住,否,否,半失能,是,二甲双胍,,,",
                ]
            )
        },
    )
    assert response.status_code == 302
    assert dict(VulnerabilityProfile.objects.values_list("elder_id", "risk_level")) == {a.pk: "high", b.pk: "medium"}
    assert VulnerabilityProfile.objects.get(elder=b).screened_on == datetime.date(2026, 3, 11)


def test_a_file_with_any_error_records_nothing(client, tree, worker):
    a = ElderFactory(community=tree.a1)
    elsewhere = ElderFactory(community=tree.b1)
    client.force_login(worker)
    response = client.post(
        reverse("outreach:import"),
        {
            "file": _upload(
                [
                    f"{a.name},{a.id_number},2026-03-10,独居,是,否,自理,否,,张伟,儿子,12345",
                    f"{elsewhere.name},{elsewhere.id_number},2026-03-10,独居,是,否,自理,否,,,,",
                ]
            )
        },
    )
    assert response.status_code == 200
    rows = {e.row for e in response.context["errors"]}
    assert rows == {2, 3}
    assert "请填写有效的电话号码。" in response.content.decode()
    assert not VulnerabilityProfile.objects.exists()


def test_the_downloaded_template_records_its_example_row(client, tree, worker):
    # Given the example elder of the templates in the worker's register
    elder = ElderFactory(community=tree.a1, name=EXAMPLE_NAME, id_number=EXAMPLE_ID)
    client.force_login(worker)
    assert reverse("outreach:import_template") in client.get(reverse("outreach:import")).content.decode()
    response = client.get(reverse("outreach:import_template"))
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    grid, notes = book.worksheets
    assert tuple(c.value for c in grid[1]) == primary_headers(importing.COLUMNS)
    explained = {row[0]: row[1:] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert notes.title == "说明" and {h for h, (req, _) in explained.items() if req == "是"} == set(importing.REQUIRED)
    assert "与子女同住" in explained["居住情况"][1] and "身份证号码" in explained["身份证号"][1]
    # When it is uploaded as it is
    response = client.post(reverse("outreach:import"), {"file": SimpleUploadedFile("排查.xlsx", response.content)})
    assert response.status_code == 302
    profile = VulnerabilityProfile.objects.get(elder=elder)
    assert profile.living_arrangement == "alone" and profile.solitary


def test_only_importers_download_the_screening_template(client, users):
    client.force_login(users["finance"])
    assert client.get(reverse("outreach:import_template")).status_code == 403
