"""Menu entries and work-list panels of inspections: the unit's problems to correct, the
corrections the inspector's level has to verify, and the continuity report while it has rows."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel

from . import continuity, selectors

NAV_ITEMS = (
    NavItem(_("Inspections"), "outreach_inspections:inspections", selectors.VIEW_ROLES, 55, NavGroup.OUTREACH),
    NavItem(_("Problems found"), "outreach_inspections:problems", selectors.VIEW_ROLES, 56, NavGroup.OUTREACH),
    NavItem(
        _("Continuity of subsidies and services"),
        "outreach_inspections:continuity",
        continuity.CONTINUITY_ROLES,
        57,
        NavGroup.OUTREACH,
    ),
)
ROWS = 5
UNIT_ROLES = (Role.COMMUNITY_WORKER, Role.PROVIDER_ADMIN)


def _problem_row(problem, today) -> dict:
    return {
        "label": f"{problem.get_category_display()} · {problem.unit_label}",
        "url": reverse("outreach_inspections:problem", args=[problem.pk]),
        "detail": f"{problem.description[:30]} · {problem.deadline:%m-%d}",
        "flag": problem.is_overdue(today),
    }


def worklist(user: User) -> list[WorkPanel]:
    # Each count is the length of the list its link opens (the same selector and filter).
    panels: list[WorkPanel] = []
    today = timezone.localdate()
    problems = reverse("outreach_inspections:problems")
    if user.is_superuser or user.has_role(*UNIT_ROLES, Role.SYSADMIN):
        to_correct = selectors.problem_list(user=user, todo=selectors.TO_CORRECT, today=today)
        count = to_correct.count()
        if count:
            panels.append(
                WorkPanel(
                    str(_("Inspection problems to correct")),
                    [_problem_row(p, today) for p in to_correct[:ROWS]],
                    f"{problems}?todo={selectors.TO_CORRECT}",
                    count,
                )
            )
    if user.is_superuser or user.has_role(*selectors.INSPECTOR_ROLES):
        to_verify = selectors.problem_list(user=user, todo=selectors.TO_VERIFY, today=today)
        count = to_verify.count()
        if count:
            panels.append(
                WorkPanel(
                    str(_("Corrections to verify")),
                    [_problem_row(p, today) for p in to_verify[:ROWS]],
                    f"{problems}?todo={selectors.TO_VERIFY}",
                    count,
                )
            )
    if user.has_role(*continuity.WORKLIST_ROLES):
        report = reverse("outreach_inspections:continuity")
        for response in continuity.responses(user=user, on=today):
            rows = continuity.at_risk(user=user, response=response, today=today)
            count = rows.count()
            if count:
                panels.append(
                    WorkPanel(
                        str(_("Subsidies and services at risk: %(response)s") % {"response": response.name}),
                        [
                            {"label": r.elder.name, "url": r.url, "detail": r.reason_label, "flag": False}
                            for r in rows[:ROWS]
                        ],
                        f"{report}?response={response.pk}",
                        count,
                    )
                )
    return panels
