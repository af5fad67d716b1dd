"""A provider's repayment (追缴退赔) in the ledger.

What a provider owes back for settlement obtained by fraud or another violation is booked, as it
is settled (deducted in an approved quarterly settlement, or paid back directly), as one
FRAUD_REPAYMENT the district's FUNDING account receives. A deduction is paid by the provider's
PROVIDER account (the platform owes the provider that much less); money the provider pays back
directly comes from outside the platform, the district's EXTERNAL account (like an elder's
repayment), and leaves what the platform owes the provider as it was.
The claim itself and its figures live in the settlement app, which calls this; the quarterly
reconciliation counts redemptions and reversals only, so these transactions never disturb it.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from djmoney.money import Money

from eldercare.errors import NotAllowed
from eldercare.models import Division, Role, User
from eldercare.periods import Month

from ..models import Account, LedgerTransaction
from .ledger import Payee, _amount, _existing, _lock, _post, funding_account, provider_account

REPAYMENT_ROLES = (Role.FINANCE, Role.SYSADMIN)


@transaction.atomic
def provider_repayment_post(
    *,
    provider: Payee,
    district: Division,
    amount: Money,
    idempotency_key: str,
    business_date: datetime.date,
    by: User,
    reference: str = "",
    memo: str = "",
    paid_directly: bool = False,
) -> tuple[LedgerTransaction, bool]:
    """Book one settled part of a provider's repayment (finance only).

    Returns (the transaction, whether it was booked now); the same key again returns the stored
    transaction, the same key for another amount is refused."""
    if not (by.is_superuser or by.has_role(*REPAYMENT_ROLES)):
        raise NotAllowed(_("Only finance may book a provider's repayment."))
    value = _amount(amount)
    fingerprint = f"provider_repayment|provider={provider.pk}|district={district.pk}|amount={value:.2f}"
    if paid_directly:
        fingerprint += "|direct"
    existing = _existing(idempotency_key, fingerprint)
    if existing is not None:
        return existing, False
    if paid_directly:
        payer, _created = Account.objects.get_or_create(division=district, kind=Account.Kind.EXTERNAL)
    else:
        payer = provider_account(provider=provider)
    payee = funding_account(division=district)
    locked = _lock([payer, payee])
    return _post(
        kind=LedgerTransaction.Kind.FRAUD_REPAYMENT,
        key=idempotency_key,
        fingerprint=fingerprint,
        legs=[(locked[payer.pk], -value), (locked[payee.pk], value)],
        month=Month.of(business_date).first_day,
        business_date=business_date,
        reference=reference,
        memo=memo,
        by=by,
    )
