"""Repayment claims against a provider (追缴退赔): made by the district's reviewers or finance,
deducted from the provider's quarterly settlements (oldest first, at most the quarter's total) or
paid back directly; each settled part is booked in the ledger (`vouchers.services.repayments`)."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.models import Role, User
from eldercare.money import cny, round_cny
from eldercare.scoping import scope_for
from providers.models import Provider
from providers.services.access import is_admin
from vouchers.services import provider_repayment_post

from ..models import QuarterLine, QuarterSettlement, RepaymentClaim, RepaymentDeduction, RepaymentReceipt
from ..selectors import claims_with_figures

CLAIM_CREATE_ROLES = (Role.DISTRICT_REVIEWER, Role.FINANCE)


def _claim_actor(user: User, district_id: int, roles) -> None:
    """The user holds one of `roles` in the district (a system administrator anywhere)."""
    if is_admin(user):
        return
    if not (user.has_role(*roles) and district_id in scope_for(user).district_ids):
        raise NotAllowed(
            _("Only the district's reviewers and finance may make a repayment claim against its providers.")
            if Role.DISTRICT_REVIEWER in roles
            else _("Only the district's finance may record a repayment.")
        )


def _claim_amount(value) -> Decimal:
    """A finite amount above zero, in CNY, rounded to the fen; anything else is refused."""
    if isinstance(value, Money):
        if str(value.currency) != "CNY":
            raise ValidationFailed(_("Amounts are in CNY."))
        value = value.amount
    try:
        amount = Decimal(str(value).strip())
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ValidationFailed(_("Enter the amount as a number of yuan, e.g. 240.00.")) from exc
    if not amount.is_finite():
        raise ValidationFailed(_("Enter the amount as a number of yuan, e.g. 240.00."))
    amount = round_cny(amount)
    if amount <= 0:
        raise ValidationFailed(_("The amount must be more than zero."))
    return amount


@transaction.atomic
def claim_create(
    *, provider: Provider, amount, ground: str, reason: str, by: User, evidence: str = ""
) -> RepaymentClaim:
    """A repayment claim against a provider (追缴退赔) by the reviewer or finance of its district."""
    _claim_actor(by, provider.district_id, CLAIM_CREATE_ROLES)
    value = _claim_amount(amount)
    if ground not in RepaymentClaim.Ground.values:
        raise ValidationFailed(_("Choose the ground of the claim."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the provider must repay."))
    return RepaymentClaim.objects.create(
        provider=provider,
        district_id=provider.district_id,
        amount=cny(value),
        ground=ground,
        reason=reason,
        evidence=(evidence or "").strip()[:200],
        created_by=by,
    )


@transaction.atomic
def claim_receipt_record(
    *,
    claim: RepaymentClaim,
    amount,
    received_on: datetime.date,
    by: User,
    method: str = RepaymentReceipt.Method.TRANSFER,
    note: str = "",
) -> RepaymentReceipt:
    """Finance records money of the claim paid back directly, at most what remains; booked in
    the ledger on the day it was received."""
    _claim_actor(by, claim.district_id, (Role.FINANCE,))
    value = _claim_amount(amount)
    if method not in RepaymentReceipt.Method.values:
        raise ValidationFailed(_("Choose how the money was paid back."))
    if received_on > timezone.localdate():
        raise ValidationFailed(_("The day the money was received cannot be in the future."))
    # The claim's row serialises the receipts and deductions of one claim.
    claim = RepaymentClaim.objects.select_for_update().get(pk=claim.pk)
    claim = claims_with_figures(RepaymentClaim.objects.filter(pk=claim.pk)).select_related("provider", "district")[0]
    if value > claim.remaining:
        raise ValidationFailed(
            _("Only %(remaining)s of this claim remains to be repaid.") % {"remaining": cny(claim.remaining)}
        )
    receipt = RepaymentReceipt.objects.create(
        claim=claim, amount=cny(value), received_on=received_on, method=method, note=(note or "").strip(), by=by
    )
    provider_repayment_post(
        provider=claim.provider,
        district=claim.district,
        amount=receipt.amount,
        idempotency_key=f"repayment:receipt:{receipt.pk}",
        business_date=received_on,
        reference=f"repayment-claim:{claim.pk}",
        memo=_("Repayment claim %(id)s paid back directly") % {"id": claim.pk},
        by=by,
        paid_directly=True,
    )
    return receipt


def deduct_repayments(settlement: QuarterSettlement, lines: list[QuarterLine]) -> list[RepaymentDeduction]:
    """Deduct the open claims of each provider paid in the quarter from its total: oldest claim
    first, at most the provider's total; what is left stays open for the next quarter. The
    settlement's own deductions were removed first, so nothing is deducted twice."""
    owed: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for x in lines:
        owed[x.provider_id] += x.total.amount
    paid = [p for p, total in owed.items() if total > 0]
    if not paid:
        return []
    # Lock the claims (in id order) so that a receipt recorded meanwhile cannot overlap.
    ids = list(
        RepaymentClaim.objects.select_for_update()
        .filter(provider_id__in=paid)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = []
    for claim in claims_with_figures(RepaymentClaim.objects.filter(pk__in=ids)).order_by("created_at", "pk"):
        take = min(claim.remaining, owed[claim.provider_id])
        if take > 0:
            rows.append(RepaymentDeduction(claim=claim, settlement=settlement, amount=cny(take)))
            owed[claim.provider_id] -= take
    return RepaymentDeduction.objects.bulk_create(rows)
