"""Menu entries and the work-list panel of the daily check-in: the missed check-ins the user must
make sure of. The count is the length of the list it opens."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from eldercare.models import User
from eldercare.nav import NavGroup, NavItem, WorkPanel
from outreach.selectors import REGISTER_ROLES

from . import selectors

NAV_ITEMS = (
    NavItem(_("Daily check-ins"), "outreach_checkins:list", REGISTER_ROLES, 57, NavGroup.OUTREACH),
    NavItem(_("Missed check-ins"), "outreach_checkins:alerts", (), 58, NavGroup.OUTREACH),
)
ROWS = 5


def worklist(user: User) -> list[WorkPanel]:
    missed = selectors.alert_list(user=user, open_only=True)
    count = missed.count()
    if not count:
        return []
    return [
        WorkPanel(
            str(_("Missed check-ins to make sure of")),
            [
                {
                    "label": a.elder.name,
                    "url": reverse("outreach_checkins:alert", args=[a.pk]),
                    "detail": f"{a.elder.community.name} · {a.day:%m-%d} · {a.enrolment.deadline:%H:%M}",
                    "flag": True,
                }
                for a in missed[:ROWS]
            ],
            reverse("outreach_checkins:alerts"),
            count,
        )
    ]
