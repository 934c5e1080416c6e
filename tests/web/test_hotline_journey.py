"""In Chromium, on the demo server: the 12345 operator signs in to the call form, enters a call,
reads the receipt out; once the case is closed (through the API, by the accounts whose job it
is) the call waits on the callback list, the operator enters the caller's rating, and /track
shows the case rated. At 360×640 and on a desktop, in Chinese and in English; no request leaves
the server, no script error, and axe-core finds nothing serious on each page."""

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import (
    check_accessibility,
    field_page,
    fits_the_screen,
    forgive_refused_page,
)
from tests.web.demo_loop import DemoLoop

pytestmark = pytest.mark.browser

SETTINGS = [(True, "zh-CN"), (False, "zh-CN"), (True, "en-US"), (False, "en-US")]
IDS = ["phone-zh", "desktop-zh", "phone-en", "desktop-en"]
WORDS = {
    "zh-CN": {
        "find": "路灯",
        "point_error": "请在地图上选点或输入经纬度",
        "not_saved": "来电尚未保存",
        "read_out": "请向来电人读出受理编号",
        "callback": "结案后回访",
        "rated": "4 星（满分 5 星）",
        "comment": "来电人表示满意",
    },
    "en-US": {
        "find": "street light",
        "point_error": "Pick the point on the map or type its longitude and latitude",
        "not_saved": "the call is not saved yet",
        "read_out": "Read the receipt number out to the caller",
        "callback": "once closed",
        "rated": "4 of 5 stars",
        "comment": "The caller is happy",
    },
}
PHONE = "13611112222"


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_the_operator_enters_a_call_and_later_the_callers_rating(
    browser: Browser, demo_server: str, loop: DemoLoop, phone: bool, lang: str
) -> None:
    words = WORDS[lang]
    setting = IDS[SETTINGS.index((phone, lang))]
    lon, lat = loop.point()
    with field_page(browser, demo_server, "hotline", phone=phone, lang=lang) as page:
        expect(page).to_have_url(re.compile(r"/hotline$"))  # the operator's start page
        check_accessibility(page)
        fits_the_screen(page)
        page.fill("#reporter_name", "赵来电")
        page.fill("#reporter_phone", PHONE)
        page.fill("#report-address", "华炉社区 3 号楼门前")
        page.fill("#category-search", words["find"])
        page.select_option("#category-code", "0107")
        page.fill("#description", "路灯杆被撞歪了，晚上很黑")
        page.check("#callback_wanted")
        page.click("#save-call")  # no point yet: the form comes back, nothing saved
        expect(page.locator("#call-errors")).to_contain_text(words["not_saved"])
        expect(page.locator("#location-error")).to_contain_text(words["point_error"])
        expect(page.locator("#description")).to_have_value("路灯杆被撞歪了，晚上很黑")
        expect(page.locator("#callback_wanted")).to_be_checked()
        forgive_refused_page(page, 422)  # the form again, its problem named: as meant
        check_accessibility(page)
        fits_the_screen(page)
        page.screenshot(path=f"/tmp/onegrid-hotline-error-{setting}.png", full_page=True)

        page.fill("#report-lon", f"{lon:.6f}")
        page.fill("#report-lat", f"{lat:.6f}")
        page.locator("#report-lat").dispatch_event("change")
        expect(page.locator("#location-status")).to_contain_text("华炉")  # the map picker's check
        page.click("#save-call")
        receipt_box = page.locator("#receipt")
        expect(receipt_box).to_be_visible()
        receipt = receipt_box.get_attribute("data-receipt")
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt)
        expect(receipt_box).to_have_text(receipt.replace("-", " - "))
        expect(page.locator("#call-saved")).to_contain_text(words["read_out"])
        expect(page.locator("#saved-phone")).to_have_text("136****2222")
        expect(page.locator("#saved-caller")).to_have_text("赵**")
        expect(page.locator("#saved-callback")).to_have_text(words["callback"])
        assert PHONE not in page.content()
        check_accessibility(page)
        fits_the_screen(page)
        page.screenshot(path=f"/tmp/onegrid-hotline-receipt-{setting}.png", full_page=True)
        page.click("#lang-switch")  # the other language reads out the same receipt
        expect(page.locator("html")).to_have_attribute("lang", "en" if lang == "zh-CN" else "zh-CN")
        expect(receipt_box).to_have_attribute("data-receipt", receipt)
        # The switch keeps the choice on the account (the pages after speak it too): back.
        page.click("#lang-switch")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN" if lang == "zh-CN" else "en")
        page.click("#new-call")
        expect(page.locator("#reporter_name")).to_have_value("")

        loop.close_with_photo(receipt)  # the loop, by the accounts whose job it is
        page.goto(demo_server + "/callbacks")
        row = page.locator(f"li.callback[data-receipt='{receipt}']")
        expect(row).to_contain_text("赵**")
        expect(row.locator(".callback__phone")).to_have_text("136****2222")
        row.locator("label[for$='-4']").click()
        row.locator(".callback__rating textarea").fill(words["comment"])
        row.locator(".callback__rating button[type='submit']").click()
        expect(row).to_have_count(0)
        expect(page.locator("#callbacks-status")).to_contain_text(receipt)

        page.goto(f"{demo_server}/track?receipt={receipt}")
        expect(page.locator("#rating-given")).to_contain_text(words["rated"])
        check_accessibility(page)
    case = loop.case(receipt)
    assert (case["state"], case["rating"], case["channel"]) == ("evaluated", 4, "hotline")
    assert case["callback_wanted"] is True
