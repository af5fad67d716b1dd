"""Towns' quarterly satisfaction surveys (one answer per elder asked, or an Excel import), the
rectification that a rate below 80 % opens, and its answer / accept / reject flow."""

import datetime
import io

import openpyxl
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.exports import XLSX
from eldercare.importing import EXAMPLE_ID, EXAMPLE_NAME
from eldercare.periods import Quarter
from eldercare.pickers import ElderChoiceField
from eldercare.workdays import add_workdays
from providers import nav, quality, rules
from providers.models import Rectification, RectificationStep, SatisfactionSurvey, ServiceAgreement, SurveyAnswer
from tests.factories import ElderFactory
from tests.files import fake_pdf_upload, pdf_bytes, png_bytes

from .conftest import SHANGHAI
from .factories import make_provider

pytestmark = pytest.mark.django_db

Q1 = Quarter(2026, 1)  # the clock stands on Tuesday 10 March 2026


def PICKER_ERROR() -> str:  # noqa: N802 - the picker's own message, in the active language
    return str(ElderChoiceField.default_error_messages["invalid_choice"])


PDF = pdf_bytes()


def served(world, tree, n, community=None, provider=None):
    """n more elders of street A served by the provider (besides world.elder and world.elder2)."""
    elders = []
    for _ in range(n):
        e = ElderFactory(community=community or tree.a1)
        ServiceAgreement.objects.create(
            elder=e, provider=provider or world.provider, signed_on=datetime.date(2025, 6, 1)
        )
        elders.append(e)
    return elders


def survey_with(world, users, elders, satisfied: int) -> SatisfactionSurvey:
    survey = quality.survey_open(provider=world.provider, street=world_street(world), quarter=Q1, by=users["street"])
    for i, elder in enumerate(elders):
        quality.survey_answer_record(
            survey=survey, elder=elder, satisfied=i < satisfied, asked_on=datetime.date(2026, 3, 9), by=users["street"]
        )
    return survey


def world_street(world):
    return world.provider.streets.get()


def evidence(name="整改报告.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- the rate and the rectification ---------------------------------------------------------


def test_three_of_four_satisfied_is_75_percent_and_opens_a_rectification(world, users, tree):
    elders = [world.elder, world.elder2, *served(world, tree, 2)]
    survey = survey_with(world, users, elders, satisfied=3)
    assert survey.status == SatisfactionSurvey.Status.OPEN and not Rectification.objects.exists()

    survey = quality.survey_submit(survey=survey, by=users["street"])

    survey.refresh_from_db()
    assert (survey.status, survey.surveyed, survey.satisfied) == ("submitted", 4, 3)
    assert str(survey.rate) == "75.0"
    assert survey.submitted_at == datetime.datetime(2026, 3, 10, 8, 30, tzinfo=SHANGHAI)
    rect = survey.rectification
    assert rect.status == Rectification.Status.OPEN and rect.provider == world.provider
    # Submitted on Tuesday 10 March 2026; 20 working days later (Qingming, 4–6 April, is skipped).
    assert rect.deadline == add_workdays(datetime.date(2026, 3, 10), rules.RECTIFICATION_WORKDAYS)
    assert rect.deadline == datetime.date(2026, 4, 8)


def test_four_of_five_is_80_percent_and_opens_none(world, users, tree):
    elders = [world.elder, world.elder2, *served(world, tree, 3)]
    survey = quality.survey_submit(survey=survey_with(world, users, elders, satisfied=4), by=users["street"])
    assert (survey.surveyed, survey.satisfied, str(survey.rate)) == (5, 4, "80.0")
    assert not Rectification.objects.exists()


def test_submitting_needs_an_answer_happens_once_and_freezes_the_answers(world, users, tree):
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    with pytest.raises(ValidationFailed):
        quality.survey_submit(survey=survey, by=users["street"])
    quality.survey_answer_record(
        survey=survey, elder=world.elder, satisfied=True, asked_on=datetime.date(2026, 3, 2), by=users["street"]
    )
    with pytest.raises(NotAllowed):
        quality.survey_submit(survey=survey, by=users["street_b"])
    quality.survey_submit(survey=survey, by=users["street"])
    with pytest.raises(Conflict):
        quality.survey_submit(survey=survey, by=users["street"])
    with pytest.raises(Conflict):
        quality.survey_answer_record(
            survey=survey, elder=world.elder2, satisfied=False, asked_on=datetime.date(2026, 3, 2), by=users["street"]
        )
    with pytest.raises(Conflict):
        quality.survey_answer_remove(answer=survey.answers.get(), by=users["street"])
    assert SurveyAnswer.objects.count() == 1


# --- opening and entering -------------------------------------------------------------------


def test_only_the_town_of_the_street_opens_one_survey_a_quarter_of_a_provider_serving_it(world, users, tree):
    with pytest.raises(NotAllowed):
        quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street_b"])
    with pytest.raises(NotAllowed):
        quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["district"])
    with pytest.raises(ValidationFailed):  # world.provider serves street A only
        quality.survey_open(provider=world.provider, street=tree.street_b, quarter=Q1, by=users["street_b"])
    with pytest.raises(ValidationFailed):
        quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Quarter(2026, 2), by=users["street"])
    quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    with pytest.raises(Conflict):
        quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    # The previous quarter may still be surveyed.
    quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Quarter(2025, 4), by=users["street"])
    assert SatisfactionSurvey.objects.count() == 2


def test_only_elders_of_the_street_served_by_the_provider_in_the_quarter_can_answer(world, users, tree):
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    (other_street,) = served(world, tree, 1, community=tree.b1)
    (other_provider,) = served(world, tree, 1, provider=world.other)
    (ended,) = served(world, tree, 1)
    ServiceAgreement.objects.filter(elder=ended).update(ends_on=datetime.date(2025, 12, 31))
    (ended_in_quarter,) = served(world, tree, 1)
    ServiceAgreement.objects.filter(elder=ended_in_quarter).update(ends_on=datetime.date(2026, 2, 1))
    (signed_later,) = served(world, tree, 1)
    ServiceAgreement.objects.filter(elder=signed_later).update(signed_on=datetime.date(2026, 4, 1))

    eligible = set(quality.survey_elders(survey=survey))
    assert eligible == {world.elder, world.elder2, ended_in_quarter}
    for elder in (other_street, other_provider, ended, signed_later):
        with pytest.raises(ValidationFailed):
            quality.survey_answer_record(
                survey=survey, elder=elder, satisfied=True, asked_on=datetime.date(2026, 3, 2), by=users["street"]
            )
    ask = dict(survey=survey, elder=world.elder, satisfied=True, by=users["street"])
    with pytest.raises(ValidationFailed):  # in the future
        quality.survey_answer_record(asked_on=datetime.date(2026, 3, 11), **ask)
    with pytest.raises(ValidationFailed):  # before the quarter
        quality.survey_answer_record(asked_on=datetime.date(2025, 12, 31), **ask)
    with pytest.raises(NotAllowed):
        quality.survey_answer_record(
            survey=survey, elder=world.elder, satisfied=True, asked_on=datetime.date(2026, 3, 2), by=users["street_b"]
        )
    quality.survey_answer_record(asked_on=datetime.date(2026, 3, 2), **ask)
    with pytest.raises(Conflict):
        quality.survey_answer_record(asked_on=datetime.date(2026, 3, 3), **ask)
    assert survey.answers.count() == 1


# --- import ---------------------------------------------------------------------------------


def xlsx(rows, columns=quality.IMPORT_COLUMNS) -> SimpleUploadedFile:
    out = io.BytesIO()
    pd.DataFrame(rows, columns=list(columns)).to_excel(out, index=False)
    return SimpleUploadedFile("answers.xlsx", out.getvalue())


def test_the_template_opens_in_pandas_with_the_columns_grid_workers_fill():
    frame = pd.read_excel(io.BytesIO(quality.survey_import_template(today=datetime.date(2026, 3, 10))), dtype=str)
    assert list(frame.columns) == ["身份证号", "姓名", "是否满意", "询问日期", "备注"]
    assert frame.iloc[0]["是否满意"] == "满意"


def test_the_downloaded_template_imports_its_example_row_and_explains_each_column(client, world, users, tree):
    # Given the template's example elder, served by the provider in the street surveyed
    elder = ElderFactory(community=tree.a1, name=EXAMPLE_NAME, id_number=EXAMPLE_ID)
    ServiceAgreement.objects.create(elder=elder, provider=world.provider, signed_on=datetime.date(2025, 6, 1))
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    client.force_login(users["street"])
    response = client.get(reverse("providers:survey_import_template"))
    assert response["Content-Type"] == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    grid, notes = book.worksheets
    assert [c.value for c in grid[1]] == list(quality.IMPORT_COLUMNS)
    assert notes.title == "说明"
    explained = {row[0]: row[1:] for row in notes.iter_rows(min_row=2, values_only=True)}
    assert explained["是否满意"] == ("是", "满意、不满意") and explained["备注"][0] == "否"
    # When the template is uploaded as it is, its example row is the answer recorded
    upload = SimpleUploadedFile("template.xlsx", response.content)
    try:
        created = quality.survey_answers_import(survey=survey, upload=upload, by=users["street"])
    except quality.SurveyImportFailed as exc:
        raise AssertionError(exc.errors) from exc
    assert [(a.elder, a.satisfied, a.asked_on) for a in created] == [(elder, True, datetime.date(2026, 3, 10))]


def test_only_those_who_enter_surveys_download_the_template(client, world, users):
    client.force_login(world.admin)
    assert client.get(reverse("providers:survey_import_template")).status_code == 403


def test_import_writes_every_row_or_nothing_with_row_errors_in_chinese(world, users, tree):
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    a, b = served(world, tree, 2)
    (stranger,) = served(world, tree, 1, provider=world.other)
    bad = xlsx(
        [
            [world.elder.id_number, world.elder.name, "满意", "2026-03-02", ""],  # row 2: fine
            ["321012194005010000", "某某", "满意", "2026-03-02", ""],  # 3: check character wrong
            [a.id_number, "别人", "满意", "2026-03-02", ""],  # 4: name does not match
            [b.id_number, b.name, "还行", "2026/3/2", ""],  # 5: not 满意/不满意
            [world.elder2.id_number, world.elder2.name, "不满意", "三月", ""],  # 6: no date
            [stranger.id_number, stranger.name, "满意", "2026-03-02", ""],  # 7: not served by this provider
            [world.elder.id_number, world.elder.name, "不满意", "2026-03-03", ""],  # 8: same as row 2
            [a.id_number.lower(), a.name, "满意", "2026-04-01", ""],  # 9: in the future
        ]
    )
    with pytest.raises(quality.SurveyImportFailed) as failed:
        quality.survey_answers_import(survey=survey, upload=bad, by=users["street"])
    errors = failed.value.errors
    assert [e.split("：")[0] for e in errors] == ["第3行", "第4行", "第5行", "第6行", "第7行", "第8行", "第9行"]
    assert "姓名与身份证号不符" in errors[1]
    assert "满意" in errors[2] and "不满意" in errors[2]
    assert "与第2行为同一老人" in errors[5]
    assert "未保存任何数据" in failed.value.message
    assert not SurveyAnswer.objects.exists()

    good = xlsx(
        [
            [world.elder.id_number, world.elder.name, "满意", "2026-03-02", "送餐准时"],
            [a.id_number, a.name, "不满意", datetime.datetime(2026, 3, 3), ""],  # an Excel date cell
            [b.id_number, b.name, "满意", "2026/3/4", ""],
        ]
    )
    created = quality.survey_answers_import(survey=survey, upload=good, by=users["street"])
    assert len(created) == 3
    got = {x.elder_id: (x.satisfied, x.asked_on, x.note) for x in survey.answers.all()}
    assert got == {
        world.elder.pk: (True, datetime.date(2026, 3, 2), "送餐准时"),
        a.pk: (False, datetime.date(2026, 3, 3), ""),
        b.pk: (True, datetime.date(2026, 3, 4), ""),
    }
    with pytest.raises(quality.SurveyImportFailed) as again:  # the same people twice
        quality.survey_answers_import(survey=survey, upload=good, by=users["street"])
    assert len(again.value.errors) == 3 and "已答复过" in again.value.errors[0]


def test_import_refuses_a_file_that_is_not_a_workbook_or_lacks_columns(world, users, tree):
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    with pytest.raises(ValidationFailed) as not_xlsx:
        quality.survey_answers_import(survey=survey, upload=evidence(), by=users["street"])
    assert "Excel" in not_xlsx.value.message
    with pytest.raises(ValidationFailed) as columns:
        quality.survey_answers_import(
            survey=survey, upload=xlsx([["x", "满意"]], columns=["姓名", "是否满意"]), by=users["street"]
        )
    assert "身份证号" in columns.value.message and "询问日期" in columns.value.message
    with pytest.raises(NotAllowed):
        quality.survey_answers_import(survey=survey, upload=xlsx([]), by=users["street_b"])


# --- the rectification flow -----------------------------------------------------------------


@pytest.fixture
def rectification(world, users, tree) -> Rectification:
    elders = [world.elder, world.elder2, *served(world, tree, 2)]
    survey = quality.survey_submit(survey=survey_with(world, users, elders, satisfied=3), by=users["street"])
    return survey.rectification


def test_provider_answers_with_evidence_town_rejects_then_accepts(world, users, rectification, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(NotAllowed):
        quality.rectification_answer(
            rectification=rectification, text="已更换护理员", evidence=evidence(), by=world.other_admin
        )
    with pytest.raises(NotAllowed):
        quality.rectification_answer(
            rectification=rectification, text="已更换护理员", evidence=evidence(), by=users["street"]
        )
    with pytest.raises(ValidationFailed):
        quality.rectification_answer(rectification=rectification, text="已更换护理员", evidence=None, by=world.admin)
    with pytest.raises(ValidationFailed):
        quality.rectification_answer(rectification=rectification, text=" ", evidence=evidence(), by=world.admin)
    with pytest.raises(Conflict):  # nothing to decide yet
        quality.rectification_accept(rectification=rectification, resolution="", by=users["street"])

    quality.rectification_answer(rectification=rectification, text="已更换护理员", evidence=evidence(), by=world.admin)
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.ANSWERED
    with pytest.raises(Conflict):
        quality.rectification_answer(rectification=rectification, text="again", evidence=evidence(), by=world.admin)
    with pytest.raises(NotAllowed):
        quality.rectification_accept(rectification=rectification, resolution="", by=users["street_b"])
    with pytest.raises(NotAllowed):
        quality.rectification_accept(rectification=rectification, resolution="", by=users["district"])
    with pytest.raises(ValidationFailed):
        quality.rectification_reject(rectification=rectification, reason="  ", by=users["street"])

    quality.rectification_reject(rectification=rectification, reason="未见培训记录", by=users["street"])
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN
    assert rectification.deadline == datetime.date(2026, 4, 8)  # the deadline does not move

    quality.rectification_answer(
        rectification=rectification, text="补充培训签到表", evidence=evidence("签到.png", PNG), by=world.admin
    )
    quality.rectification_accept(rectification=rectification, resolution="整改到位", by=users["street"])
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.RESOLVED
    assert rectification.resolution == "整改到位"
    assert rectification.resolved_at == datetime.datetime(2026, 3, 10, 8, 30, tzinfo=SHANGHAI)
    steps = list(rectification.steps.values_list("kind", "text", "by"))
    assert steps == [
        ("answer", "已更换护理员", world.admin.pk),
        ("reject", "未见培训记录", users["street"].pk),
        ("answer", "补充培训签到表", world.admin.pk),
        ("accept", "整改到位", users["street"].pk),
    ]
    answers = RectificationStep.objects.filter(kind="answer").order_by("id")
    assert [s.evidence.name.rsplit(".", 1)[-1] for s in answers] == ["pdf", "png"]
    assert answers[0].evidence.read() == PDF
    with pytest.raises(Conflict):
        quality.rectification_reject(rectification=rectification, reason="x", by=users["street"])


PNG = png_bytes()


def test_evidence_is_a_pdf_or_image_of_at_most_10_mb(world, rectification, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(ValidationFailed) as wrong:
        quality.rectification_answer(
            rectification=rectification,
            text="x",
            evidence=evidence("report.pdf", b"MZ\x90\x00 not a pdf"),
            by=world.admin,
        )
    assert "“report.pdf”" in wrong.value.message
    with pytest.raises(ValidationFailed, match="“整改报告.pdf”"):
        quality.rectification_answer(
            rectification=rectification, text="x", evidence=fake_pdf_upload("整改报告.pdf"), by=world.admin
        )
    settings.UPLOAD_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationFailed):
        quality.rectification_answer(rectification=rectification, text="x", evidence=evidence(), by=world.admin)
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN and not rectification.steps.exists()


def test_only_an_open_rectification_past_its_deadline_is_overdue(
    world, users, rectification, clock, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    day_after = datetime.date(2026, 4, 9)
    assert not quality.is_overdue(rectification, datetime.date(2026, 4, 8))
    assert quality.is_overdue(rectification, day_after)
    quality.rectification_answer(rectification=rectification, text="已整改", evidence=evidence(), by=world.admin)
    rectification.refresh_from_db()
    assert not quality.is_overdue(rectification, day_after)  # awaiting the town is not the provider's delay
    assert not Rectification.objects.filter(quality.rectification_overdue_q(day_after)).exists()
    quality.rectification_reject(rectification=rectification, reason="不实", by=users["street"])
    assert Rectification.objects.filter(quality.rectification_overdue_q(day_after)).get() == rectification


def test_survey_record_of_paper_totals_uses_the_same_rule(world, users, tree):
    survey = quality.survey_record(
        provider=world.provider, street=tree.street_a, quarter=Q1, surveyed=4, satisfied=3, by=users["street"]
    )
    assert survey.status == "submitted" and survey.rectification.deadline == datetime.date(2026, 4, 8)
    with pytest.raises(Conflict):
        quality.survey_record(
            provider=world.provider, street=tree.street_a, quarter=Q1, surveyed=5, satisfied=4, by=users["street"]
        )


# --- scoping --------------------------------------------------------------------------------


def test_lists_are_scoped_to_the_street_or_the_provider(world, users, tree, rectification):
    other = make_provider(tree, name="邻街服务社", streets=[tree.street_b])
    with pytest.raises(ValidationFailed) as exc:  # it served nobody there yet: nobody to ask
        quality.survey_open(provider=other, street=tree.street_b, quarter=Q1, by=users["street_b"])
    assert "邻街服务社" in exc.value.message and not SatisfactionSurvey.objects.filter(provider=other).exists()
    ServiceAgreement.objects.create(
        elder=ElderFactory(community=tree.b1), provider=other, signed_on=datetime.date(2026, 1, 5)
    )
    quality.survey_open(provider=other, street=tree.street_b, quarter=Q1, by=users["street_b"])
    mine = rectification.survey
    assert list(quality.survey_list(user=users["street"])) == [mine]
    assert list(quality.survey_list(user=world.admin)) == [mine]
    assert not quality.survey_list(user=world.other_admin).exists()
    assert not quality.survey_list(user=users["community"]).exists()
    assert quality.survey_list(user=users["district"]).count() == 2
    assert list(quality.rectification_list(user=users["street"])) == [rectification]
    assert not quality.rectification_list(user=users["street_b"]).exists()
    assert not quality.rectification_list(user=world.other_admin).exists()
    assert list(quality.rectifications_to_answer(user=world.admin)) == [rectification]
    assert not quality.rectifications_to_decide(user=users["street"]).exists()


# --- pages ----------------------------------------------------------------------------------


def test_town_opens_enters_and_submits_from_the_pages(client, world, users, tree):
    extra = served(world, tree, 2)
    client.force_login(users["street"])
    home = client.get(reverse("home")).content.decode()
    assert reverse("providers:survey_list") in home and "满意度测评" in home
    page = client.get(reverse("providers:survey_list"))
    assert world.provider.name in page.content.decode()
    r = client.post(
        reverse("providers:survey_list"),
        {"street": tree.street_a.pk, "provider": world.provider.pk, "quarter": "2026Q1"},
    )
    survey = SatisfactionSurvey.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("providers:survey_detail", args=[survey.pk])
    url = reverse("providers:survey_detail", args=[survey.pk])
    for i, elder in enumerate([world.elder, world.elder2, *extra]):
        r = client.post(url, {"elder": elder.pk, "satisfied": "1" if i < 3 else "0", "asked_on": "2026-03-09"})
        assert r.status_code == 302
    # An elder of another street is not a choice: a form error in Chinese, not a 404.
    stranger = ElderFactory(community=tree.b1)
    r = client.post(url, {"elder": stranger.pk, "satisfied": "1", "asked_on": "2026-03-09"})
    assert r.status_code == 200 and r.context["answer_form"].errors["elder"] == [PICKER_ERROR()]
    r = client.post(reverse("providers:survey_submit", args=[survey.pk]), follow=True)
    text = r.content.decode()
    assert "75.0%" in text and "2026-04-08" in text
    rect = Rectification.objects.get()
    assert reverse("providers:rectification_detail", args=[rect.pk]) in text


def test_town_of_another_street_gets_404_and_cannot_write(client, world, users, tree, rectification):
    client.force_login(users["street_b"])
    survey = rectification.survey
    assert client.get(reverse("providers:survey_detail", args=[survey.pk])).status_code == 404
    assert client.post(reverse("providers:survey_submit", args=[survey.pk])).status_code == 404
    assert client.get(reverse("providers:rectification_detail", args=[rectification.pk])).status_code == 404


def test_provider_answers_from_its_work_list_and_town_accepts(client, world, users, rectification, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    detail = reverse("providers:rectification_detail", args=[rectification.pk])
    client.force_login(world.admin)
    home = client.get(reverse("home")).content.decode()
    assert "待答复的整改" in home and detail in home
    page = client.get(detail).content.decode()
    assert 'id="answer-form"' in page and 'id="decision-form"' not in page
    r = client.post(
        reverse("providers:rectification_answer", args=[rectification.pk]),
        {"text": "已约谈护理员", "evidence": fake_pdf_upload("约谈记录.pdf")},
    )
    # The form comes back with the refusal, which names the file; nothing is answered.
    assert r.status_code == 200 and "“约谈记录.pdf”" in r.content.decode()
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN and not rectification.steps.exists()
    r = client.post(
        reverse("providers:rectification_answer", args=[rectification.pk]),
        {"text": "已约谈护理员", "evidence": evidence()},
    )
    assert r.status_code == 302
    step = rectification.steps.get()
    assert client.get(reverse("providers:rectification_evidence", args=[step.pk])).status_code == 200

    client.force_login(users["street"])
    home = client.get(reverse("home")).content.decode()
    assert "待审核的整改答复" in home and detail in home
    assert 'id="decision-form"' in client.get(detail).content.decode()
    r = client.post(reverse("providers:rectification_decide", args=[rectification.pk]), {"decision": "reject"})
    assert r.status_code == 200 and "请填写退回理由" in r.content.decode()
    r = client.post(
        reverse("providers:rectification_decide", args=[rectification.pk]), {"decision": "accept", "text": "整改到位"}
    )
    assert r.status_code == 302
    rectification.refresh_from_db()
    assert rectification.status == "resolved" and rectification.resolution == "整改到位"

    client.force_login(world.other_admin)
    assert client.get(reverse("providers:rectification_evidence", args=[step.pk])).status_code == 404


def test_overdue_rectification_page_shows_the_grounds_for_the_district(client, world, users, rectification, clock):
    clock.move_to(datetime.datetime(2026, 4, 9, 9, 0, tzinfo=SHANGHAI))
    client.force_login(users["district"])
    page = client.get(reverse("providers:rectification_detail", args=[rectification.pk])).content.decode()
    assert 'id="termination-grounds"' in page
    assert "75.0%" in page and "2026-04-08" in page and "终止服务商资格的依据" in page
    assert reverse("providers:provider_detail", args=[world.provider.pk]) in page
    clock.move_to(datetime.datetime(2026, 4, 8, 9, 0, tzinfo=SHANGHAI))
    page = client.get(reverse("providers:rectification_detail", args=[rectification.pk])).content.decode()
    assert 'id="termination-grounds"' not in page


def test_districts_overdue_panel_leads_to_the_rectification_with_its_grounds(world, users, rectification, clock):
    def overdue_panel():
        with translation.override("zh-hans"):
            return next(p for p in nav.worklist(users["district"]) if str(p.title) == "逾期未整改")

    assert overdue_panel().count == 0
    clock.move_to(datetime.datetime(2026, 4, 9, 9, 0, tzinfo=SHANGHAI))
    panel = overdue_panel()
    assert panel.count == 1
    assert panel.rows[0]["url"] == reverse("providers:rectification_detail", args=[rectification.pk])
    assert panel.rows[0]["detail"] == "2026-04-08"


def test_import_page_lists_row_errors_and_template_downloads(client, world, users, tree):
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    client.force_login(users["street"])
    r = client.get(reverse("providers:survey_import_template"))
    assert list(pd.read_excel(io.BytesIO(r.content)).columns)[:4] == ["身份证号", "姓名", "是否满意", "询问日期"]
    r = client.post(
        reverse("providers:survey_import", args=[survey.pk]),
        {"file": xlsx([[world.elder.id_number, "错名", "满意", "2026-03-02", ""]])},
    )
    assert r.status_code == 200 and "第2行：姓名与身份证号不符" in r.content.decode()
    r = client.post(
        reverse("providers:survey_import", args=[survey.pk]),
        {"file": xlsx([[world.elder.id_number, world.elder.name, "满意", "2026-03-02", ""]])},
    )
    assert r.status_code == 302 and survey.answers.count() == 1


def test_community_callback_picks_the_elder_and_a_wrong_choice_is_a_form_error(client, users, tree):
    mine = ElderFactory(community=tree.a1, name="赵桂英")
    elsewhere = ElderFactory(community=tree.b1, name="钱桂英")
    client.force_login(users["community"])
    url = reverse("providers:community_contacts")
    assert "data-elder-picker" in client.get(url).content.decode()
    data = {"kind": "call", "contacted_on": "2026-03-02", "result": "satisfied"}
    # Searching without JavaScript: only the elders of the worker's community are offered.
    r = client.post(url, {**data, "elder__q": "桂英", "elder__search": "1"})
    options = r.context["form"].fields["elder"].widget.get_context("elder", None, {})["widget"]["options"]
    assert [o["id"] for o in options] == [mine.pk]
    r = client.post(url, {**data, "elder": elsewhere.pk})
    assert r.status_code == 200 and r.context["form"].errors["elder"] == [PICKER_ERROR()]
    assert not elsewhere.community_contacts.exists()
    r = client.post(url, {**data, "elder": mine.pk})
    assert r.status_code == 302 and mine.community_contacts.count() == 1


def test_survey_picker_offers_only_the_elders_the_survey_may_ask(client, world, users, tree):
    survey = quality.survey_open(provider=world.provider, street=tree.street_a, quarter=Q1, by=users["street"])
    (other_provider,) = served(world, tree, 1, provider=world.other)
    client.force_login(users["street"])
    url = reverse("providers:survey_detail", args=[survey.pk])
    r = client.post(url, {"elder__q": "老人", "elder__search": "1", "satisfied": "1", "asked_on": "2026-03-09"})
    options = r.context["answer_form"].fields["elder"].widget.get_context("elder", None, {})["widget"]["options"]
    assert sorted(o["id"] for o in options) == sorted([world.elder.pk, world.elder2.pk])
    assert other_provider.pk not in [o["id"] for o in options]


def test_menu_entry_for_the_town_and_not_for_the_community(client, users):
    client.force_login(users["street"])
    assert reverse("providers:survey_list") in client.get(reverse("home")).content.decode()
    client.force_login(users["community"])
    assert reverse("providers:survey_list") not in client.get(reverse("home")).content.decode()


def test_provider_admin_reads_its_surveys_but_cannot_open_one(client, world, users, tree):
    client.force_login(world.admin)
    assert client.get(reverse("providers:survey_list")).status_code == 200
    r = client.post(
        reverse("providers:survey_list"),
        {"street": tree.street_a.pk, "provider": world.provider.pk, "quarter": "2026Q1"},
    )
    assert r.status_code == 403 and not SatisfactionSurvey.objects.exists()


# --- who is told ----------------------------------------------------------------------------


def test_each_rectification_step_tells_the_next_actor_once(world, users, rectification, settings, tmp_path):
    from eldercare.models import Notification

    settings.MEDIA_ROOT = tmp_path
    url = reverse("providers:rectification_detail", args=[rectification.pk])

    def told(user):
        return Notification.objects.filter(user=user, url=url).count()

    # Opened: the provider's administrators, nobody else.
    assert told(world.admin) == 1
    assert (told(world.other_admin), told(users["street"]), told(users["district"])) == (0, 0, 0)

    quality.rectification_answer(rectification=rectification, text="已更换护理员", evidence=evidence(), by=world.admin)
    assert told(users["street"]) == 1
    assert (told(users["street_b"]), told(world.admin), told(world.other_admin)) == (0, 1, 0)

    quality.rectification_reject(rectification=rectification, reason="未见培训记录", by=users["street"])
    assert told(world.admin) == 2
    assert Notification.objects.filter(user=world.admin, url=url, message__contains="未见培训记录").count() == 1
    assert told(users["street"]) == 1

    quality.rectification_answer(
        rectification=rectification, text="补充培训签到表", evidence=evidence("签到.png", PNG), by=world.admin
    )
    assert told(users["street"]) == 2
    quality.rectification_accept(rectification=rectification, resolution="整改到位", by=users["street"])
    assert (told(world.admin), told(users["street"])) == (2, 2)
