"""Demo ledger: a few elders with monthly credits, visits paid with co-pay, a frozen account."""

from devtools.demo.core import DemoContext
from eldercare.models import LifeStatus
from eldercare.money import cny
from eldercare.periods import Month
from providers.models import Provider
from vouchers.models import Account, LedgerTransaction
from vouchers.services import (
    account_freeze,
    grant_credit,
    grant_key,
    personal_deposit,
    redemption_create,
    redemption_reverse,
)

MONTHLY = (80, 150, 260, 150, 60, 150)  # scheme A standards (self-care, semi-disabled, disabled, high age)


def _provider(ctx: DemoContext) -> Provider:
    provider = Provider.objects.filter(district=ctx.district).order_by("id").first()
    if provider is None:
        provider = Provider.objects.create(
            name="江都颐和居家养老服务中心",
            kind=Provider.Kind.SOCIAL_ORGANISATION,
            licence_number="DEMO-VOUCHER-001",
            district=ctx.district,
            status=Provider.Status.CONTRACTED,
            phone="0514-86000000",
        )
    return provider


def seed(ctx: DemoContext) -> None:
    """Three months of credits for six elders (district 70% / town 30%), some visits, a co-pay,
    a voided visit and a frozen account. Small on purpose: it goes through the services."""
    provider = _provider(ctx)
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
    # A 120 visit from a 150 credit: 30 carries over.
    redemption_create(
        elder=elders[1], amount=cny(120), provider=provider, idempotency_key="demo:visit:1", reference="WO-DEMO-1"
    )
    # A costly visit beyond the balance: the subsidy pays what it has, the personal account and cash the rest.
    personal_deposit(elder=elders[0], amount=cny(50), idempotency_key="demo:deposit:1", reference="demo")
    redemption_create(
        elder=elders[0], amount=cny(300), provider=provider, idempotency_key="demo:visit:2", reference="WO-DEMO-2"
    )
    voided = redemption_create(
        elder=elders[2], amount=cny(100), provider=provider, idempotency_key="demo:visit:3", reference="WO-DEMO-3"
    )
    redemption_reverse(
        transaction=voided.transaction, reason="服务时长不足1小时，作废单", idempotency_key="demo:void:3"
    )
    redemption_create(
        elder=elders[2], amount=cny(100), provider=provider, idempotency_key="demo:visit:4", reference="WO-DEMO-4"
    )
    # A death reported by the community: the account is frozen and refuses credits and payments.
    if len(elders) > 3 and "community" in ctx.users:
        elder = elders[3]
        elder.life_status, elder.life_status_date = LifeStatus.DECEASED, ctx.today
        elder.save(update_fields=["life_status", "life_status_date", "updated_at"])
        account_freeze(
            elder=elder, reason=Account.Cause.DECEASED, note="社区上报：老人已去世", by=ctx.users["community"]
        )
