"""The printed daily report in the province's layout (《…老年人关爱服务工作日报表》): a PDF
(WeasyPrint, A4, Noto Sans CJK SC) and an XLSX (xlsxwriter), both made from the same roll-up.

The layout: the title, the reporting unit and the date; one row per unit with its figures, the
time it reported and whether on time; a totals row of the communities and one of the providers;
the filled-by line at the foot.
"""

import datetime
import io
from dataclasses import dataclass, field

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.exports import neutralise
from eldercare.models import User
from eldercare.pdf import render_pdf

from .selectors import FIGURES, Rollup, UnitRow


@dataclass
class Sheet:
    title: str
    reporting_unit: str
    day: datetime.date
    response: str
    cutoff: str
    rows: list[dict] = field(default_factory=list)  # units and totals, in the form's order
    filled_by: str = ""
    phone: str = ""
    filled_at: datetime.datetime | None = None


def columns() -> list[tuple[str, str]]:
    return [
        ("number", _("No.")),
        ("unit", _("Reporting unit")),
        ("street", _("Street / town")),
        ("covered", _("Elders covered")),
        ("contacted", _("Elders contacted")),
        ("problems", _("Problems found")),
        ("needs_open", _("Needs open")),
        ("needs_closed", _("Needs closed")),
        ("staff_on_duty", _("Staff on duty")),
        ("reported_at", _("Reported at")),
        ("status", _("On time / late")),
        ("note", _("Note")),
    ]


def _unit_row(n: int, row: UnitRow) -> dict:
    report = row.report
    figures = {f: getattr(report, f) if report else None for f in FIGURES}
    return {
        "kind": "unit",
        "number": n,
        "unit": row.unit.name,
        "street": row.unit.street_name,
        **figures,
        "reported_at": f"{timezone.localtime(report.reported_at):%H:%M}" if report else "",
        "status": row.status_label,
        "late": row.late,
        "note": report.note if report else "",
    }


def _total_row(label: str, rows: list[UnitRow], totals: dict[str, int]) -> dict:
    reported = sum(1 for r in rows if r.report is not None)
    return {
        "kind": "total",
        "number": "",
        "unit": label,
        "street": "",
        **{f: totals.get(f, 0) for f in FIGURES},
        "reported_at": "",
        "status": _("%(reported)s of %(units)s reported") % {"reported": reported, "units": len(rows)},
        "late": False,
        "note": "",
    }


def sheet_of(*, rollup: Rollup, reporting_unit: str, by: User) -> Sheet:
    sheet = Sheet(
        title=_("%(area)s daily report of care services for elders") % {"area": reporting_unit},
        reporting_unit=reporting_unit,
        day=rollup.day,
        response=rollup.response.name,
        cutoff=f"{timezone.localtime(rollup.cutoff_at):%H:%M}",
        filled_by=str(by),
        phone=by.phone,
        filled_at=timezone.localtime(),
    )
    n = 0
    community_rows = [r for g in rollup.streets for r in g.rows]
    for row in community_rows:
        n += 1
        sheet.rows.append(_unit_row(n, row))
    if community_rows:
        sheet.rows.append(_total_row(_("Total of the communities"), community_rows, rollup.community_totals))
    if rollup.providers is not None:
        for row in rollup.providers.rows:
            n += 1
            sheet.rows.append(_unit_row(n, row))
        sheet.rows.append(_total_row(_("Total of the providers"), rollup.providers.rows, rollup.providers.totals))
    return sheet


def report_pdf(sheet: Sheet) -> bytes:
    return render_pdf("outreach/reports/pdf/daily.html", {"sheet": sheet, "columns": columns()})


def report_xlsx(sheet: Sheet) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(f"{sheet.day:%Y-%m-%d}")
    cols = columns()
    last = len(cols) - 1
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True})
    cell = book.add_format({"border": 1})
    total = book.add_format({"border": 1, "bold": True, "bg_color": "#F2F2F2"})
    late = book.add_format({"border": 1, "font_color": "#C00000", "bold": True})
    ws.merge_range(0, 0, 0, last, sheet.title, title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, 5, f"{_('Reporting unit')}：{sheet.reporting_unit}")
    ws.merge_range(1, 6, 1, last, f"{_('Date')}：{sheet.day:%Y-%m-%d}　{_('Cut-off')}：{sheet.cutoff}")
    ws.merge_range(2, 0, 2, last, f"{_('Emergency response')}：{sheet.response}")
    for i, (_key, label) in enumerate(cols):
        ws.write(3, i, label, head)
    ws.set_row(3, 32)
    r = 4
    for row in sheet.rows:
        for i, (key, _label) in enumerate(cols):
            value = row[key]
            fmt = total if row["kind"] == "total" else (late if key == "status" and row["late"] else cell)
            if value is None or value == "":
                ws.write_blank(r, i, None, fmt)
            else:
                ws.write(r, i, neutralise(value), fmt)
        r += 1
    r += 1
    filled_at = f"{sheet.filled_at:%Y-%m-%d %H:%M}" if sheet.filled_at else ""
    ws.merge_range(
        r,
        0,
        r,
        last,
        f"{_('Filled by')}：{sheet.filled_by}　{_('Phone')}：{sheet.phone}　"
        f"{_('Reviewed by')}：＿＿＿＿　{_('Filled at')}：{filled_at}",
    )
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 22)
    ws.set_column(2, 2, 12)
    ws.set_column(3, 8, 10)
    ws.set_column(9, 10, 11)
    ws.set_column(11, 11, 24)
    book.close()
    return buffer.getvalue()
