"""The office pages in Chromium, on the demo district served live, each role at 360×640 in
Chinese and on a desktop in English: the department signs in to its inbox and opens a case
dispatched to it; the street office signs in to its area list, finds an overdue case at the top
and follows its 督办 link to the case's actions; community staff reach the area list from their
tasks; the leader signs in to the overview and drills down district → street → community → grid
and back up by the breadcrumb. Each page fits the phone's width and passes an accessibility check.
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from onegrid.cases.models import Case
from onegrid.db.base import utcnow
from tests.web.conftest import check_accessibility, field_page, fits_the_screen

pytestmark = pytest.mark.browser
VIEWS = [pytest.param(True, "zh-CN", id="phone-zh"), pytest.param(False, "en", id="desktop-en")]


def dispatched(loop) -> tuple[int, str]:
    """A 12345 case in the demo grid worker's grid, opened and dispatched to 城管: (id, receipt)."""
    receipt = loop.hotline_takes_call("李先生", "13800001111")
    case_id = loop.case_id(receipt)
    loop._act("command", case_id, "open")
    loop._act("command", case_id, "dispatch", data={"department_code": "urban_mgmt"})
    return case_id, receipt


def make_overdue(loop, case_id: int) -> None:
    """Moves the case's running deadline into the past (as if days had gone by)."""
    now = utcnow()
    with Session(loop.engine) as session:
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(
                stage_started_at=now - timedelta(days=30), stage_deadline=now - timedelta(days=20)
            )
        )
        session.commit()


def looks_right(page: Page, phone: bool) -> None:
    if phone:
        fits_the_screen(page)
    check_accessibility(page)


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_the_department_starts_on_its_inbox_and_opens_a_case(
    browser: Browser, demo_server: str, loop, phone: bool, lang: str
):
    case_id, receipt = dispatched(loop)
    with field_page(browser, demo_server, "department", phone=phone, lang=lang) as page:
        expect(page).to_have_url(f"{demo_server}/inbox")
        expect(page.locator("h1")).to_have_text(
            "部门待办" if lang == "zh-CN" else "Department inbox"
        )
        expect(page.locator("#inbox-figures")).to_be_visible()
        page.click("#tab-green")
        card = page.locator(f'#inbox-list [data-receipt="{receipt}"]')
        expect(card).to_be_visible()
        expect(card.locator(".light")).to_have_attribute("data-light", "green")
        looks_right(page, phone)
        card.locator(".case-card__link").click()
        expect(page).to_have_url(f"{demo_server}/cases/{case_id}?lang={lang[:2]}")
        expect(page.locator("#case-facts")).to_be_visible()


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_the_street_office_finds_an_overdue_case_first_and_supervises_it(
    browser: Browser, demo_server: str, loop, phone: bool, lang: str
):
    case_id, receipt = dispatched(loop)
    make_overdue(loop, case_id)
    with field_page(browser, demo_server, "street", phone=phone, lang=lang) as page:
        expect(page).to_have_url(f"{demo_server}/area")
        first = page.locator("#area-list .case-card").first
        expect(first.locator(".light")).to_have_attribute("data-light", "red")
        card = page.locator(f'#area-list [data-receipt="{receipt}"]')
        expect(card).to_be_visible()
        looks_right(page, phone)
        card.locator(".case-card__action").click()
        expect(page).to_have_url(f"{demo_server}/cases/{case_id}?lang={lang[:2]}#actions")
        expect(page.locator("#actions")).to_contain_text("督办" if lang == "zh-CN" else "upervise")


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_community_staff_reach_their_area_from_their_tasks(
    browser: Browser, demo_server: str, loop, phone: bool, lang: str
):
    case_id, receipt = dispatched(loop)
    with field_page(browser, demo_server, "community", phone=phone, lang=lang) as page:
        expect(page).to_have_url(f"{demo_server}/tasks")
        page.click("#nav-area")
        expect(page).to_have_url(f"{demo_server}/area")
        page.click("#tab-open")
        card = page.locator(f'#area-list [data-receipt="{receipt}"]')
        expect(card).to_be_visible()
        expect(card.locator(".case-card__action")).to_have_count(0)  # no 督办 for a community
        expect(page.locator("#area-tasks-link")).to_be_visible()
        looks_right(page, phone)


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_the_leader_drills_down_to_a_grid_and_back_up(
    browser: Browser, demo_server: str, loop, phone: bool, lang: str
):
    dispatched(loop)
    with field_page(browser, demo_server, "leader", phone=phone, lang=lang) as page:
        expect(page).to_have_url(f"{demo_server}/overview")
        expect(page.locator("#overview-title")).to_have_text("大东区")
        looks_right(page, phone)
        for name, code in (
            ("大北街道", "210104002"),
            ("华炉社区", "210104002009"),
            ("华炉社区第1网格", "210104002009001"),
        ):
            row = page.locator(f'#overview-units tr[data-unit="{code}"]')
            expect(row).to_contain_text(name)
            row.locator("a").click()
            expect(page.locator("#overview-title")).to_have_attribute("data-unit", code)
        expect(page.locator("#overview-units")).to_have_count(0)
        received = page.locator('#overview-summary [data-figure="received"] .figure__value')
        expect(received).not_to_have_text("0")
        looks_right(page, phone)
        page.locator("#breadcrumb a").first.click()
        expect(page.locator("#overview-title")).to_have_attribute("data-unit", "210104")
