"""Booking visits and packages: who may book, every refusal in Chinese, the package split, the
caregiver's certificate at booking and at check-in, self-paid visits that never touch the subsidy."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from djmoney.money import Money

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import LifeStatus
from providers.models import Approval, Certificate, ServiceAgreement, ServicePackage, WorkOrder, WorkOrderEvent
from providers.services import CertificateMissing, order_assign, visit_check_in, visit_check_out
from providers.services.visits import order_book, package_book
from providers.views.orders import hub_sections
from tests.factories import ElderFactory
from tests.vouchers.factories import grant
from vouchers.errors import IdempotencyMismatch
from vouchers.models import Account
from vouchers.services import account_for_elder, personal_deposit, redemption_create

from .conftest import SHANGHAI
from .factories import elder_code, make_item

S = WorkOrder.Status
pytestmark = pytest.mark.django_db

TOMORROW_9 = datetime.datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def community(users):
    return users["community"]


@pytest.fixture
def package(world):
    """The demo's basic package: meal help 45.00 + cleaning 50.00 for 85.00."""
    meal = make_item(world.provider, price="45.00", name="助餐：代买并烹饪午餐", kind="meal")
    p = ServicePackage.objects.create(
        provider=world.provider,
        name="居家基础套餐（助餐+助洁）",
        price=Money("85.00", "CNY"),
        approval=Approval.APPROVED,
    )
    p.items.set([meal, world.item])
    return p


def refused(exc_type, fn, **kw) -> str:
    with translation.override("zh-hans"), pytest.raises(exc_type) as exc:
        fn(**kw)
    return exc.value.message


# --- booking one item --------------------------------------------------------------------------


def test_community_worker_books_a_visit(world, community):
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community, note="家属电话预约")
    assert order.status == S.BOOKED and order.price == Money("50.00", "CNY") and not order.self_paid
    assert order.booked_via == WorkOrder.BookedVia.COMMUNITY and order.package is None
    event = WorkOrderEvent.objects.get(order=order)
    assert (event.to_status, event.by, event.note) == (S.BOOKED, community, "家属电话预约")


def test_a_visit_in_the_past_is_refused(world, community):
    an_hour_ago = datetime.datetime(2026, 3, 10, 7, 30, tzinfo=SHANGHAI)
    msg = refused(
        ValidationFailed, order_book, elder=world.elder, item=world.item, scheduled_at=an_hour_ago, by=community
    )
    assert msg == "上门服务须提前预约：请选择晚于现在的时间。"
    assert not WorkOrder.objects.exists()


def test_no_open_agreement_with_the_provider_is_refused(world, community):
    ServiceAgreement.objects.filter(elder=world.elder).update(ends_on=datetime.date(2026, 3, 1))
    msg = refused(Conflict, order_book, elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community)
    assert msg == f"{world.elder.name}与{world.provider.name}没有有效的服务协议：请先签订协议再预约。"
    # An agreement that ends after the visit still holds.
    ServiceAgreement.objects.filter(elder=world.elder).update(ends_on=datetime.date(2026, 3, 31))
    assert order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community).pk


def test_a_visit_before_the_agreement_starts_is_refused_with_its_start(world, community):
    ServiceAgreement.objects.filter(elder=world.elder).update(signed_on=datetime.date(2026, 3, 15))
    msg = refused(Conflict, order_book, elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community)
    assert msg == f"{world.elder.name}与{world.provider.name}的服务协议自2026-03-15起生效：请预约当天及以后的服务。"
    on_the_15th = datetime.datetime(2026, 3, 15, 9, 0, tzinfo=SHANGHAI)
    assert order_book(elder=world.elder, item=world.item, scheduled_at=on_the_15th, by=community).pk


def test_an_item_not_yet_in_force_on_the_visit_day_is_refused(world, community):
    world.item.valid_from = datetime.date(2026, 3, 12)
    world.item.save()
    msg = refused(Conflict, order_book, elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community)
    assert msg == f"{world.item.name}在2026-03-11不在有效期内。"
    on_the_12th = datetime.datetime(2026, 3, 12, 9, 0, tzinfo=SHANGHAI)
    assert order_book(elder=world.elder, item=world.item, scheduled_at=on_the_12th, by=community).pk


@pytest.mark.parametrize("status", [LifeStatus.DECEASED, LifeStatus.MOVED])
def test_a_deceased_or_moved_elder_is_refused(world, community, status):
    world.elder.life_status = status
    world.elder.life_status_date = datetime.date(2026, 3, 5)
    world.elder.save()
    msg = refused(Conflict, order_book, elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community)
    assert msg.startswith(world.elder.name) and "不能预约" in msg


def test_who_may_book(world, users, tree):
    for outsider in (users["community_b"], users["district"], world.other_admin, world.caregiver.user):
        with pytest.raises(NotAllowed):
            order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=outsider)
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=world.admin)
    assert order.booked_via == WorkOrder.BookedVia.PROVIDER


# --- the caregiver's certificate ---------------------------------------------------------------


def test_caregiver_chosen_at_booking_needs_the_certificate(world, community):
    rehab = make_item(world.provider, price="120.00", certificate_kind="rehabilitation", name="康复训练")
    msg = refused(
        CertificateMissing,
        order_book,
        elder=world.elder,
        item=rehab,
        scheduled_at=TOMORROW_9,
        by=community,
        caregiver=world.caregiver,
    )
    assert msg == f"{world.caregiver.name}没有2026-03-11有效的康复证书，{rehab.name}需要持证上岗。"
    assert not WorkOrder.objects.exists()
    Certificate.objects.create(
        caregiver=world.caregiver, kind="rehabilitation", number="K1", valid_until=datetime.date(2026, 12, 31)
    )
    order = order_book(elder=world.elder, item=rehab, scheduled_at=TOMORROW_9, by=community, caregiver=world.caregiver)
    assert order.status == S.ASSIGNED and order.caregiver == world.caregiver
    assert list(order.events.values_list("to_status", flat=True)) == [S.BOOKED, S.ASSIGNED]


def test_check_in_refuses_a_caregiver_whose_certificate_lapsed_after_assignment(world, community):
    rehab = make_item(world.provider, price="120.00", certificate_kind="rehabilitation", name="康复训练")
    cert = Certificate.objects.create(
        caregiver=world.caregiver, kind="rehabilitation", number="K1", valid_until=datetime.date(2026, 12, 31)
    )
    order = order_book(elder=world.elder, item=rehab, scheduled_at=TOMORROW_9, by=community)
    order_assign(order=order, caregiver=world.caregiver, by=world.admin)
    # The certificate is withdrawn before the visit: it ended yesterday.
    cert.valid_until = datetime.date(2026, 3, 9)
    cert.save()
    msg = refused(CertificateMissing, visit_check_in, order=order, code=world.token, by=world.caregiver.user)
    assert msg == "您的康复证书今天（2026-03-10）已不在有效期内，不能为老人提供“康复训练”。请服务商改派其他服务人员。"
    order.refresh_from_db()
    assert order.status == S.ASSIGNED and order.checked_in_at is None


# --- packages ----------------------------------------------------------------------------------


def test_a_package_books_one_order_per_item_at_its_share_one_after_the_other(world, community, package):
    orders = package_book(elder=world.elder, package=package, scheduled_at=TOMORROW_9, by=community)
    # In the order the items were entered: cleaning (50.00), then meal help (45.00) an hour later.
    assert [o.item.name for o in orders] == ["助洁：居室清洁", "助餐：代买并烹饪午餐"]
    by_item = {o.item.price.amount: o for o in orders}
    assert by_item[Decimal("45.00")].price == Money("40.26", "CNY")
    assert by_item[Decimal("50.00")].price == Money("44.74", "CNY")
    assert sum(o.price.amount for o in orders) == Decimal("85.00")
    assert [o.scheduled_at for o in orders] == [TOMORROW_9, TOMORROW_9 + datetime.timedelta(minutes=60)]
    assert all(o.package == package and o.status == S.BOOKED for o in orders)


def test_a_package_with_an_item_not_approved_is_refused(world, community, package):
    package.items.filter(kind="meal").update(approval=Approval.PENDING)
    msg = refused(Conflict, package_book, elder=world.elder, package=package, scheduled_at=TOMORROW_9, by=community)
    assert msg.startswith("助餐：代买并烹饪午餐尚未经区民政局审核通过")
    assert not WorkOrder.objects.exists()


def test_a_pending_package_is_refused(world, community, package):
    package.approval = Approval.PENDING
    package.save()
    with pytest.raises(Conflict):
        package_book(elder=world.elder, package=package, scheduled_at=TOMORROW_9, by=community)


# --- self-paid visits --------------------------------------------------------------------------


def check_in_and_out(world, clock, order):
    order_assign(order=order, caregiver=world.caregiver, by=world.admin)
    clock.move_to(order.scheduled_at)
    visit_check_in(order=order, code=world.token, by=world.caregiver.user)
    clock.shift(datetime.timedelta(minutes=65))
    return visit_check_out(order=order, code=world.token, by=world.caregiver.user, elder_code=elder_code(order.elder))


def test_a_self_paid_visit_leaves_the_subsidy_balance_unchanged(world, community, clock, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    personal_deposit(elder=world.elder, amount=Money("30.00", "CNY"), idempotency_key="dep-1")
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community, self_paid=True)
    assert order.self_paid
    done = check_in_and_out(world, clock, order)
    assert done.status == S.COMPLETED
    # 50.00: 30.00 from the personal account, 20.00 cash at the door; the subsidy keeps its 80.00.
    assert account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance == Money("80.00", "CNY")
    assert account_for_elder(elder=world.elder, kind=Account.Kind.PERSONAL).balance == Money("0.00", "CNY")
    legs = {e.account.kind: e.amount.amount for e in done.redemption.entries.select_related("account")}
    assert legs == {"personal": Decimal("-30.00"), "external": Decimal("-20.00"), "provider": Decimal("50.00")}


def test_a_subsidised_visit_still_pays_from_the_subsidy_first(world, community, clock, tree):
    grant(world.elder, "2026-03", "80.00", tree)
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community)
    check_in_and_out(world, clock, order)
    assert account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance == Money("30.00", "CNY")


def test_an_item_outside_the_subsidy_is_always_self_paid_even_without_entitlement(world, community, clock):
    # No grant at all: this elder has no subsidy entitlement, and buys a service at market price.
    errand = make_item(world.provider, price="25.00", name="代办：代缴水电费", kind="errands")
    errand.subsidised = False
    errand.save()
    order = order_book(elder=world.elder, item=errand, scheduled_at=TOMORROW_9, by=community)
    assert order.self_paid
    done = check_in_and_out(world, clock, order)
    assert done.status == S.COMPLETED
    legs = {e.account.kind: e.amount.amount for e in done.redemption.entries.select_related("account")}
    assert legs == {"external": Decimal("-25.00"), "provider": Decimal("25.00")}


def test_a_self_paid_visit_goes_ahead_when_the_subsidy_account_is_frozen(world, community, clock):
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community, self_paid=True)
    Account.objects.filter(pk=account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).pk).update(
        status=Account.Status.FROZEN
    )
    assert check_in_and_out(world, clock, order).status == S.COMPLETED


def test_the_subsidy_choice_is_part_of_the_redemption_fingerprint(world):
    redemption_create(
        elder=world.elder, amount=Money("10", "CNY"), provider=world.provider, idempotency_key="k1", reference="r"
    )
    with pytest.raises(IdempotencyMismatch):
        redemption_create(
            elder=world.elder,
            amount=Money("10", "CNY"),
            provider=world.provider,
            idempotency_key="k1",
            reference="r",
            use_subsidy=False,
        )


def test_a_self_paid_package_makes_every_order_self_paid(world, community, package):
    orders = package_book(elder=world.elder, package=package, scheduled_at=TOMORROW_9, by=community, self_paid=True)
    assert all(o.self_paid for o in orders)


# --- API ---------------------------------------------------------------------------------------


def test_api_books_a_visit_and_a_package(world, community, package, client):
    client.force_login(community)
    r = client.post(
        "/api/v1/work-orders/",
        {"elder": world.elder.pk, "item": world.item.pk, "scheduled_at": TOMORROW_9.isoformat(), "self_paid": True},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["self_paid"] is True and r.json()["price"] == "50.00"
    r = client.post(
        "/api/v1/work-orders/book-package/",
        {"elder": world.elder.pk, "package": package.pk, "scheduled_at": "2026-03-12T09:00:00+08:00"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert sorted(o["price"] for o in r.json()) == ["40.26", "44.74"]
    assert {o["package"] for o in r.json()} == {package.pk}


def test_api_refusals(world, users, package, client):
    body = {"elder": world.elder.pk, "item": world.item.pk, "scheduled_at": "2026-03-09T09:00:00+08:00"}
    client.force_login(users["community"])
    r = client.post("/api/v1/work-orders/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400 and r.json()["detail"] == "上门服务须提前预约：请选择晚于现在的时间。"
    tomorrow = body | {"scheduled_at": TOMORROW_9.isoformat()}
    # Another community's worker does not see the elder; nor does a caregiver who does not visit them.
    client.force_login(users["community_b"])
    assert client.post("/api/v1/work-orders/", tomorrow, content_type="application/json").status_code == 404
    client.force_login(world.caregiver.user)
    assert client.post("/api/v1/work-orders/", tomorrow, content_type="application/json").status_code == 404
    # Another provider's admin does not see this provider's package.
    client.force_login(world.other_admin)
    r = client.post(
        "/api/v1/work-orders/book-package/",
        {"elder": world.elder.pk, "package": package.pk, "scheduled_at": TOMORROW_9.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert not WorkOrder.objects.exists()


# --- pages -------------------------------------------------------------------------------------


def test_booking_page_from_the_work_orders_list_books_a_package(world, community, package, client):
    client.force_login(community)
    listing = client.get(reverse("providers:order_list")).content.decode()
    assert "预约上门服务" in listing and reverse("providers:order_book") in listing
    page = client.get(reverse("providers:order_book")).content.decode()
    assert f'value="package:{package.pk}"' in page and f'value="item:{world.item.pk}"' in page
    r = client.post(
        reverse("providers:order_book"),
        {
            "elder": world.elder.pk,
            "offer": f"package:{package.pk}",
            "scheduled_at": "2026-03-11T09:00",
            "via": "family",
            "note": "",
        },
        follow=True,
    )
    assert r.status_code == 200
    assert WorkOrder.objects.filter(package=package, elder=world.elder).count() == 2
    assert "套餐已预约" in r.content.decode()


def test_booking_page_offers_only_approved_entries_in_force(world, community, client):
    pending = make_item(world.provider, name="待审核项目")
    pending.approval = Approval.PENDING
    pending.save()
    ended = make_item(world.provider, name="已停用旧价")
    ended.valid_from, ended.valid_until = datetime.date(2026, 3, 1), datetime.date(2026, 3, 9)
    ended.save()
    client.force_login(community)
    page = client.get(reverse("providers:order_book")).content.decode()
    assert f'value="item:{world.item.pk}"' in page
    assert f'value="item:{pending.pk}"' not in page and f'value="item:{ended.pk}"' not in page


def test_booking_page_refusal_is_shown_and_nothing_written(world, community, client):
    client.force_login(community)
    r = client.post(
        reverse("providers:order_book"),
        {
            "elder": world.elder.pk,
            "offer": f"item:{world.item.pk}",
            "scheduled_at": "2026-03-09T09:00",
            "via": "family",
        },
        follow=True,
    )
    assert "上门服务须提前预约" in r.content.decode()
    assert not WorkOrder.objects.exists()


def test_booking_page_preselects_the_elder_and_lists_only_agreed_providers(world, community, tree, client):
    foreign = make_item(world.other, name="外单位助洁")
    client.force_login(community)
    page = client.get(reverse("providers:order_book") + f"?elder={world.elder.pk}").content.decode()
    assert f'<option value="{world.elder.pk}" selected' in page
    assert f'value="item:{world.item.pk}"' in page and f'value="item:{foreign.pk}"' not in page
    # An elder outside the worker's communities answers 404.
    stranger = ElderFactory(community=tree.b1)
    assert client.get(reverse("providers:order_book") + f"?elder={stranger.pk}").status_code == 404


def test_booking_page_is_refused_to_roles_that_do_not_book(world, users, client):
    for user in (world.caregiver.user, users["finance"], users["assessor"]):
        client.force_login(user)
        assert client.get(reverse("providers:order_book")).status_code == 403


def test_elder_hub_section_lists_visits_and_links_to_the_booking_form(world, community, users):
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community, self_paid=True)
    with translation.override("zh-hans"):
        (section,) = hub_sections(community, world.elder)
        assert section.title == "服务记录/预约"
        assert [r["url"] for r in section.rows] == [reverse("providers:order_detail", args=[order.pk])]
        assert "自费" in section.rows[0]["detail"]
        assert section.actions[0].url == reverse("providers:order_book") + f"?elder={world.elder.pk}"
        assert section.actions[0].label == "预约上门服务"
    # The district sees the records but does not book; a finance user sees nothing.
    (district_section,) = hub_sections(users["district"], world.elder)
    assert district_section.rows and not district_section.actions
    assert hub_sections(users["finance"], world.elder) == []


def test_a_booked_visit_is_cancelled_from_its_page_with_a_reason(world, community, client):
    order = order_book(elder=world.elder, item=world.item, scheduled_at=TOMORROW_9, by=community)
    url = reverse("providers:order_detail", args=[order.pk])
    client.force_login(world.caregiver.user)
    assert 'id="cancel-form"' not in client.get(url).content.decode()
    client.force_login(community)
    page = client.get(url).content.decode()
    assert 'id="cancel-form"' in page and world.provider.name in page
    client.post(url, {"action": "cancel", "reason": "老人住院，本周暂停服务"})
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    event = WorkOrderEvent.objects.get(order=order, to_status=S.CANCELLED)
    assert (event.note, event.by) == ("老人住院，本周暂停服务", community)
    assert 'id="cancel-form"' not in client.get(url).content.decode()
