"""The whole loop in Chromium through the case page, on the demo district served live: a citizen
reports a street light out (the API, as the report page sends it); the command centre asks for
a verification, the grid worker verifies it, the command centre opens it (the category picker)
and dispatches it (the routing table's department pre-selected); the department returns it
(回退) with a reason, it is dispatched again, the department asks for two more days, the
command centre approves; a street office supervises (督办) with a note; the department sends
its result with a photo, the grid worker's check fails (返工), the department sends it again,
the check passes, and the command centre enters the caller's rating. The citizen's receipt
page then shows it closed and rated. Each step is taken by the account whose job it is, on the
page at /cases/{id} (not through another helper's list); on a phone in Chinese, and on a
desktop in English.
"""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.images import jpeg_with_gps
from tests.web.conftest import (
    check_accessibility,
    field_page,
    fits_the_screen,
    forgive_refused_page,
)
from tests.web.demo_loop import DemoLoop

pytestmark = pytest.mark.browser
VIEWS = [pytest.param(True, "zh-CN", id="phone-zh"), pytest.param(False, "en", id="desktop-en")]
# What the pages say, in each language: written out here, not read from the code's strings.
WORDS = {
    "zh-CN": {"rated": "4 星（满分 5 星）", "state": "已评价", "closed": "现场核查通过，结案"},
    "en": {"rated": "4 of 5 stars", "state": "Rated", "closed": "Checked on site and closed"},
}


def open_form(page: Page, form: str) -> None:
    """Unfolds the form's box on the case page (a lone form is open already)."""
    box = page.locator(f"#box-{form}")
    expect(box).to_be_visible()
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    expect(page.locator(f"#form-{form}")).to_be_visible()


def take(
    page: Page,
    server: str,
    case_id: int,
    form: str,
    *,
    choice: str | None = None,
    note: str | None = None,
    photo: bool = False,
    selects: dict[str, str] | None = None,
    to: str | None = None,
) -> None:
    """Opens the case page, fills the form and sends it; waits for where it leads."""
    page.goto(f"{server}/cases/{case_id}")
    open_form(page, form)
    if choice:
        page.check(f'#form-{form} input[name="choice"][value="{choice}"]')
    for name, value in (selects or {}).items():
        page.select_option(f"#{name}-{form}", value)
    if note is not None:
        page.fill(f"#note-{form}", note)
    if photo:
        jpeg = {"name": "result.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
        page.set_input_files(f"#photos-{form}", files=[jpeg])
        expect(page.locator(f"#photos-{form}-chosen li")).to_have_count(1)
    page.click(f"#form-{form} button[type=submit]")
    page.wait_for_url(to or f"{server}/cases/{case_id}?done=*")
    if to is None:
        expect(page.locator("#action-done")).to_be_visible()


def as_user(browser: Browser, server: str, username: str, phone: bool, lang: str):
    return field_page(browser, server, username, phone=phone, lang=lang)


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_the_whole_loop_on_the_case_page(
    browser: Browser, demo_server: str, loop: DemoLoop, phone: bool, lang: str
):
    receipt = loop.citizen_reports()
    case_id = loop.case_id(receipt)
    server = demo_server
    views = {"phone": phone, "lang": lang}

    def in_the_field(action: str, choice: str, note: str) -> None:
        """The grid worker's verify or check, which returns them to their tasks."""
        with as_user(browser, server, "gridworker", **views) as page:
            to = f"{server}/tasks?done={receipt}*"
            take(page, server, case_id, action, choice=choice, note=note, to=to)

    with as_user(browser, server, "command", **views) as page:
        page.goto(f"{server}/cases/{case_id}")
        expect(page.locator("#case-facts")).to_contain_text(receipt)
        expect(page.locator("#case-reporter")).to_contain_text("139****5678")
        expect(page.locator("#case-reporter")).not_to_contain_text("13912345678")
        for form in ("request_verify", "open", "merge", "void", "supervise"):
            expect(page.locator(f"#form-{form}")).to_have_count(1)
        expect(page.locator("#form-dispatch")).to_have_count(0)
        page.wait_for_selector("#case-map .case-point")
        check_accessibility(page)
        fits_the_screen(page)
        take(page, server, case_id, "request_verify")
    assert loop.case(receipt)["state"] == "verifying"

    in_the_field("verify", "verify_valid", "现场确有路灯不亮")
    assert loop.case(receipt)["state"] == "verified"

    with as_user(browser, server, "command", **views) as page:
        page.goto(f"{server}/cases/{case_id}")
        open_form(page, "open")
        expect(page.locator("#category_code-open")).to_have_value("0107")  # as reported
        take(page, server, case_id, "open", selects={"category_code": "0107"})
        page.goto(f"{server}/cases/{case_id}")
        open_form(page, "dispatch")
        # 路灯不亮 goes to 城管 (the category's department): chosen already.
        expect(page.locator("#department_code-dispatch")).to_have_value("urban_mgmt")
        check_accessibility(page)
        fits_the_screen(page)
        take(page, server, case_id, "dispatch", note="请尽快修复")
    assert loop.case(receipt)["department"] == "urban_mgmt"

    with as_user(browser, server, "department", **views) as page:
        # 回退 without a reason is refused on the page, the form kept; then with one.
        page.goto(f"{server}/cases/{case_id}")
        open_form(page, "return")
        page.evaluate("document.querySelector('#note-return').removeAttribute('required')")
        page.click("#form-return button[type=submit]")
        expect(page.locator("#message-return [role=alert]")).to_be_visible()
        forgive_refused_page(page, 422)
        take(page, server, case_id, "return", note="不属本部门，请改派")
    assert loop.case(receipt)["state"] == "returned"

    with as_user(browser, server, "command", **views) as page:
        take(page, server, case_id, "dispatch", selects={"department_code": "urban_mgmt"})
    assert loop.case(receipt)["state"] == "dispatched"

    with as_user(browser, server, "department", **views) as page:
        take(
            page,
            server,
            case_id,
            "request_extension",
            note="需采购灯具",
            selects={"duration": "2d"},
        )
    deadline = loop.case(receipt)["stage_deadline"]
    assert loop.case(receipt)["pending"] == "extension"

    with as_user(browser, server, "command", **views) as page:
        take(page, server, case_id, "extension", choice="approve_extension", note="同意")
    after = loop.case(receipt)
    assert after["pending"] is None and after["stage_deadline"] > deadline

    with as_user(browser, server, "street", **views) as page:
        take(page, server, case_id, "supervise", note="群众反映强烈，请加快处置")
        expect(page.locator("#timeline")).to_contain_text("群众反映强烈")

    with as_user(browser, server, "department", **views) as page:
        take(page, server, case_id, "feedback", note="已更换灯泡", photo=True)
    assert loop.case(receipt)["state"] == "handled"

    in_the_field("check", "check_fail", "灯仍不亮，请返工")
    assert loop.case(receipt)["state"] == "dispatched"

    with as_user(browser, server, "department", **views) as page:
        take(page, server, case_id, "feedback", note="已更换整套灯具", photo=True)

    in_the_field("check", "check_pass", "现场核查通过")
    assert loop.case(receipt)["state"] == "closed"

    with as_user(browser, server, "command", **views) as page:
        page.goto(f"{server}/cases/{case_id}")
        open_form(page, "evaluate")
        page.check('#form-evaluate input[name="rating"][value="4"]')
        page.fill("#note-evaluate", "来电人表示满意")
        page.click("#form-evaluate button[type=submit]")
        page.wait_for_url(f"{server}/cases/{case_id}?done=evaluate*")
        check_accessibility(page)
        fits_the_screen(page)
        page.screenshot(path=f"/tmp/onegrid-casedesk-{'phone' if phone else 'desktop'}.png")

    with field_page(browser, server, None, **views) as page:
        page.goto(f"{server}/track?receipt={receipt}")
        words = WORDS[lang]
        expect(page.locator("#case-state")).to_have_text(words["state"])
        expect(page.locator("#track-timeline")).to_contain_text(words["closed"])
        expect(page.locator("#track-rated")).to_contain_text(words["rated"])
