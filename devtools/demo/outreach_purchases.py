"""Demo data of buy-on-behalf (爱心帮买) in 龙川社区, after `outreach.seed`.

A partner supermarket serves the district, with a staff login (`supermarket`). Orders exist in
every state: a run five days ago fully delivered (paid by code, in cash, by the assistance fund,
one payment still to record), a run two days ago handed over (two to deliver, one cancelled), an
urgent run today half packed, and needs waiting for the next regular run, due tomorrow. Some of
the orders are the volunteer's households'. Everything goes through the services; the runs are
then moved back to their days.
"""

import datetime
import itertools
from decimal import Decimal

from devtools.demo.core import DEMO_PASSWORD, DemoContext
from eldercare.models import Role, RoleAssignment, User
from outreach import selectors as outreach_selectors
from outreach.purchases import services
from outreach.purchases.models import (
    Delivery,
    Necessity,
    OrderEvent,
    PartnerSupermarket,
    Payment,
    PaymentMethod,
    PurchaseRequest,
    PurchaseRun,
    SupermarketStaff,
)

OTHER_ITEMS = ["老花镜", "电蚊香液", "暖水袋", "降压药（硝苯地平）", "成人纸尿裤"]
PAYMENT_QR = "https://qr.95516.com/00010000/jiangdu-aixin-chaoshi"


def _items(ctx: DemoContext, catalogue: list[Necessity], n: int) -> list[services.ItemData]:
    chosen = ctx.rng.sample(catalogue, n)
    items = [services.ItemData(quantity=ctx.rng.choice([1, 1, 2]), necessity=c) for c in chosen]
    if ctx.rng.random() < 0.3:
        items.append(services.ItemData(quantity=1, free_text=ctx.rng.choice(OTHER_ITEMS)))
    return items


def _pack(ctx: DemoContext, request: PurchaseRequest, clerk: User) -> None:
    prices: dict[int, Decimal | None] = {}
    for item in request.items.select_related("necessity"):
        if item.necessity is None:
            prices[item.pk] = Decimal(ctx.rng.choice(["15.00", "28.50", "36.00"]))
        else:
            # the shelf price within a few per cent of the typical one
            factor = Decimal(ctx.rng.choice(["0.95", "1.00", "1.00", "1.05"]))
            prices[item.pk] = (item.necessity.typical_price.amount * item.quantity * factor).quantize(Decimal("0.01"))
    services.request_pack(request=request, by=clerk, prices=prices)


def _move_back(run: PurchaseRun, days: int) -> None:
    """Put a run made just now on its day, with every time of its orders."""
    shift = datetime.timedelta(days=days)
    PurchaseRun.objects.filter(pk=run.pk).update(
        run_date=run.run_date - shift, handed_over_at=run.handed_over_at - shift if run.handed_over_at else None
    )
    for request in PurchaseRequest.objects.filter(run=run):
        PurchaseRequest.objects.filter(pk=request.pk).update(
            requested_at=request.requested_at - shift,
            packed_at=request.packed_at - shift if request.packed_at else None,
        )
        for model in (OrderEvent, Delivery, Payment):
            for row in model.objects.filter(request=request):
                model.objects.filter(pk=row.pk).update(at=row.at - shift)


def seed(ctx: DemoContext) -> None:
    worker, volunteer = ctx.users["community"], ctx.users["volunteer"]
    community = ctx.communities[0]
    shop = PartnerSupermarket.objects.create(
        name="江都爱心公益超市",
        district=ctx.district,
        address="江都区龙川路88号",
        phone="0514-86201234",
        payment_qr=PAYMENT_QR,
    )
    clerk = User.objects.create_user(username="supermarket", password=DEMO_PASSWORD, full_name="爱心超市 王店长")
    RoleAssignment.objects.create(user=clerk, role=Role.SUPERMARKET, division=ctx.district)
    SupermarketStaff.objects.create(supermarket=shop, user=clerk)
    ctx.users["supermarket"] = clerk
    ctx.logins.append(("supermarket", "partner supermarket staff: consolidated orders, packing, hand-over"))

    catalogue = list(Necessity.objects.filter(active=True))
    theirs = list(outreach_selectors.register_elders(user=volunteer, status=outreach_selectors.MINE))
    others = [
        e
        for e in outreach_selectors.register_elders(user=worker, community=community.pk).filter(has_primary=True)
        if e not in theirs
    ]
    # the volunteer's households and the others' in turn, so that each state has some of both
    pool = [e for pair in zip(theirs, others, strict=False) for e in pair] + others[len(theirs) :]
    if not pool:  # a demo too small to have households in someone's care
        return
    households = itertools.cycle(pool)  # a small demo orders more than once for a household

    def place(urgent: bool = False) -> PurchaseRequest:
        elder = next(households)
        by = volunteer if elder in theirs else worker
        return services.purchase_request(
            elder=elder, by=by, items=_items(ctx, catalogue, ctx.rng.randint(2, 4)), urgent=urgent
        )

    # Five days ago: four households, all delivered; three paid, one payment to record.
    first = [place() for _ in range(4)]
    run = services.purchase_run_make(community=community, by=worker)
    for request in first:
        _pack(ctx, request, clerk)
    services.run_hand_over(run=run, by=clerk)
    methods = [(PaymentMethod.QR, "4200002026031100018"), (PaymentMethod.CASH, ""), (PaymentMethod.FUND, "")]
    for request in first:
        services.request_deliver(request=request, by=worker, note="放门口，电话告知")
    for request, (method, reference) in zip(first, methods, strict=False):  # the last one still to pay
        payer = volunteer if request.elder in theirs else worker
        services.payment_record(request=request, by=payer, method=method, reference=reference)
    run.refresh_from_db()
    _move_back(run, 5)

    # Two days ago: three households; one cancelled (the family brought it), two to deliver.
    second = [place() for _ in range(3)]
    run = services.purchase_run_make(community=community, by=worker)
    services.request_cancel(request=second[2], by=worker, note="家属已送来")
    for request in second[:2]:
        _pack(ctx, request, clerk)
    services.run_hand_over(run=run, by=clerk)
    run.refresh_from_db()
    _move_back(run, 2)

    # Today: two plain needs wait for tomorrow's run; two urgent ones went at once, one packed.
    place()
    place()
    urgent = [place(urgent=True) for _ in range(2)]
    services.purchase_run_make(community=community, by=worker)
    _pack(ctx, urgent[0], clerk)
