"""Demo data of the catalogue and bookings: entries awaiting the district (a new item and a new
price of an existing one), a rejected item with the district's note, a self-paid item and a
self-paid visit, and a booked package (one visit per item at its share of the package price).

Everything goes through the services, as the provider admin, the district and the community
worker would do it on their pages."""

import datetime
from decimal import Decimal

from devtools.demo.core import DemoContext
from eldercare.models import LifeStatus
from eldercare.periods import Month, local_day_bounds
from providers.models import Approval, Provider, ServiceAgreement, ServiceItem, ServicePackage
from providers.services.catalogue import entry_approve, entry_reject, item_create, item_revise
from providers.services.visits import order_book, package_book


def _agreed_elders(provider: Provider, community) -> list:
    """Elders still served who hold an open agreement with `provider`, in `community`."""
    agreements = (
        ServiceAgreement.objects.filter(
            provider=provider,
            ends_on__isnull=True,
            elder__community=community,
            elder__life_status=LifeStatus.ACTIVE,
        )
        .select_related("elder")
        .order_by("elder_id")
    )
    return [a.elder for a in agreements]


def seed(ctx: DemoContext) -> None:
    admin, district, community = ctx.users["provider"], ctx.users["district"], ctx.users["community"]
    provider = Provider.objects.get(pk=admin.role_assignments.get().provider_id)
    today = ctx.today
    next_month = Month.of(today).next().first_day

    # Awaiting the district: a new item, and a new price of cleaning from next month.
    item_create(
        provider=provider,
        kind="cleaning",
        name="助洁：擦窗（室内侧）",
        price=Decimal("55.00"),
        minutes=90,
        by=admin,
    )
    cleaning = ServiceItem.objects.get(provider=provider, name="助洁：居室清洁", replaces__isnull=True)
    item_revise(item=cleaning, valid_from=next_month, price=Decimal("55.00"), by=admin)

    # Rejected, with the district's note for the provider.
    counselling = item_create(
        provider=provider,
        kind="companionship",
        name="精神慰藉：心理疏导",
        price=Decimal("150.00"),
        minutes=60,
        certificate_kind="psychological",
        by=admin,
    )
    entry_reject(
        entry=counselling,
        note="本单位暂无持心理咨询证书的服务人员，请补充人员资质后重新申报。",
        by=district,
    )

    # A self-paid item (shorter than the one-hour visit, so never subsidised), approved.
    errand = item_create(
        provider=provider,
        kind="errands",
        name="代办：代缴水电燃气费（自费）",
        price=Decimal("20.00"),
        minutes=30,
        subsidised=False,
        by=admin,
    )
    errand = entry_approve(entry=errand, note="市场价合理，同意上架。", by=district)

    # Bookings for tomorrow by the community worker, for elders of her community.
    elders = _agreed_elders(provider, ctx.communities[0])
    if len(elders) < 2:
        return
    tomorrow = today + datetime.timedelta(days=1)
    tz = local_day_bounds(tomorrow)[0].tzinfo
    order_book(
        elder=elders[0],
        item=errand,
        scheduled_at=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=tz),
        via="family",
        note="家属电话预约，老人自费",
        by=community,
    )
    package = (
        ServicePackage.objects.filter(provider=provider, approval=Approval.APPROVED, valid_until__isnull=True)
        .order_by("pk")
        .first()
    )
    if package is not None:
        package_book(
            elder=elders[1],
            package=package,
            scheduled_at=datetime.datetime.combine(tomorrow, datetime.time(14), tzinfo=tz),
            via="community",
            note="社区网格员上门走访时预约",
            by=community,
        )
