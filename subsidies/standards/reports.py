"""The run report as PDF (WeasyPrint, Noto Sans CJK SC) and XLSX (eldercare.exports)."""

from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext as _

from eldercare.exports import xlsx_bytes
from eldercare.pdf import render_pdf
from subsidies.standards.selectors import RunReport


def report_pdf(report: RunReport) -> bytes:
    return render_pdf("subsidies/run/pdf/report.html", {"report": report})


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
    changes = pd.DataFrame(
        [
            {
                _("name"): c.name,
                _("community"): c.community,
                _("change"): c.kind,
                _("before"): float(c.before) if c.before is not None else None,
                _("after"): float(c.after) if c.after is not None else None,
                _("reason"): c.reason,
            }
            for c in report.changes
        ],
        columns=[_("name"), _("community"), _("change"), _("before"), _("after"), _("reason")],
    )
    refused = pd.DataFrame(report.refusals, columns=["name", "community", "reason", "detail"]).rename(
        columns={"name": _("name"), "community": _("community"), "reason": _("reason"), "detail": _("detail")}
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
