"""What the intake and review show on the elder's page (registered in eldercare.hub by
ApplicationsConfig): the elder's applications with their status, and the way to apply."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from eldercare.hub import HubAction, HubSection
from eldercare.models import Elder, LifeStatus, Role, User

from .models import OPEN_STATUSES
from .selectors import application_list

# Who sees the section: those who file, review or assess applications, and the supervisor.
VIEWERS = (
    Role.COMMUNITY_WORKER,
    Role.STREET_REVIEWER,
    Role.DISTRICT_REVIEWER,
    Role.ASSESSOR,
    Role.SUPERVISOR,
    Role.SYSADMIN,
)


def hub_sections(user: User, elder: Elder) -> list[HubSection]:
    if not (user.is_superuser or user.has_role(*VIEWERS)):
        return []
    applications = list(
        application_list(user=user).filter(elder=elder).select_related("scheme").order_by("-filed_on", "-id")[:10]
    )
    rows = []
    for app in applications:
        detail = app.get_status_display()
        if app.status in OPEN_STATUSES and app.deadline:
            detail += " · " + _("due %(date)s") % {"date": f"{app.deadline:%Y-%m-%d}"}
        rows.append(
            {
                "label": f"{app.filed_on:%Y-%m-%d} {app.scheme}",
                "url": reverse("subsidies:application_detail", args=[app.pk]),
                "detail": detail,
                "flag": False,
            }
        )
    actions = []
    may_apply = (
        user.has_role(Role.COMMUNITY_WORKER)
        and elder.life_status == LifeStatus.ACTIVE
        and not elder.disqualified_at
        and not any(a.status in OPEN_STATUSES for a in applications)
    )
    if may_apply:
        url = reverse("subsidies:application_file") + "?" + urlencode({"elder": elder.pk})
        actions.append(HubAction(label=_("Apply for the subsidy"), url=url))
    return [
        HubSection(
            title=_("Subsidy applications"),
            order=20,
            rows=rows,
            actions=actions,
            empty=_("No application has been filed."),
        )
    ]
