"""Menu entries and home work lists of the providers app."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eldercare.models import Role
from eldercare.nav import NavGroup, NavItem, WorkPanel
from eldercare.periods import Month

from . import quality
from .selectors import caregiver_today, order_list

NAV_ITEMS = (
    NavItem(_("My visits today"), "providers:my_visits", (Role.CAREGIVER,), 5, NavGroup.SERVICES),
    NavItem(
        _("Providers"),
        "providers:provider_list",
        (Role.DISTRICT_REVIEWER, Role.STREET_REVIEWER, Role.SUPERVISOR, Role.PROVIDER_ADMIN, Role.SYSADMIN),
        40,
        NavGroup.SERVICES,
    ),
    NavItem(
        _("Caregivers"),
        "providers:caregiver_list",
        (Role.PROVIDER_ADMIN, Role.DISTRICT_REVIEWER, Role.SYSADMIN),
        41,
        NavGroup.SERVICES,
    ),
    NavItem(
        _("Work orders"),
        "providers:order_list",
        (
            Role.PROVIDER_ADMIN,
            Role.COMMUNITY_WORKER,
            Role.STREET_REVIEWER,
            Role.DISTRICT_REVIEWER,
            Role.SUPERVISOR,
            Role.SYSADMIN,
        ),
        42,
        NavGroup.SERVICES,
    ),
    NavItem(
        _("Callbacks"),
        "providers:callbacks",
        (Role.PROVIDER_ADMIN, Role.DISTRICT_REVIEWER, Role.SYSADMIN),
        43,
        NavGroup.SERVICES,
    ),
    NavItem(_("Community callbacks"), "providers:community_contacts", (Role.COMMUNITY_WORKER,), 44, NavGroup.SERVICES),
    NavItem(
        _("Visit frequency"),
        "providers:frequency",
        (
            Role.PROVIDER_ADMIN,
            Role.COMMUNITY_WORKER,
            Role.STREET_REVIEWER,
            Role.DISTRICT_REVIEWER,
            Role.SUPERVISOR,
            Role.SYSADMIN,
        ),
        45,
        NavGroup.SERVICES,
    ),
    NavItem(
        _("Rectifications"),
        "providers:rectifications",
        (Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER, Role.PROVIDER_ADMIN, Role.SUPERVISOR),
        46,
        NavGroup.SERVICES,
    ),
)


def worklist(user) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    today = timezone.localdate()
    if user.has_role(Role.CAREGIVER):
        today_orders = caregiver_today(user=user, day=today)
        orders = list(today_orders[:20])
        panels.append(
            WorkPanel(
                _("My visits today"),
                [
                    {
                        "label": f"{timezone.localtime(o.scheduled_at):%H:%M} {o.elder.name} · {o.item.name}",
                        "url": reverse("providers:visit", args=[o.pk]),
                        "detail": o.get_status_display(),
                        "flag": False,
                    }
                    for o in orders
                ],
                reverse("providers:my_visits"),
                today_orders.count(),
            )
        )
    if user.has_role(Role.PROVIDER_ADMIN):
        unassigned = order_list(user=user, status="booked")
        due = quality.provider_callbacks_due(user=user, until=today)
        panels.append(
            WorkPanel(
                _("Orders to assign"),
                [
                    {
                        "label": f"#{o.pk} {o.elder.name} · {o.item.name}",
                        "url": reverse("providers:order_detail", args=[o.pk]),
                        "detail": f"{timezone.localtime(o.scheduled_at):%m-%d %H:%M}",
                        "flag": False,
                    }
                    for o in unassigned[:8]
                ],
                reverse("providers:order_list") + "?status=booked",
                unassigned.count(),
            )
        )
        panels.append(
            WorkPanel(_("Provider callbacks due"), [], reverse("providers:callbacks") + "?source=provider", due.count())
        )
    if user.has_role(Role.DISTRICT_REVIEWER):
        due = quality.district_callbacks_due(user=user)
        panels.append(
            WorkPanel(
                _("District callbacks due (sample)"),
                [],
                reverse("providers:callbacks") + "?source=district",
                due.count(),
            )
        )
        overdue = quality.rectification_list(user=user).filter(status="open", deadline__lt=today)
        panels.append(
            WorkPanel(
                _("Rectifications past their deadline"),
                [
                    {
                        "label": str(r.provider),
                        "url": reverse("providers:rectification_detail", args=[r.pk]),
                        "detail": str(r.deadline),
                        "flag": True,
                    }
                    for r in overdue[:8]
                ],
                reverse("providers:rectifications") + "?todo=overdue",
                overdue.count(),
            )
        )
    if user.has_role(Role.COMMUNITY_WORKER):
        quotas = quality.community_contact_quota(user=user, quarter=Month.current().quarter)
        panels.append(
            WorkPanel(
                _("Quarterly callbacks to subsidised persons"),
                [
                    {
                        "label": str(q.community),
                        "url": reverse("providers:community_contacts"),
                        "detail": _("%(done)s of %(required)s") % {"done": q.done, "required": q.required},
                        "flag": bool(q.missing),
                    }
                    for q in quotas
                ],
                reverse("providers:community_contacts"),
                sum(q.missing for q in quotas),
            )
        )
    return panels
