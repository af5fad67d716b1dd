"""Menu entries of intake and review, and the home work list of the review."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.workdays import CalendarCache, UnknownCalendarYear
from subsidies.applications.models import ApplicationStatus as S
from subsidies.applications.selectors import application_worklist, assessment_schedule_worklist
from subsidies.applications.services.review import days_left

REVIEW_ROLES = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.ASSESSOR,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)

NAV_ITEMS = (
    NavItem(gettext_lazy("Applications"), "subsidies:application_list", REVIEW_ROLES, 20, NavGroup.SUBSIDIES),
    NavItem(gettext_lazy("Intake batches"), "subsidies:batch_list", REVIEW_ROLES, 21, NavGroup.SUBSIDIES),
)


def worklist(user: User) -> list[WorkPanel]:
    """The cases waiting for the user's office, earliest deadline first, with working days left."""

    if not user.has_role(Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.ASSESSOR):
        return []
    panels = _schedule_panels(user) if user.has_role(Role.ASSESSOR) else []
    qs = application_worklist(user=user)
    rows = []
    calendar: CalendarCache = {}
    for app in qs[:10]:
        try:
            left = days_left(app, calendar=calendar)
        except UnknownCalendarYear:
            left = None
        if left is None:
            detail = app.get_status_display()
        elif left < 0:
            detail = _("%(stage)s · overdue by %(n)d working days") % {"stage": app.get_status_display(), "n": -left}
        else:
            detail = _("%(stage)s · %(n)d working days left") % {"stage": app.get_status_display(), "n": left}
        rows.append(
            {
                "label": app.elder.name,
                "url": app.get_absolute_url(),
                "detail": detail,
                "flag": left is not None and left < 0,
            }
        )
    return [
        *panels,
        WorkPanel(
            title=_("Applications waiting for review"),
            rows=rows,
            url=reverse("subsidies:application_list") + "?mine=1",
            count=qs.count(),
        ),
    ]


def _schedule_panels(user: User) -> list[WorkPanel]:
    """The assessor's visits: one panel per batch, a row per scheduled day and community with the
    cases awaiting assessment there (unscheduled cases last)."""
    panels: dict[int, WorkPanel] = {}
    waiting: dict[int, set[int]] = {}  # a community scheduled on two days lists its cases under each
    for group in assessment_schedule_worklist(user=user):
        panel = panels.get(group.batch.pk)
        if panel is None:
            # "See all" lists the batch's cases awaiting assessment; the rows lead to the schedule.
            list_url = reverse("subsidies:application_list")
            panel = panels[group.batch.pk] = WorkPanel(
                title=_("Assessment schedule · %(batch)s") % {"batch": group.batch.name},
                url=f"{list_url}?status={S.ASSESSMENT}&batch={group.batch.pk}",
                count=0,
            )
        names = "、".join(app.elder.name for app in group.applications[:5])
        if len(group.applications) > 5:
            names += "…"
        if group.on is None:
            label = _("%(community)s · not scheduled") % {"community": group.community.name}
        else:
            label = f"{group.on:%Y-%m-%d} · {group.community.name}"
        who = group.slot.assessor if group.slot is not None and group.slot.assessor else None
        detail = _("%(n)d awaiting assessment: %(names)s") % {"n": len(group.applications), "names": names}
        if who is not None:
            detail += f" · {who}"
        panel.rows.append(
            {
                "label": label,
                "url": group.applications[0].get_absolute_url()
                if len(group.applications) == 1
                else reverse("subsidies:batch_schedule", args=[group.batch.pk]),
                "detail": detail,
                "flag": group.on is None,
            }
        )
        waiting.setdefault(group.batch.pk, set()).update(app.pk for app in group.applications)
        panel.count = len(waiting[group.batch.pk])
    return list(panels.values())
