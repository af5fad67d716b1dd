"""The end of an entitlement: death or moving away (with recovery of grants paid after its end),
and voucher fraud (repayment, frozen accounts, lifetime disqualification, entitlement ended)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import Conflict, NotAllowed
from eldercare.models import Division, Elder, Role, User
from eldercare.periods import Month
from eldercare.scoping import scope_for
from vouchers.models import Account, LedgerTransaction
from vouchers.services import fraud_repay
from vouchers.services.grants import grant_recover

from ..models import Entitlement, Grant
from .summary import grant_summary_remove


def grant_recover_in_ledger(*, grant: Grant, reason: str, by: User | None) -> tuple[Decimal, Decimal]:
    """Compensate one grant in the ledger and mark it recovered: (taken back, owed by the estate).

    Runs inside the caller's transaction, with the subsidy account already locked.
    """
    community = Division.objects.select_related("parent").get(pk=grant.community_id)
    # A grant's community has a street above it and the street a district (the database's
    # division_parent_matches_level constraint).
    street = community.parent
    assert street is not None and street.parent_id is not None
    tx, back, owed = grant_recover(
        elder_id=grant.elder_id,
        month=grant.month,
        amount=grant.amount.amount,
        district_share=grant.district_share.amount,
        town_share=grant.town_share.amount,
        district_id=street.parent_id,
        street_id=street.pk,
        grant_transaction_id=grant.transaction_id,
        reason=reason,
        by=by,
    )
    grant.recovery = tx
    grant.save(update_fields=["recovery"])
    grant_summary_remove(grant=grant)
    return back, owed


@dataclass
class EndResult:
    entitlement: Entitlement
    recovered: list[Grant]
    recovered_total: Decimal
    outstanding_total: Decimal


def _close(entitlement: Entitlement, *, last_month: Month, reason: str) -> datetime.date:
    """The one write that ends an entitlement: its last month (never before its first) and why."""
    end = max(last_month.first_day, entitlement.start_month)
    entitlement.end_month = end
    entitlement.status = Entitlement.Status.ENDED
    entitlement.end_reason = reason[:200]
    entitlement.save(update_fields=["end_month", "status", "end_reason", "updated_at"])
    return end


def entitlement_end(*, elder: Elder, last_month: Month, reason: str, by: User | None) -> EndResult:
    """End the elder's entitlement after `last_month` (the month of death or moving away).

    Grants already paid for later months (a death reported late) are recovered by compensating
    ledger transactions: the subsidy account gives back what it still holds, the rest is booked as
    owed by the estate (the district's external account), and the funding accounts are restored.
    """
    if by is not None and not (
        by.is_superuser
        or by.has_role(Role.DISTRICT_REVIEWER, Role.STREET_REVIEWER, Role.COMMUNITY_WORKER, Role.SYSADMIN)
    ):
        raise NotAllowed(_("You may not end an entitlement."))
    if by is not None:
        if not scope_for(by).covers_community(elder.community_id):  # superusers and sysadmins cover all
            raise NotAllowed(_("This elder is outside your jurisdiction."))
    with transaction.atomic():
        entitlement = (
            Entitlement.objects.select_for_update()
            .filter(elder=elder)
            .filter(Q(status=Entitlement.Status.ACTIVE) | Q(end_month__gt=last_month.first_day))
            .order_by("-start_month")
            .first()
        )
        if entitlement is None:
            raise Conflict(_("This elder has no entitlement to end."))
        end = _close(entitlement, last_month=last_month, reason=reason)
        # Lock the subsidy account first, then the grants (a fixed order shared with the run).
        Account.objects.select_for_update().filter(elder=elder, kind=Account.Kind.SUBSIDY).first()
        later = list(
            Grant.objects.select_for_update()
            .filter(elder=elder, month__gt=end, recovery__isnull=True)
            .order_by("month")
        )
        recovered = Decimal("0")
        outstanding = Decimal("0")
        for grant in later:
            back, owed = grant_recover_in_ledger(grant=grant, reason=reason, by=by)
            recovered += back
            outstanding += owed
    return EndResult(entitlement, later, recovered, outstanding)


@transaction.atomic
def fraud_record(
    *, elder: Elder, amount: Money, reason: str, by: User, idempotency_key: str = ""
) -> LedgerTransaction | None:
    """Voucher fraud or diversion: the diverted amount is repaid, the accounts are frozen and the
    elder is disqualified for life (`vouchers.services.fraud_repay`); active entitlements end this
    month. A district reviewer only.
    """
    repayment, replayed = fraud_repay(elder=elder, amount=amount, reason=reason, by=by, idempotency_key=idempotency_key)
    if replayed:
        return repayment
    reason = reason.strip()
    for entitlement in Entitlement.objects.select_for_update().filter(elder=elder, status=Entitlement.Status.ACTIVE):
        _close(entitlement, last_month=Month.current(), reason=_("Voucher fraud: %(reason)s") % {"reason": reason})
    return repayment
