"""Pages, downloads and PDFs of the review."""

import datetime
import subprocess

import pytest
import time_machine
from django.urls import reverse

from eldercare.models import DifficultyCategory
from subsidies.applications.documents import decision_notice_generate
from subsidies.applications.models import ApplicationStatus, DecisionNotice
from subsidies.applications.selectors import application_list
from subsidies.applications.services import materials
from subsidies.applications.services import review as svc
from tests.factories import ElderFactory
from tests.files import fake_pdf_upload, pdf_upload

from .factories import at, walk

MONDAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def _pdftext(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _file(tree, scheme, users, name="张桂英"):
    elder = ElderFactory(community=tree.a1, name=name)
    return svc.application_file(
        elder=elder,
        scheme=scheme,
        categories=[DifficultyCategory.LOW_INCOME],
        care_situation="non_self_care",
        by=users["community"],
    )


def test_approval_notice_pdf_renders_chinese(tree, scheme, batch, users, tmp_path, django_capture_on_commit_callbacks):
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            app = walk(_file(tree, scheme, users), users, until="approved", traveller=traveller)
    notice = DecisionNotice.objects.get(application=app)
    text = _pdftext(notice.file.read(), tmp_path)
    assert "张桂英" in text
    assert "书面核准通知书" in text
    assert "2026-04" in text  # the first month, the month after approval
    # Idempotent: running the task again keeps the first file.
    assert decision_notice_generate(notice_id=notice.pk).file.name == notice.file.name


def test_rejection_notice_and_download_scope(
    tree, scheme, batch, users, tmp_path, client, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(MONDAY), tick=False):
        app = walk(_file(tree, scheme, users, name="李秀兰"), users, until="community_review")
        with django_capture_on_commit_callbacks(execute=True):
            svc.application_reject(application=app, by=users["community"], opinion="家庭人均收入超过低保标准")
    url = reverse("subsidies:decision_download", args=[app.pk])
    client.force_login(users["street"])
    response = client.get(url)
    assert response.status_code == 200
    text = _pdftext(b"".join(response.streaming_content), tmp_path)
    assert "李秀兰" in text and "低保标准" in text
    client.force_login(users["community_b"])
    assert client.get(url).status_code == 404


def test_notice_list_pdf(tree, scheme, batch, users, client, tmp_path):
    with time_machine.travel(at(MONDAY), tick=False):
        walk(_file(tree, scheme, users, name="王玉珍"), users, until="public_notice")
        client.force_login(users["community"])
        response = client.get(reverse("subsidies:notice_list_pdf", args=[batch.pk, tree.a1.pk]))
    assert response.status_code == 200
    text = _pdftext(response.content, tmp_path)
    assert "王玉珍" in text and "公示" in text


def test_case_page_and_material_download_scoped(tree, scheme, batch, users, client):
    with time_machine.travel(at(MONDAY), tick=False):
        app = _file(tree, scheme, users)
        material = materials.material_upload(
            application=app, material_type="id_card", upload=pdf_upload(), by=users["community"]
        )
        client.force_login(users["community"])
        page = client.get(app.get_absolute_url())
        assert page.status_code == 200
        content = page.content.decode()
        # Only the ID card is in: the page names what is still missing, and not the ID card.
        missing = content[content.index('id="missing-materials"') :].split("</div>")[0]
        assert "缺少必备材料" in missing
        assert "户口簿复印件" in missing and "诊断证明" in missing
        assert "居民身份证复印件" not in missing
        download = client.get(reverse("subsidies:material_download", args=[material.pk]))
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
        client.force_login(users["community_b"])
        assert client.get(app.get_absolute_url()).status_code == 404
        assert client.get(reverse("subsidies:material_download", args=[material.pk])).status_code == 404
        # A move through the page by someone outside the jurisdiction: 404, nothing changes.
        assert (
            client.post(reverse("subsidies:application_act", args=[app.pk, "withdraw"]), {"opinion": "x"}).status_code
            == 404
        )
    app.refresh_from_db()
    assert app.status == ApplicationStatus.FILED


def test_worklist_shows_days_left(tree, scheme, batch, users, client):
    with time_machine.travel(at(MONDAY), tick=False):
        _file(tree, scheme, users)
        client.force_login(users["community"])
        home = client.get(reverse("home")).content.decode()
        listing = client.get(reverse("subsidies:application_list") + "?mine=1").content.decode()
    assert "张桂英" in home
    assert "10" in listing


def test_upload_page_refuses_non_scan(tree, scheme, batch, users, client):
    with time_machine.travel(at(MONDAY), tick=False):
        app = _file(tree, scheme, users)
        client.force_login(users["community"])
        response = client.post(
            reverse("subsidies:material_upload", args=[app.pk]),
            {"material_type": "id_card", "file": fake_pdf_upload("a.pdf")},
            follow=True,
        )
    # The refusal names the file, on the page the worker is sent back to.
    assert response.status_code == 200 and "“a.pdf”" in response.content.decode()
    assert not app.materials.exists()


def test_the_application_list_searches_by_post_and_refuses_a_number_in_the_address(tree, scheme, batch, users, client):
    with time_machine.travel(at(MONDAY), tick=False):
        mine = _file(tree, scheme, users)
        _file(tree, scheme, users, name="王秀英")
        client.force_login(users["community"])
        response = client.post(reverse("subsidies:application_list"), {"q": "张桂英", "status": ""})
        assert response.status_code == 302 and "s=" in response["Location"]
        listed = client.get(response["Location"])
        assert [app for app, _left in listed.context["rows"]] == [mine]
        assert client.get(reverse("subsidies:application_list"), {"q": mine.elder.id_number}).status_code == 400
        short = client.get(reverse("subsidies:application_list"), {"q": "王秀英"})
    assert [app.elder.name for app, _left in short.context["rows"]] == ["王秀英"]


def test_the_application_list_finds_the_elder_as_the_registry_does(tree, scheme, batch, users):
    """One search for elders everywhere: a name fragment, the pinyin initials, the ID tail."""
    with time_machine.travel(at(MONDAY), tick=False):
        wang = _file(tree, scheme, users, name="王秀英")
        _file(tree, scheme, users)
        user = users["community"]
        for text in ("秀英", "wxy", wang.elder.id_number[-4:], wang.elder.id_number):
            assert list(application_list(user=user, filters={"q": text})) == [wang], text
