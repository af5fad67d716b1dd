"""The district registers a provider won by tender and signs its contract; the provider's admin
adds a caregiver with a photo and a certificate. Both start from the home page and click."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from eldercare.models import Role
from providers.models import Caregiver, Provider
from tests.factories import user_with_role
from tests.test_browser_month import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def login(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")


def test_district_registers_a_provider_and_signs_its_contract(live_server, page, tree):
    user_with_role(Role.DISTRICT_REVIEWER, tree.district, username="district-b")
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "district-b")

    open_menu(page, "服务商")
    page.get_by_role("link", name="登记服务商").click()
    page.fill("#id_name", "颐和居家养老服务中心")
    page.select_option("#id_kind", "social")
    page.fill("#id_licence_number", "52321012MJ0001")
    page.fill("#id_other_licences", "食品经营许可证 JY0001")
    page.get_by_label("龙川街道").check()
    page.get_by_label("仙女镇").check()
    page.fill("#id_phone", "0514-86000000")
    page.fill("#id_address", "龙川路8号")
    page.fill("#id_contact_name", "周主任")
    page.fill("#id_contact_phone", "13912345678")
    page.screenshot(path="test-results/library-register-form.png", full_page=True)
    page.get_by_role("button", name="保存").click()

    expect(page.locator("h1")).to_contain_text("颐和居家养老服务中心")
    expect(page.locator("#provider-status")).to_have_text("候选")
    page.get_by_role("link", name="签订合同").click()
    page.fill("#id_number", "JDHT-2026-09")
    page.fill("#id_starts_on", "2026-03-01")
    page.get_by_role("button", name="保存").click()

    expect(page.locator("#contracts")).to_contain_text("JDHT-2026-09: 2026年3月1日 – 2027年2月28日")
    expect(page.locator("#provider-status")).to_have_text("已签约")
    page.screenshot(path="test-results/library-provider-contracted.png", full_page=True)
    page.get_by_role("link", name="2025Q4").click()
    expect(page.locator("#score")).to_have_text("无数据")  # a new provider: nothing to count yet
    expect(page.locator("#result")).to_have_text("—")
    expect(page.locator("#scorecard")).to_contain_text("无数据")
    page.screenshot(path="test-results/library-scorecard.png", full_page=True)
    provider = Provider.objects.get(licence_number="52321012MJ0001")
    assert provider.status == Provider.Status.CONTRACTED and provider.streets.count() == 2


def test_provider_admin_adds_a_caregiver_with_a_certificate(live_server, page, tree, tmp_path):
    provider = Provider.objects.create(
        name="康乐居家服务中心", kind="social", licence_number="L-1", district=tree.district, status="contracted"
    )
    provider.streets.set([tree.street_a])
    user_with_role(Role.PROVIDER_ADMIN, provider=provider, username="padmin")
    photo = tmp_path / "photo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 150), (180, 150, 130)).save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "padmin")

    open_menu(page, "服务人员")
    page.get_by_role("link", name="添加服务人员").click()
    page.fill("#id_name", "孙秀兰")
    page.fill("#id_staff_number", "K-001")
    page.fill("#id_phone", "13955556666")
    page.set_input_files("#id_photo", str(photo))
    page.get_by_role("button", name="保存").click()

    expect(page.locator("h1")).to_contain_text("孙秀兰")
    expect(page.locator("#caregiver-phone")).to_have_text("139****6666")  # shown masked, revealed with a reason
    form = page.locator("#certificate-form")
    form.locator("#id_kind").select_option("rehabilitation")
    form.locator("#id_number").fill("KF-2026-01")
    form.locator("#id_valid_until").fill("2027-06-30")
    form.get_by_role("button", name="保存证书").click()
    expect(page.locator("#certificates")).to_contain_text("KF-2026-01")
    page.screenshot(path="test-results/library-caregiver.png", full_page=True)
    caregiver = Caregiver.objects.get(staff_number="K-001")
    assert caregiver.photo and list(caregiver.certificates.values_list("kind", flat=True)) == ["rehabilitation"]
