import datetime
import io

import pandas as pd
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import NotAllowed, ValidationFailed
from eldercare.importing import ImportRejected, elders_import
from eldercare.models import Elder, RevealLog
from eldercare.selectors import elder_list
from eldercare.services import ElderData, elder_create, elder_reveal

from ..factories import ElderFactory, id_number_for


def data_for(community, **overrides):
    values = dict(
        name="张桂英",
        id_number=id_number_for(datetime.date(1948, 6, 1), "F"),
        community=community,
        resident_since=datetime.date(2000, 1, 1),
        address="龙川路8号",
        phone="13912345678",
        categories={"dibao": datetime.date(2025, 1, 1)},
    )
    values.update(overrides)
    return ElderData(**values)


def test_create_derives_birth_date_and_gender_and_encrypts(users, tree):
    elder = elder_create(data=data_for(tree.a1), by=users["community"])
    assert elder.birth_date == datetime.date(1948, 6, 1)
    assert elder.gender == "F"
    assert elder.id_masked == elder.id_number[:6] + "********" + elder.id_number[-4:]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("select id_number, phone from eldercare_elder where id = %s", [elder.pk])
        stored_id, stored_phone = cursor.fetchone()
    assert elder.id_number not in stored_id and "13912345678" not in stored_phone
    assert Elder.objects.get(pk=elder.pk).id_number == elder.id_number


def test_typed_birth_date_or_gender_must_match_the_id(users, tree):
    with pytest.raises(ValidationFailed) as exc:
        elder_create(data=data_for(tree.a1, birth_date=datetime.date(1948, 6, 2), gender="M"), by=users["community"])
    assert set(exc.value.params["errors"]) == {"birth_date", "gender"}


def test_one_id_number_one_person(users, tree):
    data = data_for(tree.a1)
    elder_create(data=data, by=users["community"])
    with pytest.raises(ValidationFailed, match="已登记"):
        elder_create(data=data_for(tree.a1, id_number=data.id_number.lower(), name="别人"), by=users["community"])


def test_search_by_full_id_number_uses_the_blind_index(users, tree):
    elder = elder_create(data=data_for(tree.a1), by=users["community"])
    assert list(elder_list(user=users["community"], search=elder.id_number)) == [elder]


def test_community_worker_cannot_register_in_another_community(users, tree):
    with pytest.raises(NotAllowed):
        elder_create(data=data_for(tree.b1), by=users["community"])


def test_list_shows_masked_numbers_only(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    client.force_login(users["community"])
    page = client.get(reverse("elder_list")).content.decode()
    assert elder.id_masked in page and elder.id_number not in page
    assert elder.phone not in page
    detail = client.get(reverse("elder_detail", args=[elder.pk])).content.decode()
    assert elder.id_number not in detail and elder.id_masked in detail


def test_reveal_is_recorded_and_refused_to_roles_that_do_not_need_it(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    client.force_login(users["community"])
    response = client.post(
        reverse("elder_reveal", args=[elder.pk, "id_number"]), {"reason": "verify_identity"}, HTTP_HX_REQUEST="true"
    )
    assert elder.id_number in response.content.decode()
    assert RevealLog.objects.filter(user=users["community"], elder=elder, field="id_number").count() == 1
    with pytest.raises(NotAllowed):
        elder_reveal(elder=elder, field="id_number", by=users["finance"], reason="verify_identity")
    api = APIClient()
    api.force_authenticate(users["finance"])
    response = api.post(
        f"/api/v1/elders/{elder.pk}/reveal/", {"field": "id_number", "reason": "verify_identity"}, format="json"
    )
    assert response.status_code == 403
    assert RevealLog.objects.filter(elder=elder).count() == 1


def _sheet(rows):
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_excel(buffer, index=False)
    buffer.seek(0)
    return pd.read_excel(buffer, dtype=str).fillna("")


def _row(community, birth, gender="女", **extra):
    row = {
        "姓名": "李秀兰",
        "性别": gender,
        "身份证号": id_number_for(birth, "F" if gender == "女" else "M"),
        "户籍社区": community.name,
        "居住起始日期": "2001-05-01",
        "现住址": "文昌路2号",
        "联系电话": "13800000000",
        "困难类别": "低保、空巢独居",
    }
    row.update(extra)
    return row


def test_import_creates_every_row_with_categories(users, tree):
    frame = _sheet([_row(tree.a1, datetime.date(1950, 1, 2)), _row(tree.a1, datetime.date(1940, 3, 4), "男")])
    result = elders_import(frame=frame, by=users["community"])
    assert result.created == 2
    assert sorted(Elder.objects.get(birth_date=datetime.date(1950, 1, 2)).category_codes) == ["dibao", "kongchao"]


def test_import_with_one_bad_row_imports_nothing_and_names_each_row(users, tree):
    good = _row(tree.a1, datetime.date(1950, 1, 2))
    bad_checksum = _row(tree.a1, datetime.date(1944, 7, 7))
    bad_checksum["身份证号"] = bad_checksum["身份证号"][:-1] + ("0" if bad_checksum["身份证号"][-1] != "0" else "1")
    other_area = _row(tree.b1, datetime.date(1945, 2, 2))
    frame = _sheet([good, bad_checksum, other_area])
    with pytest.raises(ImportRejected) as exc:
        elders_import(frame=frame, by=users["community"])
    rows = {e.row for e in exc.value.errors}
    assert rows == {3, 4}  # the header is row 1, so data rows are 2, 3, 4
    assert Elder.objects.count() == 0


def test_import_page_reports_errors_in_chinese(client, users, tree):
    bad = _row(tree.a1, datetime.date(1950, 1, 2), 居住起始日期="去年")
    buffer = io.BytesIO()
    pd.DataFrame([bad]).to_excel(buffer, index=False)
    buffer.seek(0)
    buffer.name = "elders.xlsx"
    client.force_login(users["community"])
    page = client.post(reverse("elder_import"), {"file": buffer}).content.decode()
    assert "未导入任何数据" in page
    assert "不是形如 2020-05-01 的日期" in page
    assert Elder.objects.count() == 0


def test_csv_in_gb18030_is_read(client, users, tree):
    frame = pd.DataFrame([_row(tree.a1, datetime.date(1950, 1, 2))])
    data = frame.to_csv(index=False).encode("gb18030")
    upload = io.BytesIO(data)
    upload.name = "elders.csv"
    client.force_login(users["community"])
    client.post(reverse("elder_import"), {"file": upload})
    assert Elder.objects.count() == 1


def test_pages_speak_chinese_even_when_the_browser_asks_for_english(client, users):
    client.force_login(users["community"])
    page = client.get(reverse("elder_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "老人档案" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Elders" in client.get(reverse("elder_list")).content.decode()


def test_audit_trail_records_who_changed_what(client, users, tree):
    elder = ElderFactory(community=tree.a1)
    client.force_login(users["community"])
    from eldercare.forms import ElderForm

    form_data = {k: v for k, v in ElderForm.initial_from(elder).items() if v not in (None, [])}
    form_data.update(address="新地址9号", categories=[], community=tree.a1.pk)
    form_data["resident_since"] = "2010-01-01"
    form_data["birth_date"] = elder.birth_date.isoformat()
    assert client.post(reverse("elder_edit", args=[elder.pk]), form_data).status_code == 302
    last = elder.history.first()
    assert last.history_user == users["community"] and last.address == "新地址9号"
    client.force_login(users["supervisor"])
    page = client.get(reverse("audit_log")).content.decode()
    assert "address" in page or "现住址" in page
    client.force_login(users["community"])
    assert client.get(reverse("audit_log")).status_code == 403
