"""Caregivers' phones are encrypted at rest and shown masked everywhere; the caregiver's own
provider admin (or a system administrator) reveals the full number with a reason, and each reveal
stays on record (append-only in the database)."""

import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from eldercare.models import Role
from providers.forms.library import CaregiverForm
from providers.models import Caregiver, CaregiverRevealLog
from providers.services.library import caregiver_phone_reveal

from ..appendonly import GUARDS, guards_lifted
from ..factories import user_with_role

pytestmark = pytest.mark.django_db

PHONE = "13900000000"  # make_caregiver's number
MASKED = "139****0000"


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_stored_phone_is_not_the_plain_number(world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_masked FROM providers_caregiver WHERE id = %s", [world.caregiver.pk])
        stored, masked = cursor.fetchone()
    assert PHONE not in stored
    assert masked == MASKED
    assert Caregiver.objects.get(pk=world.caregiver.pk).phone == PHONE


def test_the_history_keeps_no_plain_number(world):
    columns = [
        c.name
        for c in connection.introspection.get_table_description(connection.cursor(), "providers_historicalcaregiver")
    ]
    assert "phone" not in columns
    assert world.caregiver.history.first().phone_masked == MASKED


@pytest.mark.parametrize("who", ["admin", "district"])
def test_list_detail_and_api_show_the_mask(client, world, tree, who):
    user = world.admin if who == "admin" else user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    client.force_login(user)
    for url in (
        reverse("providers:caregiver_list"),
        reverse("providers:caregiver_detail", args=[world.caregiver.pk]),
        reverse("providers:provider_detail", args=[world.provider.pk]),
    ):
        page = client.get(url).content.decode()
        assert MASKED in page
        assert PHONE not in page
    api = _api(user)
    assert api.get(f"/api/v1/caregivers/{world.caregiver.pk}/").json()["phone"] == MASKED
    assert {row["phone"] for row in api.get("/api/v1/caregivers/").json()["results"]} == {MASKED}


def test_the_badge_shows_the_providers_phone(client, world):
    world.provider.contact_phone = "0514-86551234"
    world.provider.save()
    client.force_login(world.admin)
    pdf = client.get(reverse("providers:caregiver_badge", args=[world.caregiver.pk])).content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "0514-86551234" in text
    assert PHONE not in text and MASKED not in text


def test_the_provider_admin_reveals_through_the_api_and_it_is_logged(world):
    answer = _api(world.admin).post(
        f"/api/v1/caregivers/{world.caregiver.pk}/reveal/", {"reason": "verify_identity"}, format="json"
    )
    assert answer.status_code == 200
    assert answer.json() == {"phone": PHONE}
    log = CaregiverRevealLog.objects.get()
    assert (log.user, log.caregiver, log.reason) == (world.admin, world.caregiver, "verify_identity")


def test_the_provider_admin_reveals_on_the_page(client, world):
    client.force_login(world.admin)
    detail = client.get(reverse("providers:caregiver_detail", args=[world.caregiver.pk])).content.decode()
    url = reverse("providers:caregiver_phone_reveal", args=[world.caregiver.pk])
    assert url in detail
    answer = client.post(url, {"reason": "other", "note": "排班联系"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert PHONE in answer.content.decode()
    assert CaregiverRevealLog.objects.get().note == "排班联系"


def test_other_needs_a_note(world):
    answer = _api(world.admin).post(
        f"/api/v1/caregivers/{world.caregiver.pk}/reveal/", {"reason": "other"}, format="json"
    )
    assert answer.status_code == 400
    assert PHONE not in answer.content.decode()
    assert not CaregiverRevealLog.objects.exists()


def test_a_sysadmin_may_reveal(world, tree):
    sysadmin = user_with_role(Role.SYSADMIN, tree.district)
    answer = _api(sysadmin).post(
        f"/api/v1/caregivers/{world.caregiver.pk}/reveal/", {"reason": "correct_record"}, format="json"
    )
    assert answer.json() == {"phone": PHONE}


@pytest.mark.parametrize("who", ["other_caregiver", "other_admin", "colleague", "community", "district"])
def test_others_are_refused(client, world, tree, who):
    user = {
        "other_caregiver": lambda: world.other_caregiver.user,
        "other_admin": lambda: world.other_admin,
        "colleague": lambda: world.caregiver2.user,
        "community": lambda: user_with_role(Role.COMMUNITY_WORKER, tree.a1),
        "district": lambda: user_with_role(Role.DISTRICT_REVIEWER, tree.district),
    }[who]()
    answer = _api(user).post(
        f"/api/v1/caregivers/{world.caregiver.pk}/reveal/", {"reason": "verify_identity"}, format="json"
    )
    assert answer.status_code in (403, 404)
    assert PHONE not in answer.content.decode()
    client.force_login(user)
    page = client.post(
        reverse("providers:caregiver_phone_reveal", args=[world.caregiver.pk]), {"reason": "verify_identity"}
    )
    assert page.status_code in (403, 404)
    assert PHONE not in page.content.decode()
    assert not CaregiverRevealLog.objects.exists()


def test_the_reveal_form_is_offered_to_the_admin_only(client, world, tree):
    url = reverse("providers:caregiver_phone_reveal", args=[world.caregiver.pk])
    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    assert url not in client.get(reverse("providers:caregiver_detail", args=[world.caregiver.pk])).content.decode()


@pytest.fixture
def reveal(world):
    caregiver_phone_reveal(caregiver=world.caregiver, by=world.admin, reason="verify_identity")
    return CaregiverRevealLog.objects.get()


def test_the_log_is_guarded_like_the_other_journals():
    assert "providers_caregiverreveallog" in {g.table for g in GUARDS}


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE providers_caregiverreveallog SET note = 'x' WHERE id = %s",
        "DELETE FROM providers_caregiverreveallog WHERE id = %s",
    ],
)
def test_raw_sql_cannot_change_or_remove_a_reveal(reveal, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [reveal.pk])
    reveal.refresh_from_db()
    assert reveal.note == ""
    with guards_lifted("providers_caregiverreveallog"), connection.cursor() as cursor:
        cursor.execute("UPDATE providers_caregiverreveallog SET note = 'x' WHERE id = %s", [reveal.pk])
    reveal.refresh_from_db()
    assert reveal.note == "x"


def test_the_admin_refuses_to_change_a_reveal(client, tree, reveal):
    admin = user_with_role(Role.SYSADMIN, tree.district)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/providers/caregiverreveallog/{reveal.pk}/delete/").status_code == 403
    assert CaregiverRevealLog.objects.filter(pk=reveal.pk).exists()


def test_the_edit_form_keeps_the_number_when_the_mask_is_left(client, world):
    caregiver = world.caregiver
    assert CaregiverForm(instance=caregiver).initial["phone"] == MASKED
    client.force_login(world.admin)
    url = reverse("providers:caregiver_edit", args=[caregiver.pk])
    page = client.get(url).content.decode()
    assert MASKED in page and PHONE not in page
    answer = client.post(url, {"name": "李护工二", "staff_number": caregiver.staff_number, "phone": MASKED})
    assert answer.status_code == 302
    caregiver.refresh_from_db()
    assert (caregiver.name, caregiver.phone, caregiver.phone_masked) == ("李护工二", PHONE, MASKED)

    client.post(url, {"name": "李护工二", "staff_number": caregiver.staff_number, "phone": "13711112222"})
    caregiver.refresh_from_db()
    assert (caregiver.phone, caregiver.phone_masked) == ("13711112222", "137****2222")

    refused = client.post(url, {"name": "李护工二", "staff_number": caregiver.staff_number, "phone": "137****9999"})
    assert refused.status_code == 200
    caregiver.refresh_from_db()
    assert caregiver.phone == "13711112222"


def test_the_api_keeps_the_number_when_the_mask_is_sent_back(world):
    api = _api(world.admin)
    answer = api.patch(
        f"/api/v1/caregivers/{world.caregiver.pk}/", {"phone": MASKED, "name": "李护工三"}, format="json"
    )
    assert answer.status_code == 200
    world.caregiver.refresh_from_db()
    assert (world.caregiver.name, world.caregiver.phone) == ("李护工三", PHONE)
