"""In Chromium, on the demo server: a citizen follows a report by its receipt and rates the
result; a hotline operator calls a caller back and enters their rating. At 360×640 and on a
desktop, in Chinese and in English; no request leaves the server, no script error, and axe-core
finds nothing serious on each page."""

import pytest
from playwright.sync_api import Browser, expect

from tests.web.conftest import check_accessibility, field_page, fits_the_screen
from tests.web.demo_loop import DemoLoop

pytestmark = pytest.mark.browser

SETTINGS = [(True, "zh-CN"), (False, "zh-CN"), (True, "en-US"), (False, "en-US")]
IDS = ["phone-zh", "desktop-zh", "phone-en", "desktop-en"]
WORDS = {
    "zh-CN": {
        "steps": ["问题已受理", "立案", "派遣至处置部门", "部门处置完毕", "现场核查通过，结案"],
        "department": "处置部门：区城市管理局",
        "closed": "已结案",
        "rated": "5 星（满分 5 星）",
        "thanks": "感谢您的评价！",
        "evaluated": "已评价",
        "left": "该来电已移出列表",
        "logged": "已记录查看",
    },
    "en-US": {
        "steps": [
            "The report was received",
            "Opened as a case",
            "Dispatched to the department",
            "Handled by the department",
            "Checked on site and closed",
        ],
        "department": "Department: Urban Management Bureau",
        "closed": "Closed",
        "rated": "5 of 5 stars",
        "thanks": "Thank you for your rating!",
        "evaluated": "Rated",
        "left": "The call has left the list",
        "logged": "access logged",
    },
}


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_a_citizen_follows_the_report_and_rates_the_result(
    browser: Browser, demo_server: str, loop: DemoLoop, phone: bool, lang: str
) -> None:
    receipt = loop.citizen_reports()
    loop.close_with_photo(receipt)
    words = WORDS[lang]
    with field_page(browser, demo_server, phone=phone, lang=lang) as page:
        page.goto(demo_server + "/track")
        check_accessibility(page)
        # Typed as people type it: small letters, spaces for the dashes.
        page.fill("#receipt", receipt.lower().replace("-", " "))
        page.click("#track-button")
        expect(page.locator("#case-heading")).to_contain_text(receipt)
        titles = page.locator("#track-timeline .timeline__title")
        expect(titles).to_have_text(words["steps"])
        expect(page.locator("#case-state")).to_have_text(words["closed"])
        expect(page.locator("#track-timeline")).to_contain_text(words["department"])
        photo = page.locator("#track-timeline .timeline__photos img")
        expect(photo).to_have_count(1)
        photo.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth === 480", arg=photo.element_handle()
        )
        assert "13800001111" not in page.content() and "张科长" not in page.content()
        fits_the_screen(page)
        check_accessibility(page)
        page.screenshot(
            path=f"/tmp/onegrid-track-{IDS[SETTINGS.index((phone, lang))]}.png", full_page=True
        )

        page.locator("label[for='rating-5']").click()
        page.fill("#comment", "修得很快" if lang == "zh-CN" else "Fixed quickly")
        expect(page.locator("#comment-left")).to_contain_text("496" if lang == "zh-CN" else "487")
        page.click("#rate-button")
        expect(page.locator("#rating-given")).to_contain_text(words["rated"])
        expect(page.locator("#track-notice")).to_have_text(words["thanks"])
        expect(page.locator("#rating-form")).to_have_count(0)
        expect(titles.last).to_have_text(words["evaluated"])
        fits_the_screen(page)
        check_accessibility(page)
        # The other language shows the same case.
        page.click("#lang-switch")
        other = "en-US" if lang == "zh-CN" else "zh-CN"
        expect(page.locator("html")).to_have_attribute("lang", other.removesuffix("-US"))
        expect(page.locator("#case-heading")).to_contain_text(receipt)
        expect(page.locator("#rating-given")).to_contain_text(WORDS[other]["rated"])
    case = loop.case(receipt)
    assert (case["state"], case["rating"]) == ("evaluated", 5)


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_an_operator_calls_back_and_enters_the_callers_rating(
    browser: Browser, demo_server: str, loop: DemoLoop, phone: bool, lang: str
) -> None:
    receipt = loop.hotline_takes_call("李来电", "13698765432")
    loop.close_with_photo(receipt)
    words = WORDS[lang]
    with field_page(browser, demo_server, "command", phone=phone, lang=lang) as page:
        page.goto(demo_server + "/callbacks")
        row = page.locator(f"li.callback[data-receipt='{receipt}']")
        expect(row).to_contain_text("李**")
        expect(row.locator(".callback__phone")).to_have_text("136****5432")
        check_accessibility(page)
        fits_the_screen(page)
        page.screenshot(
            path=f"/tmp/onegrid-callbacks-{IDS[SETTINGS.index((phone, lang))]}.png", full_page=True
        )

        row.locator(".callback__reveal").click()
        form = row.locator(".callback__reveal-form")
        expect(form).to_be_visible()
        form.locator("button[type='submit']").click()  # the page's stated purpose, as given
        phone_link = row.locator("a.callback__phone")
        expect(phone_link).to_have_text("13698765432")
        assert phone_link.get_attribute("href") == "tel:13698765432"
        expect(row).to_contain_text(words["logged"])
        check_accessibility(page)

        row.locator("label[for$='-4']").click()
        row.locator("textarea").fill("来电人表示满意" if lang == "zh-CN" else "The caller is happy")
        row.locator("button[type='submit']").click()
        expect(row).to_have_count(0)
        expect(page.locator("#callbacks-status")).to_contain_text(receipt)
        expect(page.locator("#callbacks-status")).to_contain_text(words["left"])
        if page.locator("li.callback").count() == 0:
            expect(page.locator("#callbacks-empty")).to_be_visible()
        check_accessibility(page)
    case = loop.case(receipt)
    assert (case["state"], case["rating"]) == ("evaluated", 4)
