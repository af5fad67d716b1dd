"""The elder import's downloadable template: the header row is the importer's own, the example row
imports as it is, and the notes sheet (说明) explains each column."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from eldercare.exports import XLSX
from eldercare.importing import COLUMNS, EXAMPLE_ID, EXAMPLE_NAME, REQUIRED, primary_headers
from eldercare.models import Elder

pytestmark = pytest.mark.django_db


def test_the_downloaded_template_imports_its_example_row(client, users, tree):
    client.force_login(users["community"])
    page = client.get(reverse("elder_import")).content.decode()
    assert reverse("elder_import_template") in page

    response = client.get(reverse("elder_import_template"))
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    grid, notes = book.worksheets
    headers = [c.value for c in grid[1]]
    assert headers == list(primary_headers(COLUMNS))
    assert headers[:6] == ["姓名", "性别", "身份证号", "户籍社区", "居住起始日期", "现住址"]
    assert grid["D2"].value == tree.a1.name  # the worker's own community is the example
    explained = {row[0]: row[1:] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert notes.title == "说明" and list(explained) == headers
    assert {h for h, (required, _allowed) in explained.items() if required == "是"} == {
        h for h in headers if COLUMNS[h] in REQUIRED
    }
    assert "低保" in explained["困难类别"][1] and "身份证号码" in explained["身份证号"][1]

    client.post(reverse("elder_import"), {"file": SimpleUploadedFile("名册.xlsx", response.content)})
    elder = Elder.objects.get(name=EXAMPLE_NAME)
    assert elder.id_number == EXAMPLE_ID and elder.community == tree.a1


def test_only_registry_editors_download_it(client, users):
    client.force_login(users["finance"])
    assert client.get(reverse("elder_import_template")).status_code == 403
