"""Menu entries and home work lists of the settlement: towns (months to confirm), finance
(quarters, repayment claims still open)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from eldercare.models import Role, User
from eldercare.nav import NavGroup, NavItem, WorkPanel

from .models import QuarterSettlement
from .selectors import CLAIM_ROLES, claims_open, months_to_confirm, quarter_last_return, quarters_to_settle

NAV_ITEMS = (
    NavItem(
        gettext_lazy("Fund settlement"),
        "settlement_dashboard",
        (Role.FINANCE, Role.SUPERVISOR, Role.DISTRICT_REVIEWER, Role.SYSADMIN),
        60,
        NavGroup.MONEY,
    ),
    NavItem(gettext_lazy("Repayment claims"), "settlement_claims", CLAIM_ROLES, 61, NavGroup.MONEY),
)


def _towns_panel(user: User) -> list[WorkPanel]:
    pending = months_to_confirm(user=user)
    if not pending:
        return []
    rows = [
        {
            "label": _("%(month)s · %(street)s") % {"month": month, "street": street.name},
            "url": reverse("settlement_month", args=[str(month)]),
            "detail": _("to confirm"),
            "flag": "",
        }
        for month, street in pending
    ]
    return [
        WorkPanel(
            title=_("Months awaiting your confirmation"),
            rows=rows,
            url=rows[0]["url"],
            count=len(rows),
        )
    ]


def _finance_panel(user: User) -> list[WorkPanel]:
    rows = []
    for state in quarters_to_settle(user=user):
        url = reverse("settlement_quarter", args=[state.label])
        s = state.settlement
        if s is not None and s.status == QuarterSettlement.Status.PREPARED:
            mine = s.prepared_by_id == user.pk
            rows.append(
                {
                    "label": (
                        _("Quarter %(q)s prepared by you, awaiting another finance user's approval")
                        if mine
                        else _("Quarter %(q)s prepared, to approve or send back")
                    )
                    % {"q": state.label},
                    "url": url,
                    "detail": str(s.total),
                    "flag": bool(s.differences),
                }
            )
        elif state.open_months:
            rows.append(
                {
                    "label": _("Quarter %(q)s: months not locked yet") % {"q": state.label},
                    "url": url,
                    "detail": ", ".join(str(m) for m in state.open_months),
                    "flag": "",
                }
            )
        else:
            returned = quarter_last_return(s)
            rows.append(
                {
                    "label": (
                        _("Quarter %(q)s sent back, to prepare again")
                        if returned is not None
                        else _("Quarter %(q)s ready to prepare")
                    )
                    % {"q": state.label},
                    "url": url,
                    "detail": returned.note if returned is not None else "",
                    "flag": returned is not None,
                }
            )
    if not rows:
        return []
    return [
        WorkPanel(title=_("Quarterly fund settlement"), rows=rows, url=reverse("settlement_dashboard"), count=len(rows))
    ]


def _claims_panel(user: User) -> list[WorkPanel]:
    """Repayment claims with money still to recover: finance deducts or records the receipts."""
    claims = claims_open(user=user)
    if not claims:
        return []
    rows = [
        {
            "label": _("%(provider)s · %(reason)s") % {"provider": c.provider.name, "reason": c.reason[:30]},
            "url": reverse("settlement_claim", args=[c.pk]),
            "detail": _("%(remaining)s of %(amount)s to recover")
            % {"remaining": f"{c.remaining:.2f}", "amount": f"{c.amount.amount:.2f}"},
            "flag": "",
        }
        for c in claims
    ]
    return [
        WorkPanel(
            title=_("Open repayment claims"), rows=rows, url=reverse("settlement_claims") + "?open=1", count=len(rows)
        )
    ]


def worklist(user: User) -> list[WorkPanel]:
    panels: list[WorkPanel] = []
    if user.has_role(Role.STREET_REVIEWER):
        panels += _towns_panel(user)
    if user.is_superuser or user.has_role(Role.FINANCE):
        panels += _finance_panel(user)
        panels += _claims_panel(user)
    return panels
