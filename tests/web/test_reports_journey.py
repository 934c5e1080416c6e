"""The monthly report in a browser: a street office follows the navigation to its street's
report, reads it on a phone, prints it without the header, and downloads the same as XLSX; the
command centre picks another street. Debian's chromium against the demo server."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.sheets import xlsx_sheets
from tests.web.conftest import check_accessibility, field_page, fits_the_screen


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_a_street_office_reads_prints_and_downloads_its_report(browser, demo_server, phone):
    with field_page(browser, demo_server, "street", phone=phone) as page:
        page.click("#nav-reports")
        expect(page.locator("#report-title")).to_contain_text("大北街道")
        expect(page.locator("#report-figures")).to_contain_text("结案率")
        fits_the_screen(page)
        check_accessibility(page)
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.locator(".monthly-report__controls")).to_be_hidden()
        expect(page.locator("#report-title")).to_be_visible()
        page.emulate_media(media="screen")
        with page.expect_download() as download:
            page.click("#report-xlsx")
        content = Path(download.value.path()).read_bytes()
        assert list(xlsx_sheets(content)) == ["指标", "高发类别", "超期案件"]


def test_the_command_centre_picks_a_street(browser, demo_server):
    with field_page(browser, demo_server, "command", phone=False) as page:
        page.goto(demo_server + "/reports/monthly?month=2026-11&lang=zh")
        chosen = page.locator("#report-street option").nth(1)
        name = chosen.inner_text()
        page.select_option("#report-street", chosen.get_attribute("value"))
        page.click(".monthly-report__controls button[type=submit]")
        expect(page.locator("#report-title")).to_contain_text(name)
        expect(page.locator("#report-title")).to_contain_text("2026-11")
