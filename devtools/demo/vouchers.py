"""Demo ledger: a personal deposit and a frozen account, on elders the monthly run pays."""

from devtools.demo.core import DemoContext
from eldercare.models import Elder, LifeStatus
from eldercare.money import cny
from subsidies.standards.models import Entitlement
from vouchers.models import Account
from vouchers.services import account_freeze, personal_deposit


def ledger_elders(ctx: DemoContext) -> list[Elder]:
    """The first entitled elders of the first community (paid by the monthly run): the voucher
    demo's cases, and the visits of providers.seed that pay from their accounts."""
    entitled = set(
        Entitlement.objects.filter(status="active", elder__community=ctx.communities[0]).values_list(
            "elder_id", flat=True
        )
    )
    return [e for e in ctx.elders if e.pk in entitled][:6]


def seed(ctx: DemoContext) -> None:
    """A deposit on a personal account and a death that freezes an account. Small on purpose: it
    goes through the services; the subsidies are the monthly run's."""
    elders = ledger_elders(ctx)
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
