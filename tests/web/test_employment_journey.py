"""The 人社 handler's journey in Chromium, on the demo district served live, at 360×640 in
Chinese and on a desktop in English: signing in leads to the employment ledgers; the handler
records a 稳岗 subsidy payment, sees the totals grow by it, and exports the list, which holds
the new entry. The page fits the phone's width and passes an accessibility check."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from onegrid.core.credit_code import credit_check_character
from tests.sheets import csv_rows
from tests.web.conftest import check_accessibility, field_page, fits_the_screen

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("phone", "lang", "n"),
    [pytest.param(True, "zh-CN", 1, id="phone-zh"), pytest.param(False, "en", 2, id="desktop-en")],
)
def test_the_handler_records_a_subsidy_sees_the_totals_change_and_exports_the_list(
    browser: Browser, demo_server: str, phone: bool, lang: str, n: int
):
    first17 = f"91210104JR{n:07d}"
    code = first17 + credit_check_character(first17)
    name = f"沈阳旅程测试{n}有限公司"
    with field_page(browser, demo_server, "hr", phone=phone, lang=lang) as page:
        expect(page).to_have_url(f"{demo_server}/employment")
        enterprises = page.locator('#employment-totals [data-figure="enterprises"] dd').first
        before = int(enterprises.inner_text().replace(",", ""))
        assert before >= 3225
        if phone:
            fits_the_screen(page)
        check_accessibility(page)

        page.fill("#subsidy_enterprise_name", name)
        page.fill("#subsidy_credit_code", code)
        page.select_option("#subsidy_street_code", "210104002")
        page.fill("#subsidy_period", "2026-12")
        page.fill("#subsidy_amount", "8800.50")
        page.fill("#subsidy_jobs_kept", "12")
        page.click("#record-subsidy")

        expect(page.locator("#done")).to_have_text(
            "已记录稳岗补贴发放" if lang == "zh-CN" else "The subsidy payment is recorded"
        )
        expect(enterprises).to_have_text(f"{before + 1:,}")
        expect(page.locator("#subsidy-table")).to_contain_text(name)

        with page.expect_download() as download:
            page.click("#subsidies-csv")
        content = Path(download.value.path()).read_bytes()
        header, *rows = csv_rows(content)
        mine = [r for r in rows if code in r]
        assert len(mine) == 1 and "8800.5" in mine[0]
        assert len(rows) == before + 1
