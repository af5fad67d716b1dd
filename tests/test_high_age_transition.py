"""Scheme B's 80+ voucher of 200 CNY a month, replaced by a separate high-age allowance: kept as a
district's transitional standard for at most three months after the replacement takes effect."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from eldercare.errors import ValidationFailed
from eldercare.models import Role
from eldercare.periods import Month
from subsidies.standards.models import Entitlement, Grant, RunRefusal
from subsidies.standards.rules import (
    MAX_TRANSITION_MONTHS,
    PersonFacts,
    PolicySpec,
    RuleSpec,
    months_from_to,
    standard_for,
    transition_too_long,
)
from subsidies.standards.selectors import entitlement_standard
from subsidies.standards.services.policies import RowInput, policy_version_create
from subsidies.standards.services.run import run_month
from tests.factories import user_with_role
from tests.subsidies.policy_factories import entitled_elder, schemes

# The replacement takes effect in January 2027; the old voucher is paid January to March.
REPLACED = Month(2027, 1)
TRANSITION = [Month(2027, 1), Month(2027, 2), Month(2027, 3)]
AFTER = Month(2027, 4)
BORN_1942 = datetime.date(1942, 2, 10)  # 85 in 2027


def _transition(tree, last=TRANSITION[-1]):
    """The district's local standards of scheme B from the replacement: 80+ 200 until `last`."""
    return policy_version_create(
        scheme=schemes(tree)["shenzhen"],
        district=tree.district,
        month=REPLACED,
        name="高龄服务券过渡期",
        rows=[RowInput("80岁以上高龄服务券（过渡期）", Decimal("200"), min_age=80, last_month=last)],
        by=user_with_role(Role.DISTRICT_REVIEWER, tree.district),
    )


# --- the pure rule -------------------------------------------------------------------------------


def test_a_transitional_row_is_paid_to_its_last_month_only():
    row = RuleSpec(amount=Decimal("200"), label="80岁以上（过渡期）", min_age=80, last_month=Month(2027, 3))
    spec = PolicySpec(version_id=1, first_month=REPLACED, rules=(row,))
    facts = PersonFacts(age=85, care_level="self_care")
    assert [standard_for(facts, m, spec).amount.amount for m in [*TRANSITION, AFTER]] == [200, 200, 200, 0]


@given(st.integers(min_value=0, max_value=24))
def test_a_transition_of_more_than_three_months_is_too_long(extra):
    first = Month(2027, 1)
    last = first.plus(extra)
    assert months_from_to(first, last) == extra + 1
    assert transition_too_long(first=first, last=last) == (extra + 1 > MAX_TRANSITION_MONTHS)


# --- policy data, the monthly run and the page ---------------------------------------------------


@pytest.mark.django_db
def test_an_85_year_old_gets_200_in_each_transition_month_and_nothing_from_that_row_after(tree):
    _transition(tree)
    elder = entitled_elder(
        scheme=schemes(tree)["shenzhen"], community=tree.a1, birth_date=BORN_1942, care_level="self_care"
    )
    entitlement = Entitlement.objects.get(elder=elder)
    for month in TRANSITION:
        run_month(month=month)
        assert entitlement_standard(entitlement=entitlement, month=month).amount.amount == Decimal("200")
    paid = dict(Grant.objects.filter(elder=elder).values_list("month", "amount"))
    assert paid == {m.first_day: Decimal("200.00") for m in TRANSITION}

    result = run_month(month=AFTER)
    assert not Grant.objects.filter(elder=elder, month=AFTER.first_day).exists()
    assert RunRefusal.objects.get(run=result.run, elder=elder).reason == RunRefusal.Reason.NO_STANDARD
    assert entitlement_standard(entitlement=entitlement, month=AFTER).amount.amount == 0


@pytest.mark.django_db
def test_not_low_income_non_self_care_85_year_old_still_gets_300_after_the_transition(tree):
    _transition(tree)
    elder = entitled_elder(
        scheme=schemes(tree)["shenzhen"], community=tree.a1, birth_date=BORN_1942, care_level="semi_disabled"
    )
    for month in [Month(2027, 3), AFTER]:
        run_month(month=month)
    paid = dict(Grant.objects.filter(elder=elder).values_list("month", "amount"))
    # Highest wins, never added up: 300 during the transition too, and 300 after it.
    assert paid == {Month(2027, 3).first_day: Decimal("300.00"), AFTER.first_day: Decimal("300.00")}
    assert "80岁以上高龄服务券（过渡期） 200 不叠加" in Grant.objects.get(elder=elder, month="2027-03-01").reason


@pytest.mark.django_db
@pytest.mark.parametrize("last", [Month(2027, 4), Month(2027, 12)])
def test_a_transition_longer_than_three_months_is_refused(tree, last):
    with pytest.raises(ValidationFailed) as refused:
        _transition(tree, last=last)
    assert "3" in refused.value.message and "2027-03" in refused.value.message
    assert not schemes(tree)["shenzhen"].versions.filter(district=tree.district).exists()


@pytest.mark.django_db
def test_a_transition_cannot_end_before_its_version_starts(tree):
    with pytest.raises(ValidationFailed):
        _transition(tree, last=Month(2026, 12))


@pytest.mark.django_db
def test_the_standards_page_lists_the_row_with_its_end(tree, client):
    _transition(tree)
    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    page = client.get(reverse("policy_list")).content.decode()
    assert "80岁以上高龄服务券（过渡期）" in page
    assert 'data-last-month="2027-03"' in page


@pytest.mark.django_db
def test_the_new_version_form_refuses_a_long_transition(tree, client):
    version = _transition(tree)
    client.force_login(user_with_role(Role.DISTRICT_REVIEWER, tree.district))
    data = {
        "name": "过渡期延长",
        "month": "2027-02",
        "district_percent": "100",
        "town_percent": "0",
        "local": "on",
        "action": "create",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-label": "80岁以上高龄服务券（过渡期）",
        "form-0-amount": "200",
        "form-0-min_age": "80",
        "form-0-last_month": "2027-05",
    }
    response = client.post(reverse("policy_version_new", args=[version.pk]), data)
    assert response.status_code == 200  # the form again, with the error
    assert "2027-04" in response.content.decode()
    assert version.scheme.versions.filter(district=tree.district).count() == 1
