"""Policy versions: loading the two real schemes and new versions with a preview of their effect."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Division, Role, User
from eldercare.money import cny
from eldercare.periods import Month
from eldercare.scoping import scope_for
from subsidies.standards.models import PolicyRow, PolicyVersion, Scheme
from subsidies.standards.rules import (
    DEFAULT_DISTRICT_PERCENT,
    DEFAULT_TOWN_PERCENT,
    FUNDING_SHARES_TOTAL,
    MAX_TRANSITION_MONTHS,
    MIN_AGE,
    NON_SELF_CARE,
    PersonFacts,
    PolicySpec,
    RuleSpec,
    shares_complete,
    standard_for,
    transition_too_long,
)
from subsidies.standards.selectors import grants_paid_from, specs_for_month
from subsidies.standards.services.run import build_facts, combos_of_facts, spec_for

ALL_LEVELS = ["self_care", "semi_disabled", "disabled"]
DIFFICULTY = ["tekun", "dibao", "shidu", "youfu", "gongxian", "gugua", "kongchao", "sanwu"]

# One standard of a scheme: label, categories of difficulty (any of them; none: no condition),
# minimum age, low income (None: either way), care levels (none: any), monthly amount in yuan.
SchemeRowData = tuple[str, list[str], int, bool | None, list[str], str]


class SchemeData(TypedDict):
    name: str
    version: str
    district_percent: Decimal
    town_percent: Decimal
    upper: str  # the label of the upper funding level
    lower: str  # the label of the lower funding level
    note: str
    rows: list[SchemeRowData]


# The two real schemes, as data (domain.md, "Monthly subsidy standards" and "Money flow").
SCHEMES: dict[str, SchemeData] = {
    "jiangdu": {
        "name": "江都区居家养老服务补贴（方案A）",
        "version": "2026年标准",
        "district_percent": DEFAULT_DISTRICT_PERCENT,
        "town_percent": DEFAULT_TOWN_PERCENT,
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


# --- new versions -------------------------------------------------------------------------------


@dataclass
class RowInput:
    label: str
    amount: Decimal
    min_age: int = MIN_AGE
    categories_any: tuple[str, ...] = ()
    low_income: bool | None = None
    care_levels: tuple[str, ...] = ()
    last_month: Month | None = None  # a transition's last month (None: as long as the version)


class PreviewExample(TypedDict):
    """People who share the same facts and whose standard the draft changes."""

    facts: PersonFacts
    count: int
    old: Decimal
    new: Decimal
    reason: str


@dataclass
class Preview:
    month: Month
    people: int
    changed: int
    total_before: Decimal
    total_after: Decimal
    examples: list[PreviewExample]


def facts_frame_for_preview(*, scheme, district, month: Month, draft: PolicySpec):
    """How a draft version would change the month: people whose standard changes, totals before/after."""
    specs = specs_for_month(month)
    all_specs = list(specs.values()) + [draft]
    with connection.cursor() as cur, transaction.atomic():
        build_facts(cur, month, {("x", i): s for i, s in enumerate(all_specs)})
        combos = [
            c
            for c in combos_of_facts(cur)
            if c.scheme_id == scheme.pk and (district is None or c.district_id == district.pk)
        ]
        cur.execute("DROP TABLE IF EXISTS run_facts")
    before = after = Decimal("0")
    changed = people = 0
    examples: list[PreviewExample] = []
    for combo in combos:
        current = spec_for(specs, combo.scheme_id, combo.district_id)
        old = standard_for(combo.facts, month, current).amount.amount if current else Decimal("0")
        if district is None:
            # A new scheme version: keep any local rows of the district.
            local = specs.get((combo.scheme_id, combo.district_id))
            extra = tuple(r for r in (local.rules if local else ()) if current and r.version_id != current.version_id)
            new_spec = PolicySpec(None, month, month, draft.rules + extra)
        else:
            base = specs.get((combo.scheme_id, None))
            new_spec = PolicySpec(None, month, month, (base.rules if base else ()) + draft.rules)
        new = standard_for(combo.facts, month, new_spec)
        people += combo.count
        before += old * combo.count
        after += new.amount.amount * combo.count
        if new.amount.amount != old:
            changed += combo.count
            if len(examples) < 20:
                examples.append(
                    {
                        "facts": combo.facts,
                        "count": combo.count,
                        "old": old,
                        "new": new.amount.amount,
                        "reason": new.reason,
                    }
                )
    return Preview(
        month=month, people=people, changed=changed, total_before=before, total_after=after, examples=examples
    )


def _check_policy_editor(by: User, district_id: int | None) -> None:
    if by.is_superuser or by.has_role(Role.SYSADMIN):
        return
    if not by.has_role(Role.DISTRICT_REVIEWER):
        raise NotAllowed(_("Only the district civil-affairs bureau sets subsidy standards."))
    if district_id is not None:
        if district_id not in scope_for(by).district_ids:
            raise NotAllowed(_("This district is outside your jurisdiction."))


def _validate_rows(rows: list[RowInput], month: Month) -> None:
    """`month`: the first month of the version the rows belong to (a transition counts from it)."""
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
        if row.last_month is not None:
            if row.last_month < month:
                raise ValidationFailed(
                    _("The standard “%(label)s” cannot end before the version's first month %(month)s.")
                    % {"label": row.label, "month": month}
                )
            if transition_too_long(first=month, last=row.last_month):
                raise ValidationFailed(
                    _(
                        "A transition lasts at most %(max)s months: the standard “%(label)s” of a version "
                        "from %(first)s must end by %(last)s."
                    )
                    % {
                        "max": MAX_TRANSITION_MONTHS,
                        "label": row.label,
                        "first": month,
                        "last": month.plus(MAX_TRANSITION_MONTHS - 1),
                    }
                )


def _validate_split(district_percent: Decimal, town_percent: Decimal) -> None:
    if not shares_complete(Decimal(district_percent), Decimal(town_percent)):
        raise ValidationFailed(
            _("The district's and the town's shares must add up to %(whole)s%% (now %(district)s%% + %(town)s%%).")
            % {"whole": FUNDING_SHARES_TOTAL, "district": district_percent, "town": town_percent}
        )


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
                last_month=r.last_month,
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
    district_percent: Decimal = DEFAULT_DISTRICT_PERCENT,
    town_percent: Decimal = DEFAULT_TOWN_PERCENT,
    by: User,
) -> Preview:
    """With this version from `month`: how many people change standard, and the monthly totals."""
    _check_policy_editor(by, district.pk if district else None)
    _validate_rows(rows, month)
    _validate_split(district_percent, town_percent)
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
    district_percent: Decimal = DEFAULT_DISTRICT_PERCENT,
    town_percent: Decimal = DEFAULT_TOWN_PERCENT,
    upper_level_label: str = "区",
    lower_level_label: str = "镇（街道）",
    note: str = "",
    by: User,
) -> PolicyVersion:
    """A new version from `month` on; the version in force before it ends the month before.

    History is never rewritten: the new version may not start in a month already paid.
    """
    _check_policy_editor(by, district.pk if district else None)
    _validate_rows(rows, month)
    _validate_split(district_percent, town_percent)
    first = month.first_day
    if grants_paid_from(scheme_id=scheme.pk, district_id=district.pk if district else None, first=first):
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
            last_month=r.last_month.first_day if r.last_month else None,
        )
        for i, r in enumerate(rows)
    )
    return version


@transaction.atomic
def policy_version_withdraw(*, version: PolicyVersion, reason: str, by: User) -> PolicyVersion | None:
    """Take back a version no month has been paid under (a wrong split, a wrong amount): the
    version in force before it is in force again. The version's history keeps who withdrew it and
    why. Returns the version in force again."""
    _check_policy_editor(by, version.district_id)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the version is withdrawn."))
    versions = list(
        PolicyVersion.objects.select_for_update()
        .filter(scheme_id=version.scheme_id, district_id=version.district_id)
        .order_by("effective_from")
    )
    locked = next((v for v in versions if v.pk == version.pk), None)
    if locked is None:
        raise Conflict(_("This version was already withdrawn."))
    version = locked
    if any(v.effective_from > version.effective_from for v in versions):
        raise Conflict(_("A later version exists: withdraw that one first."))
    earlier = [v for v in versions if v.effective_from < version.effective_from]
    if not earlier:
        raise Conflict(_("The first version of a scheme cannot be withdrawn: make a new version instead."))
    month = Month.of(version.effective_from)
    if grants_paid_from(scheme_id=version.scheme_id, district_id=version.district_id, first=version.effective_from):
        raise Conflict(
            _("Grants were already paid under this version (from %(month)s): make a new version instead.")
            % {"month": month}
        )
    previous = earlier[-1]
    previous.effective_to = None
    # simple-history reads the reason (and the user) for its history rows from these attributes.
    setattr(previous, "_change_reason", reason)  # noqa: B010
    previous.save(update_fields=["effective_to", "updated_at"])
    version.rows.all().delete()
    setattr(version, "_change_reason", reason)  # noqa: B010
    setattr(version, "_history_user", by)  # noqa: B010
    version.delete()
    return previous


def rows_of(version: PolicyVersion) -> list[RowInput]:
    return [
        RowInput(
            label=r.label,
            amount=r.amount.amount,
            min_age=r.min_age,
            categories_any=tuple(r.categories_any),
            low_income=r.low_income,
            care_levels=tuple(r.care_levels),
            last_month=Month.of(r.last_month) if r.last_month else None,
        )
        for r in version.rows.all()
    ]
