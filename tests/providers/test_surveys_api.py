"""The surveys and rectifications API: each role's allowed and refused calls."""

import datetime
import io

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from providers.models import Rectification, SatisfactionSurvey, ServiceAgreement
from tests.factories import ElderFactory
from tests.files import fake_pdf_upload, pdf_bytes

from .factories import make_provider

pytestmark = pytest.mark.django_db

PDF = pdf_bytes()
SURVEYS = "/api/v1/satisfaction-surveys/"
RECTS = "/api/v1/rectifications/"


@pytest.fixture
def who(world, users):
    """The roles the matrix is about: the town of the street and of another, the provider's admin
    and another provider's, the district, a community worker."""
    return {
        "town": users["street"],
        "other_town": users["street_b"],
        "admin": world.admin,
        "other_admin": world.other_admin,
        "district": users["district"],
        "community": users["community"],
    }


def as_(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def elders(world, tree):
    more = [ElderFactory(community=tree.a1) for _ in range(2)]
    for e in more:
        ServiceAgreement.objects.create(elder=e, provider=world.provider, signed_on=datetime.date(2025, 6, 1))
    return [world.elder, world.elder2, *more]


def open_survey(who, world, tree) -> int:
    r = as_(who["town"]).post(
        SURVEYS, {"provider": world.provider.pk, "street": tree.street_a.pk, "quarter": "2026Q1"}, format="json"
    )
    assert r.status_code == 201, r.content
    return r.json()["id"]


def test_only_the_town_of_the_street_opens_a_survey(who, world, tree):
    body = {"provider": world.provider.pk, "street": tree.street_a.pk, "quarter": "2026Q1"}
    for role in ("other_town", "admin", "other_admin", "district", "community"):
        r = as_(who[role]).post(SURVEYS, body, format="json")
        assert r.status_code == 403, role
        assert r.json()["code"] == "not_allowed"
    r = as_(who["town"]).post(SURVEYS, {**body, "street": tree.street_b.pk}, format="json")
    assert r.status_code == 403  # not the town's street
    r = as_(who["other_town"]).post(SURVEYS, {**body, "street": tree.street_b.pk}, format="json")
    assert r.status_code == 400 and "不在本街道" in r.json()["detail"]  # the provider does not serve it
    assert as_(who["town"]).post(SURVEYS, {**body, "quarter": "2026-1"}, format="json").status_code == 400
    r = as_(who["town"]).post(SURVEYS, body, format="json")
    assert r.status_code == 201 and r.json()["status"] == "open" and r.json()["quarter"] == "2026-01-01"
    assert as_(who["town"]).post(SURVEYS, body, format="json").status_code == 409
    assert SatisfactionSurvey.objects.count() == 1


def test_survey_list_is_scoped(who, world, tree, users):
    sid = open_survey(who, world, tree)
    other = make_provider(tree, name="邻街服务社", streets=[tree.street_b])
    ServiceAgreement.objects.create(
        elder=ElderFactory(community=tree.b1), provider=other, signed_on=datetime.date(2026, 1, 5)
    )
    as_(who["other_town"]).post(SURVEYS, {"provider": other.pk, "street": tree.street_b.pk, "quarter": "2026Q1"})
    seen = {role: [s["id"] for s in as_(who[role]).get(SURVEYS).json()["results"]] for role in who}
    assert seen["town"] == [sid] and seen["admin"] == [sid]
    assert len(seen["other_town"]) == 1 and sid not in seen["other_town"]
    assert seen["other_admin"] == [] and seen["community"] == []
    assert len(seen["district"]) == 2
    assert as_(who["other_town"]).get(f"{SURVEYS}{sid}/").status_code == 404
    assert as_(who["community"]).get(f"{SURVEYS}{sid}/").status_code == 404


def test_answers_import_and_submit_by_the_town_only(who, world, tree, elders):
    sid = open_survey(who, world, tree)
    answer = {"elder": elders[0].pk, "satisfied": True, "asked_on": "2026-03-09"}
    url = f"{SURVEYS}{sid}/answers/"
    assert as_(who["other_town"]).post(url, answer, format="json").status_code == 404
    assert as_(who["other_admin"]).post(url, answer, format="json").status_code == 404
    assert as_(who["community"]).post(url, answer, format="json").status_code == 404
    assert as_(who["admin"]).post(url, answer, format="json").status_code == 403  # sees it, may not answer
    assert as_(who["district"]).post(url, answer, format="json").status_code == 403
    stranger = ElderFactory(community=tree.b1)
    r = as_(who["town"]).post(url, {**answer, "elder": stranger.pk}, format="json")
    assert r.status_code == 400  # outside the town's scope: not found, a clear message
    unserved = ElderFactory(community=tree.a1)
    r = as_(who["town"]).post(url, {**answer, "elder": unserved.pk}, format="json")
    assert r.status_code == 400 and unserved.name in r.json()["detail"]
    r = as_(who["town"]).post(url, answer, format="json")
    assert r.status_code == 201 and r.json()["elder_name"] == elders[0].name
    assert as_(who["town"]).post(url, answer, format="json").status_code == 409

    # Import the other three (two satisfied... one not): a bad row first writes nothing.
    def sheet(rows):
        out = io.BytesIO()
        pd.DataFrame(rows, columns=["身份证号", "姓名", "是否满意", "询问日期", "备注"]).to_excel(out, index=False)
        return SimpleUploadedFile("a.xlsx", out.getvalue())

    rows = [[e.id_number, e.name, "满意" if i < 2 else "不满意", "2026-03-09", ""] for i, e in enumerate(elders[1:])]
    bad = sheet([*rows, [elders[0].id_number, elders[0].name, "满意", "2026-03-09", ""]])
    r = as_(who["town"]).post(f"{SURVEYS}{sid}/import/", {"file": bad}, format="multipart")
    assert r.status_code == 400 and r.json()["errors"] == ["第5行：该老人已答复过本次测评"]
    assert as_(who["town"]).get(url).json().__len__() == 1
    r = as_(who["other_town"]).post(f"{SURVEYS}{sid}/import/", {"file": sheet(rows)}, format="multipart")
    assert r.status_code == 404
    r = as_(who["town"]).post(f"{SURVEYS}{sid}/import/", {"file": sheet(rows)}, format="multipart")
    assert r.status_code == 201 and r.json()["answers"] == 4

    assert as_(who["admin"]).post(f"{SURVEYS}{sid}/submit/").status_code == 403
    assert as_(who["district"]).post(f"{SURVEYS}{sid}/submit/").status_code == 403
    assert as_(who["other_town"]).post(f"{SURVEYS}{sid}/submit/").status_code == 404
    r = as_(who["town"]).post(f"{SURVEYS}{sid}/submit/")
    assert r.status_code == 200
    body = r.json()
    assert (body["status"], body["surveyed"], body["satisfied"], body["rate"]) == ("submitted", 4, 3, "75.0")
    assert body["rectification"] == Rectification.objects.get().pk
    assert as_(who["town"]).post(f"{SURVEYS}{sid}/submit/").status_code == 409


@pytest.fixture
def rect_id(who, world, tree, elders, settings, tmp_path) -> int:
    settings.MEDIA_ROOT = tmp_path
    sid = open_survey(who, world, tree)
    for i, e in enumerate(elders):
        as_(who["town"]).post(
            f"{SURVEYS}{sid}/answers/", {"elder": e.pk, "satisfied": i < 3, "asked_on": "2026-03-09"}, format="json"
        )
    return as_(who["town"]).post(f"{SURVEYS}{sid}/submit/").json()["rectification"]


def test_rectification_list_is_scoped(who, rect_id):
    seen = {role: [x["id"] for x in as_(who[role]).get(RECTS).json()["results"]] for role in who}
    assert seen == {
        "town": [rect_id],
        "other_town": [],
        "admin": [rect_id],
        "other_admin": [],
        "district": [rect_id],
        "community": [],
    }
    body = as_(who["admin"]).get(f"{RECTS}{rect_id}/").json()
    assert (body["status"], body["rate"], body["deadline"]) == ("open", "75.0", "2026-04-08")


def test_provider_admin_answers_with_multipart_evidence_town_decides(who, rect_id):
    url = f"{RECTS}{rect_id}/"

    def pdf():
        return SimpleUploadedFile("整改.pdf", PDF, content_type="application/pdf")

    assert as_(who["other_admin"]).post(url + "answer/", {"text": "x", "evidence": pdf()}).status_code == 404
    assert as_(who["community"]).post(url + "answer/", {"text": "x", "evidence": pdf()}).status_code == 404
    assert as_(who["town"]).post(url + "answer/", {"text": "x", "evidence": pdf()}).status_code == 403
    assert as_(who["district"]).post(url + "answer/", {"text": "x", "evidence": pdf()}).status_code == 403
    assert as_(who["admin"]).post(url + "answer/", {"text": "已整改"}).status_code == 400  # no evidence
    r = as_(who["admin"]).post(url + "answer/", {"text": "已整改", "evidence": SimpleUploadedFile("a.txt", b"hello")})
    assert r.status_code == 400 and "“a.txt”" in r.json()["detail"]
    r = as_(who["admin"]).post(url + "answer/", {"text": "已整改", "evidence": fake_pdf_upload("整改.pdf")})
    assert r.status_code == 400 and "“整改.pdf”" in r.json()["detail"]
    assert as_(who["admin"]).get(url).json()["status"] == "open"
    r = as_(who["admin"]).post(url + "answer/", {"text": "已更换护理员并培训", "evidence": pdf()}, format="multipart")
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert r.json()["steps"][0]["has_evidence"] is True

    assert as_(who["admin"]).post(url + "accept/", {}, format="json").status_code == 403
    assert as_(who["district"]).post(url + "accept/", {}, format="json").status_code == 403
    assert as_(who["other_town"]).post(url + "accept/", {}, format="json").status_code == 404
    assert as_(who["town"]).post(url + "reject/", {"text": ""}, format="json").status_code == 400
    r = as_(who["town"]).post(url + "reject/", {"text": "缺少培训记录"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert as_(who["town"]).post(url + "accept/", {}, format="json").status_code == 409  # open again: nothing to decide
    as_(who["admin"]).post(url + "answer/", {"text": "补充培训记录", "evidence": pdf()}, format="multipart")
    r = as_(who["town"]).post(url + "accept/", {"text": "整改到位"}, format="json")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "resolved" and body["resolution"] == "整改到位" and body["resolved_at"]
    assert [s["kind"] for s in body["steps"]] == ["answer", "reject", "answer", "accept"]


def test_schema_lists_the_survey_and_rectification_actions(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(target))
    text = target.read_text()
    for p in (
        "/api/v1/satisfaction-surveys/{id}/answers/",
        "/api/v1/satisfaction-surveys/{id}/import/",
        "/api/v1/satisfaction-surveys/{id}/submit/",
        "/api/v1/rectifications/{id}/answer/",
        "/api/v1/rectifications/{id}/accept/",
        "/api/v1/rectifications/{id}/reject/",
    ):
        assert p in text, p
