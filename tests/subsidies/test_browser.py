"""One case from filing to approval through the pages, in Debian's Chromium."""

import datetime

import pytest
import time_machine

from eldercare.periods import Month
from subsidies.standards.services.policies import load_policies
from tests.factories import ElderFactory
from tests.files import pdf_bytes

from .factories import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, live_server, user):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def _act(page, action, opinion=""):
    form = page.locator(f"form.action-{action}")
    if opinion:
        form.locator("textarea[name=opinion]").fill(opinion)
    form.locator("button").click()
    page.wait_for_load_state()


def test_case_from_filing_to_approval(live_server, browser, tree, scheme, batch, users, tmp_path):
    # 81 and assessed self-care: scheme A's high-age standard (the approval states it).
    elder = ElderFactory(community=tree.a1, name="周秀英", birth_date=datetime.date(1944, 6, 1))
    load_policies(district=tree.district, first_month=Month(2020, 1))
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_bytes())
    with time_machine.travel(at(datetime.date(2026, 3, 2)), tick=True) as traveller:
        page = _login(browser, live_server, users["community"])
        page.goto(f"{live_server.url}/subsidies/applications/new/")
        page.select_option("select[name=elder]", str(elder.pk))
        page.select_option("select[name=scheme]", str(scheme.pk))
        page.select_option("select[name=care_situation]", "self_care")
        page.click("#file-form button[type=submit]")
        page.wait_for_selector("#material-form")
        assert "缺少必备材料" in page.content()
        for kind in ("approval_form", "id_card", "household_register"):
            page.select_option("#material-form select[name=material_type]", kind)
            page.set_input_files("#material-form input[name=file]", str(scan))
            page.click("#material-form button")
            page.wait_for_load_state()
        assert "缺少必备材料" not in page.content()
        _act(page, "accept")
        form = page.locator("form.action-notice_start")
        form.locator("input[name=starts_on]").fill("2026-03-02")
        form.locator("input[name=ends_on]").fill("2026-03-06")
        form.locator("textarea[name=investigation_notes]").fill("入户调查属实")
        form.locator("button").click()
        page.wait_for_load_state()
        assert page.inner_text("#app-status") == "公示"
        case_url = page.url

        traveller.move_to(at(datetime.date(2026, 3, 9)))
        page.reload()
        _act(page, "notice_close")
        _act(page, "forward", "公示无异议，同意上报")
        assert page.inner_text("#app-status") == "街道（镇）审核"

        street = _login(browser, live_server, users["street"])
        street.goto(case_url)
        _act(street, "street_approve", "同意")
        assert street.inner_text("#app-status") == "能力评估"

        assessor = _login(browser, live_server, users["assessor"])
        assessor.goto(case_url)
        assessor.click("#assess")
        for name, value in (("self_care", "32"), ("mobility", "16"), ("mental", "24"), ("perception_social", "18")):
            assessor.fill(f"input[name=score_{name}]", value)
        assessor.click("#assessment-form button")
        assessor.wait_for_load_state()
        assert assessor.inner_text("#app-status") == "区级审批"

        district = _login(browser, live_server, users["district"])
        district.goto(case_url)
        _act(district, "approve", "同意核准")
        assert district.inner_text("#app-status") == "已核准"
        assert "能力完好" in district.content()
        assert district.locator("#history tr").count() == 9  # header + 8 moves
