"""A full personal number is shown only after the user says why; each reveal is logged with the
reason (and the note for "other"), on the pages and through the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import ValidationFailed
from eldercare.models import RevealLog, RevealReason
from eldercare.services import elder_reveal

from ..factories import ElderFactory

pytestmark = pytest.mark.django_db


def test_the_elder_page_asks_for_a_reason_and_shows_no_full_number(client, users, tree):
    elder = ElderFactory(community=tree.a1, phone="13912345678")
    client.force_login(users["community"])
    page = client.get(reverse("elder_detail", args=[elder.pk])).content.decode()
    assert elder.id_number not in page and "13912345678" not in page
    assert 'name="reason"' in page and 'value="verify_identity"' in page and 'value="unrecorded"' not in page
    assert RevealLog.objects.count() == 0


def test_a_reveal_with_a_reason_shows_the_number_and_logs_the_reason(client, users, tree):
    elder = ElderFactory(community=tree.a1, phone="13912345678")
    client.force_login(users["community"])
    response = client.post(
        reverse("elder_reveal", args=[elder.pk, "phone"]), {"reason": "contact_elder"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "13912345678" in response.content.decode()
    row = RevealLog.objects.get()
    assert (row.user, row.elder, row.field, row.reason, row.note) == (
        users["community"],
        elder,
        "phone",
        RevealReason.CONTACT_ELDER,
        "",
    )


def test_a_reveal_without_a_reason_is_refused_and_not_logged(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    client.force_login(users["community"])
    response = client.post(reverse("elder_reveal", args=[elder.pk, "id_number"]), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert elder.id_number not in response.content.decode()
    # The form comes back, open, to choose a reason.
    assert 'name="reason"' in response.content.decode()
    # A reason not on the list (the one for old rows included) is refused the same way.
    response = client.post(reverse("elder_reveal", args=[elder.pk, "id_number"]), {"reason": "unrecorded"})
    assert response.status_code == 400
    assert elder.id_number not in response.content.decode()
    assert RevealLog.objects.count() == 0


def test_other_needs_a_note_which_is_logged(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    with pytest.raises(ValidationFailed):
        elder_reveal(elder=elder, field="id_number", by=users["community"], reason="other", note="  ")
    assert RevealLog.objects.count() == 0
    client.force_login(users["community"])
    response = client.post(
        reverse("elder_reveal", args=[elder.pk, "id_number"]), {"reason": "other", "note": "银行代发核对"}
    )
    assert response.status_code == 200
    assert elder.id_number in response.content.decode()
    assert RevealLog.objects.get().note == "银行代发核对"


def test_the_api_reveal_needs_a_reason(users, tree):
    elder = ElderFactory(community=tree.a1)
    api = APIClient()
    api.force_authenticate(users["community"])
    url = f"/api/v1/elders/{elder.pk}/reveal/"
    assert api.post(url, {"field": "id_number"}, format="json").status_code == 400
    assert api.post(url, {"field": "id_number", "reason": "other"}, format="json").status_code == 400
    assert RevealLog.objects.count() == 0
    response = api.post(url, {"field": "id_number", "reason": "correct_record"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": elder.id_number}
    assert RevealLog.objects.get().reason == RevealReason.CORRECT_RECORD


def test_a_reveal_records_the_object_it_was_shown_for(users, tree):
    elder = ElderFactory(community=tree.a1)
    other = ElderFactory(community=tree.a1)
    elder_reveal(elder=elder, field="id_number", by=users["community"], reason="verify_identity", shown_for=other)
    assert RevealLog.objects.get().shown_for == other


def test_roles_without_the_right_see_no_reveal_form(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    client.force_login(users["supervisor"])
    page = client.get(reverse("elder_detail", args=[elder.pk])).content.decode()
    assert elder.id_masked in page
    assert 'name="reason"' not in page
