"""The run report as PDF (WeasyPrint, Noto Sans CJK SC) and XLSX (eldercare.exports)."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from eldercare.exports import xlsx_bytes
from eldercare.pdf import render_pdf
from subsidies.standards.selectors import RunReport


def report_pdf(report: RunReport) -> bytes:
    # The download keeps every change and refusal (read from the database in batches).
    return render_pdf(
        "subsidies/run/pdf/report.html", {"report": report, "changes": report.changes, "refusals": report.refusals}
    )


def _frame(lines, first: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                first: line.label,
                _("people"): line.people,
                _("amount"): float(line.amount),
                _("district share"): float(line.district_share),
                _("town share"): float(line.town_share),
            }
            for line in lines
        ]
    )


def report_xlsx(report: RunReport) -> bytes:
    summary = pd.DataFrame(
        [
            {
                _("month"): str(report.month),
                _("people"): report.people,
                _("amount"): float(report.total),
                _("district share"): float(report.district_share),
                _("town share"): float(report.town_share),
            }
        ]
    )
    # Built straight from the database's rows (tuples read in batches), never a list of objects.
    changes = pd.DataFrame.from_records(
        (
            (
                c.name,
                c.community,
                c.kind,
                float(c.before) if c.before is not None else None,
                float(c.after) if c.after is not None else None,
                c.reason,
            )
            for c in report.changes
        ),
        columns=[_("name"), _("community"), _("change"), _("before"), _("after"), _("reason")],
    )
    refused = pd.DataFrame.from_records(
        report.refusals.values_list("name", "community", "reason_label", "detail").iterator(chunk_size=2000),
        columns=[_("name"), _("community"), _("reason"), _("detail")],
    )
    return xlsx_bytes(
        {
            _("Summary"): summary,
            _("Care level"): _frame(report.by_care_level, _("care level")),
            _("Category"): _frame(report.by_category, _("category")),
            _("Street"): _frame(report.by_street, _("street / town")),
            _("Community"): _frame(report.by_community, _("community")),
            _("Changes"): changes,
            _("Refused"): refused,
        }
    )
