"""The check-in and check-out routes run outside the request's transaction (their service's is the
outermost): a request they refuse leaves whatever transaction encloses the call as it was, here
the test's, so that the next query of the caller goes through."""

import pytest
from django.db import connection
from django.test import Client

from providers.models import WorkOrder

from .factories import make_order

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("action", ["check-in", "check-out"])
def test_a_refused_check_request_leaves_the_enclosing_transaction_usable(world, method, action):
    order = make_order(world)
    r = getattr(Client(), method)(f"/api/v1/work-orders/{order.pk}/{action}/")
    assert r.status_code == 403  # not signed in
    assert connection.needs_rollback is False
    assert WorkOrder.objects.get(pk=order.pk).status == WorkOrder.Status.ASSIGNED
