"""The official documents as a reader gets them (pdftotext): numbered decisions, the legal remedy
of a rejection, the standard in plain words, the approval form with the three opinions, and the
public page that confirms a document is genuine."""

import datetime
import subprocess
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from eldercare.models import DifficultyCategory, RevealLog
from subsidies.applications.documents import (
    batch_notice_context,
    decision_notice_context,
    notice_list_context,
)
from subsidies.applications.models import DecisionNotice, DocumentRule
from subsidies.applications.services import review as svc
from subsidies.applications.tokens import DocumentKind, DocumentRef, document_token
from tests.factories import ElderFactory

from .factories import at, walk

MONDAY = datetime.date(2026, 3, 2)
pytestmark = pytest.mark.django_db


def _text(data: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    """pdftotext breaks long lines where the page does: read the text as one line."""
    return "".join(text.split())


def _file(tree, scheme, users, *, name, birth_date=datetime.date(1950, 3, 15), categories=None):
    elder = ElderFactory(community=tree.a1, name=name, birth_date=birth_date)
    return svc.application_file(
        elder=elder,
        scheme=scheme,
        categories=categories or [DifficultyCategory.LOW_INCOME],
        care_situation="non_self_care",
        by=users["community"],
    )


def _approve(tree, scheme, users, capture, *, name, **kwargs):
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        with capture(execute=True):
            return walk(_file(tree, scheme, users, name=name, **kwargs), users, until="approved", traveller=traveller)


def _reject(tree, scheme, users, capture, *, name, day=MONDAY):
    with time_machine.travel(at(MONDAY), tick=False) as traveller:
        app = walk(_file(tree, scheme, users, name=name), users, until="community_review")
        traveller.move_to(at(day))
        with capture(execute=True):
            return svc.application_reject(application=app, by=users["community"], opinion="家庭人均收入超过低保标准")


def test_decisions_are_numbered_in_the_districts_sequence_of_the_year(
    tree, scheme, batch, users, tmp_path, django_capture_on_commit_callbacks
):
    first = _approve(tree, scheme, users, django_capture_on_commit_callbacks, name="王秀英")
    second = _reject(tree, scheme, users, django_capture_on_commit_callbacks, name="李秀兰")
    notices = [DecisionNotice.objects.get(application=app) for app in (first, second)]
    assert [n.number for n in notices] == ["江民养〔2026〕第001号", "江民养〔2026〕第002号"]
    assert "江民养〔2026〕第001号" in _text(notices[0].file.read(), tmp_path)
    assert "江民养〔2026〕第002号" in _text(notices[1].file.read(), tmp_path)
    # A decision of the new year starts again at 001.
    third = _reject(
        tree, scheme, users, django_capture_on_commit_callbacks, name="赵桂芳", day=datetime.date(2027, 1, 5)
    )
    assert DecisionNotice.objects.get(application=third).number == "江民养〔2027〕第001号"


def test_the_districts_own_rule_sets_prefix_width_issuer_and_review_body(
    tree, scheme, batch, users, tmp_path, django_capture_on_commit_callbacks
):
    DocumentRule.objects.create(
        district=tree.district,
        number_prefix="江民养补",
        number_width=4,
        issuing_body="扬州市江都区民政局",
        review_body="扬州市江都区人民政府",
    )
    app = _reject(tree, scheme, users, django_capture_on_commit_callbacks, name="李秀兰")
    notice = DecisionNotice.objects.get(application=app)
    text = _flat(_text(notice.file.read(), tmp_path))
    assert "江民养补〔2026〕第0001号" in text
    assert "扬州市江都区民政局" in text
    assert "向扬州市江都区人民政府申请行政复议" in text
    # The number and the signature stay as given when the rule changes afterwards.
    DocumentRule.objects.filter(district=tree.district).update(number_prefix="新前缀", issuing_body="另一机关")
    notice.refresh_from_db()
    assert (notice.number, notice.issuing_body) == ("江民养补〔2026〕第0001号", "扬州市江都区民政局")


def test_rejection_states_the_legal_remedy_in_full(
    tree, scheme, batch, users, tmp_path, django_capture_on_commit_callbacks
):
    app = _reject(tree, scheme, users, django_capture_on_commit_callbacks, name="李秀兰")
    text = _flat(_text(DecisionNotice.objects.get(application=app).file.read(), tmp_path))
    assert (
        "如不服本决定，可在收到本决定书之日起六十日内向江都区人民政府申请行政复议，或者在六个月内向人民法院提起行政诉讼。"
        in text
    )
    assert "江都区民政局" in text and "2026年3月2日" in text


def test_approval_states_the_standard_in_plain_words(
    tree, scheme, batch, users, tmp_path, django_capture_on_commit_callbacks
):
    # 85 in April 2026, low-income, assessed disabled (walk's scores: 35 points, 重度失能): 260 a
    # month as an elder in difficulty; the 60 of the 80+ row is not added.
    app = _approve(
        tree, scheme, users, django_capture_on_commit_callbacks, name="王秀英", birth_date=datetime.date(1941, 2, 1)
    )
    assert app.standard_amount.amount == 260
    text = _flat(_text(DecisionNotice.objects.get(application=app).file.read(), tmp_path))
    assert "您属于低保对象，经评估为失能，每月补助260元；80周岁以上高龄补贴60元与本补助不叠加，按较高标准享受。" in text
    assert "→" not in text  # not the formula


def test_approval_form_carries_the_three_opinions_and_the_full_id_number_logged(
    tree, scheme, batch, users, client, tmp_path, django_capture_on_commit_callbacks
):
    app = _approve(tree, scheme, users, django_capture_on_commit_callbacks, name="王秀英")
    users["community"].full_name = "陈社工"
    users["community"].save()
    users["street"].full_name = "周审核"
    users["street"].save()
    users["district"].full_name = "吴科长"
    users["district"].save()
    client.force_login(users["district"])
    response = client.get(reverse("subsidies:approval_form", args=[app.pk]))
    assert response.status_code == 200
    text = _flat(_text(response.content, tmp_path))
    assert "王秀英" in text
    assert app.elder.id_number in text
    # The opinions of the community, the street office and the district, by whom and when.
    forward, street, approve = (app.events.get(action=a) for a in ("forward", "street_approve", "approve"))
    assert "公示无异议，同意上报" in text and "陈社工" in text
    assert "周审核" in text and "吴科长" in text and "同意核准" in text
    for event in (forward, street, approve):
        day = event.at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date()
        assert f"{day.year}年{day.month}月{day.day}日" in text
    assert text.index("陈社工") < text.index("周审核") < text.index("吴科长")
    assert "重度失能" in text  # the assessment result
    assert "江民养〔2026〕第001号" in text
    assert RevealLog.objects.filter(user=users["district"], elder=app.elder, field="id_number").count() == 1


def test_approval_form_link_on_the_case_page(tree, scheme, batch, users, client):
    with time_machine.travel(at(MONDAY), tick=False):
        app = _file(tree, scheme, users, name="王秀英")
    client.force_login(users["community"])
    page = client.get(app.get_absolute_url()).content.decode()
    assert reverse("subsidies:approval_form", args=[app.pk]) in page
    client.force_login(users["community_b"])
    assert client.get(reverse("subsidies:approval_form", args=[app.pk])).status_code == 404
    assert not RevealLog.objects.exists()


def _path(url: str) -> str:
    return urlsplit(url).path


def test_verify_page_confirms_a_genuine_decision_with_the_name_masked(
    tree, scheme, batch, users, client, django_capture_on_commit_callbacks
):
    app = _approve(tree, scheme, users, django_capture_on_commit_callbacks, name="王秀英")
    notice = DecisionNotice.objects.get(application=app)
    url = decision_notice_context(notice)["verify_url"]
    assert _path(url).startswith("/verify/")
    response = client.get(_path(url))  # no login
    assert response.status_code == 200
    page = response.content.decode()
    assert "江民养〔2026〕第001号" in page
    assert "王*英" in page and "王秀英" not in page
    assert "江都区民政局" in page
    assert app.decided_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d") in page
    assert app.elder.id_masked not in page and "龙川路" not in page


def test_verify_page_refuses_a_tampered_or_unknown_token(
    tree, scheme, batch, users, client, django_capture_on_commit_callbacks
):
    app = _approve(tree, scheme, users, django_capture_on_commit_callbacks, name="王秀英")
    notice = DecisionNotice.objects.get(application=app)
    token = document_token(DocumentRef(DocumentKind.DECISION, (notice.pk,)))
    value, signature = token.rsplit(":", 1)
    forged = f"d.{notice.pk + 1}:{signature}"  # another document's id under this signature
    for bad in (forged, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense"):
        response = client.get(reverse("document_verify", args=[bad]))
        assert response.status_code == 404
        assert "江民养" not in response.content.decode() and "王*英" not in response.content.decode()
    # Genuinely signed but naming no document.
    missing = document_token(DocumentRef(DocumentKind.DECISION, (notice.pk + 100,)))
    assert client.get(reverse("document_verify", args=[missing])).status_code == 404


def test_notice_list_and_batch_notice_codes_open_their_verification(tree, scheme, batch, users, client):
    with time_machine.travel(at(MONDAY), tick=False):
        context = notice_list_context(batch=batch, community=tree.a1, applications=[])
        response = client.get(_path(context["verify_url"]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "2026年上半年集中申报" in page and "龙川街道 龙川社区" in page and "2026-03-02" in page
        response = client.get(_path(batch_notice_context(batch=batch, slots=[])["verify_url"]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "2026年上半年集中申报" in page and "江都区民政局" in page and "2026-01-01" in page
