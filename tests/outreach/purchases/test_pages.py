"""The phone pages, one journey: the volunteer orders, the community runs, the supermarket packs
and hands over, the community delivers, the household pays by scanning the supermarket's code."""

import re

import pytest
from djmoney.money import Money

from outreach.purchases.models import OrderStatus, PurchaseRequest, PurchaseRun

from .steps import order

pytestmark = pytest.mark.django_db
BASE = "/outreach/purchases"


def test_the_journey_through_the_pages(client, tree, worker, volunteer, clerk, shop, households, rice, oil):
    elder = households[0]
    # The volunteer finds the household on their list and orders 2 bags of rice and a blood-pressure monitor
    client.force_login(volunteer)
    page = client.get(f"{BASE}/mine/")
    assert [h.name for h in page.context["households"]] == ["龙川老人0", "龙川老人1"]
    assert f"{BASE}/elders/{elder.pk}/order/".encode() in page.content
    page = client.post(
        f"{BASE}/elders/{elder.pk}/order/",
        {f"qty_{rice.pk}": "2", "other1": "电子血压计", "other1_qty": "1", "note": "放门口的凳子上"},
    )
    request = PurchaseRequest.objects.get(elder=elder)
    assert page.status_code == 302 and page.url == f"{BASE}/orders/{request.pk}/"
    assert [(i.label, i.quantity) for i in request.items.all()] == [("大米（5kg袋）", 2), ("电子血压计", 1)]
    assert request.requested_by == volunteer and not request.urgent
    # The community's page: one need waiting, the first run due today
    client.force_login(worker)
    page = client.get(f"{BASE}/")
    board = page.context["current"]
    assert (board.community, board.waiting, board.next_run_on.isoformat(), board.run_today) == (
        tree.a1,
        1,
        "2026-03-16",
        "regular",
    )
    page = client.post(f"{BASE}/runs/make/", {"community": tree.a1.pk})
    run = PurchaseRun.objects.get()
    assert page.url == f"{BASE}/runs/{run.pk}/"
    # The supermarket's consolidated order and the household's packing list
    client.force_login(clerk)
    page = client.get(f"{BASE}/runs/{run.pk}/")
    assert [(line.label, line.quantity) for line in page.context["lines"]] == [("大米", 2), ("电子血压计", 1)]
    items = list(request.items.all())
    page = client.post(
        f"{BASE}/runs/{run.pk}/orders/{request.pk}/pack/",
        {f"item_{items[0].pk}": "63.00", f"item_{items[1].pk}": "129"},
    )
    assert page.status_code == 302
    page = client.post(f"{BASE}/runs/{run.pk}/hand-over/")
    request.refresh_from_db()
    assert request.status == OrderStatus.HANDED_OVER and request.amount_due == Money("192.00", "CNY")
    # The community delivers from its page, without contact
    client.force_login(worker)
    page = client.get(f"{BASE}/?community={tree.a1.pk}")
    assert [o.pk for o in page.context["to_deliver"]] == [request.pk]
    client.post(f"{BASE}/orders/{request.pk}/deliver/", {"contactless": "on", "next": f"{BASE}/"})
    request.refresh_from_db()
    assert request.status == OrderStatus.DELIVERED and request.delivery.by == worker
    # The volunteer shows the supermarket's code and records the reference of the payment
    client.force_login(volunteer)
    page = client.get(f"{BASE}/orders/{request.pk}/pay/")
    assert page.context["qr"].startswith("data:image/svg+xml")
    assert re.search(rb'<img src="data:image/svg\+xml[^"]+" alt="[^"]*" id="payment-qr"', page.content)
    assert b"192.00" in page.content
    page = client.post(f"{BASE}/orders/{request.pk}/pay/", {"method": "qr", "reference": ""})
    assert page.status_code == 200 and page.context["form"].errors["reference"]
    page = client.post(f"{BASE}/orders/{request.pk}/pay/", {"method": "qr", "reference": "4200001234202603160001"})
    assert page.status_code == 302
    request.refresh_from_db()
    assert request.status == OrderStatus.PAID
    assert (request.payment.method, request.payment.amount) == ("qr", Money("192.00", "CNY"))
    # The order's page shows each step to the household's responsible person
    page = client.get(f"{BASE}/orders/{request.pk}/")
    assert [e.to_status for e in page.context["events"]] == [
        "requested",
        "in_run",
        "packed",
        "handed_over",
        "delivered",
        "paid",
    ]


def test_an_empty_order_is_refused_on_the_page(client, volunteer, households):
    client.force_login(volunteer)
    page = client.post(f"{BASE}/elders/{households[0].pk}/order/", {"note": "x"})
    assert page.status_code == 200 and page.context["form"].non_field_errors()
    assert not PurchaseRequest.objects.exists()


def test_an_urgent_order_offers_the_same_day_run(client, tree, worker, volunteer, clerk, households, rice):
    order(households[0], volunteer, (rice, 1))
    client.force_login(worker)
    client.post(f"{BASE}/runs/make/", {"community": tree.a1.pk})
    order(households[1], volunteer, (rice, 1), urgent=True)
    page = client.get(f"{BASE}/")
    assert (page.context["current"].next_run_on.isoformat(), page.context["current"].run_today) == (
        "2026-03-19",
        "urgent",
    )
    client.post(f"{BASE}/runs/make/", {"community": tree.a1.pk})
    assert list(PurchaseRun.objects.order_by("cycle").values_list("kind", flat=True)) == ["regular", "urgent"]
    # nothing more today: the button is gone and a post is refused with a message
    page = client.get(f"{BASE}/")
    assert page.context["current"].run_today is None and b'id="run-make"' not in page.content
    page = client.post(f"{BASE}/runs/make/", {"community": tree.a1.pk}, follow=True)
    assert PurchaseRun.objects.count() == 2 and list(page.context["messages"])


def test_the_pages_speak_chinese_by_default(client, worker, volunteer, households, rice):
    order(households[0], volunteer, (rice, 1))
    client.force_login(worker)
    page = client.get(f"{BASE}/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert 'lang="zh-hans"' in page.content.decode()


def test_a_clerk_cannot_open_the_community_page_nor_make_runs(client, tree, clerk, volunteer, households, rice):
    order(households[0], volunteer, (rice, 1))
    client.force_login(clerk)
    assert client.get(f"{BASE}/").status_code == 403
    assert client.post(f"{BASE}/runs/make/", {"community": tree.a1.pk}).status_code == 404
    assert not PurchaseRun.objects.exists()


def test_the_district_sees_each_communitys_line(client, tree, users, worker, volunteer, households, rice):
    order(households[0], volunteer, (rice, 1), urgent=True)
    client.force_login(users["district"])
    page = client.get(f"{BASE}/")
    lines = {b.community.name: (b.waiting, b.urgent_waiting) for b in page.context["boards"]}
    assert lines == {"龙川社区": (1, 1), "文昌社区": (0, 0), "新都村": (0, 0)}
    assert page.context["current"] is None
    page = client.get(f"{BASE}/?community={tree.a1.pk}")
    assert [o.elder.name for o in page.context["waiting"]] == ["龙川老人0"]
