"""Names and free text about people are stored plain: NFKC, no bidi controls, no zero-width signs."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eldercare.errors import ValidationFailed
from eldercare.models import Role
from eldercare.services import ElderData, elder_create, login_create
from eldercare.text import BIDI_CONTROLS, ZERO_WIDTH, clean_text

from ..factories import id_number_for


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("王\u202e秀英", "王秀英"),
        ("\u2066张\u2069桂\u200e英\u200f", "张桂英"),
        ("李\u200b\u200c\u200d\ufeff兰", "李兰"),
        ("龙川路８号", "龙川路8号"),
        ("ＡＢＣ", "ABC"),
        ("  赵大娘 ", "赵大娘"),
        (None, ""),
    ],
)
def test_clean_text(typed, stored):
    assert clean_text(typed) == stored


@given(st.text())
def test_no_invisible_control_survives(text):
    assert not (set(clean_text(text)) & (BIDI_CONTROLS | ZERO_WIDTH))


def _data(community, **overrides):
    values = dict(
        name="王\u202e秀\u200b英",
        id_number=id_number_for(datetime.date(1948, 6, 1), "F"),
        community=community,
        resident_since=datetime.date(2000, 1, 1),
        address="龙川路\u200d８号",
        agent_name="\u202d王小明",
        agent_relation="儿子\ufeff",
    )
    values.update(overrides)
    return ElderData(**values)


def test_elder_names_and_addresses_are_stored_plain(users, tree):
    elder = elder_create(data=_data(tree.a1), by=users["community"])
    elder.refresh_from_db()
    assert (elder.name, elder.address, elder.agent_name, elder.agent_relation) == (
        "王秀英",
        "龙川路8号",
        "王小明",
        "儿子",
    )
    assert elder.name_initials == "wxy"


def test_a_name_of_invisible_signs_only_is_no_name(users, tree):
    with pytest.raises(ValidationFailed, match="请填写姓名"):
        elder_create(data=_data(tree.a1, name="\u200b\u202e"), by=users["community"])


def test_registry_form_stores_the_name_plain(client, users, tree):
    client.force_login(users["community"])
    form = {
        "name": "\u202e刘\u200b芳",
        "id_number": id_number_for(datetime.date(1950, 2, 3), "F"),
        "community": tree.a1.pk,
        "resident_since": "2001-01-01",
        "address": "文昌路2号",
        "hukou_in_district": "on",
    }
    assert client.post("/elders/new/", form).status_code == 302
    assert tree.a1.elders.get().name == "刘芳"


def test_login_names_are_stored_plain(tree):
    user = login_create(
        username="w1", full_name="周\u202e平", password="Demo-2026-x", role=Role.COMMUNITY_WORKER, division=tree.a1
    )
    assert user.first_name == "周平"
