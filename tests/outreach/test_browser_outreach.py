"""A heat wave in 龙川街道, walked in Chromium by every role from its work list and menus:

1. the district declares the response for 龙川街道 (龙川社区 and 文昌社区);
2. a volunteer of 龙川社区, on her phone, cannot reach 王秀英 at 09:00 nor at 11:30: the household
   is escalated, and the community worker's work list shows it;
3. the community worker confirms 龙川社区's daily report at 15:00, before the 16:00 cut-off;
4. at 16:30 the district's roll-up shows 龙川社区 on time and 文昌社区 not reported;
5. the volunteer orders rice, water and a remedy for 陈桂兰; the community makes the day's run, the
   partner supermarket packs (the remedy not available) and hands over, the community leaves the
   bag at the door and records the code payment, and the volunteer sees the order paid.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from djmoney.money import Money
from playwright.sync_api import expect

from eldercare.models import Elder, Role, User
from outreach.models import Contact, EmergencyResponse, Escalation
from outreach.purchases.models import (
    Necessity,
    OrderStatus,
    PartnerSupermarket,
    PurchaseRequest,
    PurchaseRun,
    SupermarketStaff,
)
from outreach.reports.models import DailyReport
from tests.factories import ElderFactory, user_with_role
from tests.outreach.factories import responsible, screened
from tests.test_browser_month import PHONE, Walk, open_menu, panel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/outreach_shots")
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DAY = datetime.date(2026, 7, 20)  # a Monday of the heat wave
RESPONSE = "2026年7月高温天气关爱行动"
UNREACHED = "王秀英"  # nobody answers her phone
ORDERING = "陈桂兰"  # answers, and needs necessities
THIRD = "刘德福"
SHOP = "江都爱心超市"
REFERENCE = "4200001234202607200088"
PHONE_CONTEXT = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def at(hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=SHANGHAI)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_the_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@dataclass
class Street:
    district: User
    worker: User  # 龙川社区
    worker_a2: User  # 文昌社区
    volunteer: User
    clerk: User
    elders: dict[str, Elder]
    rice: Necessity
    water: Necessity


def named(user: User, name: str) -> User:
    user.full_name = name
    user.save(update_fields=["full_name"])
    return user


@pytest.fixture
def street(tree, volunteer) -> Street:
    district = named(user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="jiangdu_mzj"), "区民政局 吴敏")
    worker = named(user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="longchuan_cw"), "社区工作者 陈红")
    worker_a2 = named(user_with_role(Role.COMMUNITY_WORKER, tree.a2, username="wenchang_cw"), "社区工作者 蒋涛")
    clerk = named(user_with_role(Role.SUPERMARKET, tree.district, username="aixin_clerk"), "超市店员 孙丽")
    shop = PartnerSupermarket.objects.create(
        name=SHOP, district=tree.district, payment_qr="https://pay.example.cn/jiangdu-aixin"
    )
    SupermarketStaff.objects.create(supermarket=shop, user=clerk)
    # The catalogue comes with a migration; a transactional test before this one may have flushed it.
    rice, _ = Necessity.objects.get_or_create(
        name="大米", defaults={"unit": "5kg袋", "typical_price": Money("32.00", "CNY"), "position": 1}
    )
    water, _ = Necessity.objects.get_or_create(
        name="饮用水", defaults={"unit": "550ml×12瓶", "typical_price": Money("18.00", "CNY"), "position": 11}
    )
    born = datetime.date(1940, 5, 1)
    elders = {
        UNREACHED: ElderFactory(community=tree.a1, name=UNREACHED, birth_date=born, address="龙川路12号"),
        ORDERING: ElderFactory(community=tree.a1, name=ORDERING, birth_date=born, address="龙川路15号"),
        THIRD: ElderFactory(community=tree.a1, name=THIRD, birth_date=born, address="龙川路21号"),
        "文昌": ElderFactory(community=tree.a2, name="吴凤英", birth_date=born, address="文昌路3号"),
    }
    screened(elders[UNREACHED], worker, solitary=True)
    screened(elders[ORDERING], worker, solitary=True)
    screened(elders[THIRD], worker, empty_nest=True)
    screened(elders["文昌"], worker_a2, solitary=True)
    for name in (UNREACHED, ORDERING, THIRD):
        responsible(elders[name], worker, user=volunteer)
    responsible(elders["文昌"], worker_a2, name="网格员 蒋涛")
    return Street(district, worker, worker_a2, volunteer, clerk, elders, rice, water)


@pytest.fixture
def clock(street):
    """The day of the walk, ticking (tests/outreach/conftest.py holds the clock still otherwise)."""
    with time_machine.travel(at(8, 30), tick=True) as traveller:
        yield traveller


@pytest.fixture
def walk(browser, live_server):
    w = Walk(browser, live_server)
    yield w
    w.close()


def record_contact(page, name, result):
    """From today's list: the household's 登记 button, by phone, the result, 登记联系."""
    row = page.locator("#today-list li", has_text=name)
    row.get_by_role("link", name="登记").click()
    expect(page.locator("h1")).to_have_text(name)
    page.get_by_label("电话", exact=True).check()
    page.get_by_label(result, exact=True).check()
    page.get_by_role("button", name="登记联系").click()
    expect(page.locator(".alert-success")).to_have_text(f"已登记联系：{name}。")
    expect(page.locator("h1")).to_have_text("今日联系")


def test_a_day_of_the_heat_wave(street, clock, walk, tree, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock travels with the walk
    volunteer, worker = street.volunteer, street.worker

    # --- 1. 08:30: the district declares the heat wave for 龙川街道.
    page = walk.log_in(street.district)
    open_menu(page, "应急响应")
    expect(page.locator("#responses")).to_contain_text("暂无应急响应")
    form = page.locator("#response-form")
    form.locator("#id_kind").select_option("heat_wave")
    form.locator("#id_name").fill(RESPONSE)
    form.get_by_label("龙川街道").check()
    expect(form.locator("#id_starts_on")).to_have_value(DAY.isoformat())
    form.get_by_role("button", name="发布").click()
    expect(page.locator(".alert-success")).to_have_text("应急响应已发布。")
    row = page.locator("#responses li", has_text=RESPONSE)
    expect(row).to_contain_text("高温")
    expect(row).to_contain_text("进行中")
    expect(row).to_contain_text("江都区：龙川街道 · 2026-07-20")
    shot(page, "01-district-declared")
    response = EmergencyResponse.objects.get()
    assert (response.kind, response.starts_on, response.ends_on) == ("heat_wave", DAY, None)
    assert list(response.streets.all()) == [tree.street_a]
    walk.leave(street.district)

    # --- 2. 09:00: the volunteer's phone; nobody answers at 王秀英's; 陈桂兰 is fine.
    clock.move_to(at(9))
    page = walk.log_in(volunteer, PHONE, **PHONE_CONTEXT)
    contacts = panel(page, "今日联系")
    expect(contacts.locator(".badge")).to_have_text("3")
    expect(contacts.locator("li", has_text=UNREACHED)).to_contain_text(f"高风险 · {RESPONSE}")
    shot(page, "02-volunteer-worklist")
    contacts.get_by_role("link", name="查看全部").click()
    expect(page.locator("h1")).to_have_text("今日联系")
    expect(page.locator("#today-list li")).to_have_count(3)
    record_contact(page, UNREACHED, "联系不上")
    expect(page.locator("#today-list li", has_text=UNREACHED)).to_contain_text("联系不上")
    clock.move_to(at(9, 10))
    record_contact(page, ORDERING, "正常")
    expect(page.locator("#today-list")).not_to_contain_text(ORDERING)  # contacted today
    shot(page, "03-volunteer-first-call")
    fits_the_phone(page)
    assert not Escalation.objects.exists()

    # 11:30: she tries 王秀英 again, from the work list: nobody answers, the household is escalated.
    clock.move_to(at(11, 30))
    page = walk.resume(volunteer)
    panel(page, "今日联系").get_by_role("link", name="查看全部").click()
    record_contact(page, UNREACHED, "联系不上")
    expect(page.locator(".alert-warning")).to_have_text(
        f"{UNREACHED}已上报社区（连续两次联系不上），社区须于 07-21 11:30 前处置。"
    )
    shot(page, "04-volunteer-escalated")
    fits_the_phone(page)
    escalation = Escalation.objects.get()
    assert (escalation.elder.name, escalation.community, escalation.reason) == (UNREACHED, tree.a1, "unreachable")
    assert abs(escalation.deadline - (at(11, 30) + datetime.timedelta(hours=24))) < datetime.timedelta(minutes=1)
    assert Contact.objects.filter(elder=escalation.elder, result="unreachable").count() == 2

    # The community worker's work list shows the escalation.
    clock.move_to(at(11, 45))
    page = walk.log_in(worker)
    row = panel(page, "待处置的上报老人").locator("li", has_text=UNREACHED)
    expect(row).to_contain_text("连续两次联系不上 · 07-21 11:")
    notices = page.locator(".card", has=page.locator(".card-header", has_text="通知"))
    expect(notices).to_contain_text(f"{UNREACHED}需社区处置：连续两次联系不上")
    shot(page, "05-community-escalation")

    # --- 3. 15:00: the community worker confirms 龙川社区's daily report.
    clock.move_to(at(15))
    page = walk.resume(worker)
    panel(page, "今日待报送的工作日报").get_by_role("link", name="龙川社区").click()
    expect(page.locator("h1")).to_have_text("今日工作日报")
    card = page.locator(f"#report-{response.pk}-community-{tree.a1.pk}")
    figures = card.locator("table.figures tr")
    expected = [
        ("在册户数", "3"),
        ("关爱对象数", "3"),
        ("当日联系人数", "2"),
        ("发现问题", "1"),
        ("未解决需求数", "1"),
        ("已解决需求数", "0"),
    ]
    for i, (label, value) in enumerate(expected):
        expect(figures.nth(i).locator("th")).to_have_text(label)
        expect(figures.nth(i).locator("td")).to_have_text(value)
    expect(card.get_by_label("在岗工作人员数")).to_have_value("1")
    card.get_by_label("备注").fill("王秀英两次未接电话，已安排网格员上门")
    card.get_by_role("button", name="确认并报送").click()
    expect(page.locator(".alert-success")).to_have_text("日报已报送：龙川社区。")
    expect(card.locator(".badge")).to_have_text("按时")
    shot(page, "06-community-reported")
    report = DailyReport.objects.get(community=tree.a1, is_current=True)
    assert report.on_time and report.submitted_by == worker and report.day == DAY
    assert (report.households, report.covered, report.contacted, report.problems) == (3, 3, 2, 1)
    assert (report.needs_open, report.needs_closed, report.staff_on_duty) == (1, 0, 1)
    assert not DailyReport.objects.filter(community=tree.a2).exists()
    walk.leave(worker)

    # --- 4. 16:30: the district's roll-up; 文昌社区 has not reported.
    clock.move_to(at(16, 30))
    page = walk.log_in(street.district)
    missing = panel(page, "今日未报送单位")
    expect(missing.locator(".badge")).to_have_text("1")
    row = missing.locator("li", has_text="文昌社区")
    expect(row).to_contain_text(f"{RESPONSE} · 未上报")
    expect(row.locator(".overdue")).to_be_visible()
    expect(missing).not_to_contain_text("龙川社区")
    row.get_by_role("link", name="文昌社区").click()
    expect(page.locator("h1")).to_have_text("日报汇总")
    expect(page.locator("#unreported")).to_contain_text("文昌社区")
    expect(page.locator("#unreported")).to_have_class("alert alert-danger py-2 small")
    on_time = page.locator(f"#rollup-table tr[data-unit='community-{tree.a1.pk}']")
    expect(on_time.locator("td")).to_have_text(["龙川社区", "3", "2", "1", "1", "0", "1", "15:00", "按时"])
    late = page.locator(f"#rollup-table tr[data-unit='community-{tree.a2.pk}']")
    expect(late).to_have_attribute("data-status", "missing")
    expect(late).to_have_class("table-danger")
    expect(late.locator("td").last).to_have_text("未上报")
    expect(page.locator("#rollup-table tr.street-total")).to_contain_text("龙川街道（1/2）")
    shot(page, "07-district-rollup")
    walk.leave(street.district)

    # --- 5. 16:40: the volunteer orders necessities for 陈桂兰 on her phone.
    clock.move_to(at(16, 40))
    page = walk.resume(volunteer)
    open_menu(page, "包保户代购")
    page.locator("#my-households li", has_text=ORDERING).get_by_role("link", name="代购生活必需品").click()
    expect(page.locator("h1")).to_have_text(f"代购生活必需品 · {ORDERING}")
    page.fill(f"#id_qty_{street.rice.pk}", "1")
    page.fill(f"#id_qty_{street.water.pk}", "2")
    page.fill("#id_other1", "藿香正气水")
    page.fill("#id_other1_qty", "2")
    page.fill("#id_note", "放门口鞋柜上，老人怕热不开门")
    shot(page, "08-volunteer-order-form")
    fits_the_phone(page)
    page.get_by_role("button", name="提交给社区").click()
    expect(page.locator(".alert-success")).to_have_text(f"已为{ORDERING}提交代购。")
    expect(page.locator("#order-status")).to_have_text("已提交")
    order = PurchaseRequest.objects.get()
    assert order.elder.name == ORDERING and order.requested_by == volunteer and not order.urgent
    assert [(i.label, i.quantity) for i in order.items.all()] == [
        ("大米（5kg袋）", 1),
        ("饮用水（550ml×12瓶）", 2),
        ("藿香正气水", 2),
    ]

    # 16:50: the community makes the day's run (the first one: the regular run is due).
    clock.move_to(at(16, 50))
    page = walk.log_in(worker)
    panel(page, "等待采购的代购需求").locator("li", has_text=ORDERING).get_by_role("link").click()
    expect(page.locator("#order-status")).to_have_text("已提交")
    open_menu(page, "爱心帮买")
    expect(page.locator("#run-due")).to_contain_text(SHOP)
    expect(page.locator("#next-run")).to_have_text(DAY.isoformat())
    page.locator("#run-make").get_by_role("button", name="汇总采购").click()
    expect(page.locator(".alert-success")).to_have_text(f"第1批已发送至{SHOP}，共1户。")
    run = PurchaseRun.objects.get()
    assert (run.community, run.kind, run.cycle, run.run_date) == (tree.a1, "regular", 1, DAY)
    walk.leave(worker)

    # 17:30: the supermarket packs (no 藿香正气水 to be had) and hands the run over.
    clock.move_to(at(17, 30))
    page = walk.log_in(street.clerk)
    row = panel(page, "待分装的采购批次").locator("li", has_text="龙川社区 #1")
    expect(row).to_contain_text("07-20 · 常规（每3天） · 0/1")
    row.get_by_role("link").click()
    expect(page.locator("#consolidated tbody tr")).to_have_count(3)
    page.locator("#packing-lists .card", has_text=ORDERING).get_by_role("link", name="分装").click()
    items = {i.label: i for i in order.items.all()}
    page.fill(f"#id_item_{items['大米（5kg袋）'].pk}", "31.80")
    page.fill(f"#id_item_{items['饮用水（550ml×12瓶）'].pk}", "35.00")
    shot(page, "09-supermarket-packing")
    page.get_by_role("button", name="已分装").click()
    expect(page.locator(".alert-success")).to_have_text(f"已为{ORDERING}分装。")
    expect(page.locator("#packing-lists")).to_contain_text("¥66.80")
    page.locator("#hand-over").get_by_role("button", name="已交社区").click()
    expect(page.locator(".alert-success")).to_have_text("该批次已交社区。")
    shot(page, "10-supermarket-handed-over")
    order.refresh_from_db()
    assert order.status == OrderStatus.HANDED_OVER and order.amount_due == Money("66.80", "CNY")
    assert order.items.get(free_text="藿香正气水").unavailable
    walk.leave(street.clerk)

    # 18:30: the community leaves the bag at the door, then records the payment by code.
    clock.move_to(at(18, 30))
    page = walk.log_in(worker)
    panel(page, "待送达的代购").get_by_role("link", name=ORDERING).click()
    expect(page.locator("#order-status")).to_have_text("已交社区")
    deliver = page.locator("#deliver-form")
    expect(deliver.get_by_label("无接触放在门口")).to_be_checked()
    deliver.get_by_role("button", name="登记送达").click()
    expect(page.locator(".alert-success")).to_have_text(f"已登记送达：{ORDERING}。")
    expect(page.locator("#order-status")).to_have_text("已送达")

    clock.move_to(at(18, 40))
    page = walk.resume(worker)
    panel(page, "待登记的付款").get_by_role("link", name=ORDERING).click()
    page.get_by_role("link", name="付款", exact=True).click()
    expect(page.locator("#amount-due")).to_have_text("66.80")
    expect(page.locator("#payment-qr")).to_be_visible()
    page.get_by_label("扫码支付").check()
    page.get_by_label("支付单号").fill(REFERENCE)
    shot(page, "11-community-payment")
    page.get_by_role("button", name="登记付款").click()
    expect(page.locator(".alert-success")).to_have_text(f"已登记付款¥66.80：{ORDERING}。")
    expect(page.locator("#order-status")).to_have_text("已付款")
    walk.leave(worker)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert order.delivery.contactless and order.delivery.by == worker
    assert (order.payment.method, order.payment.reference, order.payment.amount) == (
        "qr",
        REFERENCE,
        Money(Decimal("66.80"), "CNY"),
    )

    # 19:00: the volunteer sees the order paid.
    clock.move_to(at(19))
    page = walk.resume(volunteer)
    expect(page.locator(".work-panel", has_text="包保户进行中的代购")).to_have_count(0)
    open_menu(page, "包保户代购")
    page.locator("#my-households li", has_text=ORDERING).get_by_role("link", name="代购生活必需品").click()
    row = page.locator("#household-orders li")
    expect(row).to_contain_text("已付款 · ¥66.80")
    row.get_by_role("link").click()
    expect(page.locator("#order-status")).to_have_text("已付款")
    expect(page.locator("#order-items")).to_contain_text("大米（5kg袋） × 1 · ¥31.80")
    expect(page.locator("body")).to_contain_text(f"已付款 ¥66.80 · 扫码支付 · {REFERENCE}")
    shot(page, "12-volunteer-paid")
    fits_the_phone(page)
