"""December 2026 in the district, walked in Chromium by every role, each starting from its work list
and moving only by clicking:

1. the district registers a provider won by tender and signs its one-year contract;
2. the provider's administrator adds a caregiver with a certificate and her training, and a
   subsidised catalogue item, which the district approves from its work list;
3. the community worker signs the newly approved elder (and three neighbours) with the provider,
   issues the elder's card and books a visit, finding the elder by part of her name;
4. the provider's administrator assigns the caregiver, who checks in and out on her phone;
5. the town surveys the provider's elders: 3 of 4 satisfied, 75.0 %, a rectification opens;
6. in January both towns confirm December, finance prepares the fourth quarter, the second
   finance user sends it back once, finance prepares it again and the second user approves it.

The quarter's other figures are those of tests/settlement/scenario.py (350.00 before this month's
new visit). Every working user is turned away from /admin/; the system administrator gets in.
"""

import datetime
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from djmoney.money import Money
from playwright.sync_api import expect

from eldercare.models import CalendarDay, CalendarYear, Elder, Role, User
from providers.models import (
    Approval,
    Caregiver,
    ElderCard,
    Provider,
    Rectification,
    SatisfactionSurvey,
    ServiceAgreement,
    ServiceItem,
    WorkOrder,
)
from providers.services.presence import card_confirmation_codes
from settlement.models import QuarterSettlement
from subsidies.standards.models import Scheme
from tests.factories import ElderFactory, user_with_role
from tests.settlement.scenario import DEC, at, build, grant
from tests.subsidies.policy_factories import entitled_elder
from vouchers.models import Account
from vouchers.services import account_for_elder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/month_shots")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-12345678"  # tests.factories.user_with_role

PROVIDER = "颐和居家养老服务中心"
ITEM = "生活照料：助浴及康复按摩"
ELDER = "赵桂芳"
NEIGHBOURS = ["钱玉珍", "孙淑芬", "周德顺"]  # asked in the survey with her; 周德顺 is not satisfied
CAREGIVER = "孙秀兰"
RETURN_REASON = "颐和居家养老服务中心12月助浴单价需与合同复核"


@dataclass
class District:
    """Who works in the district, and the elder approved for December."""

    district: User
    community: User
    town_a: User
    town_b: User
    finance: User
    finance2: User
    sysadmin: User
    elder: Elder


@pytest.fixture
def settlement_guards(django_db_blocker):
    """The settlement's SQLite triggers refuse changes to a locked month or an approved quarter, and
    so the DELETE that flushes a transactional test's tables: put them in place for the walk, drop
    them before the flush (as tests/settlement/conftest.py does for its own tests)."""
    guards = import_module("settlement.migrations.0002_guards")
    events = import_module("settlement.migrations.0003_quarter_returned")
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        with django_db_blocker.unblock(), connection.cursor() as cur:
            for sql in [*guards.SQLITE, *events.SQLITE]:
                cur.execute(sql)
    yield
    if sqlite:
        with django_db_blocker.unblock(), connection.cursor() as cur:
            for name in [*guards._sqlite_names(), *events.sqlite_names()]:
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")


@pytest.fixture
def district(tree, settlement_guards) -> District:
    # October and November are locked; December awaits the towns (town B's two visits of 8-9 December).
    q4 = build(tree, lock_december=False)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        # The administrator entered 2027's holidays: a deadline running into January needs them.
        year = CalendarYear.objects.create(year=2027, note="国务院办公厅关于2027年部分节假日安排的通知")
        CalendarDay.objects.create(calendar_year=year, date=datetime.date(2027, 1, 1), is_workday=False, name="元旦")
        # Approved in November's batch: a low-income semi-disabled elder, 150.00 a month from December.
        elder = entitled_elder(
            scheme=Scheme.objects.get(code="jiangdu"),
            community=tree.a1,
            categories=["dibao"],
            care_level="semi_disabled",
            start_month=DEC,
            approver=q4.district,
            name=ELDER,
        )
        for name in NEIGHBOURS:
            ElderFactory(community=tree.a1, name=name)
        community = user_with_role(Role.COMMUNITY_WORKER, tree.a1, username="longchuan_cw")
        sysadmin = user_with_role(Role.SYSADMIN, tree.district, username="sysadmin")
        sysadmin.is_staff = sysadmin.is_superuser = True
        sysadmin.save()
    with time_machine.travel(at(2026, 12, 1, 2), tick=False):
        grant(elder, DEC, "150.00", tree)  # December's monthly run
    return District(
        district=q4.district,
        community=community,
        town_a=q4.street_a_user,
        town_b=q4.street_b_user,
        finance=q4.finance,
        finance2=q4.finance2,
        sysadmin=sysadmin,
        elder=elder,
    )


@pytest.fixture
def clock(district):
    with time_machine.travel(at(2026, 12, 14, 9), tick=False) as traveller:
        yield traveller


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


class Walk:
    """Each person in a browser context of their own, logged in on the login page and landed on
    the work list; someone coming back the same day goes back to the work list by its menu entry."""

    def __init__(self, browser, live_server):
        self.browser = browser
        self.url = live_server.url
        self.pages = {}

    def log_in(self, user, viewport=DESKTOP, **extra):
        self.leave(user)
        context = self.browser.new_context(viewport=viewport, locale="zh-CN", **extra)
        # The live server shares one SQLite connection between its threads: keep the browser's own
        # favicon request from running beside a page's request.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{self.url}/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("待办事项")
        self.check_admin(context, user)
        self.pages[user.pk] = page
        return page

    def resume(self, user):
        page = self.pages[user.pk]
        open_menu(page, "待办事项")
        expect(page.locator("h1")).to_have_text("待办事项")
        return page

    def check_admin(self, context, user):
        """The Django admin is the system administrator's alone (asked with the page's cookies)."""
        response = context.request.get(f"{self.url}/admin/", max_redirects=0)
        if user.is_superuser:
            assert response.status == 200 and "站点管理" in response.text()  # the admin's index
            return
        location = response.headers.get("location", "")
        refused = response.status == 403 or (response.status == 302 and "login" in location)
        assert refused, f"{user.username} reached the admin: {response.status} {location}"
        assert "站点管理" not in context.request.get(f"{self.url}/admin/").text()

    def leave(self, user):
        page = self.pages.pop(user.pk, None)
        if page is not None:
            page.context.close()

    def close(self):
        for page in self.pages.values():
            page.context.close()
        self.pages.clear()


@pytest.fixture
def walk(browser, live_server):
    w = Walk(browser, live_server)
    yield w
    w.close()


def open_menu(page, name):
    """Click a menu entry. On a phone the menu sits behind the toggler, which answers once
    Bootstrap's script has run (a tap before that is lost, so tap again until the menu shows); an
    entry of a group is in the group's dropdown, opened by its button first (on a phone the
    dropdown opens in place, inside the menu)."""
    nav = page.locator("#mainnav")
    page.wait_for_load_state("load")
    if page.viewport_size["width"] < 992:  # Bootstrap's navbar-expand-lg
        for _ in range(5):
            if nav.is_visible():
                break
            page.click(".navbar-toggler")
            try:
                expect(nav).to_be_visible(timeout=2000)
            except AssertionError:
                continue
    # A closed dropdown's entries are hidden, which the accessibility tree leaves out unless asked.
    entry = page.get_by_role("link", name=name, exact=True, include_hidden=True)
    link = nav.locator(entry)
    group = nav.locator("li.dropdown", has=entry)
    if group.count():
        toggle = group.locator("button.dropdown-toggle")
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(link).to_be_visible()
    link.click()


def panel(page, title):
    return page.locator(".work-panel", has=page.locator(".card-header", has_text=title))


def pick_elder(page, typed, name):
    """The elder picker: type part of the name, tap the suggestion."""
    page.wait_for_selector(".elder-picker[data-ready]", state="attached")
    page.fill("#id_elder_q", typed)
    page.locator("#id_elder_results [role=option]", has_text=name).click()
    expect(page.locator("#id_elder option:checked")).to_contain_text(name)


def test_a_month_of_the_district(district, clock, walk, settings, confirmations):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in the walk's days

    # --- 1. Monday 14 December: the district registers the provider and signs its contract.
    page = walk.log_in(district.district)
    open_menu(page, "服务商")
    page.get_by_role("link", name="登记服务商").click()
    page.fill("#id_name", PROVIDER)
    page.select_option("#id_kind", "social")
    page.fill("#id_licence_number", "52321012MJ0088")
    page.get_by_label("龙川街道").check()
    page.fill("#id_phone", "0514-86001234")
    page.fill("#id_address", "龙川路18号")
    page.fill("#id_contact_name", "吴主任")
    page.fill("#id_contact_phone", "13952501234")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text(PROVIDER)
    expect(page.locator("#provider-status")).to_have_text("候选")
    open_menu(page, "待办事项")
    panel(page, "待签合同的服务商").get_by_role("link", name=PROVIDER).click()
    page.fill("#id_number", "JDHT-2026-12")
    page.fill("#id_starts_on", "2026-12-14")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#contracts")).to_contain_text("JDHT-2026-12: 2026年12月14日 – 2027年12月13日")
    expect(page.locator("#provider-status")).to_have_text("已签约")
    shot(page, "01-district-provider-contracted")
    provider = Provider.objects.get(licence_number="52321012MJ0088")
    assert provider.status == Provider.Status.CONTRACTED

    # The system administrator opens the provider's accounts in the admin (not walked here).
    provider_admin = user_with_role(Role.PROVIDER_ADMIN, provider=provider, username="yihe_admin")

    # --- 2. The provider's administrator: a caregiver with a certificate and training, an item.
    clock.move_to(at(2026, 12, 14, 10))
    page = walk.log_in(provider_admin)
    open_menu(page, "服务人员")
    page.get_by_role("link", name="添加服务人员").click()
    page.fill("#id_name", CAREGIVER)
    page.fill("#id_staff_number", "YH-001")
    page.fill("#id_phone", "13952505678")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text(CAREGIVER)
    form = page.locator("#certificate-form")
    form.locator("#id_kind").select_option("rehabilitation")
    form.locator("#id_number").fill("KF-3210-2026-07")
    form.locator("#id_valid_until").fill("2028-06-30")
    form.get_by_role("button", name="保存证书").click()
    expect(page.locator("#certificates")).to_contain_text("KF-3210-2026-07")
    form = page.locator("#training-form")
    form.locator("#id_course").fill("居家养老护理员岗前培训")
    form.locator("#id_hours").fill("16")
    form.get_by_role("button", name="保存培训记录").click()
    expect(page.locator("#trainings")).to_contain_text("居家养老护理员岗前培训")
    shot(page, "02-provider-caregiver")

    open_menu(page, "服务项目目录")
    page.click("#add-item")
    page.select_option("#id_kind", "personal_care")
    page.fill("#id_name", ITEM)
    page.fill("#id_price", "60.00")
    page.fill("#id_minutes", "60")
    page.select_option("#id_certificate_kind", "rehabilitation")
    page.get_by_label("补贴支付（每次至少一小时）").check()
    page.click("#item-form button[type=submit]")
    expect(page.locator("h1 .approval-pending")).to_have_text("待区民政局审核")
    expect(page.locator("#entry-price")).to_contain_text("60.00")
    shot(page, "03-provider-item-added")
    item = ServiceItem.objects.get(provider=provider, name=ITEM)
    assert item.approval == Approval.PENDING and item.subsidised and item.minutes == 60

    walk.leave(provider_admin)

    # The district approves the item from its work list in the afternoon.
    clock.move_to(at(2026, 12, 14, 15))
    page = walk.resume(district.district)
    row = panel(page, "待审核的服务目录").locator("li", has_text=ITEM)
    expect(row).to_contain_text(f"{PROVIDER} · {ITEM} · ¥60.00")
    row.get_by_role("link").click()
    page.fill("#id_note", "价格符合本区指导价，同意。")
    page.click("#approve")
    expect(page.locator("h1 .approval-approved")).to_have_text("已核准")
    shot(page, "04-district-item-approved")
    walk.leave(district.district)
    item.refresh_from_db()
    assert item.approval == Approval.APPROVED and item.price == Money("60.00", "CNY")

    # And the caregiver's login, tied to the caregiver the provider added.
    caregiver = Caregiver.objects.get(provider=provider, name=CAREGIVER)
    caregiver.user = user_with_role(Role.CAREGIVER, provider=provider, username="sun_xiulan")
    caregiver.save(update_fields=["user"])

    # --- 3. Tuesday 15 December: the community worker signs, issues the card, books a visit.
    clock.move_to(at(2026, 12, 15, 9))
    page = walk.log_in(district.community)
    open_menu(page, "老人档案")
    page.fill("#id_q", ELDER)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name=ELDER).click()
    hub = page.locator(".hub-section", has=page.get_by_role("heading", name="服务协议"))
    expect(hub).to_contain_text("暂无服务协议")
    hub.get_by_role("link", name="签订服务协议").click()
    page.select_option("#id_provider", label=PROVIDER)
    page.click("#submit")
    expect(page.locator(".alert-success")).to_contain_text(f"已与 {PROVIDER} 签订服务协议")
    page.fill("#card-reason", "首次发卡")
    page.click("#card-issue")
    expect(page.locator("#card-current")).to_contain_text("第 1 版")
    shot(page, "05-community-agreement-and-card")

    for name in NEIGHBOURS:
        open_menu(page, "服务协议")
        page.get_by_role("link", name="签订服务协议").click()
        pick_elder(page, name[1:], name)
        page.select_option("#id_provider", label=PROVIDER)
        page.click("#submit")
        expect(page.locator(".open-agreement")).to_contain_text(PROVIDER)
    assert ServiceAgreement.objects.filter(provider=provider, ends_on__isnull=True).count() == 4

    open_menu(page, "工单")
    page.click("#book-visit")
    pick_elder(page, "桂芳", ELDER)
    offer = page.locator("#id_offer")
    offer.select_option(offer.locator("option", has_text=ITEM).get_attribute("value"))
    page.fill("#id_scheduled_at", "2026-12-16T09:00")
    shot(page, "06-community-booking")
    page.click("#book-form button[type=submit]")
    expect(page.locator("#order-status")).to_have_text("已预约")
    order = WorkOrder.objects.get(elder=district.elder)
    assert order.provider == provider and order.price == Money("60.00", "CNY") and not order.self_paid
    walk.leave(district.community)

    # --- 4. The provider's administrator assigns the caregiver; on Wednesday she serves on her phone.
    clock.move_to(at(2026, 12, 15, 14))
    page = walk.log_in(provider_admin)
    row = panel(page, "待派单工单").locator("li", has_text=ELDER)
    expect(row).to_contain_text("12-16 09:00")
    row.get_by_role("link").click()
    assignee = page.locator("#id_caregiver")
    assignee.select_option(assignee.locator("option", has_text=CAREGIVER).get_attribute("value"))
    page.get_by_role("button", name="派单").click()
    expect(page.locator("#order-status")).to_have_text("已派单")
    shot(page, "07-provider-assigned")
    walk.leave(provider_admin)

    clock.move_to(at(2026, 12, 16, 9))
    page = walk.log_in(caregiver.user, PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    panel(page, "今日服务").get_by_role("link", name=ELDER, exact=False).click()
    code = ElderCard.objects.get(elder=district.elder).short_code  # printed on the card the elder holds
    page.fill("#id_code", code)
    page.click("#check-in")
    expect(page.locator("#order-status")).to_have_text("已签到")
    shot(page, "08-caregiver-checked-in")
    clock.shift(datetime.timedelta(minutes=65))
    page.fill("#id_code", code)
    # The elder reads the first one-time code off the back of the card.
    page.fill("#id_elder_code", card_confirmation_codes(ElderCard.objects.get(elder=district.elder))[0])
    page.fill("#id_notes", "协助洗浴，按摩腰背部二十分钟")
    page.click("#check-out")
    expect(page.locator("#order-status")).to_have_text("已完成并核销")
    shot(page, "09-caregiver-checked-out")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    walk.leave(caregiver.user)
    order.refresh_from_db()
    assert order.status == WorkOrder.Status.COMPLETED and order.duration_minutes == 65
    subsidy = account_for_elder(elder=district.elder, kind=Account.Kind.SUBSIDY)
    assert subsidy.balance == Money("90.00", "CNY")  # 150.00 granted − 60.00

    # --- 5. The town surveys the provider's elders: 3 of 4 satisfied.
    clock.move_to(at(2026, 12, 16, 15))
    page = walk.log_in(district.town_a)
    open_menu(page, "满意度测评")
    page.select_option("#id_provider", label=PROVIDER)
    page.get_by_role("button", name="发起测评").click()
    expect(page.locator("h1")).to_have_text(PROVIDER)
    for name in [ELDER, *NEIGHBOURS]:
        pick_elder(page, name[1:], name)
        page.get_by_label("不满意" if name == NEIGHBOURS[-1] else "满意", exact=True).check()
        page.get_by_role("button", name="保存答复").click()
        expect(page.locator(".alert-success")).to_contain_text(name)
    expect(page.locator("#survey-tally")).to_contain_text("已录入 4 条答复，其中满意 3 条")
    page.get_by_role("button", name="提交测评").click()
    expect(page.locator("#survey-rate")).to_have_text("75.0%")
    # 20 working days after 16 December, New Year's Day off: 14 January.
    expect(page.locator("#rectification-link")).to_contain_text("整改中, 整改期限 2027-01-14")
    shot(page, "10-town-survey-75")
    survey = SatisfactionSurvey.objects.get(provider=provider)
    assert (survey.surveyed, survey.satisfied) == (4, 3)
    rect = Rectification.objects.get(survey=survey)
    assert rect.status == Rectification.Status.OPEN and rect.deadline == datetime.date(2027, 1, 14)

    # --- 6. Monday 4 January: both towns confirm December; the quarter is settled.
    clock.move_to(at(2027, 1, 4, 9))
    page = walk.log_in(district.town_a)
    panel(page, "等待本镇（街道）确认的月份").get_by_role("link", name="2026-12 · 龙川街道").click()
    page.get_by_role("button", name="确认 龙川街道 的数据").click()
    expect(page.locator(".alert-success")).to_contain_text("龙川街道 已确认 2026-12")
    assert confirmations[-1] == "确认龙川街道的数字吗？各镇（街道）全部确认后，本月即锁定。"
    expect(page.locator("li", has_text="龙川街道: 已确认")).to_contain_text("(street_a, ¥60.00)")
    expect(page.locator("h1")).to_contain_text("待确认")  # 仙女镇 had visits too: it must confirm as well
    shot(page, "11-town-a-confirmed")
    walk.leave(district.town_a)

    page = walk.log_in(district.town_b, PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    panel(page, "等待本镇（街道）确认的月份").get_by_role("link", name="2026-12 · 仙女镇").click()
    page.get_by_role("button", name="确认 仙女镇 的数据").click()
    expect(page.locator(".alert-success")).to_contain_text("仙女镇 已确认 2026-12")
    expect(page.locator("h1")).to_contain_text("已锁定")
    expect(page.locator("li", has_text="仙女镇: 已确认")).to_contain_text("(street_b, ¥80.00)")
    shot(page, "12-town-b-confirmed-locked")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    walk.leave(district.town_b)

    page = walk.log_in(district.finance)
    panel(page, "季度资金结算").get_by_role("link", name="2026Q4 季度可以结算").click()
    assert page.locator("#quarter-months").inner_text().count("已锁定") == 3
    page.get_by_role("button", name="季度结算").click()
    expect(page.locator("#quarter-status")).to_have_text("已编制，待审核")
    expect(page.locator("#quarter-total")).to_have_text("410.00")  # the scenario's 350.00 + 60.00
    # One visit in the third month, all subsidy, split district : town = 7 : 3.
    cells = page.locator("tr", has_text=PROVIDER).first.locator("td")
    expect(cells).to_have_text(
        [
            PROVIDER,
            "龙川街道",
            "1",
            "¥0.00",
            "¥0.00",
            "¥60.00",
            "¥0.00",
            "¥60.00",
            "¥0.00",
            "¥42.00",
            "¥18.00",
            "¥60.00",
        ]
    )
    # No repayment claim: the quarter's 410.00 is payable in full.
    expect(page.locator("#quarter-payable")).to_have_text("410.00")
    # Next quarter: the new elder joins the scenario's three, (150 + 150 + 60 + 260) × 3.
    expect(page.get_by_role("heading", name="下季度资金拨付需求")).to_contain_text("4 · ¥1,860.00")
    expect(page.locator("#four-eyes-note")).to_be_visible()
    shot(page, "13-finance-prepared")

    page = walk.log_in(district.finance2)
    page.get_by_role("link", name="2026Q4 季度结算待审核（通过或退回）").click()
    page.fill("#id_reason", RETURN_REASON)
    page.get_by_role("button", name="退回").click()
    expect(page.locator("#quarter-status")).to_have_text("已退回，待重新结算")
    expect(page.locator("#returned-reason")).to_contain_text(RETURN_REASON)
    shot(page, "14-finance2-sent-back")

    page = walk.resume(district.finance)
    row = page.locator(".work-panel li", has_text="2026Q4 季度结算已退回，待重新结算")
    expect(row).to_contain_text(RETURN_REASON)
    row.get_by_role("link").click()
    page.get_by_role("button", name="重新结算").click()
    expect(page.locator("#quarter-status")).to_have_text("已编制，待审核")
    expect(page.locator("#quarter-total")).to_have_text("410.00")

    page = walk.resume(district.finance2)
    page.get_by_role("link", name="2026Q4 季度结算待审核（通过或退回）").click()
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("#quarter-status")).to_have_text("已核准")
    # The page asked first (an approved quarter cannot be changed), and the person said yes.
    assert confirmations[-1] == "审核通过本季度结算吗？审核通过后不能再更改。"
    expect(page.locator("#quarter-history")).to_contain_text(RETURN_REASON)
    shot(page, "15-finance2-approved")
    walk.leave(district.finance)
    walk.leave(district.finance2)
    settlement = QuarterSettlement.objects.get()
    assert settlement.status == QuarterSettlement.Status.APPROVED
    assert settlement.total == Money("410.00", "CNY") and settlement.approved_by == district.finance2

    # The system administrator, and only he, opens the admin (checked at each log-in).
    page = walk.log_in(district.sysadmin)
    shot(page, "16-sysadmin-worklist")
