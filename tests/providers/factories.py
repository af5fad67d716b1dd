import datetime
import zoneinfo
from dataclasses import dataclass

from djmoney.money import Money

from eldercare.models import Role
from providers.models import Approval, Caregiver, ElderCard, Provider, ServiceAgreement, ServiceItem, WorkOrder
from providers.services import card_issue, card_token_for
from providers.services.presence import card_confirmation_codes
from tests.factories import ElderFactory, user_with_role

_n = iter(range(1, 10**6))


def make_provider(tree, name="康乐居家服务中心", streets=None, status=Provider.Status.CONTRACTED) -> Provider:
    p = Provider.objects.create(
        name=name,
        kind=Provider.Kind.SOCIAL_ORGANISATION,
        licence_number=f"LIC-{next(_n)}",
        district=tree.district,
        status=status,
    )
    p.streets.set(streets or [tree.street_a])
    return p


def make_caregiver(provider, name="李护工", trained=True, username=None) -> Caregiver:
    user = user_with_role(Role.CAREGIVER, provider=provider, username=username)
    return Caregiver.objects.create(
        provider=provider,
        user=user,
        name=name,
        staff_number=f"S{next(_n):04d}",
        phone="13900000000",
        trained_on=datetime.date(2025, 1, 10) if trained else None,
    )


def make_item(provider, price="50.00", certificate_kind="", name="助洁：居室清洁", kind="cleaning") -> ServiceItem:
    return ServiceItem.objects.create(
        provider=provider,
        kind=kind,
        name=name,
        price=Money(price, "CNY"),
        minutes=60,
        certificate_kind=certificate_kind,
        approval=Approval.APPROVED,
    )


@dataclass
class World:
    provider: Provider
    other: Provider
    admin: object
    other_admin: object
    caregiver: Caregiver
    caregiver2: Caregiver
    other_caregiver: Caregiver
    item: ServiceItem
    elder: object
    elder2: object
    token: str
    code: str
    token2: str


def make_world(tree) -> World:
    provider = make_provider(tree)
    other = make_provider(tree, name="安康养老服务公司")
    admin = user_with_role(Role.PROVIDER_ADMIN, provider=provider)
    other_admin = user_with_role(Role.PROVIDER_ADMIN, provider=other)
    cg = make_caregiver(provider)
    cg2 = make_caregiver(provider, name="王护工")
    ocg = make_caregiver(other, name="赵护工")
    item = make_item(provider)
    elder = ElderFactory(community=tree.a1, birth_date=datetime.date(1940, 5, 1))
    elder2 = ElderFactory(community=tree.a1, birth_date=datetime.date(1942, 5, 1))
    for e in (elder, elder2):
        ServiceAgreement.objects.create(elder=e, provider=provider, signed_on=datetime.date(2025, 1, 1))
    card = card_issue(elder=elder, by=None)
    card2 = card_issue(elder=elder2, by=None)
    return World(
        provider,
        other,
        admin,
        other_admin,
        cg,
        cg2,
        ocg,
        item,
        elder,
        elder2,
        card_token_for(card),
        card.short_code,
        card_token_for(card2),
    )


def make_order(world: World, *, caregiver=None, elder=None, at=None, status=WorkOrder.Status.ASSIGNED) -> WorkOrder:
    caregiver = caregiver or world.caregiver
    # Booked for the tests' frozen "now" (08:30 in Yangzhou): a check-in then is on time.
    at = at or datetime.datetime(2026, 3, 10, 8, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    started = at if status in ("in_progress", "completed", "short", "voided") else None
    return WorkOrder.objects.create(
        checked_in_at=started,
        elder=elder or world.elder,
        provider=world.provider,
        item=world.item,
        price=world.item.price,
        scheduled_at=at,
        booked_via=WorkOrder.BookedVia.PROVIDER,
        booked_by=world.admin,
        caregiver=caregiver,
        status=status,
    )


def elder_code(elder) -> str:
    """The next unused one-time code on the back of the elder's card (the elder's confirmation)."""
    card = ElderCard.objects.get(elder=elder)
    used = set(
        WorkOrder.objects.filter(elder=elder, confirmation_card_version=card.version).values_list(
            "confirmation_code_no", flat=True
        )
    )
    number = next(n for n in range(1, 1000) if n not in used)
    return card_confirmation_codes(card)[number - 1]
