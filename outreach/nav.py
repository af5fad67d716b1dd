"""Menu entries and work-list panels of outreach: who is still to screen, who has no one, whom
to contact today under an emergency response, and the escalations the community must close."""

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import Elder, Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.paging import capped_count

from . import rules, selectors
from .models import RiskLevel

NAV_ITEMS = (
    NavItem(_("Vulnerability register"), "outreach:register", selectors.REGISTER_ROLES, 50, NavGroup.OUTREACH),
    NavItem(_("Outreach coverage"), "outreach:coverage", selectors.REGISTER_ROLES, 51, NavGroup.OUTREACH),
    NavItem(_("Emergency responses"), "outreach:responses", selectors.REGISTER_ROLES, 52, NavGroup.OUTREACH),
    NavItem(_("Today's contacts"), "outreach:today", (), 53, NavGroup.OUTREACH),
)

# Roles whose work list carries the register's gaps until they are closed.
GAP_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER)
ROWS = 5


def _first(elders: QuerySet[Elder]) -> list[dict]:
    """The first rows of a register list as a panel shows them (name, community, risk level), read
    without the list's per-elder annotations: the planner may compute one over the whole district
    to show five elders."""
    return list(elders.values("pk", "name", "community__name", "vulnerability__risk_level")[:ROWS])


def _risk(elder: dict) -> str:
    level = elder["vulnerability__risk_level"]
    return str(RiskLevel(level).label) if level else ""


def _row(elder: dict, detail: str, url: str) -> dict:
    return {"label": elder["name"], "url": url, "detail": detail, "flag": False}


def worklist(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    register = reverse("outreach:register")
    if user.has_role(*GAP_ROLES):
        # Each count is the length of the list its link opens (the same selector and filter),
        # counted as the list counts, up to its cap: a district has hundreds of thousands.
        unscreened = selectors.register_elders(user=user, status=selectors.UNSCREENED)
        count, capped = capped_count(unscreened)
        if count:
            panels.append(
                WorkPanel(
                    str(_("Elders aged 60 or more not yet screened")),
                    [
                        _row(e, e["community__name"], reverse("outreach:screen", args=[e["pk"]]))
                        for e in _first(unscreened)
                    ],
                    f"{register}?status={selectors.UNSCREENED}",
                    count,
                    capped,
                )
            )
        unassigned = selectors.register_elders(user=user, status=selectors.UNASSIGNED)
        count, capped = capped_count(unassigned)
        if count:
            panels.append(
                WorkPanel(
                    str(_("Screened households without a responsible person")),
                    [
                        _row(
                            e,
                            f"{e['community__name']} · {_risk(e)}",
                            reverse("outreach:responsible", args=[e["pk"]]),
                        )
                        for e in _first(unassigned)
                    ],
                    f"{register}?status={selectors.UNASSIGNED}",
                    count,
                    capped,
                )
            )
        uncared = selectors.register_elders(user=user, status=selectors.UNCARED)
        count, capped = capped_count(uncared)
        if count:
            panels.append(
                WorkPanel(
                    str(_("Family carers away and no temporary caregiver today")),
                    [
                        _row(e, e["community__name"], reverse("outreach:caregivers", args=[e["pk"]]))
                        for e in _first(uncared)
                    ],
                    f"{register}?status={selectors.UNCARED}",
                    count,
                    capped,
                )
            )
    # Each count is the length of the page its link opens.
    due = selectors.today_list(user=user)
    if due:
        panels.append(
            WorkPanel(
                str(_("Today's contacts")),
                [
                    {
                        "label": r.elder.name,
                        "url": reverse("outreach:contact", args=[r.response.pk, r.elder.pk]),
                        "detail": f"{r.risk_label} · {r.response.name}",
                        "flag": r.risk_level == rules.HIGH,
                    }
                    for r in due[:ROWS]
                ],
                reverse("outreach:today"),
                len(due),
            )
        )
    if user.has_role(*GAP_ROLES):
        open_escalations = selectors.escalation_list(user=user, open_only=True)
        count = open_escalations.count()
        if count:
            now = timezone.now()
            panels.append(
                WorkPanel(
                    str(_("Escalated households to act on")),
                    [
                        {
                            "label": e.elder.name,
                            "url": reverse("outreach:escalation_close", args=[e.pk]),
                            "detail": f"{e.get_reason_display()} · {timezone.localtime(e.deadline):%m-%d %H:%M}",
                            "flag": e.deadline < now,
                        }
                        for e in open_escalations[:ROWS]
                    ],
                    reverse("outreach:escalations"),
                    count,
                )
            )
    mine = selectors.register_elders(user=user, status=selectors.MINE)
    count, capped = capped_count(mine)
    if count:
        panels.append(
            WorkPanel(
                str(_("Households in my care")),
                [_row(e, _risk(e), reverse("outreach:responsible", args=[e["pk"]])) for e in _first(mine)],
                f"{register}?status={selectors.MINE}",
                count,
                capped,
            )
        )
    return panels
