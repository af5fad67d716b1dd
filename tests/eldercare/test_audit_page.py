"""The audit trail a supervisor or the district reads: each change with its old and new values
(personal numbers masked), the reveals of full numbers with their reasons, filters by date, user,
kind of record and action, an XLSX export and the API with the same rows, all within the reader's
district."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from eldercare.audit import EXPORT_LIMIT
from eldercare.masking import mask_phone
from eldercare.models import Division, Elder, ElderCategory, RevealReason, Role, User
from eldercare.services import elder_reveal
from providers.models import Caregiver
from providers.services.library import caregiver_phone_reveal

from ..factories import ElderFactory, user_with_role
from ..vouchers.factories import ProviderFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MAY_4 = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=SHANGHAI)
MAY_6 = datetime.datetime(2026, 5, 6, 10, 0, tzinfo=SHANGHAI)


def _change_phone(elder: Elder, phone: str, by: User) -> None:
    elder.phone = phone
    elder.phone_masked = mask_phone(phone)
    elder._history_user = by
    elder.save()


def _records(client, **params):
    response = client.get(reverse("audit_log"), params)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_a_phone_change_shows_the_masked_old_and_new_numbers_with_the_field_name(client, users, tree):
    elder = ElderFactory(community=tree.a1, phone="13812345678")
    _change_phone(elder, "13987654321", users["community"])
    client.force_login(users["supervisor"])

    page = client.get(reverse("audit_log"), {"kind": "eldercare.elder", "action": "changed"}).content.decode()

    label = _zh(Elder._meta.get_field("phone_masked").verbose_name)
    assert f"{label}: 138****5678 → 139****4321" in page
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, id_digest FROM eldercare_elder WHERE id = %s", [elder.pk])
        ciphertext, digest = cursor.fetchone()
    for secret in ("13812345678", "13987654321", ciphertext, digest):
        assert secret not in page


def test_filters_by_user_date_action_and_kind_narrow_the_rows(client, users, tree):
    worker = users["community"]
    worker.full_name = "王小燕"
    worker.save()
    with time_machine.travel(MAY_4, tick=False):
        elder = ElderFactory(community=tree.a1)  # created, by nobody
        _change_phone(elder, "13900000001", worker)
    with time_machine.travel(MAY_6, tick=False):
        _change_phone(elder, "13900000002", users["sysadmin"])
        category = ElderCategory(elder=elder, category="dibao", evidence_date=datetime.date(2026, 1, 1))
        category._history_user = worker
        category.save()
    client.force_login(users["supervisor"])

    def shown(**params):
        return [(r.kind, r.action, r.at) for r in _records(client, **params) if r.kind.startswith("eldercare.elder")]

    assert len(shown()) == 4
    # By user: a part of the login name or of the full name.
    assert [a for _k, a, _t in shown(user="小燕")] == ["created", "changed"]
    assert shown(user=worker.username) == shown(user="小燕")
    # By date: the days are the bureau's (Asia/Shanghai), both ends included.
    assert {t for _k, _a, t in shown(date_from="2026-05-05")} == {MAY_6}
    assert {t for _k, _a, t in shown(date_to="2026-05-04")} == {MAY_4}
    assert shown(date_from="2026-05-04", date_to="2026-05-04") == shown(date_to="2026-05-04")
    # By action and by kind.
    assert [k for k, _a, _t in shown(action="changed")] == ["eldercare.elder", "eldercare.elder"]
    assert [a for _k, a, _t in shown(kind="eldercare.eldercategory")] == ["created"]
    assert [a for _k, a, _t in shown(kind="eldercare.elder", action="created")] == ["created"]
    # The filters stay in the pager's and the export's links.
    page = client.get(reverse("audit_log"), {"user": "小燕", "action": "changed"}).content.decode()
    assert "/audit/xlsx/?user=%E5%B0%8F%E7%87%95&amp;action=changed" in page


def test_a_reveal_appears_with_its_reason_and_note(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    elder_reveal(elder=elder, field="phone", by=users["district"], reason=RevealReason.OTHER, note="核实来电")
    provider = ProviderFactory(district=tree.district)
    caregiver = Caregiver.objects.create(provider=provider, name="李护工", staff_number="C-1", phone="13700001111")
    admin = user_with_role(Role.PROVIDER_ADMIN, provider=provider)
    caregiver_phone_reveal(caregiver=caregiver, by=admin, reason=RevealReason.CONTACT_ELDER)
    client.force_login(users["supervisor"])

    reveals = _records(client, action="reveal")

    assert [(r.kind, r.object) for r in reveals] == [
        ("providers.caregiverreveallog", str(caregiver)),
        ("eldercare.reveallog", str(elder)),
    ]
    elder_row = reveals[1]
    assert (elder_row.field, elder_row.reason, elder_row.note) == (
        _zh(Elder._meta.get_field("phone").verbose_name),
        _zh(RevealReason.OTHER.label),
        "核实来电",
    )
    assert reveals[0].reason == _zh(RevealReason.CONTACT_ELDER.label)
    page = client.get(reverse("audit_log"), {"action": "reveal"}).content.decode()
    assert "核实来电" in page and _zh(RevealReason.CONTACT_ELDER.label) in page
    # A reveal is no change: the other actions leave it out.
    assert all(r.action != "reveal" for r in _records(client, action="changed"))


def test_a_login_alone_is_not_a_change_but_a_new_name_is(client, users):
    worker = users["community"]
    client.force_login(worker)  # writes last_login
    client.force_login(worker)
    worker.full_name = "王小燕"
    worker.save()
    client.force_login(users["supervisor"])

    changes = _records(client, kind="eldercare.user", action="changed", user="")
    mine = [r for r in changes if r.object == "王小燕"]

    assert len(mine) == 1
    assert [c.old + "→" + c.new for c in mine[0].changes] == ["—→王小燕"]
    assert all("last_login" not in str(c) and "pbkdf2" not in c.new for r in changes for c in r.changes)


def test_another_districts_changes_do_not_appear(client, users, tree):
    other = Division.objects.create(code="321088000000", name="江阴市", level="district")
    street = Division.objects.create(code="321088001000", name="城东街道", level="street", parent=other)
    community = Division.objects.create(code="321088001001", name="城东社区", level="community", parent=street)
    theirs = ElderFactory(community=community, name="外区老人")
    ours = ElderFactory(community=tree.b1, name="本区老人")
    _change_phone(theirs, "13911112222", users["sysadmin"])
    _change_phone(ours, "13933334444", users["sysadmin"])
    elder_reveal(elder=theirs, field="phone", by=users["sysadmin"], reason=RevealReason.VERIFY_IDENTITY)

    for reader in ("supervisor", "district"):
        client.force_login(users[reader])
        objects = {r.object for r in _records(client)}
        assert str(ours) in objects and str(theirs) not in objects
    client.force_login(users["sysadmin"])
    assert str(theirs) in {r.object for r in _records(client)}


def test_the_xlsx_export_holds_the_filtered_rows(client, users, tree):
    elder = ElderFactory(community=tree.a1, phone="13812345678")
    _change_phone(elder, "13987654321", users["community"])
    _change_phone(elder, "=HYPERLINK(1)", users["sysadmin"])
    client.force_login(users["supervisor"])

    page = client.get(reverse("audit_log")).content.decode()
    response = client.get(reverse("audit_log_xlsx"), {"user": users["community"].username})

    assert f"{EXPORT_LIMIT}" in page
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the one change by the community worker
    assert "138****5678 → 139****4321" in rows[1][5]
    assert users["community"].username in rows[1][1]
    assert "13987654321" not in str(rows)


def test_the_api_answers_the_same_rows_as_the_page(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    _change_phone(elder, "13987654321", users["community"])
    elder_reveal(elder=elder, field="id_number", by=users["district"], reason=RevealReason.VERIFY_IDENTITY)
    api = APIClient()
    api.force_authenticate(users["district"])
    client.force_login(users["district"])

    for params in ({}, {"action": "reveal"}, {"kind": "eldercare.elder", "action": "changed"}):
        body = api.get("/api/v1/audit-records/", params).json()
        page = _records(client, **params)
        assert body["count"] == len(page) > 0
        assert [(r["kind"], r["action"], r["object"]) for r in body["results"]] == [
            (r.kind, r.action, r.object) for r in page
        ]
    change = api.get("/api/v1/audit-records/", {"kind": "eldercare.elder", "action": "changed"}).json()["results"][0]
    assert {"old": "138****5678", "new": "139****4321"}.items() <= change["changes"][0].items()
    assert api.get("/api/v1/audit-records/", {"date_from": "not a day"}).status_code == 400


def test_a_community_worker_is_refused(client, users):
    client.force_login(users["community"])
    assert client.get(reverse("audit_log")).status_code == 403
    assert client.get(reverse("audit_log_xlsx")).status_code == 403
    api = APIClient()
    api.force_authenticate(users["community"])
    assert api.get("/api/v1/audit-records/").status_code == 403


def test_the_queries_do_not_grow_with_the_rows_shown(client, users, tree):
    elders = ElderFactory.create_batch(3, community=tree.a1)
    for elder in elders:
        _change_phone(elder, "13900000001", users["community"])
    client.force_login(users["supervisor"])
    client.get(reverse("audit_log"))  # the session and the scope, once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("audit_log")).status_code == 200
        return len(captured)

    few = queries()
    for elder in ElderFactory.create_batch(20, community=tree.a1):
        _change_phone(elder, "13900000002", users["community"])
    assert queries() == few, "\n".join(q["sql"][:200] for q in connection.queries[-60:])


def test_the_trail_is_counted_up_to_the_lists_cap(client, users, tree, monkeypatch):
    """A district's trail grows by every change: the page and the API count it as every list does,
    up to the cap, and say there are more."""
    from eldercare import paging

    for elder in ElderFactory.create_batch(4, community=tree.a1):
        _change_phone(elder, "13900000003", users["community"])
    client.force_login(users["district"])
    api = APIClient()
    api.force_authenticate(users["district"])
    params = {"kind": "eldercare.elder", "action": "changed"}
    assert client.get(reverse("audit_log"), params).context["page"].paginator.count == 4
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    page = client.get(reverse("audit_log"), params)
    assert (page.context["page"].paginator.count, page.context["page"].paginator.capped) == (3, True)
    assert 'data-capped="true"' in page.content.decode()
    body = api.get("/api/v1/audit-records/", params).json()
    assert (body["count"], body["count_capped"]) == (3, True)
