"""评理说事 in Chromium on the demo district served live, at 360×640 in Chinese and on a desktop
in English: community staff open a dispute of their point (its parties masked), record a
session, refer it to a department and follow the link to the case, whose page links back; the
case then closes in the loop (through the API) and the dispute's page says so."""

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.mediation.models import MediationPoint
from tests.web.conftest import check_accessibility, field_page, fits_the_screen

pytestmark = pytest.mark.browser
VIEWS = [pytest.param(True, "zh-CN", id="phone-zh"), pytest.param(False, "en", id="desktop-en")]
COMMUNITY = "210104002009"  # the demo community staff's
PARTY, PARTY_PHONE = "王小明", "13912345678"


def register(loop) -> int:
    """Registers a dispute at the community's point through the API; returns its id."""
    with Session(loop.engine) as session:
        point = session.scalars(
            select(MediationPoint.id).where(MediationPoint.community_code == COMMUNITY)
        ).one()
    body = {
        "point_id": point,
        "issue_type": "neighbour",
        "summary": "楼上违规搭建阳光房，挡住楼下采光",
        "parties": [{"side": "applicant", "name": PARTY, "phone": PARTY_PHONE}],
    }
    response = loop.api.post("/mediation/disputes", json=body, headers=loop._as("community"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def close_in_the_loop(loop, case_id: int) -> None:
    """The command centre opens and dispatches the case to 城管, the department feeds back, the
    community's staff check it on site: closed."""
    loop._act("command", case_id, "open")
    loop._act("command", case_id, "dispatch", data={"department_code": "urban_mgmt"})
    loop._act("department", case_id, "feedback", note="已拆除违建")
    loop._act("community", case_id, "check_pass", note="现场核查通过")


def looks_right(page: Page, phone: bool) -> None:
    if phone:
        fits_the_screen(page)
    check_accessibility(page)


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_community_staff_refer_a_dispute_and_see_its_case_close(
    browser: Browser, demo_server: str, loop, phone: bool, lang: str
):
    dispute_id = register(loop)
    with field_page(browser, demo_server, "community", phone=phone, lang=lang) as page:
        page.goto(f"{demo_server}/mediation")
        expect(page.locator("#count-total")).not_to_have_text("0")
        looks_right(page, phone)
        page.click(f'[data-dispute="{dispute_id}"] a')
        expect(page.locator("#dispute-state")).to_have_attribute("data-state", "open")
        expect(page.locator("#dispute-parties")).to_contain_text("王**")
        expect(page.locator("#dispute-parties")).to_contain_text("139****5678")
        assert PARTY not in page.content() and PARTY_PHONE not in page.content()
        looks_right(page, phone)

        page.fill("#mediator", "社区调解员")
        page.fill("#note", "双方到场，约定三日内答复")
        page.click("#record-session")
        expect(page.locator("#dispute-state")).to_have_attribute("data-state", "mediating")
        expect(page.locator(".sitting")).to_have_count(1)

        page.click("#refer-dispute")
        expect(page.locator("#dispute-state")).to_have_attribute("data-state", "referred")
        expect(page.locator("#dispute-case-state")).to_have_attribute("data-state", "received")
        expect(page.locator("#refer-form")).to_have_count(0)  # one referral, no second
        page.click("#dispute-case-link")
        expect(page.locator("#case-dispute")).to_be_visible()
        case_id = int(page.url.split("/cases/")[1].split("?")[0])

        close_in_the_loop(loop, case_id)
        page.click("#case-dispute")
        expect(page.locator("#dispute-case-state")).to_have_attribute("data-state", "closed")
        looks_right(page, phone)
