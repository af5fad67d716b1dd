import datetime

from eldercare.models import User
from outreach.models import ResponsibleKind, ResponsiblePerson, VulnerabilityProfile
from outreach.rules import risk_level


def screened(elder, by: User, *, on=datetime.date(2026, 3, 1), **flags) -> VulnerabilityProfile:
    profile = VulnerabilityProfile(elder=elder, living_arrangement="alone", screened_on=on, screened_by=by, **flags)
    profile.risk_level = risk_level(profile.flags())
    profile.save()
    return profile


def responsible(elder, by: User, *, user: User | None = None, duty="primary", name="") -> ResponsiblePerson:
    return ResponsiblePerson.objects.create(
        elder=elder,
        duty=duty,
        kind=ResponsibleKind.VOLUNTEER if user else ResponsibleKind.GRID_WORKER,
        user=user,
        name=name if user is None else "",
        phone="" if user else "13900001111",
        starts_on=datetime.date(2026, 3, 1),
        assigned_by=by,
    )
