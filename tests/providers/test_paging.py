"""Long lists page instead of stopping: the orders list of a provider with 120 orders shows 50 a
page over three pages, says how many there are, and keeps its filter from page to page."""

import datetime
import re

import pytest
from django.urls import reverse

from providers.models import WorkOrder

from .conftest import START
from .factories import make_order

pytestmark = pytest.mark.django_db


def test_the_orders_list_pages_through_every_order_and_keeps_its_filter(client, world):
    for i in range(120):
        make_order(world, at=START + datetime.timedelta(minutes=i))
    make_order(world, status=WorkOrder.Status.CANCELLED)
    client.force_login(world.admin)
    url = reverse("providers:order_list")
    seen = set()
    page = client.get(url, {"status": "assigned"}).content.decode()
    assert 'data-count="120"' in page and "共 120 条" in page
    for number in (1, 2, 3):
        ids = set(re.findall(r'class="order-row" data-order="(\d+)"', page))
        assert len(ids) == (50 if number < 3 else 20)
        seen |= ids
        following = re.search(r'rel="next" href="([^"]+)"', page)
        if number < 3:
            assert "status=assigned" in following.group(1) and f"page={number + 1}" in following.group(1)
            page = client.get(url + following.group(1).replace("&amp;", "&")).content.decode()
        else:
            assert following is None
    assert len(seen) == 120
