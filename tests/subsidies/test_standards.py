"""entitlement_standard: the person's facts as of the month, read from the database."""

import datetime

import pytest

from eldercare.models import ElderCategory, Role
from eldercare.periods import Month
from subsidies.standards.models import Assessment
from subsidies.standards.rules import Standard
from subsidies.standards.selectors import entitlement_standard
from subsidies.standards.services.policies import RowInput, policy_version_create
from tests.factories import user_with_role

from .policy_factories import entitled_elder, schemes

pytestmark = pytest.mark.django_db


def test_contract_of_the_standard(tree):
    s = schemes(tree)
    elder = entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="semi_disabled")
    standard = entitlement_standard(entitlement=elder.entitlements.get(), month=Month(2026, 12))
    assert isinstance(standard, Standard)
    assert standard.amount.amount == 150
    assert str(standard.amount.currency) == "CNY"
    assert standard.reason == "低保 + 半失能 → 150"
    assert standard.policy_version_id == s["jiangdu"].versions.get().pk
    assert standard.row_id is not None


def test_a_reassessment_mid_month_changes_the_next_month(tree):
    s = schemes(tree)
    elder = entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["tekun"], care_level="self_care")
    Assessment.objects.create(
        elder=elder,
        assessed_on=datetime.date(2026, 11, 10),
        effective_from=datetime.date(2026, 11, 15),
        assessor=user_with_role(Role.ASSESSOR, tree.district),
        instrument="x",
        instrument_level="-",
        care_level="disabled",
    )
    ent = elder.entitlements.get()
    assert entitlement_standard(entitlement=ent, month=Month(2026, 11)).amount.amount == 80
    assert entitlement_standard(entitlement=ent, month=Month(2026, 12)).amount.amount == 260


def test_a_new_category_counts_from_the_next_month(tree):
    s = schemes(tree)
    elder = entitled_elder(scheme=s["shenzhen"], community=tree.a1, categories=[], care_level="self_care")
    ElderCategory.objects.create(elder=elder, category="sanwu", evidence_date=datetime.date(2026, 11, 20))
    ent = elder.entitlements.get()
    assert entitlement_standard(entitlement=ent, month=Month(2026, 11)).amount.amount == 0
    assert entitlement_standard(entitlement=ent, month=Month(2026, 12)).amount.amount == 300


def test_a_policy_version_change_between_two_months(tree):
    s = schemes(tree)
    district_user = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    elder = entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="disabled")
    policy_version_create(
        scheme=s["jiangdu"],
        district=None,
        month=Month(2027, 1),
        name="2027年标准",
        rows=[RowInput("困难老人·失能", 300, categories_any=("dibao",), care_levels=("disabled",))],
        by=district_user,
    )
    ent = elder.entitlements.get()
    dec = entitlement_standard(entitlement=ent, month=Month(2026, 12))
    jan = entitlement_standard(entitlement=ent, month=Month(2027, 1))
    assert (dec.amount.amount, jan.amount.amount) == (260, 300)
    assert dec.policy_version_id != jan.policy_version_id


def test_a_district_local_higher_standard_wins(tree):
    s = schemes(tree)
    district_user = user_with_role(Role.DISTRICT_REVIEWER, tree.district)
    elder = entitled_elder(scheme=s["shenzhen"], community=tree.a1, categories=["dibao"], care_level="disabled")
    policy_version_create(
        scheme=s["shenzhen"],
        district=tree.district,
        month=Month(2026, 12),
        name="区级提标",
        rows=[RowInput("区提标·低保介护", 600, low_income=True, care_levels=("semi_disabled", "disabled"))],
        district_percent=100,
        town_percent=0,
        by=district_user,
    )
    ent = elder.entitlements.get()
    assert entitlement_standard(entitlement=ent, month=Month(2026, 11)).amount.amount == 500
    assert entitlement_standard(entitlement=ent, month=Month(2026, 12)).amount.amount == 600
