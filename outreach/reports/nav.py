"""Menu entries and work-list panels of the daily outreach report: a unit's report still to send
today, and for the street and the district the units that have not reported today."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from eldercare.models import User
from eldercare.nav import NavGroup, NavItem, WorkPanel

from . import selectors

NAV_ITEMS = (
    NavItem(_("Today's daily report"), "outreach_reports:today", selectors.UNIT_ROLES, 54, NavGroup.OUTREACH),
    NavItem(_("Daily reports"), "outreach_reports:responses", selectors.REPORT_ROLES, 55, NavGroup.OUTREACH),
)
ROWS = 5


def worklist(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    pending = selectors.pending_for(user=user)
    if pending:
        url = reverse("outreach_reports:today")
        panels.append(
            WorkPanel(
                str(_("Today's daily report to submit")),
                [
                    {
                        "label": unit.name,
                        "url": url,
                        "detail": f"{response.name} · "
                        + _("due by %(time)s") % {"time": f"{selectors.cutoff():%H:%M}"},
                        "flag": False,
                    }
                    for response, unit in pending[:ROWS]
                ],
                url,
                len(pending),
            )
        )
    if selectors.sees_rollup(user):
        # The count is the length of the page its link opens (the same selector).
        missing = selectors.unreported_today(user=user)
        if missing:
            panels.append(
                WorkPanel(
                    str(_("Units not reported today")),
                    [
                        {
                            "label": row.unit.name,
                            "url": reverse("outreach_reports:rollup", args=[response.pk]),
                            "detail": f"{response.name} · {row.status_label}",
                            "flag": row.late,
                        }
                        for response, row in missing[:ROWS]
                    ],
                    reverse("outreach_reports:unreported"),
                    len(missing),
                )
            )
    return panels
