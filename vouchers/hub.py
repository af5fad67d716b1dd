"""What the voucher ledger shows on the elder's page (registered in eldercare.hub by VouchersConfig)."""

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from eldercare.hub import HubAction, HubSection
from eldercare.models import Elder, User
from eldercare.periods import Month

from .models import Account
from .selectors import elder_accounts, elder_for_accounts
from .services.deposits import counter_allowed, counter_closed_reason


def hub_sections(user: User, elder: Elder) -> list[HubSection]:
    """The elder's subsidy and personal accounts with their balances, the ledger page and last
    month's statement, for those who may see the elder's accounts."""
    try:
        elder_for_accounts(user=user, pk=elder.pk)
    except Http404:
        return []
    accounts = elder_accounts(elder=elder)
    rows = []
    for kind in (Account.Kind.SUBSIDY, Account.Kind.PERSONAL):
        account = accounts[kind]
        if account is None:
            continue
        detail = f"{account.current_balance} · {account.get_status_display()}"
        rows.append(
            {
                "label": account.get_kind_display(),
                "url": reverse("voucher_account", args=[account.pk]),
                "detail": detail,
                "flag": account.status != Account.Status.ACTIVE,
            }
        )
    actions = [HubAction(label=_("Accounts and ledger"), url=reverse("voucher_elder", args=[elder.pk]))]
    if counter_allowed(user=user, elder=elder) and not counter_closed_reason(elder, accounts[Account.Kind.PERSONAL]):
        # The agent brings money for the personal account (co-pays are then paid from it) or takes it back.
        if rows and accounts[Account.Kind.PERSONAL] is None:
            # Opened by the first deposit: show the balance it starts from.
            rows.append({"label": Account.Kind.PERSONAL.label, "url": "", "detail": "¥0.00", "flag": False})
        actions += [
            HubAction(label=_("Pay in"), url=reverse("voucher_counter", args=[elder.pk, "deposit"])),
            HubAction(label=_("Refund"), url=reverse("voucher_counter", args=[elder.pk, "refund"])),
        ]
    if rows:
        last_month = Month.current().previous()
        actions.append(
            HubAction(
                label=_("Statement for %(month)s") % {"month": last_month},
                url=reverse("voucher_statement", args=[elder.pk, str(last_month)]),
            )
        )
    return [
        HubSection(
            title=_("Voucher accounts"),
            order=25,
            rows=rows,
            actions=actions,
            empty=_("No voucher account has been opened yet."),
        )
    ]
