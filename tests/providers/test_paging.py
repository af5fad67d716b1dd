"""Long lists page instead of stopping: the orders list of a provider with 120 orders shows 50 a
page over three pages, says how many there are, and keeps its filter from page to page."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from eldercare.models import User
from providers.models import DistrictSample, ExceptionKind, VisitException, WorkOrder

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


def _ids(page: str, list_id: str) -> set[str]:
    block = page[page.index(f'id="{list_id}"') :]
    block = block[: block.index("</ul>")]
    return set(re.findall(r"/providers/orders/(\d+)/", block))


def test_the_callbacks_page_pages_each_of_its_two_lists_with_its_own_parameter(client, world):
    # Given 60 visited orders the provider has not called back, 55 of them in the district's sample
    orders = []
    for i in range(60):
        o = make_order(world, at=START + datetime.timedelta(minutes=i), status=WorkOrder.Status.COMPLETED)
        orders.append(o)
    sample = DistrictSample.objects.create(day=START.date(), total=60)
    sample.orders.set(orders[:55])
    admin = User.objects.create_superuser("root-callbacks", password="pw-12345678")
    client.force_login(admin)
    url = reverse("providers:callbacks")

    first = client.get(url).content.decode()
    assert 'id="result-count" data-count="115"' in first
    assert len(_ids(first, "provider-callbacks")) == 50 and len(_ids(first, "district-callbacks")) == 50
    # The provider list's second page keeps the sample on its first page, and the other way round.
    second = client.get(url, {"page": 2}).content.decode()
    assert len(_ids(second, "provider-callbacks")) == 10 and len(_ids(second, "district-callbacks")) == 50
    assert _ids(first, "provider-callbacks") | _ids(second, "provider-callbacks") == {str(o.pk) for o in orders}
    sample_next = re.findall(r'rel="next" href="([^"]+)"', first)[1].replace("&amp;", "&")
    assert sample_next == "?sample=2"
    other = client.get(url + "?page=2&sample=2").content.decode()
    assert _ids(other, "district-callbacks") == {str(o.pk) for o in orders[50:55]}
    assert 'id="result-count" data-count="115"' in other


def test_the_held_visits_page_pages_and_counts_every_held_visit(client, world):
    now = timezone.now()
    orders = [
        make_order(world, at=START + datetime.timedelta(minutes=i), status=WorkOrder.Status.HELD) for i in range(70)
    ]
    VisitException.objects.bulk_create(
        VisitException(order=o, kind=ExceptionKind.MISSED_CHECKOUT, opened_at=now - datetime.timedelta(days=70 - i))
        for i, o in enumerate(orders)
    )
    client.force_login(world.admin)
    url = reverse("providers:exception_list")
    first = client.get(url, {"waiting": "proposal"}).content.decode()
    assert 'id="result-count" data-count="70"' in first
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "waiting=proposal" in following and "page=2" in following
    second = client.get(url + following).content.decode()
    shown = set(re.findall(r'/providers/orders/(\d+)/"', second))
    assert shown == {str(o.pk) for o in orders[50:]}
    assert 'id="result-count" data-count="70"' in second
