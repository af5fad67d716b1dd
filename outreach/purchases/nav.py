"""Menu entries and work-list panels of buy-on-behalf: the community's needs waiting for a run,
orders to deliver and payments to record; a responsible person's open orders; a supermarket's
runs still to pack. Each count is the length of the list its link opens (the same selector)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel
from outreach import selectors as outreach_selectors

from . import selectors
from .models import OrderStatus

NAV_ITEMS = (
    NavItem(_("Buy-on-behalf"), "outreach_purchases:board", outreach_selectors.REGISTER_ROLES, 54, NavGroup.OUTREACH),
    NavItem(_("Necessities for my households"), "outreach_purchases:mine", (), 55, NavGroup.OUTREACH),
    NavItem(_("Consolidated orders"), "outreach_purchases:runs", (Role.SUPERMARKET,), 56, NavGroup.OUTREACH),
)

# Roles whose work list carries the community's buy-on-behalf steps.
COMMUNITY_PANEL_ROLES = (Role.COMMUNITY_WORKER, Role.STREET_REVIEWER, Role.DISTRICT_REVIEWER)
ROWS = 5


def _order_row(order) -> dict:
    return {
        "label": order.elder.name,
        "url": reverse("outreach_purchases:order", args=[order.pk]),
        "detail": f"{order.community.name} · {order.get_status_display()}",
        "flag": order.urgent and order.status == OrderStatus.REQUESTED,
    }


def _orders_panel(user: User, title, status: str, *, mine: bool = False) -> WorkPanel | None:
    orders = selectors.request_list(user=user, status=status, mine=mine)
    count = orders.count()
    if not count:
        return None
    url = f"{reverse('outreach_purchases:orders')}?status={status}"
    return WorkPanel(str(title), [_order_row(o) for o in orders[:ROWS]], f"{url}&mine=1" if mine else url, count)


def worklist(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel | None] = []
    if user.has_role(*COMMUNITY_PANEL_ROLES):
        panels += [
            _orders_panel(user, _("Necessities waiting for a purchase run"), OrderStatus.REQUESTED),
            _orders_panel(user, _("Necessities to deliver"), OrderStatus.HANDED_OVER),
            _orders_panel(user, _("Payments to record"), OrderStatus.DELIVERED),
        ]
    else:
        # A household's responsible person (a volunteer): the orders of the households in their care.
        panels.append(_orders_panel(user, _("Orders of my households in progress"), selectors.OPEN, mine=True))
    if user.has_role(Role.SUPERMARKET):
        runs = selectors.run_list(user=user, open_only=True)
        count = runs.count()
        if count:
            panels.append(
                WorkPanel(
                    str(_("Purchase runs to pack")),
                    [
                        {
                            "label": f"{r.community.name} #{r.cycle}",
                            "url": reverse("outreach_purchases:run", args=[r.pk]),
                            "detail": f"{r.run_date:%m-%d} · {r.get_kind_display()} · {r.packed}/{r.households}",
                            "flag": r.kind == "urgent",
                        }
                        for r in runs[:ROWS]
                    ],
                    f"{reverse('outreach_purchases:runs')}?status=open",
                    count,
                )
            )
    return [p for p in panels if p is not None]
