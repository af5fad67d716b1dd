"""Spreadsheets the platform writes (XLSX and CSV): every export goes through here.

A cell whose text starts with =, +, -, @, a tab or a carriage return is read by Excel and WPS as
a formula (``=HYPERLINK(...)`` in a name typed by anyone becomes a link in the bureau's copy).
Such text is written with a leading apostrophe, and XLSX strings are always string cells.
"""

import csv
import io

import pandas as pd
from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """Text that a spreadsheet would take for a formula, made plain text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every cell and column header neutralised."""
    safe = frame.map(neutralise)
    safe.columns = [neutralise(c) for c in frame.columns]
    return safe


def excel_writer(buffer) -> pd.ExcelWriter:
    """An xlsxwriter workbook that never turns a string into a formula or a link."""
    return pd.ExcelWriter(
        buffer,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    )


def write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, sheet_name: str):
    """Write one frame, neutralised, as a sheet; return the worksheet (to set widths and formats)."""
    safe_frame(frame).to_excel(writer, sheet_name=sheet_name, index=False)
    return writer.sheets[sheet_name]


def xlsx_bytes(frames: dict[str, pd.DataFrame]) -> bytes:
    """A workbook of one sheet per frame, neutralised."""
    buffer = io.BytesIO()
    with excel_writer(buffer) as writer:
        for name, frame in frames.items():
            write_sheet(writer, frame, name[:31])
    return buffer.getvalue()


def csv_text(rows, header=None) -> str:
    """CSV of rows (sequences), every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header is not None:
        writer.writerow([neutralise(c) for c in header])
    for row in rows:
        writer.writerow([neutralise(c) for c in row])
    return out.getvalue()


def document_response(content: bytes, *, content_type: str, filename: str, inline: bool = False) -> HttpResponse:
    """A document that names people (a roster, a statement): the file itself, never cached; shown
    in the browser (`inline`, a PDF opened from a page) or saved."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
