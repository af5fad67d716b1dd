"""Demo ledger: a few elders with monthly credits, a personal deposit, a frozen account."""

from devtools.demo.core import DemoContext
from eldercare.models import LifeStatus
from eldercare.money import cny
from eldercare.periods import Month
from vouchers.models import Account, LedgerTransaction
from vouchers.services import (
    account_freeze,
    grant_credit,
    grant_key,
    personal_deposit,
)

MONTHLY = (80, 150, 260, 150, 60, 150)  # scheme A standards (self-care, semi-disabled, disabled, high age)


def seed(ctx: DemoContext) -> None:
    """Three months of credits for six elders (district 70% / town 30%), a deposit on a personal
    account and a frozen account. Small on purpose: it goes through the services."""
    elders = [e for e in ctx.elders if e.community_id == ctx.communities[0].pk][: len(MONTHLY)]
    this_month = Month.of(ctx.today)
    months = [this_month.plus(-2), this_month.plus(-1), this_month]
    for elder, monthly in zip(elders, MONTHLY, strict=False):
        street = elder.community.parent
        for month in months:
            key = grant_key(elder_id=elder.pk, month=month)
            if LedgerTransaction.objects.filter(idempotency_key=key).exists():
                continue  # the monthly run already paid this month
            amount = cny(monthly)
            district_share = cny(amount.amount * 7 / 10)
            grant_credit(
                elder=elder,
                month=month,
                amount=amount,
                idempotency_key=key,
                shares={ctx.district: district_share, street: amount - district_share},
                reference=f"demo:{month}",
            )
    if not elders:
        return
    # Money the family brings for co-pays; the visits paying from it are the providers' (providers.seed).
    personal_deposit(
        elder=elders[0],
        amount=cny(50),
        idempotency_key="demo:deposit:1",
        reference="cash|女儿代存",
        memo="现金 · 女儿代存",
    )
    # A death reported by the community: the account is frozen and refuses credits and payments.
    if len(elders) > 3 and "community" in ctx.users:
        elder = elders[3]
        elder.life_status, elder.life_status_date = LifeStatus.DECEASED, ctx.today
        elder.save(update_fields=["life_status", "life_status_date", "updated_at"])
        account_freeze(
            elder=elder, reason=Account.Cause.DECEASED, note="社区上报：老人已去世", by=ctx.users["community"]
        )
