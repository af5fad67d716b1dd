"""The catalogue: a provider's items and packages, new versions from a date, the district's
approval; the refusals (price, the one-hour visit, another provider's item) in Chinese."""

import datetime
import random
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st

from devtools.demo import catalogue as catalogue_demo
from devtools.demo import core as core_demo
from devtools.demo import providers as providers_demo
from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role
from providers import rules
from providers.models import Approval, ServiceItem, ServicePackage, WorkOrder
from providers.services.catalogue import (
    entry_approve,
    entry_reject,
    item_create,
    item_revise,
    package_create,
    package_revise,
    package_shares,
)
from providers.services.visits import order_book
from tests.factories import user_with_role
from vouchers.checks import ledger_problems

from .conftest import SHANGHAI
from .factories import make_item

pytestmark = pytest.mark.django_db

TOMORROW_9 = datetime.datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def district(tree):
    return user_with_role(Role.DISTRICT_REVIEWER, tree.district)


def new_item(world, **kw):
    args = {"kind": "meal", "name": "助餐：送餐上门", "price": Decimal("45.00"), "minutes": 60}
    return item_create(provider=world.provider, by=world.admin, **(args | kw))


# --- the package price shared among the items --------------------------------------------------


def test_package_price_is_shared_pro_rata_the_remainder_on_the_last_item():
    # The demo's basic package: 85.00 for meal help (45.00) and cleaning (50.00).
    assert package_shares(Decimal("85.00"), [Decimal("45.00"), Decimal("50.00")]) == [
        Decimal("40.26"),
        Decimal("44.74"),
    ]
    # Three equal items of a 100.00 package: 33.33, 33.33 and the remaining 33.34.
    assert package_shares(Decimal("100.00"), [Decimal("30")] * 3) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]


@given(
    total=st.decimals(min_value=Decimal("1.00"), max_value=Decimal("9999.99"), places=2),
    prices=st.lists(
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2), min_size=1, max_size=6
    ),
)
def test_package_shares_add_up_to_the_package_price_exactly(total, prices):
    shares = package_shares(total, prices)
    assert sum(shares) == total
    assert all(s == s.quantize(Decimal("0.01")) for s in shares)
    assert len(shares) == len(prices)


# --- adding items and packages -----------------------------------------------------------------


def test_a_new_item_waits_for_the_district(world):
    item = new_item(world)
    assert item.approval == Approval.PENDING
    assert item.valid_from == datetime.date(2026, 3, 10) and item.valid_until is None
    assert item.subsidised is True


@pytest.mark.parametrize("price", [Decimal("0"), Decimal("-5.00"), Decimal("0.001")])
def test_price_must_be_more_than_zero(world, price):
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        new_item(world, price=price)
    assert exc.value.message == "价格必须大于零。"
    assert not ServiceItem.objects.filter(name="助餐：送餐上门").exists()


def test_database_refuses_a_price_of_zero(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceItem.objects.filter(pk=world.item.pk).update(price=Decimal("0"))


def test_subsidised_item_lasts_at_least_one_hour_a_self_paid_one_may_be_shorter(world):
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        new_item(world, minutes=rules.MIN_VISIT_MINUTES - 15)
    assert "60" in exc.value.message and "分钟" in exc.value.message
    assert new_item(world, minutes=rules.MIN_VISIT_MINUTES).minutes == 60
    short = new_item(world, name="代办：代缴水电费", price=Decimal("20.00"), minutes=30, subsidised=False)
    assert short.subsidised is False and short.minutes == 30


def test_only_the_providers_own_admin_adds_items(world, district, users):
    for outsider in (world.other_admin, district, users["community"]):
        with pytest.raises(NotAllowed):
            item_create(provider=world.provider, kind="meal", name="x", price=Decimal("10"), by=outsider)


def test_a_package_holds_only_the_providers_own_items(world):
    foreign = make_item(world.other, name="外单位助洁")
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        package_create(
            provider=world.provider, name="混合套餐", items=[world.item, foreign], price=Decimal("80"), by=world.admin
        )
    assert exc.value.message == "套餐只能包含本服务商的项目。"
    assert not ServicePackage.objects.filter(name="混合套餐").exists()


def test_a_package_waits_for_the_district_and_refuses_a_price_of_zero(world):
    meal = make_item(world.provider, price="45.00", name="助餐", kind="meal")
    package = package_create(
        provider=world.provider, name="基础套餐", items=[meal, world.item], price=Decimal("85.00"), by=world.admin
    )
    assert package.approval == Approval.PENDING and set(package.items.all()) == {meal, world.item}
    with pytest.raises(ValidationFailed):
        package_create(provider=world.provider, name="零元", items=[meal], price=Decimal("0"), by=world.admin)


# --- new versions from a date ------------------------------------------------------------------


def test_a_price_change_is_a_new_version_and_orders_keep_their_price(world, district, users):
    # Given an order booked at 50.00 for tomorrow
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=users["community"])
    # When the provider raises the price to 55.00 from 15 March and the district approves
    new = item_revise(item=world.item, valid_from=datetime.date(2026, 3, 15), price=Decimal("55.00"), by=world.admin)
    assert new.approval == Approval.PENDING and new.replaces == world.item
    world.item.refresh_from_db()
    assert world.item.valid_until is None  # in force until the new one is approved
    new = entry_approve(entry=new, by=district)
    # Then the old version ends the day before, the order keeps 50.00
    world.item.refresh_from_db()
    assert world.item.valid_until == datetime.date(2026, 3, 14)
    order.refresh_from_db()
    assert order.price == Money("50.00", "CNY")
    # and a visit from 15 March is booked on the new version only, at 55.00
    later = datetime.datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(Conflict):
        order_book(elder=world.elder, item=world.item, scheduled_at=later, by=users["community"])
    assert order_book(elder=world.elder, item=new, scheduled_at=later, by=users["community"]).price == Money(
        "55.00", "CNY"
    )


def test_a_new_version_starts_after_the_current_one_and_not_in_the_past(world):
    with pytest.raises(ValidationFailed):
        item_revise(item=world.item, valid_from=datetime.date(2026, 3, 9), price=Decimal("55"), by=world.admin)
    with pytest.raises(ValidationFailed):
        item_revise(item=world.item, valid_from=world.item.valid_from, price=Decimal("55"), by=world.admin)
    with pytest.raises(ValidationFailed):
        item_revise(item=world.item, valid_from=datetime.date(2026, 4, 1), price=Decimal("0"), by=world.admin)


def test_one_pending_version_at_a_time_a_rejected_one_frees_the_place(world, district):
    first = item_revise(item=world.item, valid_from=datetime.date(2026, 4, 1), price=Decimal("60"), by=world.admin)
    with pytest.raises(Conflict):
        item_revise(item=world.item, valid_from=datetime.date(2026, 4, 1), price=Decimal("58"), by=world.admin)
    entry_reject(entry=first, note="涨幅过大，请说明成本", by=district)
    world.item.refresh_from_db()
    assert world.item.valid_until is None  # the refused version ends nothing
    second = item_revise(item=world.item, valid_from=datetime.date(2026, 4, 1), price=Decimal("55"), by=world.admin)
    assert second.replaces == world.item


def test_package_new_version(world, district):
    meal = make_item(world.provider, price="45.00", name="助餐", kind="meal")
    package = ServicePackage.objects.create(
        provider=world.provider, name="基础套餐", price=Money("85.00", "CNY"), approval=Approval.APPROVED
    )
    package.items.set([meal, world.item])
    new = package_revise(package=package, valid_from=datetime.date(2026, 4, 1), price=Decimal("88.00"), by=world.admin)
    assert set(new.items.all()) == {meal, world.item} and new.approval == Approval.PENDING
    entry_approve(entry=new, by=district)
    package.refresh_from_db()
    assert package.valid_until == datetime.date(2026, 3, 31)


# --- the district's decision -------------------------------------------------------------------


def test_only_the_district_decides_and_only_once(world, district):
    item = new_item(world)
    with pytest.raises(NotAllowed):
        entry_approve(entry=item, by=world.admin)
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        entry_reject(entry=item, note=" ", by=district)
    assert "理由" in exc.value.message
    decided = entry_approve(entry=item, note="价格合理", by=district)
    assert decided.approval == Approval.APPROVED and decided.approved_by == district
    assert decided.approved_at is not None and decided.approval_note == "价格合理"
    with pytest.raises(Conflict):
        entry_reject(entry=item, note="改主意", by=district)


def test_pending_and_rejected_items_cannot_be_booked(world, district, users):
    item = new_item(world)
    with translation.override("zh-hans"), pytest.raises(Conflict) as exc:
        order_book(elder=world.elder, item=item, scheduled_at=TOMORROW_9, by=users["community"])
    assert exc.value.message == "助餐：送餐上门尚未经区民政局审核通过（待区民政局审核），不能预约。"
    entry_reject(entry=item, note="与现有项目重复", by=district)
    with pytest.raises(Conflict):
        order_book(elder=world.elder, item=item, scheduled_at=TOMORROW_9, by=users["community"])


# --- API ---------------------------------------------------------------------------------------


def test_api_provider_admin_adds_an_item_the_district_approves(world, district, client, users):
    client.force_login(world.admin)
    body = {"provider": world.provider.pk, "kind": "meal", "name": "助餐：送餐", "price": "45.00", "minutes": 60}
    r = client.post("/api/v1/service-items/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["approval"] == "pending"
    pk = r.json()["id"]
    # The provider admin may not approve their own entry; a community worker may not add one.
    assert client.post(f"/api/v1/service-items/{pk}/approve/", {}, content_type="application/json").status_code == 403
    client.force_login(users["community"])
    assert client.post("/api/v1/service-items/", body, content_type="application/json").status_code == 403
    # Another provider's admin does not see it at all.
    client.force_login(world.other_admin)
    assert client.get(f"/api/v1/service-items/{pk}/").status_code == 404
    # Supervisors and the street office read the catalogue but do not decide.
    for reader in (users["supervisor"], users["street"]):
        client.force_login(reader)
        assert client.get(f"/api/v1/service-items/{pk}/").status_code == 200
        assert (
            client.post(f"/api/v1/service-items/{pk}/approve/", {}, content_type="application/json").status_code == 403
        )
    client.force_login(district)
    assert [e["id"] for e in client.get("/api/v1/service-items/?approval=pending").json()["results"]] == [pk]
    r = client.post(f"/api/v1/service-items/{pk}/approve/", {"note": "同意"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["approval"] == "approved"


def test_api_refusals_answer_400_with_the_message(world, district, client):
    client.force_login(world.admin)
    r = client.post(
        "/api/v1/service-items/",
        {"provider": world.provider.pk, "kind": "meal", "name": "短", "price": "45.00", "minutes": 30},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 400 and "60" in r.json()["detail"]
    item = new_item(world)
    client.force_login(district)
    r = client.post(f"/api/v1/service-items/{item.pk}/reject/", {"note": ""}, content_type="application/json")
    assert r.status_code == 400
    r = client.post(f"/api/v1/service-items/{item.pk}/reject/", {"note": "重复"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["approval_note"] == "重复"


def test_api_packages_and_versions(world, district, client):
    meal = make_item(world.provider, price="45.00", name="助餐", kind="meal")
    foreign = make_item(world.other, name="外单位助洁")
    client.force_login(world.admin)
    body = {"provider": world.provider.pk, "name": "基础套餐", "items": [meal.pk, world.item.pk], "price": "85.00"}
    r = client.post("/api/v1/service-packages/", body, content_type="application/json")
    assert r.status_code == 201 and sorted(r.json()["items"]) == sorted([meal.pk, world.item.pk])
    # Another provider's item is not even visible to this admin.
    r = client.post(
        "/api/v1/service-packages/", body | {"items": [meal.pk, foreign.pk]}, content_type="application/json"
    )
    assert r.status_code == 404
    r = client.post(
        f"/api/v1/service-items/{world.item.pk}/revise/",
        {"valid_from": "2026-04-01", "price": "52.00"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["replaces"] == world.item.pk and r.json()["price"] == "52.00"
    client.force_login(district)
    pending = client.get("/api/v1/service-packages/?approval=pending").json()["results"]
    r = client.post(f"/api/v1/service-packages/{pending[0]['id']}/approve/", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["approval"] == "approved"


# --- pages -------------------------------------------------------------------------------------


def test_pages_provider_adds_an_item_district_approves_from_the_work_list(world, district, client):
    client.force_login(world.admin)
    r = client.post(
        reverse("providers:catalogue_item_new"),
        {
            "kind": "meal",
            "name": "助餐：送餐上门",
            "price": "42.00",
            "minutes": "60",
            "certificate_kind": "",
            "subsidised": "1",
            "valid_from": "2026-03-10",
        },
    )
    item = ServiceItem.objects.get(name="助餐：送餐上门")
    assert r.status_code == 302 and item.approval == Approval.PENDING
    client.force_login(district)
    home = client.get("/").content.decode()
    assert "待审核的服务目录" in home and reverse("providers:catalogue_item", args=[item.pk]) in home
    page = client.get(reverse("providers:catalogue_item", args=[item.pk])).content.decode()
    assert 'id="approve"' in page
    client.post(reverse("providers:catalogue_item", args=[item.pk]), {"action": "approve", "note": ""})
    item.refresh_from_db()
    assert item.approval == Approval.APPROVED and item.approved_by == district


def test_pages_refusal_shows_the_chinese_message_and_writes_nothing(world, client):
    client.force_login(world.admin)
    r = client.post(
        reverse("providers:catalogue_item_new"),
        {
            "kind": "meal",
            "name": "短项目",
            "price": "30",
            "minutes": "45",
            "subsidised": "1",
            "valid_from": "2026-03-10",
        },
        follow=True,
    )
    assert "补贴服务项目每次至少60分钟" in r.content.decode()
    assert not ServiceItem.objects.filter(name="短项目").exists()


def test_pages_rejected_entry_shows_the_note_to_the_provider(world, district, client):
    item = new_item(world)
    client.force_login(district)
    client.post(reverse("providers:catalogue_item", args=[item.pk]), {"action": "reject", "note": "价格高于市场价"})
    client.force_login(world.admin)
    home = client.get("/").content.decode()
    assert "价格高于市场价" in home
    listing = client.get(reverse("providers:catalogue")).content.decode()
    assert "价格高于市场价" in listing and "未通过" in listing


def test_pages_catalogue_is_refused_to_caregivers_and_a_version_form_for_the_owner(world, client):
    client.force_login(world.caregiver.user)
    assert client.get(reverse("providers:catalogue")).status_code == 403
    client.force_login(world.other_admin)
    assert client.get(reverse("providers:catalogue_item", args=[world.item.pk])).status_code == 404
    client.force_login(world.admin)
    page = client.get(reverse("providers:catalogue_item", args=[world.item.pk])).content.decode()
    assert 'id="version-form"' in page and 'id="approve"' not in page
    client.post(
        reverse("providers:catalogue_item", args=[world.item.pk]),
        {"action": "revise", "name": world.item.name, "price": "56.00", "minutes": "60", "valid_from": "2026-04-01"},
    )
    assert ServiceItem.objects.get(replaces=world.item).price == Money("56.00", "CNY")


# --- the demo ----------------------------------------------------------------------------------


def test_demo_shows_the_catalogue_in_every_state():
    day = datetime.date(2026, 5, 20)
    with time_machine.travel(datetime.datetime(2026, 5, 20, 8, 0, tzinfo=SHANGHAI), tick=False):
        ctx = core_demo.DemoContext(rng=random.Random(1), today=day)
        core_demo.seed(ctx, elders=60)
        providers_demo.seed(ctx)  # the providers, their catalogue and agreements this demo builds on
        catalogue_demo.seed(ctx)
    provider = ServiceItem.objects.get(name="助洁：擦窗（室内侧）").provider
    pending = ServiceItem.objects.filter(provider=provider, approval=Approval.PENDING)
    assert {i.name for i in pending} == {"助洁：擦窗（室内侧）", "助洁：居室清洁"}
    version = pending.get(replaces__isnull=False)
    assert version.valid_from == datetime.date(2026, 6, 1) and version.price == Money("55.00", "CNY")
    rejected = ServiceItem.objects.get(approval=Approval.REJECTED)
    assert "心理咨询证书" in rejected.approval_note
    errand = ServiceItem.objects.get(subsidised=False)
    assert errand.approval == Approval.APPROVED and errand.minutes == 30
    assert WorkOrder.objects.filter(item=errand, self_paid=True).count() == 1
    package_orders = WorkOrder.objects.filter(package__isnull=False)
    assert package_orders.count() == 2
    assert sum(o.price.amount for o in package_orders) == package_orders[0].package.price.amount
    assert ledger_problems() == []


def test_the_catalogue_pages_its_items_fifty_at_a_time_and_counts_them_all(world, district, client):
    names = [f"助餐 {n:03d}" for n in range(1, 56)]
    for name in names:
        new_item(world, name=name)
    total = ServiceItem.objects.count()  # the world's own item too
    client.force_login(district)
    pages = [
        client.get(reverse("providers:catalogue") + query).content.decode() for query in ("", "?page=2", "?page=3")
    ]
    assert all(f'data-count="{total}"' in page for page in pages[:2])
    shown = [[name for name in names if name in page] for page in pages[:2]]
    links = [page.count('href="/providers/catalogue/items/') for page in pages[:2]]
    assert links == [50, total - 50]
    assert sorted(shown[0] + shown[1]) == names and not set(shown[0]) & set(shown[1])
    assert pages[2].count('href="/providers/catalogue/items/') == total - 50  # past the end: the last page
