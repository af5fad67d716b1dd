"""A new version of a standard: its funding shares make the whole grant (70 + 30, never 70 + 40),
its form speaks in words (低保, 半失能) rather than codes, and a wrong version can be withdrawn
before any month is paid under it, putting the version before it back in force."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from eldercare.errors import Conflict, ValidationFailed
from eldercare.periods import Month
from subsidies.standards.models import PolicyVersion
from subsidies.standards.services.policies import (
    policy_version_create,
    policy_version_withdraw,
    rows_of,
)
from subsidies.standards.services.run import run_month
from tests.factories import api_token

from .policy_factories import entitled_elder, schemes

pytestmark = pytest.mark.django_db

JAN = Month(2027, 1)


def new_version(scheme, by, *, month=JAN, district_percent=Decimal("70"), town_percent=Decimal("30")):
    base = PolicyVersion.objects.get(scheme=scheme, effective_to__isnull=True)
    return policy_version_create(
        scheme=scheme,
        district=None,
        month=month,
        name="江都区标准（2027年起）",
        rows=rows_of(base),
        district_percent=district_percent,
        town_percent=town_percent,
        by=by,
    )


def test_shares_that_do_not_make_the_whole_grant_are_refused(tree, users):
    s = schemes(tree)
    with pytest.raises(ValidationFailed, match="区级和镇（街道）分担比例合计须为 100%（现为 70% \\+ 40%）"):
        new_version(s["jiangdu"], users["district"], town_percent=Decimal("40"))
    assert PolicyVersion.objects.filter(scheme=s["jiangdu"]).count() == 1
    # The database refuses it too, whatever writes it.
    version = PolicyVersion.objects.get(scheme=s["jiangdu"])
    version.town_percent = Decimal("40")
    with pytest.raises(IntegrityError), transaction.atomic():
        version.save()


def test_the_form_refuses_70_plus_40_keeps_what_was_typed_and_speaks_in_words(client, tree, users):
    s = schemes(tree)
    base = PolicyVersion.objects.get(scheme=s["jiangdu"])
    client.force_login(users["district"])
    url = reverse("policy_version_new", args=[base.pk])
    page = client.get(url).content.decode()
    # Categories and care levels are offered by name, not by code.
    assert 'value="dibao"' in page and 'value="semi_disabled"' in page
    assert " 低保</label>" in page and " 半失能</label>" in page
    assert " dibao</label>" not in page and " semi_disabled</label>" not in page
    data = {
        "name": "江都区标准（2027年起）",
        "month": "2027-01",
        "district_percent": "70",
        "town_percent": "40",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "0",
        "form-0-label": "困难老人·半失能",
        "form-0-amount": "150",
        "form-0-min_age": "60",
        "form-0-categories_any": ["dibao"],
        "form-0-care_levels": ["semi_disabled"],
        "action": "create",
    }
    answer = client.post(url, data)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "区级和镇（街道）分担比例合计须为 100%（现为 70% + 40%）" in html
    assert 'value="2027-01"' in html and 'value="江都区标准（2027年起）"' in html and 'value="40"' in html
    assert PolicyVersion.objects.filter(scheme=s["jiangdu"]).count() == 1


def test_a_version_no_month_was_paid_under_is_withdrawn_and_the_one_before_is_in_force_again(client, tree, users):
    s = schemes(tree)
    before = PolicyVersion.objects.get(scheme=s["jiangdu"])
    wrong = new_version(s["jiangdu"], users["district"], district_percent=Decimal("30"), town_percent=Decimal("70"))
    before.refresh_from_db()
    assert before.effective_to == Month(2026, 12).first_day
    client.force_login(users["district"])
    listing = client.get(reverse("policy_list")).content.decode()
    withdraw_url = reverse("policy_version_withdraw", args=[wrong.pk])
    assert withdraw_url in listing
    assert reverse("policy_version_withdraw", args=[before.pk]) not in listing  # the first version stays
    answer = client.post(withdraw_url, {"reason": "分担比例填反，应为区 70% 镇 30%"}, follow=True)
    assert "已撤回" in answer.content.decode()
    assert not PolicyVersion.objects.filter(pk=wrong.pk).exists()
    before.refresh_from_db()
    assert before.effective_to is None
    gone = PolicyVersion.history.filter(id=wrong.pk, history_type="-").get()
    assert (gone.history_user, gone.history_change_reason) == (users["district"], "分担比例填反，应为区 70% 镇 30%")
    # The corrected version for the same month is accepted now.
    corrected = new_version(s["jiangdu"], users["district"])
    assert (corrected.district_percent, corrected.town_percent) == (Decimal("70"), Decimal("30"))


def test_a_version_a_month_was_paid_under_is_not_withdrawn(tree, users):
    s = schemes(tree)
    entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="semi_disabled")
    version = new_version(s["jiangdu"], users["district"], month=Month(2026, 12))
    run_month(month=Month(2026, 12))
    with pytest.raises(Conflict, match="2026-12"):
        policy_version_withdraw(version=version, reason="错了", by=users["district"])
    assert PolicyVersion.objects.filter(pk=version.pk).exists()
    first = PolicyVersion.objects.get(scheme=s["shenzhen"])
    with pytest.raises(Conflict):
        policy_version_withdraw(version=first, reason="错了", by=users["district"])
    with pytest.raises(ValidationFailed):
        policy_version_withdraw(version=version, reason="  ", by=users["district"])


def test_the_api_previews_publishes_and_withdraws(tree, users):
    s = schemes(tree)
    entitled_elder(scheme=s["jiangdu"], community=tree.a1, categories=["dibao"], care_level="semi_disabled")
    base = PolicyVersion.objects.get(scheme=s["jiangdu"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token(users['district'])}")
    listed = api.get("/api/v1/policy-versions/").json()
    assert base.pk in [v["id"] for v in (listed["results"] if isinstance(listed, dict) else listed)]
    draft = {
        "name": "江都区标准（2027年起）",
        "month": "2027-01",
        "district_percent": "70",
        "town_percent": "30",
        "rows": [
            {
                "label": "困难老人·半失能",
                "amount": "180.00",
                "categories_any": ["dibao"],
                "care_levels": ["semi_disabled"],
            }
        ],
    }
    preview = api.post(f"/api/v1/policy-versions/{base.pk}/preview/", draft, format="json")
    assert preview.status_code == 200
    assert (preview.json()["changed"], Decimal(preview.json()["total_after"])) == (1, Decimal("180.00"))
    refused = api.post(f"/api/v1/policy-versions/{base.pk}/publish/", {**draft, "town_percent": "40"}, format="json")
    assert refused.status_code == 400 and "合计须为 100%" in str(refused.json())
    published = api.post(f"/api/v1/policy-versions/{base.pk}/publish/", draft, format="json")
    assert published.status_code == 201 and published.json()["effective_from"] == "2027-01-01"
    new_pk = published.json()["id"]
    back = api.post(f"/api/v1/policy-versions/{new_pk}/withdraw/", {"reason": "金额有误"}, format="json")
    assert back.status_code == 200 and back.json()["id"] == base.pk and back.json()["effective_to"] is None
    community = APIClient()
    community.credentials(HTTP_AUTHORIZATION=f"Token {api_token(users['community'])}")
    assert community.post(f"/api/v1/policy-versions/{base.pk}/publish/", draft, format="json").status_code == 403
