import csv
import io

import openpyxl
import pandas as pd
import pytest
from django.urls import reverse

from eldercare.exports import csv_text, neutralise, xlsx_bytes

from ..factories import ElderFactory

FORMULA_NAME = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA_NAME, "'" + FORMULA_NAME),
        ("+8613800000000", "'+8613800000000"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("王秀英", "王秀英"),
        (-12, -12),
    ],
)
def test_formula_starts_are_written_as_text(value, written):
    assert neutralise(value) == written


def test_workbook_cells_are_strings_never_formulas():
    data = xlsx_bytes({"名单": pd.DataFrame([{"姓名": FORMULA_NAME, "金额": -5}])})
    sheet = openpyxl.load_workbook(io.BytesIO(data))["名单"]
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "'" + FORMULA_NAME
    assert sheet["B2"].value == -5


def test_csv_cells_are_neutralised():
    rows = list(csv.reader(io.StringIO(csv_text([[FORMULA_NAME, "张三"]], header=["姓名", "备注"]))))
    assert rows == [["姓名", "备注"], ["'" + FORMULA_NAME, "张三"]]


def test_registry_export_writes_a_formula_name_as_text(client, users, tree):
    ElderFactory(community=tree.a1, name=FORMULA_NAME)
    client.force_login(users["community"])
    response = client.get(reverse("elder_list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "姓名"
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "'" + FORMULA_NAME
