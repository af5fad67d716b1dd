"""Filing happens inside an open intake batch's dates and under a scheme of the elder's district."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from eldercare.errors import Conflict, ValidationFailed
from eldercare.models import DifficultyCategory, Division
from eldercare.periods import Month
from subsidies.applications.models import Application
from subsidies.applications.services import review as svc
from subsidies.applications.services.review import Ineligible
from subsidies.standards.models import Scheme
from subsidies.standards.services.policies import load_policies
from tests.factories import ElderFactory

from .factories import at

pytestmark = pytest.mark.django_db


def file(elder, scheme, users):
    return svc.application_file(
        elder=elder,
        scheme=scheme,
        categories=[DifficultyCategory.LOW_INCOME],
        care_situation="non_self_care",
        by=users["community"],
    )


@pytest.fixture
def other_scheme():
    shenzhen = Division.objects.create(code="440300000000", name="深圳市", level="district")
    return Scheme.objects.create(code="shenzhen", name="深圳市居家养老（方案B）", jurisdiction=shenzhen)


def test_filing_outside_the_batch_dates_is_refused(elder_a1, scheme, batch, users):
    # The batch takes applications from 2026-01-01 to 2026-06-30.
    with time_machine.travel(at(datetime.date(2026, 7, 6)), tick=False), translation.override("zh-hans"):
        with pytest.raises(Conflict) as refused:
            file(elder_a1, scheme, users)
    assert (
        refused.value.message
        == "2026年上半年集中申报的申报时间为 2026-01-01 至 2026-06-30，2026-07-06 不在申报时间内。"
    )
    assert not Application.objects.exists()
    with time_machine.travel(at(datetime.date(2026, 6, 29)), tick=False):
        assert file(elder_a1, scheme, users).batch == batch


def test_a_scheme_of_another_district_is_refused(elder_a1, scheme, batch, users, other_scheme):
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False), pytest.raises(ValidationFailed):
        file(elder_a1, other_scheme, users)
    assert not Application.objects.exists()


def test_the_filing_page_offers_only_the_district_schemes(elder_a1, scheme, batch, users, other_scheme, client):
    client.force_login(users["community"])
    page = client.get(reverse("subsidies:application_file")).content.decode()
    assert scheme.name in page and other_scheme.name not in page


def test_a_claim_that_matches_no_standard_is_refused_with_the_rule(tree, batch, users):
    jiangdu = load_policies(district=tree.district, first_month=Month(2020, 1))["jiangdu"]
    # 68 in April 2026, no difficulty category: scheme A pays the 80+ or elders in difficulty.
    young = ElderFactory(community=tree.a1, birth_date=datetime.date(1958, 1, 10))
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=False), translation.override("zh-hans"):
        with pytest.raises(Ineligible) as refused:
            svc.application_file(
                elder=young, scheme=jiangdu, categories=[], care_situation="self_care", by=users["community"]
            )
        assert f"{young.name}（2026-04 时 68 岁" in refused.value.message
        assert not Application.objects.exists()
        # The same elder claiming 低保 matches 困难老人 rows; an elder of 81 matches 80岁以上.
        assert file(young, jiangdu, users).status == "filed"
        old = ElderFactory(community=tree.a1, birth_date=datetime.date(1945, 1, 10))
        assert (
            svc.application_file(
                elder=old, scheme=jiangdu, categories=[], care_situation="self_care", by=users["community"]
            ).status
            == "filed"
        )
