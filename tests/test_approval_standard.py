"""The district's approval states the standard the elder receives (scheme A: elders in difficulty
80/150/260 by care level, 80+ after assessment 60, one standard only), or is refused naming the
rule that gives none."""

import datetime
import random

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from djmoney.money import Money
from rest_framework.test import APIClient

from devtools.demo import applications as applications_demo
from devtools.demo import core as core_demo
from eldercare.models import DifficultyCategory
from eldercare.periods import Month
from subsidies.applications.documents import decision_notice_context, decision_notice_generate
from subsidies.applications.models import Application, ApplicationEvent, DecisionNotice
from subsidies.applications.services import review as svc
from subsidies.applications.services.assessments import assessment_record
from subsidies.applications.services.batches import batch_approve
from subsidies.applications.services.review import NoStandard
from subsidies.standards.models import Entitlement, RunRefusal
from subsidies.standards.services.policies import load_policies
from tests.factories import ElderFactory
from tests.subsidies.factories import at, open_batch, scheme_for, walk

pytestmark = pytest.mark.django_db

FILED = datetime.date(2026, 3, 2)
SCORES_SEMI_DISABLED = {"self_care": 18, "mobility": 8, "mental": 14, "perception_social": 10}  # 50: 中度失能
SCORES_SELF_CARE = {"self_care": 32, "mobility": 16, "mental": 24, "perception_social": 18}  # 90: 能力完好


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def batch(tree):
    return open_batch(tree.district)


@pytest.fixture
def jiangdu(tree):
    return load_policies(district=tree.district, first_month=Month(2020, 1))["jiangdu"]


def _to_district_decision(elder, scheme, users, traveller, *, categories, scores):
    app = svc.application_file(
        elder=elder, scheme=scheme, categories=categories, care_situation="non_self_care", by=users["community"]
    )
    app = walk(app, users, until="assessment", traveller=traveller)
    assessment_record(
        elder=app.elder, assessed_on=app.stage_started_on, scores=scores, by=users["assessor"], application=app
    )
    app.refresh_from_db()
    assert app.status == "district_decision"
    return app


def _notice_text(app: Application) -> str:
    notice = DecisionNotice.objects.get(application=app)
    with translation.override("zh-hans"):
        return render_to_string("subsidies/pdf/approval_notice.html", decision_notice_context(notice))


def test_a_low_income_semi_disabled_elder_of_70_is_approved_at_150(tree, users, batch, jiangdu):
    # Given a 低保 elder of 70, assessed semi-disabled (中度失能)
    elder = ElderFactory(
        community=tree.a1, birth_date=datetime.date(1956, 1, 10), categories=[DifficultyCategory.LOW_INCOME]
    )
    with time_machine.travel(at(FILED), tick=False) as traveller, translation.override("zh-hans"):
        app = _to_district_decision(
            elder, jiangdu, users, traveller, categories=[DifficultyCategory.LOW_INCOME], scores=SCORES_SEMI_DISABLED
        )
        assert app.assessment.care_level == "semi_disabled"
        # The reviewer sees the standard before approving.
        client = Client()
        client.force_login(users["district"])
        page = client.get(reverse("subsidies:application_detail", args=[app.pk])).content.decode()
        assert 'id="standard-preview"' in page and "150" in page and "低保 + 半失能 → 150" in page
        # When the district approves
        app = svc.application_approve(application=app, by=users["district"], opinion="同意核准")
    # Then the standard is stored on the case and the notice states it
    assert app.status == "approved"
    assert app.standard_amount == Money(150, "CNY")
    assert "江都区居家养老服务补贴（方案A）" in app.standard_reason
    assert "低保 + 半失能 → 150" in app.standard_reason
    text = _notice_text(app)
    assert "150.00 元/月" in text
    # in words, not the formula: the category, the level and the amount
    assert "您属于低保对象" in text and "半失能" in text and "每月补助150元" in text
    assert "→" not in text
    assert "按本区现行补贴标准执行" not in text
    api = APIClient()
    api.force_authenticate(users["district"])
    detail = api.get(f"/api/v1/applications/{app.pk}/").json()
    assert detail["standard_amount"] == "150.00" and "低保 + 半失能 → 150" in detail["standard_reason"]
    notice = decision_notice_generate(notice_id=DecisionNotice.objects.get(application=app).pk)
    assert notice.file.open("rb").read(5) == b"%PDF-"


def test_high_age_after_assessment_is_60_and_never_added_to_the_difficulty_standard(tree, users, batch, jiangdu):
    old = ElderFactory(community=tree.a1, birth_date=datetime.date(1944, 1, 10))  # 82, no category
    poor_old = ElderFactory(
        community=tree.a1, birth_date=datetime.date(1944, 2, 10), categories=[DifficultyCategory.LOW_INCOME]
    )
    with time_machine.travel(at(FILED), tick=False) as traveller:
        a = _to_district_decision(old, jiangdu, users, traveller, categories=[], scores=SCORES_SELF_CARE)
        b = _to_district_decision(
            poor_old, jiangdu, users, traveller, categories=[DifficultyCategory.LOW_INCOME], scores=SCORES_SELF_CARE
        )
        a = svc.application_approve(application=a, by=users["district"], opinion="同意")
        b = svc.application_approve(application=b, by=users["district"], opinion="同意")
    assert a.standard_amount == Money(60, "CNY")
    assert "80岁以上" in a.standard_reason
    # 低保 self-care 80 is higher than the 80+ standard of 60: one standard, not 140.
    assert b.standard_amount == Money(80, "CNY")
    assert "不叠加" in b.standard_reason and "60" in b.standard_reason


def test_a_68_year_old_without_a_category_is_refused_at_approval_and_nothing_changes(tree, users, batch):
    # Filed before the district loaded its figures, so filing could not judge the claim.
    scheme = scheme_for(tree.district)
    young = ElderFactory(community=tree.a1, birth_date=datetime.date(1958, 1, 10))  # 68 in April 2026
    with time_machine.travel(at(FILED), tick=False) as traveller:
        app = _to_district_decision(young, scheme, users, traveller, categories=[], scores=SCORES_SELF_CARE)
        load_policies(district=tree.district, first_month=Month(2020, 1))
        before = Application.objects.filter(pk=app.pk).values().get()
        with pytest.raises(NoStandard) as refused, translation.override("en"):
            svc.application_approve(application=app, by=users["district"], opinion="同意核准")
        message = refused.value.message
        assert young.name in message
        assert "Age 68 in 2026-04 and no difficulty category" in message
        assert "the high-age standard needs 80 or more" in message
        # The page warns the reviewer with the same rule.
        client = Client()
        client.force_login(users["district"])
        page = client.get(reverse("subsidies:application_detail", args=[app.pk])).content.decode()
        preview = page.split('id="standard-preview"', 1)[1].split("</div></div>", 1)[0]
        assert "alert-warning" in preview and "68" in preview and "2026-04" in preview and "80" in preview
    # Nothing was written.
    after = Application.objects.filter(pk=app.pk).values().get()
    assert after == before
    assert after["status"] == "district_decision" and after["standard_amount"] is None
    assert not Entitlement.objects.filter(elder=young).exists()
    assert not DecisionNotice.objects.filter(application=app).exists()
    assert not ApplicationEvent.objects.filter(application=app, to_status="approved").exists()


def test_batch_approval_approves_those_with_a_standard_and_reports_the_others(tree, users, batch):
    scheme = scheme_for(tree.district)
    young = ElderFactory(community=tree.a1, birth_date=datetime.date(1958, 1, 10))
    poor = ElderFactory(
        community=tree.a1, birth_date=datetime.date(1956, 1, 10), categories=[DifficultyCategory.LOW_INCOME]
    )
    with time_machine.travel(at(FILED), tick=False) as traveller, translation.override("en"):
        refused_app = _to_district_decision(young, scheme, users, traveller, categories=[], scores=SCORES_SELF_CARE)
        ok_app = _to_district_decision(
            poor, scheme, users, traveller, categories=[DifficultyCategory.LOW_INCOME], scores=SCORES_SEMI_DISABLED
        )
        load_policies(district=tree.district, first_month=Month(2020, 1))
        result = batch_approve(batch=batch, by=users["district"], opinion="同意核准")
    assert [a.pk for a in result.moved] == [ok_app.pk]
    assert result.moved[0].standard_amount == Money(150, "CNY")
    assert [a.pk for a, _message in result.refused] == [refused_app.pk]
    assert "no difficulty category" in result.refused[0][1]
    refused_app.refresh_from_db()
    assert refused_app.status == "district_decision"


def test_approval_without_the_scheme_figures_is_refused(tree, users, batch):
    scheme = scheme_for(tree.district)  # no policy version loaded
    elder = ElderFactory(community=tree.a1, categories=[DifficultyCategory.LOW_INCOME])
    with time_machine.travel(at(FILED), tick=False) as traveller:
        app = _to_district_decision(
            elder, scheme, users, traveller, categories=[DifficultyCategory.LOW_INCOME], scores=SCORES_SELF_CARE
        )
        with pytest.raises(NoStandard):
            svc.application_approve(application=app, by=users["district"], opinion="同意")
    app.refresh_from_db()
    assert app.status == "district_decision"


def test_the_demo_approves_no_elder_without_a_standard():
    ctx = core_demo.DemoContext(rng=random.Random(1), today=datetime.date(2026, 11, 20))
    core_demo.seed(ctx, elders=60)
    applications_demo.seed(ctx)
    approved = Application.objects.filter(status="approved")
    assert approved.exists()
    # Every approval stored its standard, and the monthly run refused none for want of one.
    assert not approved.filter(standard_amount__isnull=True).exists()
    assert not approved.filter(standard_amount=Money(0, "CNY")).exists()
    assert not RunRefusal.objects.filter(reason="no_standard").exists()
