"""Demo data of the providers app: three contracted providers, their staff and catalogue, service
agreements with demo elders, cards, and a month of visits in every state (bulk inserts; the ledger
is used only for the credits and redemptions that money needs)."""

import datetime
from decimal import Decimal

import time_machine
from django.utils import timezone
from djmoney.money import Money

from devtools.demo.core import DEMO_PASSWORD, DemoContext
from devtools.demo.vouchers import ledger_elders
from eldercare.models import Role, RoleAssignment, User
from eldercare.periods import Month, local_day_bounds
from providers import quality
from providers.models import (
    Approval,
    Callback,
    Caregiver,
    Certificate,
    Contract,
    ElderCard,
    Provider,
    ProviderStatusEvent,
    QuarterlyAssessment,
    ServiceAgreement,
    ServiceItem,
    ServicePackage,
    WorkOrder,
    WorkOrderEvent,
)
from providers.services.visits import redemption_memo
from providers.tokens import new_short_code
from subsidies.standards.models import Entitlement
from vouchers.services import redemption_create, redemption_reverse

S = WorkOrder.Status
PROVIDERS = [
    ("江都区康乐居家养老服务中心", Provider.Kind.SOCIAL_ORGANISATION, (0, 1)),
    ("仙女镇社区卫生服务中心", Provider.Kind.MEDICAL, (1, 2)),
    ("扬州安康家政服务有限公司", Provider.Kind.BUSINESS, (0, 2)),
]
ITEMS = [
    ("meal", "助餐：代买并烹饪午餐", "45.00", ""),
    ("cleaning", "助洁：居室清洁", "50.00", ""),
    ("cleaning", "助洁：衣物被褥清洗", "40.00", ""),
    ("emergency", "助急：水电维修", "60.00", ""),
    ("personal_care", "生活照料：理发修甲", "35.00", ""),
    ("companionship", "精神慰藉：陪伴聊天", "30.00", ""),
    ("errands", "代办：测血压血糖、代购", "30.00", ""),
    ("personal_care", "康复护理训练", "120.00", "rehabilitation"),
]
CAREGIVER_NAMES = ["李秀梅", "张建军", "王丽华", "陈志强", "刘桂芳", "赵德明", "孙红霞", "周永康", "吴春燕"]


def _user(ctx: DemoContext, username: str, full_name: str, role: str, provider: Provider, what: str) -> User:
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD, full_name=full_name)
    RoleAssignment.objects.create(user=user, role=role, provider=provider)
    ctx.users[username] = user
    ctx.logins.append((username, what))
    return user


def seed(ctx: DemoContext) -> None:
    rng, today = ctx.rng, ctx.today
    district_user = ctx.users["district"]
    providers: list[Provider] = []
    for i, (name, kind, street_idx) in enumerate(PROVIDERS):
        p = Provider.objects.create(
            name=name,
            kind=kind,
            licence_number=f"JD-YL-2025-{i + 1:03d}",
            district=ctx.district,
            status=Provider.Status.CONTRACTED,
            phone=f"0514-8660{i + 1:04d}",
            address=f"江都区龙川路{10 + i}号",
        )
        p.streets.set([ctx.streets[j] for j in street_idx])
        first = Contract.objects.create(
            provider=p,
            number=f"JDHT-{today.year - 1}-{i + 1:02d}",
            starts_on=datetime.date(today.year - 1, 1, 1),
            ends_on=datetime.date(today.year - 1, 12, 31),
        )
        Contract.objects.create(
            provider=p,
            number=f"JDHT-{today.year}-{i + 1:02d}",
            starts_on=datetime.date(today.year, 1, 1),
            ends_on=datetime.date(today.year, 12, 31),
            renews=first,
        )
        ProviderStatusEvent.objects.create(
            provider=p, from_status="candidate", to_status="contracted", reason="中标入库", by=district_user
        )
        q = Month.of(today).quarter
        prev_q = q.months[0].previous().quarter
        QuarterlyAssessment.objects.create(
            provider=p,
            quarter=prev_q.first_day,
            score=Decimal(["92.5", "85.0", "71.0"][i]),
            result=["excellent", "good", "pass"][i],
            by=district_user,
        )
        providers.append(p)

    admin = _user(
        ctx, "provider", "服务商管理员 何静", Role.PROVIDER_ADMIN, providers[0], "provider admin, 康乐居家养老服务中心"
    )
    cg_users = [
        _user(ctx, "caregiver", "护理员 李秀梅", Role.CAREGIVER, providers[0], "caregiver (phone pages), 康乐"),
        _user(ctx, "caregiver2", "护理员 张建军", Role.CAREGIVER, providers[0], "caregiver (phone pages), 康乐"),
    ]
    caregivers: dict[int, list[Caregiver]] = {}
    n = 0
    for p in providers:
        for k in range(3):
            user = cg_users[k] if p is providers[0] and k < 2 else None
            c = Caregiver.objects.create(
                provider=p,
                user=user,
                name=CAREGIVER_NAMES[n],
                staff_number=f"{p.pk:02d}{k + 1:03d}",
                phone=f"1390514{n:04d}",
                trained_on=today - datetime.timedelta(days=200 + n),
            )
            caregivers.setdefault(p.pk, []).append(c)
            n += 1
        Certificate.objects.create(
            caregiver=caregivers[p.pk][0],
            kind="rehabilitation",
            number=f"KF{p.pk:04d}",
            valid_until=today + datetime.timedelta(days=400),
        )
        Certificate.objects.create(
            caregiver=caregivers[p.pk][1],
            kind="medical",
            number=f"YL{p.pk:04d}",
            valid_until=today - datetime.timedelta(days=10),
        )  # expired: the certificate rule has something to refuse
    items: dict[int, list[ServiceItem]] = {}
    for p in providers:
        items[p.pk] = ServiceItem.objects.bulk_create(
            [
                ServiceItem(
                    provider=p,
                    kind=k,
                    name=nm,
                    price=Money(pr, "CNY"),
                    minutes=60,
                    certificate_kind=cert,
                    approval=Approval.APPROVED,
                )
                for k, nm, pr, cert in ITEMS
            ]
        )
        if not items[p.pk][0].pk:
            items[p.pk] = list(ServiceItem.objects.filter(provider=p).order_by("id"))
        package = ServicePackage.objects.create(
            provider=p, name="居家基础套餐（助餐+助洁）", price=Money("85.00", "CNY"), approval=Approval.APPROVED
        )
        package.items.set(items[p.pk][:2])

    # Agreements: each eligible elder (60+, active) with the provider of their street, every other elder.
    street_providers = {
        s.pk: [p for p in providers if ctx.streets.index(s) in PROVIDERS[providers.index(p)][2]] for s in ctx.streets
    }
    agreements, served = [], []
    # Subsidised elders (the monthly run has paid them) all chose a provider; of the others, some buy
    # services at market price with their own money.

    entitled = set(Entitlement.objects.filter(status="active").values_list("elder_id", flat=True))
    for i, elder in enumerate(ctx.elders):
        age = today.year - elder.birth_date.year
        if age < 61 or (elder.pk not in entitled and i % 4) or elder.life_status != "active":
            continue
        choices = street_providers[elder.community.parent_id]
        p = choices[i % len(choices)]
        agreements.append(
            ServiceAgreement(elder=elder, provider=p, signed_on=today - datetime.timedelta(days=rng.randrange(60, 400)))
        )
        served.append((elder, p))
    ServiceAgreement.objects.bulk_create(agreements)
    used: set[str] = set()
    cards = []
    for elder, _p in served:
        code = new_short_code()
        while code in used:
            code = new_short_code()
        used.add(code)
        cards.append(
            ElderCard(
                elder=elder,
                short_code=code,
                issued_at=datetime.datetime.combine(
                    today - datetime.timedelta(days=30), datetime.time(9), tzinfo=local_day_bounds(today)[0].tzinfo
                ),
            )
        )
    ElderCard.objects.bulk_create(cards)

    _history(ctx, served, caregivers, items, admin)
    _visits(ctx, served, caregivers, items, admin)
    _ledger_cases(ctx, providers[0], items[providers[0].pk], caregivers[providers[0].pk], admin)


def _ledger_cases(ctx: DemoContext, provider: Provider, items, caregivers, admin) -> None:
    """The voucher demo's elders (see vouchers.seed) served by the first provider: a visit paid from
    the subsidy, the costliest item (from the subsidy, then the personal account the family paid
    into, then cash when both run short), and a voided visit served again. Real visits, so the elders' statements and the settlement agree."""
    elders = [e for e in ledger_elders(ctx) if e.life_status == "active"][:3]
    if len(elders) < 3:
        return
    tz = local_day_bounds(ctx.today)[0].tzinfo
    plain = items[:7]  # subsidised items, as in _visits
    costly = max(plain, key=lambda i: i.price.amount)
    cases = [(elders[1], plain[0], S.COMPLETED, 6), (elders[0], costly, S.COMPLETED, 5)]
    cases += [(elders[2], plain[1], S.VOIDED, 4), (elders[2], plain[1], S.COMPLETED, 3)]
    orders = []
    for n, (elder, item, status, days_back) in enumerate(cases):
        at = datetime.datetime.combine(ctx.today - datetime.timedelta(days=days_back), datetime.time(9), tzinfo=tz)
        orders.append(
            WorkOrder.objects.create(
                elder=elder,
                provider=provider,
                item=item,
                price=item.price,
                scheduled_at=at,
                booked_via=WorkOrder.BookedVia.PROVIDER,
                booked_by=admin,
                caregiver=caregivers[n % len(caregivers)],
                status=status,
                checked_in_at=at,
                checked_out_at=at + datetime.timedelta(minutes=90),
                void_reason="回访：服务时长不足1小时" if status == S.VOIDED else "",
            )
        )
    _redeem(orders, admin)


def _history(ctx: DemoContext, served, caregivers, items, admin) -> None:
    """The months before the current one, from the start of the last closed quarter: one or two
    completed visits a month for each served elder, redeemed at their check-out time (the clock is
    moved back for each), so that those months and that quarter settle real amounts."""
    rng, today = ctx.rng, ctx.today
    tz = local_day_bounds(today)[0].tzinfo
    current = Month.of(today)
    month = current.quarter.months[0].previous().quarter.months[0]
    orders: list[WorkOrder] = []
    while month < current:
        days = (month.last_day - month.first_day).days + 1
        for idx, (elder, provider) in enumerate(served):
            for _visit in range(2 if idx % 3 == 0 else 1):
                day = month.first_day + datetime.timedelta(days=rng.randrange(days))
                at = datetime.datetime.combine(day, datetime.time(rng.choice([8, 9, 10, 14, 15])), tzinfo=tz)
                item = rng.choice(items[provider.pk][:7])
                checked_in = at + datetime.timedelta(minutes=rng.randrange(0, 10))
                orders.append(
                    WorkOrder(
                        elder=elder,
                        provider=provider,
                        item=item,
                        price=item.price,
                        scheduled_at=at,
                        booked_via=rng.choice(WorkOrder.BookedVia.values),
                        booked_by=admin,
                        caregiver=rng.choice(caregivers[provider.pk]),
                        status=S.COMPLETED,
                        checked_in_at=checked_in,
                        checked_out_at=checked_in + datetime.timedelta(minutes=rng.randrange(60, 100)),
                    )
                )
        month = month.next()
    created = WorkOrder.objects.bulk_create(orders)
    if created and not created[0].pk:
        first = WorkOrder.objects.order_by("id").values_list("id", flat=True).first() or 0
        created = list(WorkOrder.objects.filter(id__gte=first).order_by("id"))
    events = []
    for o in created:
        booked_at = o.scheduled_at - datetime.timedelta(days=2)
        for prev, step, at in (
            ("", S.BOOKED, booked_at),
            (S.BOOKED, S.ASSIGNED, booked_at + datetime.timedelta(hours=2)),
            (S.ASSIGNED, S.IN_PROGRESS, o.checked_in_at),
            (S.IN_PROGRESS, S.COMPLETED, o.checked_out_at),
        ):
            events.append(WorkOrderEvent(order=o, from_status=prev, to_status=step, by=admin, created_at=at))
    WorkOrderEvent.objects.bulk_create(events)
    for o in sorted(created, key=lambda o: o.checked_out_at):
        with time_machine.travel(o.checked_out_at, tick=False):
            result = redemption_create(
                elder=o.elder,
                amount=o.price,
                provider=o.provider,
                idempotency_key=f"workorder:{o.pk}:redeem",
                reference=f"workorder:{o.pk}",
                by=admin,
                memo=redemption_memo(o, timezone.localdate()),
            )
        WorkOrder.objects.filter(pk=o.pk).update(redemption=result.transaction)


def _visits(ctx: DemoContext, served, caregivers, items, admin) -> None:
    """A month of orders in every state, bulk inserted; completed ones are redeemed through the ledger."""
    rng, today = ctx.rng, ctx.today
    tz = local_day_bounds(today)[0].tzinfo
    orders: list[WorkOrder] = []
    for idx, (elder, provider) in enumerate(served):
        plain = items[provider.pk][:7]
        for day_back in sorted(rng.sample(range(0, 30), 3), reverse=True):
            day = today - datetime.timedelta(days=day_back)
            item = rng.choice(plain)
            cg = rng.choice(caregivers[provider.pk])
            at = datetime.datetime.combine(day, datetime.time(rng.choice([8, 9, 10, 14, 15, 16])), tzinfo=tz)
            if day_back == 0:
                status = rng.choice([S.ASSIGNED, S.ASSIGNED, S.BOOKED, S.IN_PROGRESS])
            else:
                status = rng.choices([S.COMPLETED, S.SHORT, S.VOIDED, S.CANCELLED], weights=[85, 6, 4, 5])[0]
            if day_back == 0 and provider is served[0][1] and idx % 2 == 0:
                cg = caregivers[provider.pk][idx // 2 % 2]  # give the demo caregivers work today
            o = WorkOrder(
                elder=elder,
                provider=provider,
                item=item,
                price=item.price,
                scheduled_at=at,
                booked_via=rng.choice(WorkOrder.BookedVia.values),
                booked_by=admin,
                caregiver=None if status in (S.BOOKED,) else cg,
                status=status,
            )
            if status in (S.IN_PROGRESS, S.COMPLETED, S.SHORT, S.VOIDED):
                o.checked_in_at = at + datetime.timedelta(minutes=rng.randrange(0, 10))
                if status != S.IN_PROGRESS:
                    minutes = rng.randrange(35, 58) if status == S.SHORT else rng.randrange(60, 100)
                    o.checked_out_at = o.checked_in_at + datetime.timedelta(minutes=minutes)
            if status == S.VOIDED:
                o.void_reason = rng.choice(["回访：服务时长不足", "回访：老人反映未打扫厨房"])
            orders.append(o)
    created = WorkOrder.objects.bulk_create(orders)
    if not created or not created[0].pk:
        created = list(WorkOrder.objects.order_by("id"))
    now = datetime.datetime.now(tz=tz)
    events = []
    for o in created:
        events.append(
            WorkOrderEvent(
                order=o,
                from_status="",
                to_status=S.BOOKED,
                by=admin,
                created_at=o.scheduled_at - datetime.timedelta(days=2),
            )
        )
        path = {
            S.ASSIGNED: [S.ASSIGNED],
            S.IN_PROGRESS: [S.ASSIGNED, S.IN_PROGRESS],
            S.COMPLETED: [S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED],
            S.SHORT: [S.ASSIGNED, S.IN_PROGRESS, S.SHORT],
            S.VOIDED: [S.ASSIGNED, S.IN_PROGRESS, S.COMPLETED, S.VOIDED],
            S.CANCELLED: [S.CANCELLED],
            S.BOOKED: [],
        }[o.status]
        prev = S.BOOKED
        for step in path:
            at = (
                o.checked_out_at
                if step in (S.COMPLETED, S.SHORT, S.VOIDED)
                else (o.checked_in_at if step == S.IN_PROGRESS else o.scheduled_at - datetime.timedelta(days=1))
            )
            events.append(WorkOrderEvent(order=o, from_status=prev, to_status=step, by=admin, created_at=at or now))
            prev = step
    WorkOrderEvent.objects.bulk_create(events)
    # Re-service orders for the short and voided visits.
    again = [
        WorkOrder(
            elder=o.elder,
            provider=o.provider,
            item=o.item,
            price=o.price,
            scheduled_at=o.scheduled_at + datetime.timedelta(days=1),
            booked_via=WorkOrder.BookedVia.PROVIDER,
            booked_by=admin,
            caregiver=o.caregiver,
            status=S.ASSIGNED,
            reservice_of=o,
        )
        for o in created
        if o.status in (S.SHORT, S.VOIDED)
    ]
    WorkOrder.objects.bulk_create(again)
    _redeem(created, admin)
    # Provider callbacks for most visited orders; the district's sample of yesterday.
    visited = [o for o in created if o.status in quality.VISITED]
    Callback.objects.bulk_create(
        [
            Callback(
                order=o,
                source="provider",
                result=rng.choices(["satisfied", "not_satisfied", "unreachable", "complaint"], weights=[85, 6, 6, 3])[
                    0
                ],
                by=admin,
            )
            for o in visited
            if rng.random() < 0.8
        ]
    )
    quality.district_sample_draw(day=today - datetime.timedelta(days=1), seed=7)


def _redeem(orders, admin) -> None:
    for o in sorted(orders, key=lambda o: o.checked_out_at or o.scheduled_at):
        if o.status not in (S.COMPLETED, S.VOIDED):
            continue
        # Redeemed at check-out, voided by the next day's callback (or now, whichever is earlier).
        with time_machine.travel(o.checked_out_at, tick=False):
            result = redemption_create(
                elder=o.elder,
                amount=o.price,
                provider=o.provider,
                idempotency_key=f"workorder:{o.pk}:redeem",
                reference=f"workorder:{o.pk}",
                by=admin,
                memo=redemption_memo(o, timezone.localdate()),
            )
        fields = {"redemption": result.transaction}
        if o.status == S.VOIDED:
            voided_at = min(o.checked_out_at + datetime.timedelta(days=1), timezone.now())
            with time_machine.travel(voided_at, tick=False):
                fields["reversal"] = redemption_reverse(
                    transaction=result.transaction,
                    reason=o.void_reason,
                    idempotency_key=f"workorder:{o.pk}:void",
                    by=admin,
                )
        WorkOrder.objects.filter(pk=o.pk).update(**fields)
