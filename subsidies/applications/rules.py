"""Rules of intake and review, pure and on plain values: eligibility (each failing rule named),
the review's working-day limits (domain.md, "Application and review"), and who acts at each stage."""

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from eldercare.idnumber import age_on
from eldercare.models import Role
from subsidies.standards.rules import (
    CARE_SHORT,
    CATEGORY_ORDER,
    CATEGORY_SHORT,
    HIGH_AGE,
    MIN_AGE,
    PersonFacts,
    PolicySpec,
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
