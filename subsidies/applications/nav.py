"""Menu entries of intake and review, and the home work list of the review."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.models import Role, User
from eldercare.nav import NavItem, WorkPanel
from eldercare.workdays import UnknownCalendarYear
from subsidies.applications.selectors import application_worklist
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
    NavItem(gettext_lazy("Applications"), "subsidies:application_list", REVIEW_ROLES, 20),
    NavItem(gettext_lazy("Intake batches"), "subsidies:batch_list", REVIEW_ROLES, 21),
)


def worklist(user: User) -> list[WorkPanel]:
    """The cases waiting for the user's office, earliest deadline first, with working days left."""

    if not user.has_role(Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.ASSESSOR):
        return []
    qs = application_worklist(user=user)
    rows = []
    for app in qs[:10]:
        try:
            left = days_left(app)
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
        WorkPanel(
            title=_("Applications waiting for review"),
            rows=rows,
            url=reverse("subsidies:application_list") + "?mine=1",
            count=qs.count(),
        )
    ]
