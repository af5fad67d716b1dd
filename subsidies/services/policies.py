"""Policy versions: loading the two real schemes, reading the rows in force, new versions with a
preview, and ending an entitlement (with recovery of grants paid after its end)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Division, Elder, Role, User
from eldercare.money import cny
from eldercare.periods import Month

from ..models import Entitlement, Grant, PolicyRow, PolicyVersion, Scheme
from ..policies import NON_SELF_CARE, PolicySpec, RuleSpec

ALL_LEVELS = ["self_care", "semi_disabled", "disabled"]
DIFFICULTY = ["tekun", "dibao", "shidu", "youfu", "gongxian", "gugua", "kongchao", "sanwu"]

# The two real schemes, as data (domain.md, "Monthly subsidy standards" and "Money flow").
SCHEMES = {
    "jiangdu": {
        "name": "江都区居家养老服务补贴（方案A）",
        "version": "2026年标准",
        "district_percent": Decimal("70"),
        "town_percent": Decimal("30"),
        "upper": "区",
        "lower": "镇（街道）",
        "note": "困难老人按评估等级 80/150/260 元；80岁以上经评估 60 元；二者不能同时享受。资金区、镇按7:3分担。",
        "rows": [
            ("困难老人·自理", DIFFICULTY, 60, None, ["self_care"], "80"),
            ("困难老人·半失能", DIFFICULTY, 60, None, ["semi_disabled"], "150"),
            ("困难老人·失能", DIFFICULTY, 60, None, ["disabled"], "260"),
            ("80岁以上", [], 80, None, ALL_LEVELS, "60"),
        ],
    },
    "shenzhen": {
        "name": "深圳市居家养老服务补贴（方案B）",
        "version": "2026年标准",
        "district_percent": Decimal("100"),
        "town_percent": Decimal("0"),
        "upper": "区（市按季度核拨）",
        "lower": "街道",
        "note": "就高不就低，不重复计算。市按核定人数、标准和金额按季度拨付各区；区可自定更高标准。",
        "rows": [
            ("低保·介护", [], 60, True, list(NON_SELF_CARE), "500"),
            ("非低保·介护", [], 60, False, list(NON_SELF_CARE), "300"),
            ("三无、低保或重点优抚", ["sanwu", "dibao", "youfu"], 60, None, [], "300"),
        ],
    },
}


def load_policies(*, district: Division, first_month: Month | None = None) -> dict[str, Scheme]:
    """Create both real schemes with their first version (idempotent: existing schemes are kept)."""
    first_month = first_month or Month(2020, 1)
    schemes: dict[str, Scheme] = {}
    with transaction.atomic():
        for code, data in SCHEMES.items():
            scheme, created = Scheme.objects.get_or_create(
                code=code, defaults={"name": data["name"], "jurisdiction": district}
            )
            schemes[code] = scheme
            if scheme.versions.exists():
                continue
            version = PolicyVersion.objects.create(
                scheme=scheme,
                name=data["version"],
                effective_from=first_month.first_day,
                district_percent=data["district_percent"],
                town_percent=data["town_percent"],
                upper_level_label=data["upper"],
                lower_level_label=data["lower"],
                note=data["note"],
            )
            PolicyRow.objects.bulk_create(
                PolicyRow(
                    version=version,
                    position=i,
                    label=label,
                    categories_any=cats,
                    min_age=age,
                    low_income=low,
                    care_levels=levels,
                    amount=cny(amount),
                )
                for i, (label, cats, age, low, levels, amount) in enumerate(data["rows"])
            )
    return schemes


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


# --- new versions -------------------------------------------------------------------------------


@dataclass
class RowInput:
    label: str
    amount: Decimal
    min_age: int = 60
    categories_any: tuple[str, ...] = ()
    low_income: bool | None = None
    care_levels: tuple[str, ...] = ()


@dataclass
class Preview:
    month: Month
    people: int
    changed: int
    total_before: Decimal
    total_after: Decimal
    examples: list[dict]


def _check_policy_editor(by: User, district_id: int | None) -> None:
    if by.is_superuser or by.has_role(Role.SYSADMIN):
        return
    if not by.has_role(Role.DISTRICT_REVIEWER):
        raise NotAllowed(_("Only the district civil-affairs bureau sets subsidy standards."))
    if district_id is not None:
        from eldercare.scoping import scope_for

        if district_id not in scope_for(by).district_ids:
            raise NotAllowed(_("This district is outside your jurisdiction."))


def _validate_rows(rows: list[RowInput]) -> None:
    if not rows:
        raise ValidationFailed(_("A policy version needs at least one standard."))
    for row in rows:
        if row.amount is None or Decimal(row.amount) < 0:
            raise ValidationFailed(_("A standard's monthly amount cannot be negative."))
        if any(c not in DIFFICULTY for c in row.categories_any):
            raise ValidationFailed(_("Unknown category of difficulty."))
        if any(level not in ALL_LEVELS for level in row.care_levels):
            raise ValidationFailed(_("Unknown care level."))
        if not 0 <= int(row.min_age) <= 120:
            raise ValidationFailed(_("The minimum age is out of range."))


def _draft_spec(
    base: PolicyVersion | None, rows: list[RowInput], month: Month, district_percent, town_percent
) -> PolicySpec:
    return PolicySpec(
        version_id=None,
        first_month=month,
        last_month=month,
        rules=tuple(
            RuleSpec(
                amount=Decimal(r.amount),
                label=r.label,
                min_age=int(r.min_age),
                categories_any=frozenset(r.categories_any),
                low_income=r.low_income,
                care_levels=frozenset(r.care_levels),
            )
            for r in rows
        ),
        district_percent=Decimal(district_percent),
        town_percent=Decimal(town_percent),
    )


def policy_version_preview(
    *,
    scheme: Scheme,
    district: Division | None,
    month: Month,
    rows: list[RowInput],
    district_percent: Decimal = Decimal("70"),
    town_percent: Decimal = Decimal("30"),
    by: User,
) -> Preview:
    """With this version from `month`: how many people change standard, and the monthly totals."""
    _check_policy_editor(by, district.pk if district else None)
    _validate_rows(rows)
    from ..run import facts_frame_for_preview

    draft = _draft_spec(None, rows, month, district_percent, town_percent)
    return facts_frame_for_preview(scheme=scheme, district=district, month=month, draft=draft)


@transaction.atomic
def policy_version_create(
    *,
    scheme: Scheme,
    district: Division | None,
    month: Month,
    name: str,
    rows: list[RowInput],
    district_percent: Decimal = Decimal("70"),
    town_percent: Decimal = Decimal("30"),
    upper_level_label: str = "区",
    lower_level_label: str = "镇（街道）",
    note: str = "",
    by: User,
) -> PolicyVersion:
    """A new version from `month` on; the version in force before it ends the month before.

    History is never rewritten: the new version may not start in a month already paid.
    """
    _check_policy_editor(by, district.pk if district else None)
    _validate_rows(rows)
    first = month.first_day
    paid = Grant.objects.filter(month__gte=first, entitlement__scheme=scheme)
    if district is not None:
        paid = paid.filter(community__parent__parent=district)
    if paid.exists():
        raise Conflict(
            _("Grants were already paid for %(month)s or later: a new version must start after the last paid month.")
            % {"month": month}
        )
    previous = list(
        PolicyVersion.objects.select_for_update()
        .filter(scheme=scheme, district=district)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=first))
        .order_by("effective_from")
    )
    for version in previous:
        if version.effective_from >= first:
            raise Conflict(_("A version already starts in or after %(month)s.") % {"month": month})
        version.effective_to = month.previous().first_day
        version.save(update_fields=["effective_to", "updated_at"])
    version = PolicyVersion.objects.create(
        scheme=scheme,
        district=district,
        name=name,
        effective_from=first,
        district_percent=district_percent,
        town_percent=town_percent,
        upper_level_label=upper_level_label,
        lower_level_label=lower_level_label,
        note=note,
        created_by=by,
    )
    PolicyRow.objects.bulk_create(
        PolicyRow(
            version=version,
            position=i,
            label=r.label,
            min_age=int(r.min_age),
            categories_any=list(r.categories_any),
            low_income=r.low_income,
            care_levels=list(r.care_levels),
            amount=cny(r.amount),
        )
        for i, r in enumerate(rows)
    )
    return version


def rows_of(version: PolicyVersion) -> list[RowInput]:
    return [
        RowInput(
            label=r.label,
            amount=r.amount.amount,
            min_age=r.min_age,
            categories_any=tuple(r.categories_any),
            low_income=r.low_income,
            care_levels=tuple(r.care_levels),
        )
        for r in version.rows.all()
    ]


# --- the end of an entitlement --------------------------------------------------------------------


@dataclass
class EndResult:
    entitlement: Entitlement
    recovered: list[Grant]
    recovered_total: Decimal
    outstanding_total: Decimal


def entitlement_end(*, elder: Elder, last_month: Month, reason: str, by: User | None) -> EndResult:
    """End the elder's entitlement after `last_month` (the month of death or moving away).

    Grants already paid for later months (a death reported late) are recovered by compensating
    ledger transactions: the subsidy account gives back what it still holds, the rest is booked as
    owed by the estate (the district's external account), and the funding accounts are restored.
    """
    from vouchers.models import Account

    from ..run import recover_grant

    if by is not None and not (
        by.is_superuser
        or by.has_role(Role.DISTRICT_REVIEWER, Role.STREET_REVIEWER, Role.COMMUNITY_WORKER, Role.SYSADMIN)
    ):
        raise NotAllowed(_("You may not end an entitlement."))
    if by is not None:
        from eldercare.scoping import scope_for

        if not scope_for(by).covers_community(elder.community_id):  # superusers and sysadmins cover all
            raise NotAllowed(_("This elder is outside your jurisdiction."))
    with transaction.atomic():
        entitlement = (
            Entitlement.objects.select_for_update()
            .filter(elder=elder)
            .filter(Q(status=Entitlement.Status.ACTIVE) | Q(end_month__gt=last_month.first_day))
            .order_by("-start_month")
            .first()
        )
        if entitlement is None:
            raise Conflict(_("This elder has no entitlement to end."))
        end = max(last_month.first_day, entitlement.start_month)
        entitlement.end_month = end
        entitlement.status = Entitlement.Status.ENDED
        entitlement.end_reason = reason[:200]
        entitlement.save(update_fields=["end_month", "status", "end_reason", "updated_at"])
        # Lock the subsidy account first, then the grants (a fixed order shared with the run).
        Account.objects.select_for_update().filter(elder=elder, kind=Account.Kind.SUBSIDY).first()
        later = list(
            Grant.objects.select_for_update()
            .filter(elder=elder, month__gt=end, recovery__isnull=True)
            .order_by("month")
        )
        recovered = Decimal("0")
        outstanding = Decimal("0")
        now = timezone.now()
        for grant in later:
            back, owed = recover_grant(grant=grant, reason=reason, by=by, at=now)
            recovered += back
            outstanding += owed
    return EndResult(entitlement, later, recovered, outstanding)


def month_of(day: datetime.date) -> Month:
    return Month.of(day)
