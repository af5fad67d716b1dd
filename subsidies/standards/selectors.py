"""Read side of the standards: policy versions and the rows in force in a month, the standard of an
entitlement for a month, and the monthly runs scoped to the viewer's jurisdiction."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, CharField, F, Q, QuerySet, Sum, Value, When

from eldercare.models import Division, Elder, User
from eldercare.money import ZERO, round_cny
from eldercare.periods import Month
from eldercare.scoping import scope_for
from subsidies.standards.models import (
    Assessment,
    Grant,
    GrantSummary,
    PolicyRow,
    PolicyVersion,
    RunRefusal,
    SubsidyRun,
)
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


CHANGE_KINDS = ("changed", "new", "stopped")  # the order of the list: by kind, community, name

T_GRANT = Grant._meta.db_table
T_ELDER = Elder._meta.db_table
T_DIVISION = Division._meta.db_table


class ChangeList:
    """The changes of a month against the month before, among the unrecovered grants in the
    viewer's jurisdiction, worked out by the database: this month's grants with last month's
    amount of the same elder (new: none; changed: another amount), then last month's grants with
    none this month (stopped). Sliced for a page (`page_of`), counted per kind, or read whole as
    rows for a download; nothing is loaded per elder beyond what is asked for."""

    def __init__(self, *, month: Month, community_ids: frozenset[int] | None) -> None:
        self.month = month
        self.community_ids = community_ids  # None: every community
        self._counts: dict[str, int] | None = None

    def _scope(self, alias: str) -> tuple[str, list]:
        if self.community_ids is None:
            return "", []
        ids = sorted(self.community_ids)
        if not ids:
            return " AND 1 = 0", []
        return f" AND {alias}.community_id IN ({', '.join(['%s'] * len(ids))})", list(ids)

    def _sql(self) -> tuple[str, list]:
        now, before = self.month.first_day, self.month.previous().first_day
        scope_g, ids = self._scope("g")
        scope_p, _ids = self._scope("p")
        # Table names come from model metadata; every value, the scope's ids too, is a bound parameter.
        sql = f"""
            SELECT g.elder_id, g.community_id,
                   CASE WHEN p.elder_id IS NULL THEN 'new' ELSE 'changed' END AS kind,
                   p.amount AS before, g.amount AS after, g.reason
            FROM {T_GRANT} g
            LEFT JOIN {T_GRANT} p ON p.elder_id = g.elder_id AND p.month = %s AND p.recovery_id IS NULL{scope_p}
            WHERE g.month = %s AND g.recovery_id IS NULL{scope_g}
              AND (p.elder_id IS NULL OR p.amount <> g.amount)
            UNION ALL
            SELECT p.elder_id, p.community_id, 'stopped', p.amount, NULL, ''
            FROM {T_GRANT} p
            WHERE p.month = %s AND p.recovery_id IS NULL{scope_p}
              AND NOT EXISTS (SELECT 1 FROM {T_GRANT} g WHERE g.elder_id = p.elder_id AND g.month = %s
                              AND g.recovery_id IS NULL{scope_g})"""  # noqa: S608
        return sql, [before, *ids, now, *ids, before, *ids, now, *ids]

    def counts(self) -> dict[str, int]:
        """How many changes of each kind (every kind named, 0 when none); counted once (the
        report's figures and the pager's count are the same query)."""
        if self._counts is None:
            sql, params = self._sql()
            with connection.cursor() as cur:
                cur.execute(f"SELECT c.kind, COUNT(*) FROM ({sql}) c GROUP BY c.kind", params)  # noqa: S608
                found = {kind: int(n) for kind, n in cur.fetchall()}
            self._counts = {kind: found.get(kind, 0) for kind in CHANGE_KINDS}
        return self._counts

    def count(self) -> int:
        return sum(self.counts().values())

    def __len__(self) -> int:
        return self.count()

    def _rows(self, limit: int | None = None, offset: int = 0):
        sql, params = self._sql()
        page = ""
        if limit is not None:
            page = " LIMIT %s OFFSET %s"
            params = [*params, limit, offset]
        with connection.cursor() as cur:
            cur.execute(
                f"""SELECT c.elder_id, e.name, d.name, c.kind, c.before, c.after, c.reason FROM ({sql}) c
                    JOIN {T_ELDER} e ON e.id = c.elder_id JOIN {T_DIVISION} d ON d.id = c.community_id
                    ORDER BY c.kind, d.name, e.name, c.elder_id{page}""",  # noqa: S608
                params,
            )
            while batch := cur.fetchmany(2000):
                for elder_id, name, community, kind, before, after, reason in batch:
                    yield Change(
                        elder_id,
                        name,
                        community,
                        kind,
                        None if before is None else round_cny(before),
                        None if after is None else round_cny(after),
                        reason or "",
                    )

    def __getitem__(self, index: slice) -> list[Change]:
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("ChangeList takes a slice")
        start = index.start or 0
        limit = None if index.stop is None else max(index.stop - start, 0)
        if limit == 0 or (self._counts is not None and start >= self.count()):
            return []
        return list(self._rows(limit, start))

    def __iter__(self):
        """Every change, read from the database in batches (for the downloads)."""
        return self._rows()


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
    changes: ChangeList
    change_counts: dict[str, int]
    refusals: QuerySet
    runs: list[SubsidyRun] = field(default_factory=list)


def _lines(qs, key: str, label, id_key: str | None = None) -> list[ReportLine]:
    keys = (key, id_key) if id_key else (key,)
    rows = (
        qs.values(*keys)
        .annotate(people=Sum("people"), total=Sum("amount"), d=Sum("district_share"), t=Sum("town_share"))
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


def _refusals(run: SubsidyRun | None, scope) -> QuerySet:
    """The latest run's refusals in the viewer's jurisdiction, as rows (name, community, reason as
    shown, detail) ordered by community and name: a page of them, or all for a download."""
    label = Case(
        *(When(reason=value, then=Value(str(text))) for value, text in RunRefusal.Reason.choices),
        default=F("reason"),
        output_field=CharField(),
    )
    return (
        RunRefusal.objects.filter(run=run)  # no run yet: `run IS NULL`, no row
        .filter(scope.communities_q("elder__community"))
        .annotate(name=F("elder__name"), community=F("elder__community__name"), reason_label=label)
        .order_by("elder__community__name", "elder__name", "elder_id")
        .values("name", "community", "reason_label", "detail")
    )


def run_report(*, user: User, month: Month) -> RunReport:
    """The month's grants in the viewer's jurisdiction (added up from the grant summary), the
    changes against last month and the refusals (both read a page at a time, see `ChangeList`)."""
    scope = scope_for(user)
    lines = GrantSummary.objects.filter(scope.communities_q("community"), month=month.first_day, people__gt=0)
    totals = lines.aggregate(n=Sum("people"), s=Sum("amount"), d=Sum("district_share"), t=Sum("town_share"))
    by_category: dict[str, ReportLine] = {}
    for row in lines.values("categories").annotate(people=Sum("people"), total=Sum("amount")).order_by("categories"):
        names = [c for c in (row["categories"] or "").split("、") if c] or ["（无困难类别）"]
        for name in names:
            line = by_category.setdefault(name, ReportLine(name, 0, Decimal(0)))
            line.people += row["people"]
            line.amount += row["total"] or 0
    changes = ChangeList(month=month, community_ids=None if scope.all else scope.community_ids)
    runs = list(SubsidyRun.objects.filter(month=month.first_day).order_by("-id"))
    return RunReport(
        month=month,
        people=totals["n"] or 0,
        total=totals["s"] or Decimal(0),
        district_share=totals["d"] or Decimal(0),
        town_share=totals["t"] or Decimal(0),
        by_care_level=_lines(lines, "care_level", lambda v: CARE_SHORT.get(v, v or "—")),
        by_category=sorted(by_category.values(), key=lambda line: line.label),
        by_street=_lines(lines, "community__parent__name", str, "community__parent_id"),
        by_community=_lines(lines, "community__name", str, "community_id"),
        changes=changes,
        change_counts=changes.counts(),
        refusals=_refusals(runs[0] if runs else None, scope),
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
