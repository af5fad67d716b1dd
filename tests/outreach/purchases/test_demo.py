"""The buy-on-behalf demo: orders in every state in 龙川社区, a supermarket login that sees its runs."""

import datetime
import random

import pytest

from devtools.demo import core as demo
from devtools.demo import outreach, outreach_purchases
from outreach.purchases import nav, selectors
from outreach.purchases.models import OrderStatus, PurchaseRequest

from ..conftest import TODAY

pytestmark = pytest.mark.django_db


def test_the_demo_has_orders_in_every_state_and_a_supermarket_login():
    ctx = demo.DemoContext(rng=random.Random(2026), today=TODAY)
    demo.seed(ctx, elders=120)
    outreach.seed(ctx)
    outreach_purchases.seed(ctx)
    states = set(PurchaseRequest.objects.values_list("status", flat=True))
    assert states == set(OrderStatus.values)
    assert set(PurchaseRequest.objects.values_list("community__name", flat=True)) == {"龙川社区"}
    clerk, worker, volunteer = ctx.users["supermarket"], ctx.users["community"], ctx.users["volunteer"]
    assert clerk.check_password(demo.DEMO_PASSWORD) and clerk.has_role("supermarket_staff")
    assert ctx.logins[-1][0] == "supermarket"
    runs = list(selectors.run_list(user=clerk).order_by("cycle"))
    assert [(r.kind, r.run_date) for r in runs] == [
        ("regular", TODAY - datetime.timedelta(days=5)),
        ("regular", TODAY - datetime.timedelta(days=2)),
        ("urgent", TODAY),
    ]
    # the volunteer's households have orders, and the volunteer sees no other
    mine = selectors.request_list(user=volunteer)
    assert mine.exists() and mine.count() < selectors.request_list(user=worker).count()
    # the community: two needs wait for tomorrow's run, two to deliver, one payment to record
    (board,) = selectors.community_boards(user=worker)
    assert (board.waiting, board.next_run_on, board.run_today) == (2, TODAY + datetime.timedelta(days=1), None)
    counts = {p.url.split("status=")[1]: p.count for p in nav.worklist(worker)}
    assert counts == {"requested": 2, "handed_over": 2, "delivered": 1}
    (to_pack,) = nav.worklist(clerk)
    assert to_pack.count == 1
