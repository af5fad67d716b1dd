"""Finance logs in, settles a quarter, another finance user approves, both files are downloaded."""

import pandas as pd
import pytest
import time_machine

from tests.test_browser_month import open_menu

from .scenario import at, build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-12345678")
    page.click("button[type=submit]")


def test_finance_settles_a_quarter_and_downloads_pdf_and_xlsx(
    live_server, page, tree, settings, tmp_path, sqlite_guards_off_at_teardown
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    build(tree)
    with time_machine.travel(at(2027, 1, 5), tick=True):
        _login(page, live_server, "finance1")
        open_menu(page, "资金结算")
        page.fill("#id_quarter", "2026Q4")
        page.get_by_role("button", name="季度结算").click()
        assert page.locator("#quarter-total").inner_text() == "350.00"
        assert "结算与账本按服务商、按镇（街道）核对一致" in page.content()

        _login(page, live_server, "finance2")
        page.goto(f"{live_server.url}/settlement/quarters/2026Q4/")
        page.get_by_role("button", name="审核通过").click()
        assert "已核准" in page.locator("h1").inner_text()

        files = {}
        for label, suffix in (("季度结算报表（PDF）", ".pdf"), ("季度结算报表（XLSX）", ".xlsx")):
            page.get_by_role("button", name=label).click()
            link = page.locator("a.report-download").first
            link.wait_for(timeout=20_000)
            with page.expect_download() as info:
                link.click()
            path = tmp_path / f"download{suffix}"
            info.value.save_as(path)
            files[suffix] = path
            page.reload()
    assert files[".pdf"].read_bytes().startswith(b"%PDF")
    summary = pd.read_excel(files[".xlsx"], sheet_name="汇总")
    assert summary.iloc[-1]["合计"] == pytest.approx(350.00)
