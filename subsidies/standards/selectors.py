"""Read side of the standards: policy versions and the rows in force in a month, the standard of an
entitlement for a month, and the monthly runs scoped to the viewer's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypedDict, cast

from django.db.models import Count, Q, QuerySet, Sum

from eldercare.models import User
from eldercare.money import ZERO
from eldercare.periods import Month
from eldercare.scoping import scope_for
from subsidies.standards.models import Assessment, Grant, PolicyRow, PolicyVersion, RunRefusal, SubsidyRun
from subsidies.standards.rules import (
    CARE_SHORT,
    CATEGORY_SHORT,
    PersonFacts,
    PolicySpec,
    RuleSpec,
    Standard,
    standard_for,
)

REPORT_ROLES = ("district_reviewer", "street_reviewer", "finance", "supervisor", "sysadmin", "community_worker")
# Who may read the subsidy standards, and who may make or withdraw a version of them.
POLICY_ROLES = ("district_reviewer", "sysadmin", "supervisor", "finance")
VERSION_ROLES = ("district_reviewer", "sysadmin")
# Who may start a month's run from the page or the API.
RUN_ROLES = ("district_reviewer", "sysadmin")


def policy_versions_for(user: User):
    return (
        PolicyVersion.objects.select_related("scheme", "district")
        .prefetch_related("rows")
        .order_by("scheme__code", "district_id", "-effective_from")
    )


def withdrawable_versions(versions: list[PolicyVersion]) -> set[int]:
    """The versions that may still be taken back: the latest of their scheme (and district), with
    an earlier one to fall back on, and no grant paid from their first month on."""
    by_line: dict[tuple, list[PolicyVersion]] = {}
    for v in versions:
        by_line.setdefault((v.scheme_id, v.district_id), []).append(v)
    ids = set()
    for line in by_line.values():
        line.sort(key=lambda v: v.effective_from)
        if len(line) < 2:
            continue
        last = line[-1]
        if not grants_paid_from(scheme_id=last.scheme_id, district_id=last.district_id, first=last.effective_from):
            ids.add(last.pk)
    return ids


def grants_paid_from(*, scheme_id: int, district_id: int | None, first) -> bool:
    """Has any grant of the scheme (in the district, for a local version) been paid from `first` on?"""
    paid = Grant.objects.filter(month__gte=first, entitlement__scheme_id=scheme_id)
    if district_id is not None:
        paid = paid.filter(community__parent__parent_id=district_id)
    return paid.exists()


def runs_for(user: User):
    return SubsidyRun.objects.order_by("-month", "-id")


@dataclass
class ReportLine:
    label: str
    people: int
    amount: Decimal
    district_share: Decimal = Decimal("0")
    town_share: Decimal = Decimal("0")
    division_id: int | None = None  # the street or community of a line by division (for its roster)


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


def _lines(qs, key: str, label, id_key: str | None = None) -> list[ReportLine]:
    keys = (key, id_key) if id_key else (key,)
    rows = (
        qs.values(*keys)
        .annotate(people=Count("id"), total=Sum("amount"), d=Sum("district_share"), t=Sum("town_share"))
        .order_by(*keys)
    )
    return [
        ReportLine(
            label(r[key]),
            r["people"],
            r["total"] or Decimal(0),
            r["d"] or Decimal(0),
            r["t"] or Decimal(0),
            r[id_key] if id_key else None,
        )
        for r in rows
    ]


class _GrantRow(TypedDict):
    elder_id: int
    amount: Decimal
    reason: str
    elder__name: str
    community__name: str


def _grants_by_elder(grants: QuerySet[Grant]) -> dict[int, _GrantRow]:
    rows = grants.values("elder_id", "amount", "reason", "elder__name", "community__name")
    # `values()` gives the amount column as stored, a Decimal; django-stubs types every read of a
    # field like the model attribute, a Money for a MoneyField, so the row's type is stated here.
    return {row["elder_id"]: cast(_GrantRow, row) for row in rows}


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
    now_map = _grants_by_elder(grants)
    before_map = _grants_by_elder(previous)
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
        by_street=_lines(grants, "community__parent__name", str, "community__parent_id"),
        by_community=_lines(grants, "community__name", str, "community_id"),
        changes=changes,
        refusals=refusals,
        runs=runs,
    )


CATEGORY_NAMES = CATEGORY_SHORT


# --- the rows in force in a month -------------------------------------------------------------


def _rule(row: PolicyRow) -> RuleSpec:
    return RuleSpec(
        amount=row.amount.amount,
        label=row.label,
        min_age=row.min_age,
        categories_any=frozenset(row.categories_any or ()),
        low_income=row.low_income,
        care_levels=frozenset(row.care_levels or ()),
        row_id=row.pk,
        version_id=row.version_id,
        last_month=Month.of(row.last_month) if row.last_month else None,
    )


def _in_force(month: Month) -> Q:
    first = month.first_day
    return Q(effective_from__lte=first) & (Q(effective_to__isnull=True) | Q(effective_to__gte=first))


def versions_in_force(*, month: Month) -> list[PolicyVersion]:
    return list(
        PolicyVersion.objects.filter(_in_force(month)).prefetch_related("rows").order_by("scheme_id", "district_id")
    )


def spec_from_versions(base: PolicyVersion, local: PolicyVersion | None, month: Month) -> PolicySpec:
    rows = [_rule(r) for r in base.rows.all()]
    if local is not None:
        rows += [_rule(r) for r in local.rows.all()]
    return PolicySpec(
        version_id=base.pk,
        first_month=month,
        last_month=month,
        rules=tuple(rows),
        combination=base.combination,
        district_percent=base.district_percent,
        town_percent=base.town_percent,
    )


def policy_spec_for(*, scheme_id: int, district_id: int | None, month: Month) -> PolicySpec | None:
    """The rows in force in `month` for a scheme in a district: the scheme's plus the district's own."""
    versions = [v for v in versions_in_force(month=month) if v.scheme_id == scheme_id]
    base = next((v for v in versions if v.district_id is None), None)
    if base is None:
        return None
    local = next((v for v in versions if district_id is not None and v.district_id == district_id), None)
    return spec_from_versions(base, local, month)


def specs_for_month(month: Month) -> dict[tuple[int, int | None], PolicySpec]:
    """Every (scheme, district) combination in force in the month; key district None = no local rows."""
    versions = versions_in_force(month=month)
    bases = {v.scheme_id: v for v in versions if v.district_id is None}
    specs: dict[tuple[int, int | None], PolicySpec] = {}
    for scheme_id, base in bases.items():
        specs[(scheme_id, None)] = spec_from_versions(base, None, month)
        for local in versions:
            if local.scheme_id == scheme_id and local.district_id is not None:
                specs[(scheme_id, local.district_id)] = spec_from_versions(base, local, month)
    return specs


# --- the standard of one entitlement for one month ---------------------------------------------
# The standard of one entitlement for one month, read from the database.
#
# Public contract (the approval notice and the account page call it):
#
#    Standard(amount: Money, reason: str, policy_version_id: int | None, row_id: int | None)
#    entitlement_standard(*, entitlement, month: Month) -> Standard
#
# The facts are taken as of the month: the age reached in the month, the categories whose evidence
# is dated on or before the month's first day, and the care level of the latest assessment in force
# on the month's first day (a reassessment in the middle of a month changes the next month).


def person_facts(*, elder, month: Month) -> PersonFacts:
    first = month.first_day
    categories = elder.categories.filter(evidence_date__lte=first).values_list("category", flat=True)
    assessment = (
        Assessment.objects.filter(elder=elder, effective_from__lte=first).order_by("-effective_from", "-id").first()
    )
    return PersonFacts.of(
        birth_date=elder.birth_date,
        month=month,
        categories=categories,
        care_level=assessment.care_level if assessment else None,
    )


def entitlement_standard(*, entitlement, month: Month) -> Standard:
    elder = entitlement.elder
    district_id = elder.community.parent.parent_id
    spec = policy_spec_for(scheme_id=entitlement.scheme_id, district_id=district_id, month=month)
    if spec is None:
        return Standard(amount=ZERO, reason="该月无有效补贴政策", policy_version_id=None, row_id=None)
    return standard_for(person_facts(elder=elder, month=month), month, spec)
