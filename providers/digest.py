"""The providers' sections of the Monday digest (eldercare.digest): what their work-list panels
show as overdue."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from eldercare.models import Role, User

from . import quality
from .rules import HELD_OVERDUE_DAYS
from .selectors import held_visits


def rectifications_overdue(*, user: User, day: datetime.date) -> list[tuple[str, list[str]]]:
    """Rectifications still open past their deadline: the district's and the towns' to follow up
    (the district's panel), the provider's to answer."""
    if user.has_role(Role.DISTRICT_REVIEWER, Role.STREET_REVIEWER):
        rows = quality.rectification_list(user=user).filter(quality.rectification_overdue_q(day))
    elif user.has_role(Role.PROVIDER_ADMIN):
        rows = quality.rectifications_to_answer(user=user).filter(quality.rectification_overdue_q(day))
    else:
        return []
    lines = [
        _("%(provider)s · %(street)s · deadline %(deadline)s")
        % {"provider": r.provider, "street": r.survey.street, "deadline": r.deadline}
        for r in rows.select_related("provider", "survey__street")
    ]
    return [(_("Rectifications past their deadline"), lines)]


def held_visits_overdue(*, user: User, day: datetime.date) -> list[tuple[str, list[str]]]:
    """Visits held for HELD_OVERDUE_DAYS or more and still waiting on the user: the provider's
    correction, or the town's or district's decision (the held-visit panels flag the same)."""
    if user.has_role(Role.PROVIDER_ADMIN):
        visits = held_visits(user=user).filter(pending=False)
    elif user.has_role(Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER):
        visits = held_visits(user=user).filter(pending=True)
    else:
        return []
    lines = []
    for o in visits:
        held = (day - timezone.localdate(o.held_since)).days if o.held_since else 0
        if held >= HELD_OVERDUE_DAYS:
            lines.append(_("#%(pk)d %(elder)s · held %(n)d days") % {"pk": o.pk, "elder": o.elder.name, "n": held})
    return [(_("Held visits waiting for a week or more"), lines)]
