"""The elder's edit form shows the personal numbers masked, as every list does: the full ones are
never in the page (and no reveal is logged for opening it). A number left as shown keeps the
stored one; a whole number typed replaces it, validated as on registration."""

import datetime

import pytest
from django.urls import reverse

from eldercare.models import Elder, RevealLog

from ..factories import ElderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def elder(tree):
    return ElderFactory(
        community=tree.a1,
        birth_date=datetime.date(1948, 6, 1),
        phone="13912345678",
        agent_phone_masked="137****1111",
        agent_phone="13700001111",
        agent_name="李强",
        agent_relation="儿子",
    )


def _posted(client, elder) -> dict:
    """The edit form as the page fills it, submitted as it is."""
    form = client.get(reverse("elder_edit", args=[elder.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: v for k, v in data.items() if v not in (None, [], False)}


def test_the_edit_page_shows_masked_numbers_and_logs_no_reveal(client, users, elder):
    client.force_login(users["community"])
    page = client.get(reverse("elder_edit", args=[elder.pk])).content.decode()
    for full in (elder.id_number, "13912345678", "13700001111"):
        assert full not in page
    assert f'value="{elder.id_masked}"' in page
    assert 'value="139****5678"' in page and 'value="137****1111"' in page
    assert RevealLog.objects.count() == 0


def test_saving_unchanged_keeps_the_stored_numbers(client, users, elder):
    client.force_login(users["community"])
    id_number = elder.id_number
    data = _posted(client, elder)
    data["address"] = "新地址9号"
    response = client.post(reverse("elder_edit", args=[elder.pk]), data)
    assert response.status_code == 302
    saved = Elder.objects.get(pk=elder.pk)
    assert saved.address == "新地址9号"
    assert (saved.id_number, saved.phone, saved.agent_phone) == (id_number, "13912345678", "13700001111")
    assert (saved.id_masked, saved.phone_masked) == (elder.id_masked, "139****5678")
    assert RevealLog.objects.count() == 0


def test_typing_a_whole_number_replaces_it(client, users, elder):
    client.force_login(users["community"])
    data = _posted(client, elder)
    data["phone"] = "13655556666"
    data["agent_phone"] = ""
    assert client.post(reverse("elder_edit", args=[elder.pk]), data).status_code == 302
    saved = Elder.objects.get(pk=elder.pk)
    assert (saved.phone, saved.phone_masked, saved.phone_tail) == ("13655556666", "136****6666", "6666")
    assert (saved.agent_phone, saved.agent_phone_masked) == ("", "")


def test_a_new_id_number_is_validated_as_on_registration(client, users, elder, tree):
    other = ElderFactory(community=tree.a1)
    client.force_login(users["community"])
    data = _posted(client, elder)
    data["id_number"] = other.id_number  # someone else's
    response = client.post(reverse("elder_edit", args=[elder.pk]), data)
    assert response.status_code == 200
    assert Elder.objects.get(pk=elder.pk).id_number != other.id_number
    # A masked number changed by hand is neither the stored one nor a whole one: refused.
    last = elder.id_masked[-1]
    data["id_number"] = elder.id_masked[:-1] + ("1" if last == "0" else "0")  # always a different last character
    data["birth_date"] = elder.birth_date.isoformat()
    response = client.post(reverse("elder_edit", args=[elder.pk]), data)
    assert response.status_code == 200 and response.context["form"].errors["id_number"]
