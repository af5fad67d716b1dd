"""Report figures and files: the quarterly settlement (PDF, XLSX), community usage, callback sampling.

Every file is made from `quarter_report_data`, read from the stored settlement rows: producing the
same report twice gives the same figures (the checksum of the figures is stored with the file).
"""

import datetime
import hashlib
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils.html import escape
from django.utils.translation import gettext as _

from eldercare.exports import excel_writer, write_sheet
from eldercare.models import Division
from eldercare.money import round_cny
from eldercare.numbers import percent_one_decimal, round_one_decimal
from eldercare.pdf import render_pdf
from eldercare.periods import Quarter, local_day_bounds
from providers.models import Callback, CommunityContact, Provider, WorkOrder
from providers.rules import COMMUNITY_CONTACT_RATE, DISTRICT_SAMPLE_RATE
from subsidies.standards.models import Entitlement

from .models import MonthLine, QuarterSettlement
from .selectors import quarter_payables

CNY_FORMAT = '"¥"#,##0.00;-"¥"#,##0.00'


@dataclass
class ReportData:
    settlement: QuarterSettlement
    quarter: Quarter
    rows: list[dict] = field(default_factory=list)  # one per provider and town
    by_town: list[dict] = field(default_factory=list)
    by_provider: list[dict] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    month_totals: list[Decimal] = field(default_factory=list)
    needs: list[dict] = field(default_factory=list)
    # Per provider: its total, the repayment claims deducted from it and what is payable.
    payables: list[dict] = field(default_factory=list)

    @property
    def deducted(self) -> Decimal:
        return sum((p["deducted"] for p in self.payables), Decimal("0"))

    @property
    def payable(self) -> Decimal:
        return sum((p["payable"] for p in self.payables), Decimal("0"))

    def checksum(self) -> str:
        payload = json.dumps(
            {
                "rows": self.rows,
                "needs": self.needs,
                "months": [str(x) for x in self.month_totals],
                "payables": self.payables,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def quarter_report_data(settlement: QuarterSettlement) -> ReportData:
    quarter = Quarter(settlement.quarter.year, (settlement.quarter.month - 1) // 3 + 1)
    data = ReportData(settlement, quarter, months=[str(m) for m in quarter.months])
    lines = settlement.lines.select_related("provider", "street").order_by("provider__name", "street__code")
    for x in lines:
        data.rows.append(
            {
                "provider": x.provider.name,
                "provider_id": x.provider_id,
                "town": x.street.name,
                "visits": x.visits,
                "m1": x.month1.amount,
                "m2": x.month2.amount,
                "m3": x.month3.amount,
                "adjustments": x.adjustments.amount,
                "subsidy": x.subsidy.amount,
                "copay": x.copay.amount,
                "district": x.district_share.amount,
                "town_share": x.town_share.amount,
                "total": x.total.amount,
            }
        )
    money_keys = ("m1", "m2", "m3", "adjustments", "subsidy", "copay", "district", "town_share", "total")

    def group(key: str) -> list[dict]:
        acc: dict[str, dict] = {}
        for r in data.rows:
            a = acc.setdefault(r[key], {"name": r[key], "visits": 0, **{k: Decimal("0") for k in money_keys}})
            a["visits"] += r["visits"]
            for k in money_keys:
                a[k] += r[k]
        return [acc[k] for k in sorted(acc)]

    data.by_town = group("town")
    data.by_provider = group("provider")
    data.month_totals = [sum((r[k] for r in data.rows), Decimal("0")) for k in ("m1", "m2", "m3")]
    for n in settlement.needs.select_related("community").order_by("community__code", "standard"):
        data.needs.append(
            {
                "community": n.community.name,
                "standard": n.standard,
                "monthly": n.monthly_amount.amount,
                "people": n.people,
                "amount": n.amount.amount,
            }
        )
    payables = quarter_payables(settlement)
    data.payables = [
        {"name": p.name, "total": p.total, "deducted": p.deducted, "payable": p.payable}
        for p in (payables.providers if payables else [])
    ]
    return data


def bar_chart_svg(labels: list[str], values: list[Decimal], *, width: int = 520, height: int = 200) -> str:
    """A plain inline SVG bar chart (no library, no network): one bar per label, value on top."""
    top = max([float(v) for v in values] + [1.0])
    n = max(len(values), 1)
    slot = (width - 60) / n
    bar = slot * 0.6
    # A screen reader reads the chart as the figures it draws.
    alt = "; ".join(f"{label} {value:,.2f}" for label, value in zip(labels, values, strict=True))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(alt)}" class="settlement-chart">',
        f'<line x1="40" y1="{height - 30}" x2="{width - 10}" y2="{height - 30}" stroke="#555"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (height - 60) * float(value) / top if top else 0
        x = 50 + i * slot
        y = height - 30 - max(h, 0)
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{max(h, 0):.1f}" fill="#2f6db5"/>')
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle">{value:,.2f}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - 14}" font-size="10" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def settlement_pdf(data: ReportData) -> bytes:
    return render_pdf(
        "settlement/pdf/quarter.html",
        {"d": data, "chart": bar_chart_svg(data.months, data.month_totals), "s": data.settlement},
    )


def _frame(rows: list[dict], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame([{label: r[key] for key, label in columns.items()} for r in rows], columns=columns.values())
    for key, label in columns.items():
        if rows and isinstance(rows[0][key], Decimal):
            frame[label] = frame[label].map(float)
    return frame


def _write(frames: dict[str, pd.DataFrame], money_columns: set[str]) -> bytes:
    buffer = io.BytesIO()
    with excel_writer(buffer) as writer:
        money = writer.book.add_format({"num_format": CNY_FORMAT})
        for name, frame in frames.items():
            sheet = write_sheet(writer, frame, name[:31])
            for i, column in enumerate(frame.columns):
                sheet.set_column(i, i, 14, money if column in money_columns else None)
    return buffer.getvalue()


def _columns() -> dict[str, str]:
    return {
        "name": _("Provider / town"),
        "visits": _("Visits"),
        "m1": _("Month 1"),
        "m2": _("Month 2"),
        "m3": _("Month 3"),
        "adjustments": _("Adjustments"),
        "subsidy": _("Subsidy"),
        "copay": _("Co-pay"),
        "district": _("District share"),
        "town_share": _("Town share"),
        "total": _("Total"),
    }


def settlement_xlsx(data: ReportData) -> bytes:
    columns = _columns()
    money_columns = {v for k, v in columns.items() if k not in ("name", "visits")}
    summary_rows = [{**r, "name": f"{r['provider']} · {r['town']}"} for r in data.rows]
    total = {k: sum((r[k] for r in data.rows), Decimal("0")) for k in columns if k != "name"}
    summary_rows.append({"name": _("Total"), **total})
    frames = {_("Summary"): _frame(summary_rows, columns)}
    # Each provider's total row also shows the repayments deducted from it and what is payable.
    deducted_label, payable_label = _("Repayments deducted"), _("Payable")
    money_columns |= {deducted_label, payable_label}
    payables = {p["name"]: p for p in data.payables}
    for provider in data.by_provider:
        mine = [{**r, "name": r["town"]} for r in data.rows if r["provider"] == provider["name"]]
        mine.append({**provider, "name": _("Total")})
        frame = _frame(mine, columns)
        p = payables.get(provider["name"], {"deducted": Decimal("0"), "payable": provider["total"]})
        padding = [None] * (len(mine) - 1)
        frame[deducted_label] = [*padding, float(p["deducted"])]
        frame[payable_label] = [*padding, float(p["payable"])]
        frames[provider["name"]] = frame
    return _write(frames, money_columns)


# --------------------------------------------------------------------------------------------
# Community usage statistics and the callback sampling record


def usage_rows(quarter: Quarter) -> list[dict]:
    """Actual usage per community in the quarter (the basis for the next allocation)."""
    months = [m.first_day for m in quarter.months]
    rows = (
        MonthLine.objects.filter(service_month__month__in=months)
        .values("community__code", "community__name", "street__name")
        .annotate(
            visits=Sum("visits"),
            minutes=Sum("minutes"),
            voided=Sum("voided_visits"),
            subsidy=Sum("subsidy"),
            personal=Sum("personal"),
            cash=Sum("cash"),
            total=Sum("total"),
        )
        .order_by("community__code")
    )
    return [
        {
            "community": r["community__name"],
            "town": r["street__name"],
            "visits": int(r["visits"] or 0),
            "hours": round_cny(Decimal(r["minutes"] or 0) / 60),
            "voided": int(r["voided"] or 0),
            "subsidy": round_cny(r["subsidy"] or 0),
            "copay": round_cny((r["personal"] or 0) + (r["cash"] or 0)),
            "total": round_cny(r["total"] or 0),
        }
        for r in rows
    ]


def usage_xlsx(quarter: Quarter) -> bytes:
    columns = {
        "town": _("Street / town"),
        "community": _("Community"),
        "visits": _("Visits"),
        "hours": _("Hours"),
        "voided": _("Voided visits"),
        "subsidy": _("Subsidy"),
        "copay": _("Co-pay"),
        "total": _("Total"),
    }
    rows = usage_rows(quarter)
    return _write({_("Usage"): _frame(rows, columns)}, {columns[k] for k in ("subsidy", "copay", "total")})


def callback_rows(quarter: Quarter) -> tuple[list[dict], list[dict]]:
    """(per community: subsidised persons, community callbacks, rate ≥ 5%;
    per day: completed orders, district callbacks, rate ≥ 10%)."""
    subsidised = dict(
        Entitlement.objects.filter(status=Entitlement.Status.ACTIVE)
        .values("elder__community_id")
        .annotate(n=Count("elder", distinct=True))
        .values_list("elder__community_id", "n")
    )
    contacted = dict(
        CommunityContact.objects.filter(contacted_on__range=(quarter.first_day, quarter.last_day))
        .values("elder__community_id")
        .annotate(n=Count("elder", distinct=True))
        .values_list("elder__community_id", "n")
    )
    communities = Division.objects.filter(pk__in=set(subsidised) | set(contacted)).select_related("parent")
    per_community = []
    for c in communities.order_by("code"):
        people, done = subsidised.get(c.pk, 0), contacted.get(c.pk, 0)
        rate = percent_one_decimal(done, people) if people else Decimal("0")
        per_community.append(
            {
                "town": c.parent.name if c.parent else "",
                "community": c.name,
                "people": people,
                "contacted": done,
                "rate": rate,
                "met": rate >= COMMUNITY_CONTACT_RATE * 100,
            }
        )
    start, _e = local_day_bounds(quarter.first_day)
    end, _e2 = local_day_bounds(quarter.last_day + datetime.timedelta(days=1))
    orders = WorkOrder.objects.filter(
        checked_out_at__gte=start, checked_out_at__lt=end, status__in=[WorkOrder.Status.COMPLETED, "voided"]
    )
    per_day = []
    days = (
        orders.annotate(day=TruncDate("checked_out_at"))
        .values("day")
        .annotate(
            n=Count("id"),
            district=Count("callbacks", filter=Q(callbacks__source=Callback.Source.DISTRICT)),
            provider=Count("callbacks", filter=Q(callbacks__source=Callback.Source.PROVIDER)),
        )
        .order_by("day")
    )
    for d in days:
        rate = percent_one_decimal(d["district"], d["n"]) if d["n"] else Decimal("0")
        per_day.append(
            {
                "day": d["day"],
                "orders": d["n"],
                "provider": d["provider"],
                "district": d["district"],
                "rate": rate,
                "met": rate >= DISTRICT_SAMPLE_RATE * 100,
            }
        )
    return per_community, per_day


def callbacks_xlsx(quarter: Quarter) -> bytes:
    per_community, per_day = callback_rows(quarter)
    yes, no = _("yes"), _("no")
    c_cols = {
        "town": _("Street / town"),
        "community": _("Community"),
        "people": _("Subsidised persons"),
        "contacted": _("Visited or called"),
        "rate": _("Rate (%)"),
        "met": _("At least 5%"),
    }
    d_cols = {
        "day": _("Day"),
        "orders": _("Work orders"),
        "provider": _("Provider callbacks"),
        "district": _("District callbacks"),
        "rate": _("District rate (%)"),
        "met": _("At least 10%"),
    }
    for r in per_community + per_day:
        r["met"] = yes if r["met"] else no
        r["rate"] = float(r["rate"])
    return _write(
        {_("Communities"): _frame(per_community, c_cols), _("District by day"): _frame(per_day, d_cols)}, set()
    )


def provider_month_quality(provider_ids: list[int], first: datetime.date, last: datetime.date) -> dict[int, dict]:
    """Per provider for a month: completed orders, callbacks by source, elders served, visits per elder."""
    start, _e = local_day_bounds(first)
    end, _e2 = local_day_bounds(last + datetime.timedelta(days=1))
    rows = (
        WorkOrder.objects.filter(
            provider_id__in=provider_ids,
            checked_out_at__gte=start,
            checked_out_at__lt=end,
            status__in=[WorkOrder.Status.COMPLETED, WorkOrder.Status.VOIDED],
        )
        .values("provider_id")
        .annotate(
            orders=Count("id", distinct=True),
            elders=Count("elder", distinct=True),
            provider_cb=Count("callbacks", filter=Q(callbacks__source=Callback.Source.PROVIDER), distinct=True),
            district_cb=Count("callbacks", filter=Q(callbacks__source=Callback.Source.DISTRICT), distinct=True),
        )
    )
    out = {}
    for r in rows:
        n = r["orders"] or 0
        out[r["provider_id"]] = {
            **r,
            "provider_rate": percent_one_decimal(r["provider_cb"], n) if n else Decimal("0"),
            "district_rate": percent_one_decimal(r["district_cb"], n) if n else Decimal("0"),
            "per_elder": round_one_decimal(Decimal(n) / r["elders"]) if r["elders"] else Decimal("0"),
        }
    return out


def provider_names(ids) -> dict[int, str]:
    return dict(Provider.objects.filter(pk__in=ids).values_list("pk", "name"))
