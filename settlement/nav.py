"""Menu entry and home work lists of the settlement: finance (quarters), street reviewers (months)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.models import Division, Role, User
from eldercare.nav import NavItem, WorkPanel
from eldercare.periods import Month
from eldercare.scoping import scope_for

from .models import QuarterSettlement, ServiceMonth, TownConfirmation

NAV_ITEMS = (
    NavItem(
        gettext_lazy("Fund settlement"),
        "settlement_dashboard",
        (Role.FINANCE, Role.SUPERVISOR, Role.DISTRICT_REVIEWER, Role.SYSADMIN),
        60,
    ),
)


def worklist(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    last_month = Month.of(timezone.localdate()).previous()
    if user.has_role(Role.STREET_REVIEWER):
        done = set(
            TownConfirmation.objects.filter(service_month__month=last_month.first_day).values_list(
                "street_id", flat=True
            )
        )
        locked = ServiceMonth.objects.filter(month=last_month.first_day, status="locked").exists()
        streets = Division.objects.filter(pk__in=scope_for(user).street_ids).exclude(pk__in=done)
        if not locked and streets.exists():
            url = reverse("settlement_month", args=[str(last_month)])
            panels.append(
                WorkPanel(
                    title=_("Month to confirm"),
                    rows=[{"label": f"{last_month} · {s.name}", "url": url, "detail": "", "flag": ""} for s in streets],
                    url=url,
                    count=streets.count(),
                )
            )
    if user.is_superuser or user.has_role(Role.FINANCE):
        quarter = last_month.quarter
        rows = []
        existing = QuarterSettlement.objects.filter(quarter=quarter.first_day).first()
        if existing is None:
            rows.append(
                {
                    "label": _("Quarter %(q)s to settle") % {"q": quarter},
                    "url": reverse("settlement_dashboard"),
                    "detail": "",
                    "flag": "",
                }
            )
        for s in QuarterSettlement.objects.filter(status=QuarterSettlement.Status.PREPARED).exclude(prepared_by=user):
            rows.append(
                {
                    "label": _("Quarter %(q)s to approve") % {"q": s.label},
                    "url": reverse("settlement_quarter", args=[s.label]),
                    "detail": str(s.total),
                    "flag": bool(s.differences),
                }
            )
        if rows:
            panels.append(
                WorkPanel(title=_("Fund settlement"), rows=rows, url=reverse("settlement_dashboard"), count=len(rows))
            )
    return panels
