"""A caregiver sees only the elders they serve (a visit assigned to them, open or within
CAREGIVER_SERVED_DAYS), on the pages, in the API and in the spreadsheet export; the provider
admin keeps every elder of the provider."""

import datetime
import io
import zoneinfo

import pandas as pd
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.selectors import CAREGIVER_SERVED_DAYS
from providers.models import ServiceAgreement, WorkOrder
from tests.factories import ElderFactory

from .factories import make_order

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def third(world, tree):
    """A third elder of the provider, whom the caregiver does not serve (caregiver2 does)."""
    elder = ElderFactory(community=tree.a1, name="第三位老人", birth_date=datetime.date(1944, 5, 1))
    ServiceAgreement.objects.create(elder=elder, provider=world.provider, signed_on=datetime.date(2025, 1, 1))
    make_order(world, elder=elder, caregiver=world.caregiver2)
    return elder


@pytest.fixture
def served(world, third):
    """The caregiver serves elder (an assigned visit today) and elder2 (completed 30 days ago)."""
    make_order(world, elder=world.elder)
    make_order(
        world,
        elder=world.elder2,
        at=datetime.datetime(2026, 2, 8, 9, 0, tzinfo=SHANGHAI),
        status=WorkOrder.Status.COMPLETED,
    )
    return [world.elder, world.elder2]


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_caregiver_sees_the_two_elders_served_on_the_page(world, third, served, client):
    client.force_login(world.caregiver.user)
    r = client.get(reverse("elder_list"))
    assert r.status_code == 200
    shown = [e.pk for e in r.context["table"].data]
    assert sorted(shown) == sorted(e.pk for e in served)
    assert third.name not in r.content.decode()
    assert client.get(reverse("elder_detail", args=[third.pk])).status_code == 404
    assert client.get(reverse("elder_detail", args=[world.elder.pk])).status_code == 200


def test_caregiver_sees_the_two_elders_served_in_the_api(world, third, served):
    api = _api(world.caregiver.user)
    r = api.get("/api/v1/elders/")
    assert r.status_code == 200
    rows = r.data["results"] if isinstance(r.data, dict) else r.data
    assert sorted(row["id"] for row in rows) == sorted(e.pk for e in served)
    assert api.get(f"/api/v1/elders/{third.pk}/").status_code == 404
    assert api.get(f"/api/v1/elders/{world.elder2.pk}/").status_code == 200


def test_caregiver_export_lists_the_two_elders_served(world, third, served, client):
    client.force_login(world.caregiver.user)
    r = client.get(reverse("elder_list"), {"export": "xlsx"})
    frame = pd.read_excel(io.BytesIO(r.content))
    assert sorted(frame["姓名"]) == sorted(e.name for e in served)
    assert list(frame["现住址"]) == ["龙川路1号", "龙川路1号"]


def test_the_provider_admin_keeps_the_three_elders(world, third, served, client):
    client.force_login(world.admin)
    r = client.get(reverse("elder_list"), {"export": "xlsx"})
    frame = pd.read_excel(io.BytesIO(r.content))
    assert sorted(frame["姓名"]) == sorted([world.elder.name, world.elder2.name, third.name])
    assert _api(world.admin).get(f"/api/v1/elders/{third.pk}/").status_code == 200


def test_the_other_caregiver_sees_only_the_third(world, third, served):
    r = _api(world.caregiver2.user).get("/api/v1/elders/")
    rows = r.data["results"] if isinstance(r.data, dict) else r.data
    assert [row["id"] for row in rows] == [third.pk]


def test_a_visit_beyond_the_window_no_longer_shows_the_elder(world, third):
    # Completed 91 days before 10 March 2026: outside the 90 days; 89 days: inside.
    assert CAREGIVER_SERVED_DAYS == 90
    make_order(
        world,
        elder=world.elder,
        at=datetime.datetime(2025, 12, 9, 9, 0, tzinfo=SHANGHAI),
        status=WorkOrder.Status.COMPLETED,
    )
    make_order(
        world,
        elder=world.elder2,
        at=datetime.datetime(2025, 12, 11, 9, 0, tzinfo=SHANGHAI),
        status=WorkOrder.Status.COMPLETED,
    )
    r = _api(world.caregiver.user).get("/api/v1/elders/")
    rows = r.data["results"] if isinstance(r.data, dict) else r.data
    assert [row["id"] for row in rows] == [world.elder2.pk]


def test_an_open_visit_counts_whatever_its_date_and_a_cancelled_one_never(world, third):
    # Held since last year (an exception still to resolve): the caregiver still needs the record.
    make_order(
        world, elder=world.elder, at=datetime.datetime(2025, 6, 1, 9, 0, tzinfo=SHANGHAI), status=WorkOrder.Status.HELD
    )
    make_order(world, elder=world.elder2, status=WorkOrder.Status.CANCELLED)
    r = _api(world.caregiver.user).get("/api/v1/elders/")
    rows = r.data["results"] if isinstance(r.data, dict) else r.data
    assert [row["id"] for row in rows] == [world.elder.pk]
