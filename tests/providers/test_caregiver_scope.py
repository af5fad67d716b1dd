"""A caregiver sees only the elders they serve: those of the work orders assigned to them,
scheduled within the last CAREGIVER_ELDER_DAYS (90) days or later. The provider admin sees every
elder of the provider's agreements."""

import datetime
import io

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.models import User
from eldercare.selectors import elder_list, elder_search
from providers.models import ServiceAgreement

from ..factories import ElderFactory
from .conftest import START
from .factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(world, tree):
    """A: an order 30 days ago; B: tomorrow; C: 120 days ago; D: the provider's, never served."""
    a, b = world.elder, world.elder2
    c = ElderFactory(community=tree.a1, name="丙老人")
    d = ElderFactory(community=tree.a2, name="丁老人")
    for e in (c, d):
        ServiceAgreement.objects.create(elder=e, provider=world.provider, signed_on=datetime.date(2025, 1, 1))
    make_order(world, elder=a, at=START - datetime.timedelta(days=30), status="completed")
    make_order(world, elder=b, at=START + datetime.timedelta(days=1))
    make_order(world, elder=c, at=START - datetime.timedelta(days=120), status="completed")
    # Another caregiver of the same provider serves D: it is not this caregiver's elder.
    make_order(world, caregiver=world.caregiver2, elder=d, at=START + datetime.timedelta(days=1))
    return {"A": a, "B": b, "C": c, "D": d}


def _names(elders) -> set[str]:
    return {e.name for e in elders}


def test_the_window_is_the_setting():
    assert settings.CAREGIVER_ELDER_DAYS == 90


def test_caregiver_list_search_and_picker_show_only_served_elders(world, served):
    user = world.caregiver.user
    assert _names(elder_list(user=user)) == _names([served["A"], served["B"]])
    found, _more = elder_search(user=user, text="老人", active_only=False)
    assert _names(found) == _names([served["A"], served["B"]])


def test_provider_admin_sees_all_four(world, served):
    assert _names(elder_list(user=world.admin)) == _names(served.values())


def test_caregiver_pages_api_and_export(client, world, served):
    user = world.caregiver.user
    client.force_login(user)
    page = client.get(reverse("elder_list")).content.decode()
    for key in "AB":
        assert served[key].name in page
    for key in "CD":
        assert served[key].name not in page
    for key, status in {"A": 200, "B": 200, "C": 404, "D": 404}.items():
        assert client.get(reverse("elder_detail", args=[served[key].pk])).status_code == status

    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("elder_list"), {"export": "xlsx"}).content)).active
    exported = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported == _names([served["A"], served["B"]])

    api = APIClient()
    api.force_authenticate(user)
    assert {r["name"] for r in api.get("/api/v1/elders/").json()["results"]} == _names([served["A"], served["B"]])
    for key, status in {"A": 200, "B": 200, "C": 404, "D": 404}.items():
        assert api.get(f"/api/v1/elders/{served[key].pk}/").status_code == status


def test_provider_admin_pages_and_api_show_all_four(client, world, served):
    client.force_login(world.admin)
    for elder in served.values():
        assert client.get(reverse("elder_detail", args=[elder.pk])).status_code == 200
    api = APIClient()
    api.force_authenticate(world.admin)
    assert {r["name"] for r in api.get("/api/v1/elders/").json()["results"]} == _names(served.values())


def test_the_window_moves_with_the_clock(world, served, clock):
    # 61 days later A's order is 91 days old; B's (then 60 days old) still counts.
    clock.move_to(START + datetime.timedelta(days=61))
    user = User.objects.get(pk=world.caregiver.user.pk)
    assert _names(elder_list(user=user)) == {served["B"].name}


def test_a_caregiver_of_another_provider_sees_none_of_them(world, served):
    assert not elder_list(user=world.other_caregiver.user).exists()
