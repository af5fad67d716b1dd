"""The subsidy standard of one person for one month: pure functions, no database.

A policy is given as plain values (`PolicySpec`, built from the database by
`subsidies.standards.selectors.policy_spec_for`); the monthly run evaluates the same function once
per distinct combination of facts, so the single case and the batch can never disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from djmoney.money import Money

from eldercare.money import ZERO, cny, round_cny
from eldercare.periods import Month

# Eligibility: age 60 or more; high-age elders are 80 or more (domain.md, "Eligibility"). A
# policy's rows carry their own minimum ages as data; these are the ages the rules themselves know.
MIN_AGE = 60
HIGH_AGE = 80
# The default funding split of a grant, district : town = 7 : 3 (scheme A, domain.md "Money flow").
# A policy version stores its own split; this is only the default of a new one.
DEFAULT_DISTRICT_PERCENT = Decimal("70")
DEFAULT_TOWN_PERCENT = Decimal("30")

# Scheme B replaced its 80+ voucher by a separate high-age allowance "with a transition of at most
# three months" (domain.md, "Monthly subsidy standards"): a standard kept only for a transition
# (a row with a last month) is paid at most this many months, counted from the first month of its
# version, the month the replacement takes effect.
MAX_TRANSITION_MONTHS = 3

LOW_INCOME = "dibao"
NON_SELF_CARE = ("semi_disabled", "disabled")

# Short names used in the reason text; the reason is stored with the grant as an official record
# in the policy's own (Chinese) wording, like the figures it explains.
CATEGORY_SHORT = {
    "tekun": "特困",
    "dibao": "低保",
    "shidu": "失独",
    "youfu": "优抚",
    "gongxian": "特殊贡献",
    "gugua": "孤寡",
    "kongchao": "空巢独居",
    "sanwu": "三无",
}
CARE_SHORT = {"self_care": "自理", "semi_disabled": "半失能", "disabled": "失能"}
CATEGORY_ORDER = tuple(CATEGORY_SHORT)


@dataclass(frozen=True)
class Standard:
    amount: Money
    reason: str
    policy_version_id: int | None
    row_id: int | None


@dataclass(frozen=True)
class PersonFacts:
    """What the rules look at, as of a month: age reached in the month, categories, care level."""

    age: int
    categories: frozenset[str] = frozenset()
    care_level: str | None = None  # None: not assessed

    @classmethod
    def of(
        cls, *, birth_date: datetime.date, month: Month, categories: Iterable[str] = (), care_level: str | None = None
    ):
        return cls(age=age_in_month(birth_date, month), categories=frozenset(categories), care_level=care_level or None)

    @property
    def low_income(self) -> bool:
        return LOW_INCOME in self.categories


@dataclass(frozen=True)
class RuleSpec:
    amount: Decimal
    label: str
    min_age: int = MIN_AGE
    categories_any: frozenset[str] = frozenset()
    low_income: bool | None = None
    care_levels: frozenset[str] = frozenset()
    row_id: int | None = None
    version_id: int | None = None
    last_month: Month | None = None  # None: as long as its version; set: a transition's last month

    def in_force(self, month: Month) -> bool:
        """Is the row paid in `month`? A transitional row stops after its last month."""
        return self.last_month is None or month <= self.last_month

    def matches(self, facts: PersonFacts) -> bool:
        if facts.age < self.min_age:
            return False
        if self.categories_any and not (self.categories_any & facts.categories):
            return False
        if self.low_income is not None and facts.low_income != self.low_income:
            return False
        if self.care_levels and facts.care_level not in self.care_levels:
            return False
        return True

    def because(self, facts: PersonFacts) -> str:
        """The facts that made this row apply, e.g. '低保 + 半失能'."""
        parts = [CATEGORY_SHORT.get(c, c) for c in CATEGORY_ORDER if c in self.categories_any & facts.categories]
        if self.low_income is True and LOW_INCOME not in self.categories_any:
            parts.append(CATEGORY_SHORT[LOW_INCOME])
        if self.low_income is False:
            parts.append("非低保")
        if self.min_age > MIN_AGE or not parts:
            parts.insert(0, f"{self.min_age}岁以上")
        if self.care_levels and facts.care_level:
            parts.append(CARE_SHORT.get(facts.care_level, facts.care_level))
        return " + ".join(parts)


@dataclass(frozen=True)
class PolicySpec:
    """The rows in force for a person's jurisdiction in a month (scheme rows plus local ones)."""

    version_id: int | None
    first_month: Month
    last_month: Month | None = None
    rules: tuple[RuleSpec, ...] = ()
    combination: str = "highest"
    district_percent: Decimal = DEFAULT_DISTRICT_PERCENT
    town_percent: Decimal = DEFAULT_TOWN_PERCENT
    thresholds: tuple[int, ...] = field(default=(), compare=False)

    def covers(self, month: Month) -> bool:
        return self.first_month <= month and (self.last_month is None or month <= self.last_month)

    def age_thresholds(self) -> tuple[int, ...]:
        return tuple(sorted({r.min_age for r in self.rules}))


def months_from_to(first: Month, last: Month) -> int:
    """How many months from `first` to `last`, both counted (0 when `last` is before `first`)."""
    return max(0, (last.year - first.year) * 12 + last.month - first.month + 1)


def transition_too_long(*, first: Month, last: Month) -> bool:
    """A transitional row of a version from `first` that is paid until `last` lasts too long."""
    return months_from_to(first, last) > MAX_TRANSITION_MONTHS


def age_in_month(birth_date: datetime.date, month: Month) -> int:
    """Age reached by the month's last day: the birthday month already counts as the new age.

    Someone born on 29 February reaches the age on 1 March in a common year.
    """
    end = month.last_day
    return end.year - birth_date.year - ((end.month, end.day) < (birth_date.month, birth_date.day))


def _amount_text(amount: Decimal) -> str:
    value = round_cny(amount)
    return f"{value:.0f}" if value == value.to_integral() else f"{value:.2f}"


def standard_for(facts: PersonFacts, month: Month, version: PolicySpec) -> Standard:
    """The person's one standard for the month: the highest matching row; rows never add up.

    On a tie the first row (by position) wins, so the reason names the row the policy lists first.
    """
    if not version.covers(month):
        raise ValueError(f"policy version {version.version_id} does not cover {month}")
    matching = [r for r in version.rules if r.in_force(month) and r.matches(facts)]
    if not matching:
        return Standard(amount=ZERO, reason="不符合任何补贴标准", policy_version_id=version.version_id, row_id=None)
    best = matching[0]
    for rule in matching[1:]:
        if rule.amount > best.amount:
            best = rule
    reason = f"{best.because(facts)} → {_amount_text(best.amount)}"
    others = [r for r in matching if r is not best]
    seen: set[tuple[str, Decimal]] = set()
    for rule in others:
        key = (rule.label, rule.amount)
        if key in seen:
            continue
        seen.add(key)
        reason += f"；{rule.label} {_amount_text(rule.amount)} 不叠加"
    return Standard(
        amount=cny(best.amount),
        reason=reason,
        policy_version_id=best.version_id if best.version_id is not None else version.version_id,
        row_id=best.row_id,
    )


# The two funding levels' shares of a grant are percentages of the whole grant.
FUNDING_SHARES_TOTAL = Decimal("100")


def shares_complete(district_percent: Decimal, town_percent: Decimal) -> bool:
    """Both shares are at least zero and together make the whole grant (70 + 30, 100 + 0)."""
    return district_percent >= 0 and town_percent >= 0 and district_percent + town_percent == FUNDING_SHARES_TOTAL


def split(amount: Decimal, district_percent: Decimal, town_percent: Decimal) -> tuple[Decimal, Decimal]:
    """The district and town shares of a grant; the town's share takes the rounding remainder."""
    total = district_percent + town_percent
    if total <= 0:
        return round_cny(amount), Decimal("0.00")
    district = round_cny(Decimal(amount) * district_percent / total)
    return district, round_cny(Decimal(amount) - district)
