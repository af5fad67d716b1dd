"""Rules of intake and review, pure and on plain values: eligibility (each failing rule named),
the review's working-day limits (domain.md, "Application and review"), and who acts at each stage."""

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from eldercare.idnumber import age_on
from eldercare.models import Role
from eldercare.money import round_cny
from eldercare.periods import Month
from subsidies.standards.rules import (
    CARE_SHORT,
    CATEGORY_ORDER,
    CATEGORY_SHORT,
    HIGH_AGE,
    LOW_INCOME,
    MIN_AGE,
    PersonFacts,
    PolicySpec,
    RuleSpec,
)

from .models import ApplicationStatus as S

MIN_RESIDENCE_MONTHS = 6

# The public notice lasts at least 5 working days; the community's first review, notice included,
# at most 10; the street office 5; the district 10.
NOTICE_MIN_WORKDAYS = 5
COMMUNITY_WORKDAYS = 10  # the whole first review, notice included
STREET_WORKDAYS = 5
DISTRICT_WORKDAYS = 10
# Offices are reminded of a case due within this many working days (and of every overdue one).
REMIND_WITHIN_WORKDAYS = 2

# A4 scans of the materials: PDF or image, at most 10 MB each.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_UPLOADS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

COMMUNITY_STAGES = (S.FILED, S.COMMUNITY_REVIEW, S.PUBLIC_NOTICE, S.COMMUNITY_DECISION)
STAGE_ROLE: dict[str, Role] = {
    S.FILED: Role.COMMUNITY_WORKER,
    S.COMMUNITY_REVIEW: Role.COMMUNITY_WORKER,
    S.PUBLIC_NOTICE: Role.COMMUNITY_WORKER,
    S.COMMUNITY_DECISION: Role.COMMUNITY_WORKER,
    S.STREET_REVIEW: Role.STREET_REVIEWER,
    S.ASSESSMENT: Role.ASSESSOR,
    S.DISTRICT_DECISION: Role.DISTRICT_REVIEWER,
}


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` months earlier, clamped to the month's end (31 Aug - 6 months = 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class EligibilityFacts:
    birth_date: datetime.date
    hukou_in_district: bool
    resident_since: datetime.date
    alive_and_present: bool
    disqualified: bool
    has_other_open_application: bool
    has_active_entitlement: bool


def eligibility_problems(facts: EligibilityFacts, *, on: datetime.date) -> list[str]:
    """Every rule the elder fails on `on` (the filing date), as messages naming the rule."""
    problems = []
    age = age_on(facts.birth_date, on)
    if age < MIN_AGE:
        problems.append(
            _("Age: the elder is %(age)d on %(date)s; the subsidy needs %(min)d or more.")
            % {"age": age, "date": on.isoformat(), "min": MIN_AGE}
        )
    if not facts.hukou_in_district:
        problems.append(_("Household registration: the elder's household registration is not in the district."))
    earliest = months_before(on, MIN_RESIDENCE_MONTHS)
    if facts.resident_since > earliest:
        problems.append(
            _("Residence: living here since %(since)s, less than six months before %(date)s.")
            % {"since": facts.resident_since.isoformat(), "date": on.isoformat()}
        )
    if not facts.alive_and_present:
        problems.append(_("Status: the elder is recorded as deceased or moved away."))
    if facts.disqualified:
        problems.append(_("Disqualified: the elder was disqualified for life after fraud."))
    if facts.has_other_open_application:
        problems.append(_("Open application: the elder already has an application under review."))
    if facts.has_active_entitlement:
        problems.append(_("Active subsidy: the elder already receives a subsidy."))
    return problems


def standard_problem(facts: PersonFacts, spec: PolicySpec, *, month: str) -> str:
    """The rule that gives the person no standard of the policy, named (an approval must state the
    standard the elder receives, so a case that matches no row cannot be approved)."""
    if facts.age < MIN_AGE:
        return _("Age: the elder is %(age)d in %(month)s; every standard needs %(min)d or more.") % {
            "age": facts.age,
            "month": month,
            "min": MIN_AGE,
        }
    if not facts.categories and facts.age < HIGH_AGE:
        return _(
            "Age %(age)d in %(month)s and no difficulty category: the standards of elders in difficulty need a "
            "category (低保, 特困, 三无 …) and the high-age standard needs %(high)d or more."
        ) % {"age": facts.age, "month": month, "high": HIGH_AGE}
    if facts.care_level is None:
        return _("Care level: the elder has not been assessed, and the scheme's standards depend on the care level.")
    categories = "、".join(CATEGORY_SHORT[c] for c in CATEGORY_ORDER if c in facts.categories)
    return _(
        "No row of the scheme matches age %(age)d in %(month)s, categories %(categories)s and care level "
        "%(level)s; the scheme's rows: %(rows)s."
    ) % {
        "age": facts.age,
        "month": month,
        "categories": categories or "—",
        "level": CARE_SHORT.get(facts.care_level, facts.care_level),
        "rows": "；".join(rule.label for rule in spec.rules) or "—",
    }


# --- official documents -------------------------------------------------------------------------
# The written decisions are official documents in the bureau's own (Chinese) wording, like the
# standard's reason they state: their number, the legal remedy and the sentence explaining the
# amount are written here, not translated.

# A decision's number: the district's prefix, the year, a serial of this many digits at least
# (江民养〔2026〕第015号); a district sets its own prefix and width.
NUMBER_WIDTH = 3
# Administrative review within 60 days of receipt, a lawsuit within six months (行政复议法 art. 20,
# 行政诉讼法 art. 46).
REVIEW_DAYS_TEXT = "六十日"
LAWSUIT_MONTHS_TEXT = "六个月"

# How the plain-language sentence names a category and a care level.
CATEGORY_PLAIN = {
    "tekun": "城乡散居特困人员",
    "dibao": "低保对象",
    "shidu": "失独老人",
    "youfu": "重点优抚对象",
    "gongxian": "特殊贡献人员",
    "gugua": "孤寡老人",
    "kongchao": "空巢独居老人",
    "sanwu": "“三无”老人",
}
CARE_PLAIN = {"self_care": "生活自理", "semi_disabled": "半失能", "disabled": "失能"}


def document_number(*, prefix: str, year: int, serial: int, width: int = NUMBER_WIDTH) -> str:
    """江民养〔2026〕第015号"""
    return f"{prefix}〔{year}〕第{serial:0{width}d}号"


def default_number_prefix(district_name: str) -> str:
    """The prefix a district without its own rule uses: its first character and 民养 (江都区 → 江民养)."""
    return f"{district_name[:1]}民养"


def default_issuing_body(district_name: str) -> str:
    return f"{district_name}民政局"


def default_review_body(district_name: str) -> str:
    return f"{district_name}人民政府"


def remedy_text(review_body: str) -> str:
    """The legal remedy a rejection states in full."""
    return (
        f"如不服本决定，可在收到本决定书之日起{REVIEW_DAYS_TEXT}内向{review_body}申请行政复议，"
        f"或者在{LAWSUIT_MONTHS_TEXT}内向人民法院提起行政诉讼。"
    )


def _yuan(amount: Decimal) -> str:
    value = round_cny(amount)
    return f"{value:.0f}元" if value == value.to_integral() else f"{value:.2f}元"


def _row_plain(rule: RuleSpec) -> str:
    """A row not added to the standard, as the sentence names it: an age row by its age, any other
    by its label in the policy."""
    if rule.min_age > MIN_AGE and not rule.categories_any and rule.low_income is None:
        return f"{rule.min_age}周岁以上高龄补贴{_yuan(rule.amount)}"
    return f"“{rule.label}”补助{_yuan(rule.amount)}"


def standard_sentence(
    *, facts: PersonFacts, rule: RuleSpec, amount: Decimal, not_added: Sequence[RuleSpec] = ()
) -> str:
    """The standard in plain words, from the facts that made `rule` apply:
    您属于低保对象、重点优抚对象，经评估为半失能，每月补助150元；80周岁以上高龄补贴60元与本补助不叠加，按较高标准享受。"""
    categories = [CATEGORY_PLAIN[c] for c in CATEGORY_ORDER if c in rule.categories_any & facts.categories]
    if rule.low_income is True and LOW_INCOME not in rule.categories_any:
        categories.append(CATEGORY_PLAIN[LOW_INCOME])
    clauses = []
    if categories:
        clauses.append("您属于" + "、".join(categories))
    elif rule.low_income is False:
        clauses.append("您不属于低保对象")
    if rule.min_age > MIN_AGE or not clauses:
        clauses.insert(0, f"您已年满{rule.min_age}周岁")
    if rule.care_levels and facts.care_level:
        clauses.append(f"经评估为{CARE_PLAIN.get(facts.care_level, facts.care_level)}")
    sentence = "，".join(clauses) + f"，每月补助{_yuan(amount)}"
    others: list[RuleSpec] = []
    for other in not_added:
        if all(_row_plain(other) != _row_plain(seen) for seen in others):
            others.append(other)
    if others:
        names = "、".join(_row_plain(other) for other in others)
        joined = "均" if len(others) > 1 else ""
        if all(other.amount < amount for other in others):
            sentence += f"；{names}{joined}与本补助不叠加，按较高标准享受"
        else:
            sentence += f"；{names}{joined}与本补助不叠加，只享受其中一项"
    return sentence + "。"


def standard_explained(*, facts: PersonFacts, month: Month, spec: PolicySpec, amount: Decimal) -> str | None:
    """The plain sentence of the standard `amount` the person was granted under `spec` in `month`,
    naming the matching rows that are not added (就高不就低，不重复计算); None when no matching
    row gives that amount (the policy changed since the decision: the stored reason stands)."""
    matching = [r for r in spec.rules if r.in_force(month) and r.matches(facts)]
    rule = next((r for r in matching if r.amount == amount), None)
    if rule is None or any(r.amount > amount for r in matching):
        return None
    return standard_sentence(facts=facts, rule=rule, amount=amount, not_added=[r for r in matching if r is not rule])
