"""Menu entry and home work list of the voucher ledger."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel

from .selectors import VIEW_ROLES, frozen_accounts

NAV_ITEMS = (NavItem(gettext_lazy("Voucher accounts"), "voucher_accounts", tuple(VIEW_ROLES), 50, NavGroup.MONEY),)


def worklist(user: User) -> list[WorkPanel]:
    """District reviewers: frozen subsidy accounts waiting for cancellation or unfreezing."""
    if not (user.is_superuser or user.has_role(Role.DISTRICT_REVIEWER)):
        return []
    qs = frozen_accounts(user=user)
    rows = [
        {
            "label": str(a.elder),
            "url": reverse("voucher_elder", args=[a.elder_id]),
            "detail": a.get_status_cause_display() or a.status_reason,
            "flag": "",
        }
        for a in qs[:5]
    ]
    if not rows:
        return []
    return [
        WorkPanel(
            title=_("Frozen subsidy accounts"),
            rows=rows,
            url=reverse("voucher_accounts") + "?kind=subsidy&status=frozen",
            count=qs.count(),
        )
    ]
