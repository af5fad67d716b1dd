"""Settlement's sections of the Monday digest (eldercare.digest): the ended months a town must
still confirm, and the prepared quarters awaiting another finance user's approval (the same
selectors as the work list's panels)."""

import datetime

from django.utils.translation import gettext as _

from eldercare.models import User

from .models import QuarterSettlement
from .selectors import months_to_confirm, quarters_to_settle


def months_unconfirmed(*, user: User, day: datetime.date) -> list[tuple[str, list[str]]]:
    lines = [f"{month} · {street.name}" for month, street in months_to_confirm(user=user)]
    return [(_("Ended months to verify and confirm"), lines)]


def quarters_unapproved(*, user: User, day: datetime.date) -> list[tuple[str, list[str]]]:
    lines = [
        _("Quarter %(q)s prepared, to approve or send back") % {"q": state.label}
        for state in quarters_to_settle(user=user)
        if state.settlement is not None
        and state.settlement.status == QuarterSettlement.Status.PREPARED
        and state.settlement.prepared_by_id != user.pk
    ]
    return [(_("Quarters awaiting your approval"), lines)]
