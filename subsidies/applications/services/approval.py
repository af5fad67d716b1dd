"""The standard a district approval gives: the monthly amount and the row of the scheme that
gives it, computed before approving (shown to the reviewer) and at approval (stored on the case and
stated by the written approval notice)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.periods import Month
from subsidies.applications.models import Application
from subsidies.applications.rules import standard_problem
from subsidies.standards.models import CareLevel, PolicyVersion
from subsidies.standards.rules import PersonFacts, Standard, standard_for
from subsidies.standards.selectors import policy_spec_for


@dataclass(frozen=True)
class StandardCheck:
    """The standard an approval would give (with its reason naming the scheme's row), or the rule
    that gives none (`problem`)."""

    month: Month
    care_level: str | None
    standard: Standard | None
    reason: str = ""
    problem: str = ""

    @property
    def care_level_label(self) -> str:
        return str(CareLevel(self.care_level).label) if self.care_level else ""


def approval_standard(*, application: Application, day: datetime.date, care_level: str | None) -> StandardCheck:
    """The standard of the case if the district approved it on `day`: the policy in force for the
    first month the approval pays (the next month), the claimed categories and `care_level`,
    evaluated by the same `standard_for` as the monthly run."""
    month = Month.of(day).next()
    elder = application.elder
    spec = policy_spec_for(scheme_id=application.scheme_id, district_id=application.community.district.pk, month=month)
    if spec is None:
        problem = _("No standards of %(scheme)s are in force in %(month)s: the district must load its figures.") % {
            "scheme": application.scheme.name,
            "month": month,
        }
        return StandardCheck(month, care_level, None, problem=problem)
    facts = PersonFacts.of(
        birth_date=elder.birth_date, month=month, categories=application.categories, care_level=care_level
    )
    standard = standard_for(facts, month, spec)
    if standard.amount.amount <= 0:
        return StandardCheck(month, care_level, None, problem=standard_problem(facts, spec, month=str(month)))
    version = (
        PolicyVersion.objects.filter(pk=standard.policy_version_id).values_list("name", flat=True).first()
        if standard.policy_version_id is not None
        else None
    )
    # Stored as an official record in the policy's own wording, like a grant's reason.
    where = f"{application.scheme.name}（{version}）" if version else application.scheme.name
    return StandardCheck(month, care_level, standard, reason=f"{where}：{standard.reason}"[:300])


def approval_standard_preview(*, application: Application, day: datetime.date | None = None) -> list[StandardCheck]:
    """What the reviewer sees before approving: the standard at the assessed care level, or, not
    assessed yet, the standard at each care level."""
    day = day or timezone.localdate()
    if application.assessment is not None:
        return [approval_standard(application=application, day=day, care_level=application.assessment.care_level)]
    checks = [approval_standard(application=application, day=day, care_level=level) for level in CareLevel.values]
    if all(check.standard is None for check in checks):
        return checks[:1]  # the same rule fails at every level: say it once
    return checks
