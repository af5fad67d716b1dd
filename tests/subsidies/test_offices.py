"""Where the public reaches a workstation: kept by the office itself, printed on the notice list."""

import datetime
import subprocess

import pytest
import time_machine
from django.urls import reverse

from eldercare.models import DifficultyCategory, Division
from subsidies.applications.services import review as svc
from tests.factories import ElderFactory

from .factories import at, walk

MONDAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def _pdftext(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _on_notice(tree, scheme, users, name):
    elder = ElderFactory(community=tree.a1, name=name)
    app = svc.application_file(
        elder=elder,
        scheme=scheme,
        categories=[DifficultyCategory.LOW_INCOME],
        care_situation="non_self_care",
        by=users["community"],
    )
    return walk(app, users, until="public_notice")


def test_notice_list_names_the_workstation_and_period_after_the_community_enters_them(
    tree, scheme, batch, users, client, tmp_path, settings
):
    settings.SUPERVISION_HOTLINE = "0514-12345"
    client.force_login(users["community"])
    saved = client.post(
        reverse("office_edit", args=[tree.a1.pk]),
        {"address": "江都区龙川街道龙川社区党群服务中心一楼", "phone": "0514-8660 2001"},
    )
    assert saved.status_code == 302
    with time_machine.travel(at(MONDAY), tick=False):
        app = _on_notice(tree, scheme, users, "王玉珍")
        response = client.get(reverse("subsidies:notice_list_pdf", args=[batch.pk, tree.a1.pk]))
    text = "".join(_pdftext(response.content, tmp_path).split())  # lines wrap anywhere in Chinese
    assert "龙川社区工作站反映（地址：江都区龙川街道龙川社区党群服务中心一楼；电话：0514-86602001）" in text
    assert "监督电话:0514-12345" in text
    start, end = app.notice_starts_on, app.notice_ends_on
    assert f"公示期：{start.year}年{start.month}月{start.day}日至{end.year}年{end.month}月{end.day}日" in text


def test_batch_page_flags_communities_without_contacts(tree, scheme, batch, users, client):
    Division.objects.filter(pk=tree.a1.pk).update(address="龙川社区党群服务中心", phone="0514-8660 2001")
    client.force_login(users["street"])
    page = client.get(reverse("subsidies:batch_detail", args=[batch.pk])).content.decode()
    flagged = [item for item in page.split("<li>") if "no-contacts" in item]
    assert tree.a1.name not in " ".join(flagged)
    assert any(tree.a2.name in line for line in flagged)


def test_who_keeps_which_contacts(tree, users, client):
    url = reverse("office_edit", args=[tree.a1.pk])
    data = {"address": "某地", "phone": "0514-8660 2001"}
    client.force_login(users["community_b"])
    assert client.post(url, data).status_code == 404  # another community's: not even seen
    client.force_login(users["assessor"])
    assert client.get(reverse("office_list")).status_code == 200
    assert client.post(url, data).status_code == 403
    client.force_login(users["street_b"])
    assert client.post(url, data).status_code == 404
    client.force_login(users["street"])
    assert client.post(url, data).status_code == 302
    assert client.post(reverse("office_edit", args=[tree.street_a.pk]), data).status_code == 302
    client.force_login(users["community"])
    assert client.post(reverse("office_edit", args=[tree.street_a.pk]), data).status_code == 403
    tree.a1.refresh_from_db()
    assert (tree.a1.address, tree.a1.phone) == ("某地", "0514-8660 2001")


def test_a_bad_telephone_is_refused_in_chinese_and_nothing_is_saved(tree, users, client):
    client.force_login(users["community"])
    page = client.post(reverse("office_edit", args=[tree.a1.pk]), {"address": "新地址", "phone": "call me"})
    assert page.status_code == 200
    assert "请输入由数字、空格、括号和连字符组成的电话号码" in page.content.decode()
    tree.a1.refresh_from_db()
    assert tree.a1.address == ""


def test_api_sets_contacts_within_the_same_rules(tree, users, client):
    url = f"/api/v1/divisions/{tree.a1.pk}/"
    client.force_login(users["community"])
    answer = client.patch(url, {"phone": "0514-8660 2001"}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["phone"] == "0514-8660 2001"
    assert client.patch(url, {"phone": "abc"}, content_type="application/json").status_code == 400
    assert client.patch(url, {"name": "改名"}, content_type="application/json").json()["name"] == tree.a1.name
    client.force_login(users["finance"])
    assert client.patch(url, {"phone": "0514-8660 9999"}, content_type="application/json").status_code == 403
    tree.a1.refresh_from_db()
    assert tree.a1.phone == "0514-8660 2001"
