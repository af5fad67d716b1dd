"""A visit held for a missed check-out, walked in Chromium by clicking from the work lists: the
caregiver checks in at 08:30 and never checks out; the nightly task holds the visit; the
provider's administrator, on a phone (390×844), proposes the real check-out with a reason code, a
note and an evidence photo; the town's reviewer, at a desk, compares the times and approves, and
the visit is paid with the corrected times. Screenshots go to /tmp/shots/."""

import datetime
from importlib import import_module
from pathlib import Path

import pytest
import segno
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from providers.models import VisitCorrection, VisitException, WorkOrder
from providers.services import visit_check_in
from providers.services.corrections import close_overdue_visits
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder

from .conftest import START
from .factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path("/tmp/shots")
PASSWORD = "pw-12345678"
HELD = "挂起：异常待处理"
S = WorkOrder.Status

PROVIDER_PANEL = "待您更正的挂起服务（最早的在前）"
TOWN_PANEL = "待您审核的异常服务更正（最早的在前）"
NOTE = "护理员 09:40 离开时忘记签退，老人家属电话确认。"


@pytest.fixture
def reason_codes():
    """The reason codes come with a data migration; a transactional test before this one flushed
    them, so put the migration's rows back."""
    import_module("providers.migrations.0005_reason_codes").load(apps, None)


def shot(page, name: str) -> str:
    SHOTS.mkdir(exist_ok=True)
    path = SHOTS / f"exceptions-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return str(path)


def no_sideways_scrolling(page) -> None:
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
        .map(e => e.tagName + '.' + e.className).slice(0, 8)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide


def panel(page, title):
    return page.locator(".work-panel", has=page.locator(".card-header", has_text=title))


def log_in(browser, live_server, user, viewport, **extra):
    """A browser of the user's own, logged in on the login page and landed on the work list."""
    user.set_password(PASSWORD)
    user.save()
    context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
    # The live server shares one SQLite connection between its threads: keep the browser's own
    # favicon request from running beside a page's request.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("待办事项")
    return page


def evidence_photo(tmp_path) -> str:
    """The photo of the elder's signed paper record, as the administrator's phone would give it."""
    path = tmp_path / "record.png"
    segno.make("2026-03-10 08:30-09:40 已签字", error="m").save(str(path), scale=8, border=4)
    return str(path)


def local(at: datetime.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(at).strftime(fmt)


def test_a_missed_check_out_is_corrected_and_approved(
    world, clock, tree, users, reason_codes, browser, live_server, settings, tmp_path
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in March 2026
    settings.MEDIA_ROOT = tmp_path / "media"  # the evidence photo stays out of the working tree

    # Tuesday 10 March: the caregiver checks in at 08:30 and leaves without checking out.
    grant(world.elder, "2026-03", "80.00", tree)
    granted = account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance
    order = make_order(world, at=START)
    visit_check_in(order=order, code=world.token, by=world.caregiver.user)
    order.refresh_from_db()
    checked_in = order.checked_in_at
    assert order.status == S.IN_PROGRESS and checked_in == START
    # At 15:30 the check-out is overdue: the task closes the visit as an exception.
    clock.shift(datetime.timedelta(hours=7))
    assert close_overdue_visits() == (1, 0)
    order.refresh_from_db()
    assert order.status == S.HELD
    corrected_out = checked_in + datetime.timedelta(minutes=70)

    # --- The provider's administrator, on her phone, from her work list.
    page = log_in(browser, live_server, world.admin, PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    row = panel(page, PROVIDER_PANEL).locator("li", has_text=world.elder.name)
    expect(row).to_contain_text(f"#{order.pk} {world.elder.name} · {local(START)}")
    expect(row).to_contain_text("未签退 · 已挂起 0 天")
    shot(page, "1-provider-worklist")
    no_sideways_scrolling(page)
    row.get_by_role("link").click()

    expect(page.locator("h1")).to_contain_text("更正异常挂起的服务")
    expect(page.locator("#order-status")).to_have_text(HELD)
    expect(page.locator("#exception-list")).to_contain_text(f"{local(checked_in)} 签到，一直未签退")
    form = page.locator("#propose-form")
    expect(form.locator("#id_checked_in_at")).to_have_value(local(checked_in, "%Y-%m-%dT%H:%M"))
    form.locator("#id_reason").select_option(label="忘记签退")
    form.locator("#id_checked_out_at").fill(local(corrected_out, "%Y-%m-%dT%H:%M"))
    form.locator("#id_note").fill(NOTE)
    form.locator("#id_evidence").set_input_files(evidence_photo(tmp_path))
    no_sideways_scrolling(page)
    shot(page, "2-provider-proposes")
    form.get_by_role("button", name="提交审核").click()

    expect(page.locator(".alert-success")).to_contain_text("更正已提交街道（镇）审核。")
    pending = page.locator("#pending")
    expect(pending).to_contain_text("待审核的更正")
    expect(pending).to_contain_text(NOTE)
    expect(pending.get_by_role("link", name="证明照片")).to_be_visible()
    expect(page.locator("#decide-form")).to_have_count(0)  # the one who proposes does not decide
    expect(page.locator("#propose-form")).to_have_count(0)
    expect(page.locator("#order-status")).to_have_text(HELD)
    proposed = shot(page, "3-provider-proposed")
    no_sideways_scrolling(page)
    page.context.close()
    correction = VisitCorrection.objects.get(order=order)
    assert correction.status == VisitCorrection.Status.PROPOSED and correction.evidence
    assert correction.reason.code == "forgot_checkout" and correction.checked_out_at == corrected_out

    # --- Half an hour later the town's reviewer, at her desk, from her work list.
    clock.shift(datetime.timedelta(minutes=30))
    page = log_in(browser, live_server, users["street"], DESKTOP)
    expect(panel(page, PROVIDER_PANEL)).to_have_count(0)
    row = panel(page, TOWN_PANEL).locator("li", has_text=world.elder.name)
    expect(row).to_contain_text(f"#{order.pk} {world.elder.name}")
    row.get_by_role("link").click()

    pending = page.locator("#pending")
    times = pending.locator("tbody tr")
    expect(times.nth(0).locator("th, td")).to_have_text(["签到时间", local(checked_in), local(checked_in)])
    expect(times.nth(1).locator("th, td")).to_have_text(["签退时间", "—", local(corrected_out)])
    expect(pending).to_contain_text(f"忘记签退 — {NOTE}")
    evidence = pending.get_by_role("link", name="证明照片")
    expect(evidence).to_be_visible()
    response = page.context.request.get(live_server.url + evidence.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"\x89PNG")
    shot(page, "4-town-reviews")
    page.get_by_role("button", name="批准：按更正后的时间结算").click()

    expect(page.locator(".alert-success")).to_contain_text("已批准：按更正后的时间结算。")
    expect(page.locator("#order-status")).to_have_text("已完成并核销")
    expect(page.locator("#pending")).to_have_count(0)
    expect(page.locator("#correction-history")).to_contain_text(users["street"].username)
    approved = shot(page, "5-town-approved")
    page.context.close()

    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.duration_minutes == 70
    assert order.checked_in_at == checked_in and order.checked_out_at == corrected_out
    assert not VisitException.objects.filter(order=order, resolved_at__isnull=True).exists()
    correction.refresh_from_db()
    assert correction.status == VisitCorrection.Status.APPROVED and correction.decided_by == users["street"]
    subsidy = account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY)
    assert world.item.price <= granted  # all subsidy, no co-pay
    assert subsidy.balance == granted - world.item.price
    assert Path(proposed).exists() and Path(approved).exists()
