"""Screenings from a spreadsheet: the registry import's rules (all rows or none, errors by row)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from eldercare.models import Role
from outreach.models import VulnerabilityProfile

from ..factories import ElderFactory, user_with_role

pytestmark = pytest.mark.django_db
HEADER = "姓名,身份证号,排查日期,居住情况,独居,空巢,失能情况,慢病需用药,所用药品,紧急联系人,联系人关系,联系人电话\n"


def _upload(rows: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile("排查.csv", (HEADER + "\n".join(rows) + "\n").encode("utf-8-sig"), "text/csv")


@pytest.fixture
def worker(tree):
    return user_with_role(Role.COMMUNITY_WORKER, tree.a1)


def test_a_file_of_screenings_is_recorded_with_the_risk_levels(client, tree, worker):
    a = ElderFactory(community=tree.a1)
    b = ElderFactory(community=tree.a1)
    client.force_login(worker)
    response = client.post(
        reverse("outreach:import"),
        {
            "file": _upload(
                [
                    f"{a.name},{a.id_number},2026-03-10,独居,是,否,自理,否,,张伟,儿子,13812345678",
                    f"{b.name},{b.id_number},2026/3/11,与子女同住,否,否,半失能,是,二甲双胍,,,",
                ]
            )
        },
    )
    assert response.status_code == 302
    assert dict(VulnerabilityProfile.objects.values_list("elder_id", "risk_level")) == {a.pk: "high", b.pk: "medium"}
    assert VulnerabilityProfile.objects.get(elder=b).screened_on == datetime.date(2026, 3, 11)


def test_a_file_with_any_error_records_nothing(client, tree, worker):
    a = ElderFactory(community=tree.a1)
    elsewhere = ElderFactory(community=tree.b1)
    client.force_login(worker)
    response = client.post(
        reverse("outreach:import"),
        {
            "file": _upload(
                [
                    f"{a.name},{a.id_number},2026-03-10,独居,是,否,自理,否,,张伟,儿子,12345",
                    f"{elsewhere.name},{elsewhere.id_number},2026-03-10,独居,是,否,自理,否,,,,",
                ]
            )
        },
    )
    assert response.status_code == 200
    rows = {e.row for e in response.context["errors"]}
    assert rows == {2, 3}
    assert "请填写有效的电话号码。" in response.content.decode()
    assert not VulnerabilityProfile.objects.exists()
