"""The held-visit queue from the pages and the API: the provider proposes from its work list, the
town decides from its own; scoping keeps other providers and towns out."""

import datetime
import io
from decimal import Decimal

import pytest
import segno
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.test import APIClient

from eldercare.nav import work_panels_for
from providers.models import ExceptionKind, VisitCorrection, WorkOrder
from providers.services import visit_check_in
from providers.services.corrections import close_overdue_visits
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder

from .factories import make_order

S = WorkOrder.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, tree, clock):
    grant(world.elder, "2026-03", "80.00", tree)
    order = make_order(world)
    visit_check_in(order=order, code=world.token, by=world.caregiver.user)
    clock.shift(datetime.timedelta(days=2))
    close_overdue_visits()
    return WorkOrder.objects.get(pk=order.pk)


def panel(user, url_name):
    url = reverse(url_name)
    return next(p for p in work_panels_for(user) if p.url.startswith(url))


def local(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    segno.make("evidence").save(buffer, kind="png", scale=4)
    return SimpleUploadedFile("record.png", buffer.getvalue(), content_type="image/png")


def test_the_provider_proposes_and_the_town_approves_from_the_pages(held, world, users, client, clock):
    clock.shift(datetime.timedelta(days=3))
    panel_provider = panel(world.admin, "providers:exception_list")
    expected = _("%(kinds)s · held %(n)d days") % {"kinds": ExceptionKind.MISSED_CHECKOUT.label, "n": 3}
    assert panel_provider.count == 1 and panel_provider.rows[0]["detail"] == expected
    client.force_login(world.admin)
    page = client.get(reverse("providers:exception_list") + "?waiting=proposal").content.decode()
    assert f"#{held.pk}" in page and world.elder.name in page
    start = held.checked_in_at
    r = client.post(
        reverse("providers:correction", args=[held.pk]),
        {
            "action": "propose",
            "reason": "1",
            "checked_in_at": local(start),
            "checked_out_at": local(start + datetime.timedelta(minutes=75)),
            "note": "护理员忘记签退",
            "evidence": png(),
        },
    )
    assert r.status_code == 302
    correction = VisitCorrection.objects.get(order=held)
    assert correction.status == VisitCorrection.Status.PROPOSED and correction.evidence
    assert panel(world.admin, "providers:exception_list").count == 0
    town = users["street"]
    assert panel(town, "providers:exception_list").count == 1
    assert panel(users["street_b"], "providers:exception_list").count == 0
    client.force_login(town)
    assert client.get(reverse("providers:correction_evidence", args=[correction.pk])).status_code == 200
    r = client.post(reverse("providers:correction", args=[held.pk]), {"action": "approve", "note": ""})
    assert r.status_code == 302
    order = WorkOrder.objects.get(pk=held.pk)
    assert order.status == S.COMPLETED and order.duration_minutes == 75
    assert account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance.amount == Decimal("30.00")


def test_other_providers_and_towns_cannot_reach_a_held_visit(held, world, users, client):
    client.force_login(world.other_admin)
    assert client.get(reverse("providers:correction", args=[held.pk])).status_code == 404
    client.force_login(users["street_b"])
    assert client.get(reverse("providers:correction", args=[held.pk])).status_code == 404
    client.force_login(world.caregiver.user)
    assert client.get(reverse("providers:exception_list")).status_code == 403


def test_the_api_proposes_and_rejects(held, world, users):
    api = APIClient()
    api.force_authenticate(world.admin)
    listed = api.get("/api/v1/held-visits/").json()["results"]
    assert [v["id"] for v in listed] == [held.pk] and listed[0]["exceptions"][0]["kind"] == "missed_checkout"
    start = held.checked_in_at
    r = api.post(
        "/api/v1/visit-corrections/",
        {
            "order": held.pk,
            "reason": "forgot_checkout",
            "checked_in_at": start.isoformat(),
            "checked_out_at": (start + datetime.timedelta(minutes=65)).isoformat(),
            "note": "忘记签退",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert api.post(f"/api/v1/visit-corrections/{pk}/approve/", {}, format="json").status_code == 403
    other = APIClient()
    other.force_authenticate(users["street_b"])
    assert other.post(f"/api/v1/visit-corrections/{pk}/reject/", {"note": "x"}, format="json").status_code == 404
    town = APIClient()
    town.force_authenticate(users["street"])
    assert town.get("/api/v1/held-visits/?pending=true").json()["count"] == 1
    r = town.post(f"/api/v1/visit-corrections/{pk}/reject/", {"note": ""}, format="json")
    assert r.status_code == 400
    r = town.post(f"/api/v1/visit-corrections/{pk}/reject/", {"note": "家属称未上门"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert WorkOrder.objects.get(pk=held.pk).status == S.VOIDED
