"""The console in a browser (Debian's chromium), on a phone and a desktop: the command centre
searches in Chinese, narrows by a filter, and moves through the rows with the keys to open a
case; nothing wider than the screen, no request off the site, no script error."""

import re
import uuid

import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import check_accessibility, field_page, fits_the_screen

pytestmark = pytest.mark.browser


def _report(loop, description: str, address: str, channel: str = "hotline") -> str:
    lon, lat = loop.point()
    body = {
        "category_code": "0107",
        "description": description,
        "address": address,
        "lon": lon,
        "lat": lat,
        "channel": channel,
    }
    response = loop.api.post("/cases", json=body, headers=loop._as("command"))
    assert response.status_code == 201, response.text
    return response.json()["receipt"]


@pytest.mark.parametrize("phone", [True, False], ids=["phone", "desktop"])
def test_search_filter_and_keys(browser: Browser, demo_server: str, loop, phone: bool) -> None:
    # A word of its own per run (the demo server's store is shared by the journeys): 井盖 + it.
    mark = "巷" + uuid.uuid4().hex[:6]
    manhole = _report(loop, f"小区门口井盖丢失，晚上很危险 {mark}", "北海街12号")
    noise = _report(loop, f"楼下烧烤店噪音扰民 {mark}", "小东路3号", channel="api")
    with field_page(browser, demo_server, "command", phone=phone) as page:
        page.wait_for_url(re.compile(r"/console"))  # the command centre starts here
        expect(page.locator("h1")).to_have_text("案件工作台")
        # Search in Chinese: "/" goes to the box.
        page.keyboard.press("/")
        expect(page.locator("#f-q")).to_be_focused()
        page.keyboard.type(f"井盖 {mark}")
        page.keyboard.press("Enter")
        page.wait_for_load_state("domcontentloaded")
        rows = page.locator("#console-list .console-row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-receipt", manhole)
        expect(rows.first).to_contain_text("北海街12号")
        expect(page.locator("#tab-received .tabs__count")).to_have_text("1")
        fits_the_screen(page)
        check_accessibility(page)
        # A filter: the channel, with the search word alone.
        page.fill("#f-q", mark)
        page.locator(".console-more summary").click()
        page.select_option("#f-channel", "api")
        page.locator(".console-filters__actions button[type=submit]").click()
        page.wait_for_load_state("domcontentloaded")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-receipt", noise)
        expect(page.locator("#f-channel")).to_have_value("api")
        # Both again, then the keys: j moves down, k up, Enter opens the case.
        page.select_option("#f-channel", "")
        page.locator(".console-filters__actions button[type=submit]").click()
        page.wait_for_load_state("domcontentloaded")
        expect(rows).to_have_count(2)
        page.locator("h1").click()  # the focus out of the form
        page.keyboard.press("j")
        first = rows.nth(0)
        expect(first).to_have_class(re.compile("console-row--current"))
        page.keyboard.press("ArrowDown")
        expect(rows.nth(1)).to_have_class(re.compile("console-row--current"))
        page.keyboard.press("k")
        expect(first).to_have_class(re.compile("console-row--current"))
        expect(first.locator(".console-row__link")).to_be_focused()
        receipt = first.get_attribute("data-receipt")
        page.keyboard.press("x")  # ticks it for the bulk actions
        expect(first.locator(".console-row__pick")).to_be_checked()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/cases/\d+"))
        expect(page.locator("body")).to_contain_text(receipt)
