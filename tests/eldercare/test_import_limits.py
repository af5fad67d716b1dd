"""A spreadsheet import is refused past its size and row limits, before the rows are read."""

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from eldercare.models import Elder

HEADER = ["姓名", "性别", "身份证号", "户籍社区", "居住起始日期", "现住址"]


def _workbook(rows: int) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("老人")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"老人{i}", "女", "320321194501011234", "龙川社区", "2001-05-01", "文昌路2号"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_over_the_row_limit_is_refused_in_chinese(client, users, settings):
    settings.IMPORT_MAX_ROWS = 50
    client.force_login(users["community"])
    upload = SimpleUploadedFile("elders.xlsx", _workbook(51))
    page = client.post(reverse("elder_import"), {"file": upload}, follow=True).content.decode()
    assert "一次最多导入 50 行。" in page
    assert Elder.objects.count() == 0


def test_a_csv_over_the_row_limit_is_refused_in_chinese(client, users, settings):
    settings.IMPORT_MAX_ROWS = 3
    lines = [",".join(HEADER)] + [f"老人{i},女,320321194501011234,龙川社区,2001-05-01,文昌路2号" for i in range(4)]
    upload = SimpleUploadedFile("elders.csv", "\n".join(lines).encode("gb18030"))
    client.force_login(users["community"])
    page = client.post(reverse("elder_import"), {"file": upload}).content.decode()
    assert "一次最多导入 3 行。" in page


def test_a_workbook_at_the_row_limit_is_read(client, users, settings):
    settings.IMPORT_MAX_ROWS = 50
    client.force_login(users["community"])
    upload = SimpleUploadedFile("elders.xlsx", _workbook(50))
    page = client.post(reverse("elder_import"), {"file": upload}).content.decode()
    assert "一次最多导入" not in page
    assert "未导入任何数据" in page  # read, and refused row by row (the sample rows repeat one ID)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client, users, settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("elders.xlsx", b"PK" + b"\0" * (1024 * 1024 + 1))
    client.force_login(users["community"])
    page = client.post(reverse("elder_import"), {"file": upload}).content.decode()
    assert "1.0 MB" in page and "could not be read" not in page and "无法读取" not in page
    assert Elder.objects.count() == 0
