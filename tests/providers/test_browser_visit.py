"""The caregiver's visit on a phone (390×844): open it from "my visits", read the elder's QR card
from a photo (jsQR), check in, check out with the elder's one-time code and see the co-pay; and a
check-in sent while the phone is offline, then a short check-out signed on the screen and
confirmed as unpaid. Screenshots go to /tmp/shots/."""

import datetime
from pathlib import Path

import pytest
import segno
from django.core.cache import cache
from playwright.sync_api import expect

from providers.models import WorkOrder
from tests.vouchers.factories import grant
from vouchers.models import Account
from vouchers.services import account_for_elder

from .conftest import START
from .factories import elder_code, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/shots")
S = WorkOrder.Status


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"visit-{name}.png"), full_page=True)


def no_sideways_scrolling(page) -> None:
    wide = page.evaluate(
        """[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 392)
        .map(e => e.tagName + '.' + e.className).slice(0, 8)"""
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], wide


def log_in(page, live_server, user) -> None:
    user.set_password("pw-12345678")
    user.save()
    page.goto(f"{live_server.url}/login/?next=/providers/my/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw-12345678")
    page.click("button[type=submit]")


def card_photo(tmp_path, token: str) -> str:
    """The elder's card as the phone's camera would give it: a PNG of the QR of its token."""
    path = tmp_path / "card.png"
    segno.make(token, error="m").save(str(path), scale=8, border=4)
    return str(path)


def card_video(tmp_path, token: str, width: int = 640, height: int = 480) -> str:
    """The elder's card in front of a camera: a Y4M video (Chromium's fake camera) of its QR code."""
    rows = list(segno.make(token, error="m").matrix_iter(scale=8, border=4))
    luma = bytearray([235]) * (width * height)
    top, left = (height - len(rows)) // 2, (width - len(rows[0])) // 2
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            if dark:
                luma[(top + y) * width + left + x] = 16
    chroma = bytes([128]) * (width * height // 2)
    path = tmp_path / "card.y4m"
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _frame in range(3):
            out.write(b"FRAME\n" + bytes(luma) + chroma)
    return str(path)


@pytest.fixture
def camera_phone(browser_type, browser_type_launch_args, world, tmp_path):
    """A phone whose camera sees the elder's card (a second Chromium with a fake camera)."""
    args = browser_type_launch_args
    browser = browser_type.launch(
        **{
            **args,
            "args": [
                *args.get("args", []),
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={card_video(tmp_path, world.token)}",
            ],
        }
    )
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN")
    context.grant_permissions(["camera"])
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
    browser.close()


def test_caregiver_scans_the_card_and_sees_the_copay(world, clock, tree, live_server, phone, settings, tmp_path):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # the server's clock is frozen in March 2026
    grant(world.elder, "2026-03", "30.00", tree)
    order = make_order(world, at=START)
    subsidy = account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance.amount
    copay = order.price.amount - min(order.price.amount, subsidy)  # no personal account: cash at the door
    page = phone

    log_in(page, live_server, world.caregiver.user)
    expect(page.locator(".visit-row", has_text=world.elder.name)).to_contain_text("已派单")
    shot(page, "1-my-visits")
    page.locator(".visit-row", has_text=world.elder.name).click()
    expect(page.locator("#charge-copay")).to_have_text(f"¥{copay:.2f}")

    photo = card_photo(tmp_path, world.token)
    expect(page.locator("#scan-tools")).to_be_visible()  # the scanner's script has bound the file input
    page.set_input_files("#scan-photo", photo)
    expect(page.locator("#id_code")).to_have_value(world.token)
    expect(page.locator("#scan-status")).to_contain_text("已识别服务卡")
    shot(page, "2-card-read")
    page.click("#check-in")
    expect(page.locator("#order-status")).to_have_text("已签到")
    order.refresh_from_db()
    assert order.status == S.IN_PROGRESS and order.check_in_method == WorkOrder.CheckMethod.SCANNED

    clock.shift(datetime.timedelta(hours=1, minutes=3))
    page.set_input_files("#scan-photo", photo)
    expect(page.locator("#id_code")).to_have_value(world.token)
    page.fill("#id_elder_code", elder_code(world.elder))
    page.fill("#id_notes", "打扫了卧室和厨房")
    expect(page.locator("#charge-copay")).to_have_text(f"¥{copay:.2f}")
    shot(page, "3-check-out")
    page.click("#check-out")

    expect(page.locator("#order-status")).to_have_text("已完成并核销")
    expect(page.locator("#charge-title")).to_have_text("本次服务结算")
    expect(page.locator("#charge-copay")).to_have_text(f"¥{copay:.2f}")
    expect(page.locator("#charge-cash")).to_have_text(f"¥{copay:.2f}")
    shot(page, "4-paid")
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.confirmed_by == WorkOrder.Confirmation.CODE
    assert account_for_elder(elder=world.elder, kind=Account.Kind.SUBSIDY).balance.amount == 0
    assert page.viewport_size == PHONE
    no_sideways_scrolling(page)


def test_offline_check_in_is_sent_later_and_a_short_visit_is_confirmed(
    world, clock, tree, live_server, phone, settings
):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    grant(world.elder, "2026-03", "80.00", tree)
    order = make_order(world, at=START)
    page = phone
    log_in(page, live_server, world.caregiver.user)
    page.locator(".visit-row", has_text=world.elder.name).click()

    # The network drops at the door: the check-in is kept on the phone, then sent when it is back.
    page.wait_for_selector("#visit-form[data-ready]")
    page.context.set_offline(True)
    page.fill("#id_code", world.code)
    page.click("#check-in")
    expect(page.locator("#pending-note")).to_contain_text("已保存，网络恢复后自动提交")
    shot(page, "5-offline")
    assert WorkOrder.objects.get(pk=order.pk).status == S.ASSIGNED
    page.context.set_offline(False)
    expect(page.locator("#order-status")).to_have_text("已签到")
    assert page.evaluate("localStorage.getItem('eldercare.pendingChecks')") == "{}"

    # Forty minutes later the elder asks to stop; the elder signs on the screen.
    clock.shift(datetime.timedelta(minutes=40))
    page.fill("#id_code", world.code)
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 60 + (step % 3) * 20)
    page.mouse.up()
    expect(page.locator("#signature-state")).to_have_text("已签名。")
    page.click("#check-out")

    expect(page.locator("#unpaid-warning")).to_contain_text("40")
    shot(page, "6-unpaid-warning")
    assert WorkOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS
    expect(page.locator("#signature-state")).to_have_text("已签名。")  # kept through the warning
    page.click("#check-out-unpaid")

    expect(page.locator("#order-status")).to_have_text("时长不足，需重新服务")
    expect(page.locator("#not-paid")).to_contain_text("本次不结算")
    shot(page, "7-not-paid")
    order.refresh_from_db()
    assert order.status == S.SHORT and order.confirmed_by == WorkOrder.Confirmation.SIGNATURE
    assert order.redemption is None and WorkOrder.objects.filter(reservice_of=order).exists()
    no_sideways_scrolling(page)
    page.click("#back-link")
    row = page.locator(".visit-row", has_text=world.elder.name).first
    expect(row).to_contain_text("不结算：不足一小时，将重新服务。")
    shot(page, "8-my-visits-after")
    no_sideways_scrolling(page)


def test_the_live_camera_reads_the_card(world, clock, live_server, camera_phone, settings):
    """Linux Chromium has no BarcodeDetector: the frames are decoded with jsQR, as on an iPhone."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    order = make_order(world, at=START)
    page = camera_phone
    log_in(page, live_server, world.caregiver.user)
    page.locator(".visit-row", has_text=world.elder.name).click()
    page.click("#scan-button")
    expect(page.locator("#id_code")).to_have_value(world.token)
    expect(page.locator("#scan-view")).to_be_hidden()  # the camera is closed once the card is read
    shot(page, "9-camera-read")
    page.click("#check-in")
    expect(page.locator("#order-status")).to_have_text("已签到")
    assert WorkOrder.objects.get(pk=order.pk).check_in_method == WorkOrder.CheckMethod.SCANNED
