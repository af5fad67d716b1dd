"""The standard of one entitlement for one month, read from the database.

Public contract (the approval notice and the account page call it):

    Standard(amount: Money, reason: str, policy_version_id: int | None, row_id: int | None)
    entitlement_standard(*, entitlement, month: Month) -> Standard

The facts are taken as of the month: the age reached in the month, the categories whose evidence
is dated on or before the month's first day, and the care level of the latest assessment in force
on the month's first day (a reassessment in the middle of a month changes the next month).
"""

from __future__ import annotations

from eldercare.money import ZERO
from eldercare.periods import Month

from .policies import PersonFacts, Standard, standard_for

__all__ = ["Standard", "entitlement_standard", "person_facts"]


def person_facts(*, elder, month: Month) -> PersonFacts:
    from .models import Assessment

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
    from .services.policies import policy_spec_for

    elder = entitlement.elder
    district_id = elder.community.parent.parent_id
    spec = policy_spec_for(scheme_id=entitlement.scheme_id, district_id=district_id, month=month)
    if spec is None:
        return Standard(amount=ZERO, reason="该月无有效补贴政策", policy_version_id=None, row_id=None)
    return standard_for(person_facts(elder=elder, month=month), month, spec)
