"""The district keeps the reason codes for corrections, from its page and from the API: adds one,
retires one providers should no longer choose, reinstates it; nobody else may, and nothing is
ever deleted."""

import datetime

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from eldercare.errors import NotAllowed, ValidationFailed
from providers.models import ReasonCode, WorkOrder
from providers.selectors import reason_codes
from providers.services.corrections import close_overdue_visits, correction_propose
from providers.services.presence import reason_code_create, reason_code_update
from providers.services.visits import visit_check_in
from tests.vouchers.factories import grant

from .factories import make_order

pytestmark = pytest.mark.django_db

POLICY_URL = reverse("providers:visit_policy")
ADD_URL = reverse("providers:reason_code_add")
API = "/api/v1/reason-codes/"
NEW = {"code": "power_cut", "name_zh": "小区停电", "name_en": "Power cut", "note_required": "on"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def codes() -> set[str]:
    return set(reason_codes().values_list("code", flat=True))


# --- the page ----------------------------------------------------------------------------------


def test_district_adds_a_code_from_the_page_and_providers_are_offered_it(client, users):
    client.force_login(users["district"])
    page = client.get(POLICY_URL).content.decode()
    assert 'id="reason-code-form"' in page and "新增原因代码" in page

    r = client.post(ADD_URL, NEW, follow=True)

    assert r.redirect_chain == [(POLICY_URL, 302)]
    reason = ReasonCode.objects.get(code="power_cut")
    assert (reason.name_zh, reason.name_en, reason.note_required, reason.active) == (
        "小区停电",
        "Power cut",
        True,
        True,
    )
    assert reason.sort > max(ReasonCode.objects.exclude(pk=reason.pk).values_list("sort", flat=True))  # comes last
    assert "power_cut" in codes()
    page = r.content.decode()
    assert "原因代码“小区停电”已新增" in page and 'id="reason-power_cut"' in page


def test_district_retires_and_reinstates_a_code_from_the_page(client, users):
    client.force_login(users["district"])
    reason = ReasonCode.objects.get(code="no_signal")

    r = client.post(reverse("providers:reason_code_retire", args=[reason.pk]), follow=True)

    reason.refresh_from_db()
    assert reason.active is False and "no_signal" not in codes()
    page = r.content.decode()
    assert "已停用" in page
    # Still listed, greyed, with a button to reinstate it.
    assert 'id="reason-no_signal" class="reason-retired"' in page
    assert reverse("providers:reason_code_reinstate", args=[reason.pk]) in page

    client.post(reverse("providers:reason_code_reinstate", args=[reason.pk]))

    reason.refresh_from_db()
    assert reason.active is True and "no_signal" in codes()


def test_a_duplicate_code_on_the_page_is_refused_in_chinese(client, users):
    client.force_login(users["district"])
    before = ReasonCode.objects.count()

    r = client.post(ADD_URL, {**NEW, "code": "no_signal"})

    assert r.status_code == 200
    assert "原因代码“no_signal”已存在" in r.content.decode()
    assert ReasonCode.objects.count() == before


def test_supervisor_sees_every_code_read_only(client, users):
    ReasonCode.objects.filter(code="traffic").update(active=False)
    client.force_login(users["supervisor"])

    page = client.get(POLICY_URL).content.decode()

    assert 'id="reason-codes-read-only"' in page and 'id="reason-code-form"' not in page
    assert 'id="reason-traffic" class="reason-retired"' in page  # retired ones shown too
    assert "/retire/" not in page and "/reinstate/" not in page
    reason = ReasonCode.objects.get(code="no_signal")
    assert client.post(ADD_URL, NEW).status_code == 403
    assert client.post(reverse("providers:reason_code_retire", args=[reason.pk])).status_code == 403
    assert not ReasonCode.objects.filter(code="power_cut").exists()
    assert ReasonCode.objects.get(pk=reason.pk).active is True


def test_the_provider_and_the_town_may_not_open_the_page_nor_add(client, users, world):
    for user in (world.admin, users["street"]):
        client.force_login(user)
        assert client.get(POLICY_URL).status_code == 403
        assert client.post(ADD_URL, NEW).status_code == 403
    assert not ReasonCode.objects.filter(code="power_cut").exists()


# --- the services --------------------------------------------------------------------------------


def test_only_the_district_keeps_the_codes(users, world):
    reason = ReasonCode.objects.get(code="no_signal")
    for user in (world.admin, users["street"], users["community"], users["supervisor"]):
        with pytest.raises(NotAllowed, match="只有区民政审批人员"):
            reason_code_create(code="power_cut", name_zh="小区停电", name_en="Power cut", note_required=False, by=user)
        with pytest.raises(NotAllowed):
            reason_code_update(reason=reason, by=user, active=False)
    assert not ReasonCode.objects.filter(code="power_cut").exists()
    assert ReasonCode.objects.get(pk=reason.pk).active is True
    # The system administrator may, as for the verification rules.
    reason_code_create(
        code="power_cut", name_zh="小区停电", name_en="Power cut", note_required=False, by=users["sysadmin"]
    )


def test_a_duplicate_code_is_refused_whatever_its_case_or_state(users):
    ReasonCode.objects.filter(code="traffic").update(active=False)
    before = ReasonCode.objects.count()
    for code in ("traffic", "Traffic ", "NO_SIGNAL"):
        with pytest.raises(ValidationFailed, match="已存在"):
            reason_code_create(code=code, name_zh="交通", name_en="Traffic", note_required=False, by=users["district"])
    assert ReasonCode.objects.count() == before


def test_a_code_that_is_not_a_slug_or_without_a_name_is_refused(users):
    before = ReasonCode.objects.count()
    with pytest.raises(ValidationFailed, match="字母"):
        reason_code_create(code="停电", name_zh="停电", name_en="Power cut", note_required=False, by=users["district"])
    with pytest.raises(ValidationFailed, match="中文名称"):
        reason_code_create(
            code="power_cut", name_zh="  ", name_en="Power cut", note_required=False, by=users["district"]
        )
    with pytest.raises(ValidationFailed):
        reason_code_update(reason=ReasonCode.objects.first(), by=users["district"], code="renamed")
    assert ReasonCode.objects.count() == before


# --- the API -------------------------------------------------------------------------------------


def test_district_creates_updates_and_lists_every_code_from_the_api(users):
    district = api(users["district"])

    r = district.post(API, {"code": "power_cut", "name_zh": "小区停电", "name_en": "Power cut"}, format="json")

    assert r.status_code == 201, r.json()
    created = r.json()
    assert created["code"] == "power_cut" and created["active"] is True and created["note_required"] is False

    r = district.patch(f"{API}{created['id']}/", {"active": False, "note_required": True}, format="json")

    assert r.status_code == 200, r.json()
    assert r.json()["active"] is False and r.json()["note_required"] is True
    assert "power_cut" not in [c["code"] for c in district.get(API).json()]  # the plain list: codes in use
    full = {c["code"]: c for c in district.get(API + "?all=true").json()}
    assert full["power_cut"]["active"] is False and full["power_cut"]["name_zh"] == "小区停电"
    assert full["power_cut"]["id"] == created["id"]

    r = district.patch(f"{API}{created['id']}/", {"active": True, "name_zh": "停电"}, format="json")

    assert r.status_code == 200
    assert {"code": "power_cut", "name": "停电", "note_required": True} in district.get(API).json()


def test_a_duplicate_code_from_the_api_is_400_in_chinese(users):
    before = ReasonCode.objects.count()
    r = api(users["district"]).post(API, {"code": "no_signal", "name_zh": "x", "name_en": "x"}, format="json")
    assert r.status_code == 400
    assert "原因代码“no_signal”已存在" in r.json()["detail"]
    assert ReasonCode.objects.count() == before


def test_others_get_403_from_the_api(users, world):
    reason = ReasonCode.objects.get(code="no_signal")
    for user in (world.admin, users["street"], users["supervisor"]):
        client = api(user)
        r = client.post(API, {"code": "power_cut", "name_zh": "小区停电", "name_en": "Power cut"}, format="json")
        assert r.status_code == 403 and "区民政审批人员" in r.json()["detail"]
        assert client.patch(f"{API}{reason.pk}/", {"active": False}, format="json").status_code == 403
        assert client.get(API + "?all=true").status_code == 403
        assert client.get(API).status_code == 200  # the codes in use are read by everyone
    assert not ReasonCode.objects.filter(code="power_cut").exists()
    assert ReasonCode.objects.get(pk=reason.pk).active is True


def test_the_schema_documents_keeping_the_codes():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert set(paths[API]) == {"get", "post"}
    assert set(paths[API + "{id}/"]) == {"patch"}  # no delete: a code is retired, never deleted
    assert "all" in {p["name"] for p in paths[API]["get"]["parameters"]}


def test_codes_are_never_deleted_from_the_api(users):
    reason = ReasonCode.objects.get(code="no_signal")
    assert api(users["district"]).delete(f"{API}{reason.pk}/").status_code == 405
    assert ReasonCode.objects.filter(pk=reason.pk).exists()


# --- what the provider is offered ----------------------------------------------------------------


@pytest.fixture
def held(world, tree, clock):
    """A visit checked in and never checked out: closed at night, held for the correction."""
    grant(world.elder, "2026-03", "80.00", tree)
    order = make_order(world)
    visit_check_in(order=order, code=world.token, by=world.caregiver.user)
    clock.shift(datetime.timedelta(hours=7))
    close_overdue_visits()
    return WorkOrder.objects.get(pk=order.pk)


def propose(world, order, reason):
    start = order.checked_in_at
    return correction_propose(
        order=order,
        reason=reason,
        checked_in_at=start,
        checked_out_at=start + datetime.timedelta(minutes=65),
        note="手机没信号，老人家属确认 09:35 离开",
        by=world.admin,
    )


def test_a_retired_code_is_not_offered_and_a_reinstated_one_is_again(held, world, users):
    reason = ReasonCode.objects.get(code="no_signal")
    reason_code_update(reason=reason, by=users["district"], active=False)
    reason.refresh_from_db()

    assert "no_signal" not in codes()
    assert "no_signal" not in [c["code"] for c in api(world.admin).get(API).json()]
    with pytest.raises(ValidationFailed, match="已停用"):
        propose(world, held, reason)

    reason = reason_code_update(reason=reason, by=users["district"], active=True)

    assert "no_signal" in codes()
    correction = propose(world, held, reason)
    assert correction.reason == reason
