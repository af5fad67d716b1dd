"""Menu entries and work-list panels of active care calls: the operator's calls of the day and
the home visits asked after unanswered calls. Each count is the length of the list it opens."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel

from . import selectors

NAV_ITEMS = (
    NavItem(_("Active care calls"), "outreach_calls:today", (), 54, NavGroup.OUTREACH),
    NavItem(_("Call plans"), "outreach_calls:plans", (Role.DISTRICT_REVIEWER, Role.SYSADMIN), 55, NavGroup.OUTREACH),
    NavItem(_("Home visits after calls"), "outreach_calls:visits", (), 56, NavGroup.OUTREACH),
)
ROWS = 5


def worklist(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    calls = selectors.today_calls(user=user)
    count = calls.count()
    if count:
        panels.append(
            WorkPanel(
                str(_("Active care calls to make today")),
                [
                    {
                        "label": e.elder.name,
                        "url": reverse("outreach_calls:call", args=[e.pk]),
                        "detail": f"{e.elder.community.name} · {e.plan.name}",
                        "flag": False,
                    }
                    for e in calls[:ROWS]
                ],
                reverse("outreach_calls:today"),
                count,
            )
        )
    visits = selectors.visit_list(user=user, open_only=True)
    count = visits.count()
    if count:
        panels.append(
            WorkPanel(
                str(_("Home visits after unanswered calls")),
                [
                    {
                        "label": v.elder.name,
                        "url": reverse("outreach_calls:visit", args=[v.pk]),
                        "detail": f"{v.elder.community.name} · {timezone.localtime(v.created_at):%m-%d %H:%M}",
                        "flag": True,
                    }
                    for v in visits[:ROWS]
                ],
                reverse("outreach_calls:visits"),
                count,
            )
        )
    return panels
