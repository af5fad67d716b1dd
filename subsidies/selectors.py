"""Read side of policies and monthly runs, scoped to the viewer's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from eldercare.models import User
from eldercare.periods import Month
from eldercare.scoping import scope_for

from .models import Grant, PolicyVersion, RunRefusal, SubsidyRun
from .policies import CARE_SHORT, CATEGORY_SHORT

REPORT_ROLES = ("district_reviewer", "street_reviewer", "finance", "supervisor", "sysadmin", "community_worker")


def policy_versions_for(user: User):
    return (
        PolicyVersion.objects.select_related("scheme", "district")
        .prefetch_related("rows")
        .order_by("scheme__code", "district_id", "-effective_from")
    )


def runs_for(user: User):
    return SubsidyRun.objects.order_by("-month", "-id")


@dataclass
class ReportLine:
    label: str
    people: int
    amount: Decimal
    district_share: Decimal = Decimal("0")
    town_share: Decimal = Decimal("0")


@dataclass
class Change:
    elder_id: int
    name: str
    community: str
    kind: str  # new, stopped, changed
    before: Decimal | None
    after: Decimal | None
    reason: str


@dataclass
class RunReport:
    month: Month
    people: int
    total: Decimal
    district_share: Decimal
    town_share: Decimal
    by_care_level: list[ReportLine]
    by_category: list[ReportLine]
    by_street: list[ReportLine]
    by_community: list[ReportLine]
    changes: list[Change] = field(default_factory=list)
    refusals: list[dict] = field(default_factory=list)
    runs: list[SubsidyRun] = field(default_factory=list)


def _lines(qs, key: str, label) -> list[ReportLine]:
    rows = (
        qs.values(key)
        .annotate(people=Count("id"), total=Sum("amount"), d=Sum("district_share"), t=Sum("town_share"))
        .order_by(key)
    )
    return [
        ReportLine(label(r[key]), r["people"], r["total"] or Decimal(0), r["d"] or Decimal(0), r["t"] or Decimal(0))
        for r in rows
    ]


def run_report(*, user: User, month: Month) -> RunReport:
    """The month's grants in the viewer's jurisdiction, the changes against last month and refusals."""
    scope = scope_for(user)
    where = scope.communities_q("community")
    grants = Grant.objects.filter(where, month=month.first_day, recovery__isnull=True)
    totals = grants.aggregate(n=Count("id"), s=Sum("amount"), d=Sum("district_share"), t=Sum("town_share"))
    by_category: dict[str, ReportLine] = {}
    for row in grants.values("categories").annotate(people=Count("id"), total=Sum("amount")):
        names = [c for c in (row["categories"] or "").split("、") if c] or ["（无困难类别）"]
        for name in names:
            line = by_category.setdefault(name, ReportLine(name, 0, Decimal(0)))
            line.people += row["people"]
            line.amount += row["total"] or 0
    previous = Grant.objects.filter(where, month=month.previous().first_day, recovery__isnull=True)
    now_map = {
        g["elder_id"]: g for g in grants.values("elder_id", "amount", "reason", "elder__name", "community__name")
    }
    before_map = {
        g["elder_id"]: g for g in previous.values("elder_id", "amount", "reason", "elder__name", "community__name")
    }
    changes: list[Change] = []
    for elder_id, g in now_map.items():
        old = before_map.get(elder_id)
        if old is None:
            changes.append(
                Change(elder_id, g["elder__name"], g["community__name"], "new", None, g["amount"], g["reason"])
            )
        elif old["amount"] != g["amount"]:
            changes.append(
                Change(
                    elder_id, g["elder__name"], g["community__name"], "changed", old["amount"], g["amount"], g["reason"]
                )
            )
    for elder_id, old in before_map.items():
        if elder_id not in now_map:
            changes.append(
                Change(elder_id, old["elder__name"], old["community__name"], "stopped", old["amount"], None, "")
            )
    changes.sort(key=lambda c: (c.kind, c.community, c.name))
    runs = list(SubsidyRun.objects.filter(month=month.first_day).order_by("-id"))
    refusals = []
    if runs:
        latest_refusals = RunRefusal.objects.filter(run=runs[0]).filter(
            Q(elder__community_id__in=scope.community_ids) if not scope.all else Q()
        )
        refusals = [
            {
                "name": r.elder.name,
                "community": r.elder.community.name,
                "reason": r.get_reason_display(),
                "detail": r.detail,
            }
            for r in latest_refusals.select_related("elder__community")
        ]
    return RunReport(
        month=month,
        people=totals["n"] or 0,
        total=totals["s"] or Decimal(0),
        district_share=totals["d"] or Decimal(0),
        town_share=totals["t"] or Decimal(0),
        by_care_level=_lines(grants, "care_level", lambda v: CARE_SHORT.get(v, v or "—")),
        by_category=sorted(by_category.values(), key=lambda line: line.label),
        by_street=_lines(grants, "community__parent__name", str),
        by_community=_lines(grants, "community__name", str),
        changes=changes,
        refusals=refusals,
        runs=runs,
    )


CATEGORY_NAMES = CATEGORY_SHORT
