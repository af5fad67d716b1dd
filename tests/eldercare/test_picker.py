"""The elder picker: one search (name, pinyin initials, ID tail, phone tail), scoped, and a field
that cleans to an elder in scope or answers with the form's own error in Chinese."""

import datetime
import importlib

import pytest
from django import forms
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from stdnum.cn.ric import calc_check_digit as check_character

from eldercare.idnumber import age_on
from eldercare.models import Elder, LifeStatus
from eldercare.pickers import ElderChoiceField, ElderPickerWidget
from eldercare.searchkeys import id_tail, name_initials, phone_tail
from eldercare.selectors import PICK_LIMIT, elder_list, elder_search

from ..factories import ElderFactory, user_with_role

pytestmark = pytest.mark.django_db


def _id_ending_in_x(birth: datetime.date) -> str:
    for seq in range(1, 999):
        first17 = f"321012{birth:%Y%m%d}{seq:03d}"
        if check_character(first17) == "X":
            return first17 + "X"
    raise AssertionError("no check character X in range")


def _elder(community, name, **kw):
    number = kw.pop("id_number", None)
    extra = {"id_number": number} if number else {}
    return ElderFactory(community=community, name=name, **extra, **kw)


def _pick(client, q, active=None):
    """What the picker finds: the text is posted, as the page's script does."""
    url = reverse("elder_pick") + (f"?active={active}" if active is not None else "")
    response = client.post(url, {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


# --- search keys -------------------------------------------------------------------------------


def test_name_initials_follow_pinyin_and_surname_readings():
    assert name_initials("王秀英") == "wxy"
    assert name_initials("李 桂兰") == "lgl"
    # Polyphonic surnames read as surnames: 单 shàn, 曾 zēng; compound 欧阳 stays two letters.
    assert name_initials("单田芳") == "stf"
    assert name_initials("曾国藩") == "zgf"
    assert name_initials("欧阳修") == "oyx"


def test_id_tail_is_the_reversed_last_six_upper_case_and_phone_tail_the_last_four():
    assert id_tail("32101219450101123x") == "X32110"
    assert phone_tail("138-1234-5678") == "5678"
    assert phone_tail("123") == ""


def test_saving_an_elder_fills_the_search_keys_and_renaming_refreshes_them(tree):
    elder = _elder(tree.a1, "王秀英", phone="13912340077")
    elder.refresh_from_db()
    assert (elder.name_initials, elder.phone_tail) == ("wxy", "0077")
    assert elder.id_tail == elder.id_number[-6:][::-1]
    elder.name = "张桂兰"
    elder.save(update_fields=["name"])
    elder.refresh_from_db()
    assert elder.name_initials == "zgl"


# --- the picker's endpoint ---------------------------------------------------------------------


@pytest.fixture
def registry(tree):
    birth = datetime.date(1945, 1, 1)
    return {
        "wang": _elder(tree.a1, "王秀英", phone="13812340001", id_number=_id_ending_in_x(birth), birth_date=birth),
        "wu": _elder(tree.a1, "吴晓燕", phone="13812349999"),
        "zhang": _elder(tree.a1, "张建国", phone="13812340002"),
        "other_street": _elder(tree.b1, "王小云", phone="13812340003"),
        "deceased": _elder(
            tree.a1,
            "王晓勇",
            phone="13812340004",
            life_status=LifeStatus.DECEASED,
            life_status_date=datetime.date(2026, 1, 5),
        ),
        "moved": _elder(
            tree.a1,
            "王新月",
            phone="13812340005",
            life_status=LifeStatus.MOVED,
            life_status_date=datetime.date(2026, 2, 1),
        ),
        "disqualified": _elder(tree.a1, "王雪英", phone="13812340006", disqualified_at=timezone.now()),
    }


@pytest.fixture
def worker_client(client, tree):
    client.force_login(user_with_role("community_worker", tree.a1))
    return client


def test_pinyin_initials_find_the_elder_with_community_age_and_status(worker_client, registry):
    found = _pick(worker_client, "zjg")
    assert [r["id"] for r in found] == [registry["zhang"].pk]
    row = found[0]
    assert row["name"] == "张建国" and row["community"] == "龙川社区"
    assert row["age"] == age_on(registry["zhang"].birth_date, timezone.localdate())
    assert row["status"] == "正常" and row["id_tail"] == registry["zhang"].id_number[-4:]


def test_initials_are_a_prefix_and_ignore_case(worker_client, registry):
    # 王秀英 and 吴晓燕 are both "wxy"; 王晓勇, 王新月 and 王雪英 too, but they are not served any more.
    assert {r["name"] for r in _pick(worker_client, "wxy")} == {"王秀英", "吴晓燕"}
    assert {r["name"] for r in _pick(worker_client, "WX")} == {"王秀英", "吴晓燕"}
    assert {r["name"] for r in _pick(worker_client, "zj")} == {"张建国"}
    assert _pick(worker_client, "xy") == []


def test_the_id_tail_with_a_final_x_matches_in_either_case(worker_client, registry):
    tail = registry["wang"].id_number[-4:]
    assert tail.endswith("X")
    assert [r["id"] for r in _pick(worker_client, tail.lower())] == [registry["wang"].pk]
    assert [r["id"] for r in _pick(worker_client, registry["wang"].id_number[-6:])] == [registry["wang"].pk]


def test_the_phone_tail_finds_the_elder(worker_client, registry):
    assert [r["name"] for r in _pick(worker_client, "9999")] == ["吴晓燕"]


def test_a_name_fragment_finds_the_elders_whose_name_contains_it(worker_client, registry):
    assert {r["name"] for r in _pick(worker_client, "秀")} == {"王秀英"}
    assert {r["name"] for r in _pick(worker_client, "建国")} == {"张建国"}


def test_new_work_excludes_deceased_moved_and_disqualified_elders_the_registry_keeps_them(worker_client, registry):
    active = {r["name"] for r in _pick(worker_client, "王")}
    assert active == {"王秀英"}
    everyone = {r["name"]: r["status"] for r in _pick(worker_client, "王", active="0")}
    assert everyone == {"王秀英": "正常", "王晓勇": "已去世", "王新月": "已迁出", "王雪英": "已终身取消补贴资格"}


def test_the_picker_never_finds_an_elder_outside_the_users_scope(worker_client, registry):
    other = registry["other_street"]  # 王小云, "wxy", phone …0003, in another street
    assert _pick(worker_client, "王小云") == []
    assert other.pk not in {r["id"] for r in _pick(worker_client, "wxy", active="0")}
    assert _pick(worker_client, "0003") == []
    assert _pick(worker_client, other.id_number[-5:]) == []


def test_a_street_reviewer_finds_elders_across_the_street_but_not_the_other_street(client, tree, registry):
    client.force_login(user_with_role("street_reviewer", tree.street_b))
    assert [r["name"] for r in _pick(client, "wxy")] == ["王小云"]


def test_the_picker_needs_a_login(client, registry):
    response = client.get(reverse("elder_pick"), {"q": "wxy"})
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_empty_search_lists_nobody_and_results_are_limited(worker_client, tree):
    for i in range(PICK_LIMIT + 5):
        _elder(tree.a1, f"周{i:02d}")
    assert _pick(worker_client, "") == []
    response = worker_client.get(reverse("elder_pick"), {"q": "周"}).json()
    assert len(response["results"]) == PICK_LIMIT and response["more"] is True
    names = [r["name"] for r in response["results"]]
    assert names == sorted(names)
    assert worker_client.get(reverse("elder_pick"), {"q": "周01"}).json() == {
        "results": [_pick(worker_client, "周01")[0]],
        "more": False,
    }


def test_two_characters_find_names_starting_with_them_first_then_holding_them(worker_client, tree):
    # Given more names starting with 秀英 than the picker shows, and one holding it inside
    for i in range(PICK_LIMIT + 2):
        _elder(tree.a1, f"秀英{i:02d}")
    _elder(tree.a1, "王秀英")
    # Then the two characters fill the picker with the names starting with them (the prefix index)
    response = worker_client.get(reverse("elder_pick"), {"q": "秀英"}).json()
    assert response["more"] is True and len(response["results"]) == PICK_LIMIT
    assert all(r["name"].startswith("秀英") for r in response["results"])
    # And a name that only holds them is found when the names starting with them are fewer
    _elder(tree.a1, "李桂兰")
    _elder(tree.a1, "桂兰芳")
    assert sorted(r["name"] for r in _pick(worker_client, "桂兰")) == ["李桂兰", "桂兰芳"]
    assert [r["name"] for r in _pick(worker_client, "秀英05")] == ["秀英05"]


def test_a_two_character_search_looks_up_the_name_by_its_start(tree):
    user = user_with_role("community_worker", tree.a1)
    _elder(tree.a1, "王秀英")
    with CaptureQueriesContext(connection) as ctx:
        found, more = elder_search(user=user, text="王秀")
    assert [e.name for e in found] == ["王秀英"] and not more
    first = next(q["sql"] for q in ctx.captured_queries if "LIKE" in q["sql"])
    assert "LIKE '王秀%'" in first.replace('"', "'") or "王秀%" in first


def test_the_elder_list_and_the_api_use_the_same_search(worker_client, registry):
    page = worker_client.get(reverse("elder_list"), {"q": "zjg"}).content.decode()
    assert "张建国" in page and "王秀英" not in page
    # The registry list keeps elders no longer served.
    page = worker_client.get(reverse("elder_list"), {"q": "wxy"}).content.decode()
    assert "王晓勇" in page and "张建国" not in page
    api = worker_client.get("/api/v1/elders/", {"search": "zjg"}).json()
    assert [e["name"] for e in api["results"]] == ["张建国"]
    api_active = worker_client.get("/api/v1/elders/", {"search": "王", "active": "true"}).json()
    assert [e["name"] for e in api_active["results"]] == ["王秀英"]
    api_all = worker_client.get("/api/v1/elders/", {"search": "王"}).json()
    assert len(api_all["results"]) == 4


def test_the_search_looks_up_indexed_columns_only(tree, registry):
    """No decryption: the search filters on name, initials and tails, in one query."""
    user = user_with_role("community_worker", tree.a1)
    sql = str(elder_list(user=user, search="123x").query)
    assert "id_tail" in sql and "id_number" not in sql.split("WHERE")[1]
    sql = str(elder_list(user=user, search="5678").query)
    assert "phone_tail" in sql and '"phone"' not in sql.split("WHERE")[1]
    where = str(elder_list(user=user, search="wxy").query).split("WHERE")[1].split("ORDER BY")[0]
    assert "name_initials" in where and '"name"' not in where


# --- the field -----------------------------------------------------------------------------------


class CallbackForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elder"] = ElderChoiceField(user=user)


def test_the_field_cleans_to_an_elder_in_scope(tree, registry):
    user = user_with_role("community_worker", tree.a1)
    form = CallbackForm({"elder": str(registry["wang"].pk)}, user=user)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["elder"] == registry["wang"]


def test_an_out_of_scope_or_deceased_elder_is_a_form_error_in_chinese_not_a_404(tree, registry):
    user = user_with_role("community_worker", tree.a1)
    for elder in (registry["other_street"], registry["deceased"], registry["disqualified"]):
        form = CallbackForm({"elder": str(elder.pk)}, user=user)
        assert not form.is_valid()
        assert form.errors["elder"] == ["请从列表中选择老人：所选老人不存在，或已不在服务范围内。"]


def test_the_widget_never_lists_the_registry_and_shows_the_initial_elder(tree, registry):
    user = user_with_role("community_worker", tree.a1)
    form = CallbackForm(user=user, initial={"elder": registry["wang"].pk})
    html = str(form["elder"])
    assert isinstance(form.fields["elder"].widget, ElderPickerWidget)
    assert f'<option value="{registry["wang"].pk}" selected>王秀英 · 龙川社区' in html
    assert "张建国" not in html and "吴晓燕" not in html
    assert 'data-url="/elders/pick/?active=1"' in html


def test_without_javascript_the_search_button_brings_back_the_matches(tree, registry):
    user = user_with_role("community_worker", tree.a1)
    form = CallbackForm({"elder": "", "elder__q": "wxy", "elder__search": "1"}, user=user)
    assert not form.is_valid()
    assert form.errors["elder"] == ["请在下方的查询结果中选择老人，然后再次提交。"]
    html = str(form["elder"])
    assert f'<option value="{registry["wang"].pk}">王秀英' in html
    assert f'<option value="{registry["wu"].pk}">吴晓燕' in html
    assert "张建国" not in html and "王晓勇" not in html
    # The user chooses from the matches and submits with the form's own button: it cleans.
    chosen = CallbackForm({"elder": str(registry["wang"].pk), "elder__q": "wxy"}, user=user)
    assert chosen.is_valid() and chosen.cleaned_data["elder"] == registry["wang"]


def test_a_registry_field_may_choose_an_elder_no_longer_served(tree, registry):
    user = user_with_role("community_worker", tree.a1)
    field = ElderChoiceField(user=user, active_only=False)
    assert field.clean(str(registry["deceased"].pk)) == registry["deceased"]
    assert Elder.objects.filter(pk=registry["deceased"].pk, life_status=LifeStatus.DECEASED).exists()


def test_the_migration_fills_the_search_keys_of_elders_already_registered(tree, registry):
    migration = importlib.import_module("eldercare.migrations.0003_elder_search_keys")
    Elder.objects.update(name_initials="", id_tail="", phone_tail="")  # as bulk-created rows were
    migration.fill_search_keys(django_apps, None)
    wang = Elder.objects.get(pk=registry["wang"].pk)
    assert (wang.name_initials, wang.id_tail, wang.phone_tail) == (
        "wxy",
        registry["wang"].id_number[-6:][::-1],
        "0001",
    )


def test_the_api_schema_documents_the_search(worker_client):
    schema = worker_client.get("/api/schema/", {"format": "json"}).json()
    names = {p["name"] for p in schema["paths"]["/api/v1/elders/"]["get"]["parameters"]}
    assert {"search", "active"} <= names


def test_the_api_refuses_anonymous_callers_and_scopes_the_search(client, tree, registry):
    assert client.get("/api/v1/elders/", {"search": "wxy"}).status_code in (401, 403)
    client.force_login(user_with_role("community_worker", tree.b1))
    found = client.get("/api/v1/elders/", {"search": "wxy"}).json()
    assert [e["name"] for e in found["results"]] == ["王小云"]


class SampleForm(forms.Form):
    """A form that allows only some elders (as a survey's sample does)."""

    def __init__(self, *args, user, sample, **kwargs):
        super().__init__(*args, **kwargs)
        picker = ElderChoiceField(user=user)
        picker.queryset = picker.queryset.filter(pk__in=[e.pk for e in sample])
        self.fields["elder"] = picker


def test_a_form_that_narrows_the_choice_searches_and_accepts_only_those_elders(tree, registry):
    user = user_with_role("community_worker", tree.a1)
    found = SampleForm({"elder": "", "elder__q": "wxy", "elder__search": "1"}, user=user, sample=[registry["wang"]])
    assert not found.is_valid()
    html = str(found["elder"])
    assert f'<option value="{registry["wang"].pk}">王秀英' in html and "吴晓燕" not in html
    refused = SampleForm({"elder": str(registry["wu"].pk)}, user=user, sample=[registry["wang"]])
    assert not refused.is_valid()
    assert refused.errors["elder"] == ["请从列表中选择老人：所选老人不存在，或已不在服务范围内。"]
