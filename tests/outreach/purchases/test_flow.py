"""An order from the household's need to its payment, the 3-day cycle and the urgent same-day run."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from djmoney.money import Money

from eldercare.errors import NotAllowed
from outreach.purchases import services
from outreach.purchases.errors import (
    NoPartnerSupermarket,
    NothingToRun,
    OrderInvalid,
    OrderStateConflict,
    PaymentReferenceTaken,
)
from outreach.purchases.models import OrderEvent, OrderStatus, Payment, PaymentMethod, PurchaseItem, PurchaseRun

from .steps import order, pack_all

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 10):
    return time_machine.travel(datetime.datetime(2026, 3, day, hour, 0, tzinfo=datetime.UTC), tick=False)


def test_an_order_goes_from_the_need_to_the_payment(tree, worker, volunteer, clerk, shop, households, rice, oil, paper):
    # Given the volunteer orders 2 bags of rice, 1 bottle of oil, toilet paper and reading glasses
    request = order(households[0], volunteer, (rice, 2), (oil, 1), (paper, 1), ("老花镜 +250度", 1))
    assert request.status == OrderStatus.REQUESTED and request.community == tree.a1
    # When the community makes its first run: it is regular and goes to the district's supermarket
    run = services.purchase_run_make(community=tree.a1, by=worker)
    assert (run.kind, run.cycle, run.run_date, run.supermarket) == ("regular", 1, datetime.date(2026, 3, 16), shop)
    request.refresh_from_db()
    assert request.status == OrderStatus.IN_RUN and request.run == run
    # The supermarket packs with its actual prices; the toilet paper is sold out
    items = {i.label: i.pk for i in request.items.all()}
    request = services.request_pack(
        request=request,
        by=clerk,
        prices={
            items["大米（5kg袋）"]: Decimal("63.00"),
            items["食用油（5L桶）"]: Decimal("67.80"),
            items["卫生纸（10卷提）"]: None,
            items["老花镜 +250度"]: Decimal("15.00"),
        },
    )
    assert request.status == OrderStatus.PACKED
    assert request.amount_due == Money("145.80", "CNY")
    assert PurchaseItem.objects.get(pk=items["卫生纸（10卷提）"]).unavailable
    services.run_hand_over(run=run, by=clerk)
    request.refresh_from_db()
    assert request.status == OrderStatus.HANDED_OVER
    # The community leaves it at the door; the household scans the supermarket's code
    services.request_deliver(request=request, by=worker, note="放门口，已电话告知")
    payment = services.payment_record(
        request=request, by=volunteer, method=PaymentMethod.QR, reference="4200001234202603160001"
    )
    request.refresh_from_db()
    assert request.status == OrderStatus.PAID
    assert payment.amount == Money("145.80", "CNY") and payment.reference == "4200001234202603160001"
    assert request.delivery.contactless and request.delivery.note == "放门口，已电话告知"
    # Then one event per step, each by whoever took it
    events = list(OrderEvent.objects.filter(request=request).values_list("from_status", "to_status", "by__username"))
    assert events == [
        ("", "requested", "volunteer"),
        ("requested", "in_run", worker.username),
        ("in_run", "packed", "clerk"),
        ("packed", "handed_over", "clerk"),
        ("handed_over", "delivered", worker.username),
        ("delivered", "paid", "volunteer"),
    ]


def test_the_three_day_cycle_and_the_urgent_same_day_run(tree, worker, volunteer, clerk, households, rice, oil):
    # 16 March: the first regular run takes the waiting order
    first = order(households[0], volunteer, (rice, 1))
    services.purchase_run_make(community=tree.a1, by=worker)
    with _at(17):
        plain = order(households[1], volunteer, (oil, 1))
        # nothing urgent on the 17th: the next regular run is due on the 19th
        with pytest.raises(NothingToRun, match="2026-03-19"):
            services.purchase_run_make(community=tree.a1, by=worker)
        urgent = order(households[2], worker, ("胰岛素笔芯", 1), urgent=True)
        run = services.purchase_run_make(community=tree.a1, by=worker)
        assert (run.kind, run.cycle, run.run_date) == ("urgent", 2, datetime.date(2026, 3, 17))
        assert list(run.requests.all()) == [urgent]
        plain.refresh_from_db()
        assert plain.status == OrderStatus.REQUESTED
    with _at(18), pytest.raises(NothingToRun):
        services.purchase_run_make(community=tree.a1, by=worker)
    with _at(19):
        # the urgent run did not move the cycle: 3 days after the 16th
        run = services.purchase_run_make(community=tree.a1, by=worker)
        assert (run.kind, run.cycle) == ("regular", 3)
        assert list(run.requests.all()) == [plain]
    first.refresh_from_db()
    plain.refresh_from_db()
    assert (first.run.cycle, plain.run.cycle) == (1, 3)
    assert list(PurchaseRun.objects.order_by("cycle").values_list("kind", flat=True)) == [
        "regular",
        "urgent",
        "regular",
    ]


def test_a_regular_run_takes_the_urgent_needs_too(tree, worker, volunteer, clerk, households, rice):
    plain = order(households[0], volunteer, (rice, 1))
    urgent = order(households[1], volunteer, (rice, 2), urgent=True)
    run = services.purchase_run_make(community=tree.a1, by=worker)
    assert run.kind == "regular"
    assert set(run.requests.all()) == {plain, urgent}


def test_no_run_without_a_partner_supermarket(tree, worker, volunteer, households, rice):
    order(households[0], volunteer, (rice, 1))
    with pytest.raises(NoPartnerSupermarket):
        services.purchase_run_make(community=tree.a1, by=worker)
    assert not PurchaseRun.objects.exists()


def test_a_supermarket_for_the_street_comes_before_the_districts(tree, worker, volunteer, shop, households, rice):
    street_shop = shop.__class__.objects.create(name="龙川街道爱心超市", district=tree.district, payment_qr="x")
    street_shop.streets.add(tree.street_a)
    order(households[0], volunteer, (rice, 1))
    assert services.purchase_run_make(community=tree.a1, by=worker).supermarket == street_shop


def test_payment_methods(tree, worker, volunteer, clerk, households, rice):
    orders = [order(e, worker, (rice, 1)) for e in households[:3]]
    run = services.purchase_run_make(community=tree.a1, by=worker)
    for o in orders:
        pack_all(o, clerk, "31.50")
    services.run_hand_over(run=run, by=clerk)
    for o in orders:
        services.request_deliver(request=o, by=worker)
    # a code payment needs its reference
    with pytest.raises(OrderInvalid):
        services.payment_record(request=orders[0], by=worker, method=PaymentMethod.QR)
    services.payment_record(request=orders[0], by=worker, method=PaymentMethod.QR, reference="WX-001")
    # the same reference twice is refused, and nothing of the second order moves
    with pytest.raises(PaymentReferenceTaken):
        services.payment_record(request=orders[1], by=worker, method=PaymentMethod.QR, reference="WX-001")
    orders[1].refresh_from_db()
    assert orders[1].status == OrderStatus.DELIVERED
    assert not OrderEvent.objects.filter(request=orders[1], to_status="paid").exists()
    services.payment_record(request=orders[1], by=worker, method=PaymentMethod.CASH)
    services.payment_record(request=orders[2], by=worker, method=PaymentMethod.FUND, reference="WX-001")
    assert list(Payment.objects.order_by("request_id").values_list("method", "reference", "amount")) == [
        ("qr", "WX-001", Decimal("31.50")),
        ("cash", "", Decimal("31.50")),
        ("fund", "WX-001", Decimal("31.50")),
    ]
    # a paid order is paid once
    with pytest.raises(OrderStateConflict):
        services.payment_record(request=orders[1], by=worker, method=PaymentMethod.CASH)


def test_steps_out_of_order_are_refused(tree, worker, volunteer, clerk, other_clerk, households, rice, oil):
    a = order(households[0], volunteer, (rice, 1), (oil, 1))
    b = order(households[1], volunteer, (rice, 1))
    with pytest.raises(OrderStateConflict):
        services.request_deliver(request=a, by=worker)
    run = services.purchase_run_make(community=tree.a1, by=worker)
    # another supermarket's clerk and the volunteer do not pack
    with pytest.raises(NotAllowed):
        pack_all(a, other_clerk)
    with pytest.raises(NotAllowed):
        pack_all(a, volunteer)
    # every line needs a price or "not available", and something must be packed
    with pytest.raises(OrderInvalid):
        services.request_pack(request=a, by=clerk, prices={a.items.first().pk: Decimal("30")})
    with pytest.raises(OrderInvalid):
        services.request_pack(request=a, by=clerk, prices={i.pk: None for i in a.items.all()})
    pack_all(a, clerk)
    with pytest.raises(OrderStateConflict, match="1"):
        services.run_hand_over(run=run, by=clerk)
    services.request_cancel(request=b, by=volunteer, note="家属已送来")
    with pytest.raises(OrderStateConflict):
        services.request_cancel(request=a, by=volunteer)
    services.run_hand_over(run=run, by=clerk)
    with pytest.raises(OrderStateConflict):
        services.run_hand_over(run=run, by=clerk)
    with pytest.raises(OrderStateConflict):
        services.payment_record(request=a, by=worker, method=PaymentMethod.CASH)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status, a.amount_due) == ("handed_over", "cancelled", Money("20.00", "CNY"))


def test_an_order_needs_items_and_a_household_in_care(tree, worker, worker_b, volunteer, households, rice):
    with pytest.raises(OrderInvalid):
        order(households[0], volunteer)
    with pytest.raises(OrderInvalid):
        order(households[0], volunteer, (rice, 0))
    with pytest.raises(OrderInvalid):
        order(households[0], volunteer, (rice, 1), (rice, 2))
    with pytest.raises(OrderInvalid):
        order(households[0], volunteer, ("  ", 1))
    # the volunteer is not responsible for the third household, nor a worker of 新都村 for 龙川's
    with pytest.raises(NotAllowed):
        order(households[2], volunteer, (rice, 1))
    with pytest.raises(NotAllowed):
        order(households[0], worker_b, (rice, 1))
    assert not households[0].purchase_requests.exists()


def test_only_the_community_makes_its_runs(tree, worker, worker_b, volunteer, clerk, households, rice):
    order(households[0], volunteer, (rice, 1))
    for user in (worker_b, volunteer, clerk):
        with pytest.raises(NotAllowed):
            services.purchase_run_make(community=tree.a1, by=user)
    assert not PurchaseRun.objects.exists()


def test_the_database_keeps_the_invariants(tree, worker, volunteer, clerk, households, rice):
    request = order(households[0], volunteer, (rice, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseItem.objects.create(request=request, necessity=rice, free_text="大米", quantity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PurchaseItem.objects.create(request=request, free_text="口罩", quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        request.__class__.objects.filter(pk=request.pk).update(status="packed")
    run = services.purchase_run_make(community=tree.a1, by=worker)
    pack_all(request, clerk)
    services.run_hand_over(run=run, by=clerk)
    services.request_deliver(request=request, by=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            request=request, method="qr", reference="", amount=Money("10", "CNY"), by=worker, at=run.created_at
        )
