"""The grid worker's journey in Chromium, on the demo district served live: the command centre
asks for a verification (through the API), the grid worker finds it in "my tasks", verifies it
with a note and a photo, and it leaves the list; once the department has handled it, the
worker checks it (pass, with a photo; and on another case fail, which sends it back). The task
map shows the open cases as dots. At 360×640 in Chinese and on a desktop in English, with an
accessibility check on each page.
"""

import io
from collections.abc import Iterator

import httpx
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.db import create_db_engine
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import TerritoryUnit
from tests.images import jpeg_with_gps
from tests.web.conftest import _WATCHED, DEMO_PASSWORD, check_accessibility, field_page

pytestmark = pytest.mark.browser
GRID = "210104002009001"  # the demo grid worker's grid
VIEWS = [pytest.param(True, "zh-CN", id="phone-zh"), pytest.param(False, "en", id="desktop-en")]


class Api:
    """The API as a demo user of the live server (a bearer token)."""

    def __init__(self, server: str) -> None:
        self.client = httpx.Client(base_url=server + "/api/v1", timeout=30)
        self.tokens: dict[str, str] = {}

    def call(self, who: str, method: str, path: str, **kwargs) -> dict:
        if who not in self.tokens:
            body = {"username": who, "password": DEMO_PASSWORD}
            answer = self.client.post("/auth/token", json=body)
            answer.raise_for_status()
            self.tokens[who] = answer.json()["access_token"]
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        answer = self.client.request(method, path, headers=headers, **kwargs)
        assert answer.status_code < 300, answer.text
        return answer.json()

    def act(self, who: str, case_id: int, action: str, note: str | None = None, **data) -> None:
        body = {"action": action, "note": note, "data": data}
        self.call(who, "POST", f"/cases/{case_id}/transitions", json=body)

    def state(self, case_id: int) -> str:
        return self.call("command", "GET", f"/cases/{case_id}")["state"]


@pytest.fixture(scope="module")
def api(demo_server: str) -> Iterator[Api]:
    calls = Api(demo_server)
    yield calls
    calls.client.close()


@pytest.fixture(scope="module")
def grid_point(demo_db: str) -> tuple[float, float]:
    engine = create_db_engine(demo_db)
    with Session(engine) as session:
        unit = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == GRID)).one()
        point = from_wkb(unit.geometry).representative_point()
    engine.dispose()
    return point.x, point.y


def hotline_case(api: Api, point: tuple[float, float], description: str) -> tuple[int, str]:
    """A call the command centre entered at this point of the grid: (id, receipt)."""
    body = {
        "category_code": "0107",
        "description": description,
        "lon": point[0],
        "lat": point[1],
        "channel": "hotline",
        "address": "华炉社区北二路 12 号",
    }
    receipt = api.call("command", "POST", "/cases", json=body)["receipt"]
    items = api.call("command", "GET", "/cases", params={"limit": 20})["items"]
    return next(c["id"] for c in items if c["receipt"] == receipt), receipt


def handled(api: Api, case_id: int) -> None:
    """Drives the case on as the office would: opened, dispatched, handled by 城管."""
    api.act("command", case_id, "open")
    api.act("command", case_id, "dispatch", department_code="urban_mgmt")
    api.act("department", case_id, "feedback", "已更换灯泡")


def refusal_expected(page: Page, status: int) -> None:
    """Forgets the console's report of a refusal the test asked for: Chromium logs any fetch
    answered 4xx as an error, and the page shows it to the user instead."""
    watched = _WATCHED[page]
    watched.errors[:] = [e for e in watched.errors if f"status of {status}" not in e]


def card(page: Page, receipt: str):
    return page.locator(f'li.case-card[data-receipt="{receipt}"]')


def large_jpeg() -> bytes:
    """A phone camera's photo: 3000×2000 pixels."""
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (90, 140, 60)).save(out, "JPEG", quality=95)
    return out.getvalue()


def send_action(
    page: Page, form: str, choice: str, note: str, photo: bool, data: bytes | None = None
) -> None:
    """Fills the case page's form (the choice, a note, a photo) and sends it."""
    page.check(f'#form-{form} input[value="{choice}"]')
    page.fill(f"#note-{form}", note)
    if photo:
        buffer = data or jpeg_with_gps()
        jpeg = {"name": "site.jpg", "mimeType": "image/jpeg", "buffer": buffer}
        page.set_input_files(f"#photos-{form}", files=[jpeg])
        expect(page.locator(f"#photos-{form}-chosen li")).to_have_count(1)
    page.click(f"#form-{form} button[type=submit]")


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_grid_worker_verifies_then_checks(
    browser: Browser, demo_server, api, grid_point, phone, lang
):
    case_id, receipt = hotline_case(api, grid_point, "路灯不亮，晚上很黑")
    api.act("command", case_id, "request_verify")

    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        page.wait_for_url(f"{demo_server}/tasks")  # a grid worker starts at their tasks
        expect(card(page, receipt)).to_be_visible()
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

        card(page, receipt).locator("a").click()
        page.wait_for_url(f"{demo_server}/cases/{case_id}?lang=*")
        expect(page.locator("#case-facts")).to_contain_text(receipt)
        expect(page.locator("#form-verify")).to_be_visible()
        expect(page.locator("#form-check")).to_have_count(0)
        page.wait_for_selector("#case-map .case-point")
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]

        send_action(page, "verify", "verify_valid", "现场确有路灯不亮", photo=True)
        page.wait_for_url(f"{demo_server}/tasks?done={receipt}*")
        expect(page.locator("#done-notice")).to_contain_text(receipt)
        expect(card(page, receipt)).to_have_count(0)  # it left the list
        assert api.state(case_id) == "verified"

        handled(api, case_id)
        page.goto(f"{demo_server}/tasks?tab=check")
        card(page, receipt).locator("a").click()
        page.wait_for_url(f"{demo_server}/cases/{case_id}?lang=*")
        expect(page.locator("#timeline")).to_contain_text("区指挥中心值班长")
        expect(page.locator("#case-photos img")).to_have_count(1)  # the verification's photo
        send_action(page, "check", "check_pass", "灯已亮", photo=True, data=large_jpeg())
        page.wait_for_url(f"{demo_server}/tasks?done={receipt}*")
        expect(card(page, receipt)).to_have_count(0)
        assert api.state(case_id) == "closed"
    # The phone's photo was made smaller in the browser before it was sent: 1600 px at most.
    kept = api.call("command", "GET", f"/cases/{case_id}/evidence")[-1]
    photo = api.client.get(
        f"/cases/{case_id}/evidence/{kept['id']}",
        headers={"Authorization": f"Bearer {api.tokens['command']}"},
    )
    assert Image.open(io.BytesIO(photo.content)).size == (1600, 1067)


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_a_failed_check_sends_the_case_back(
    browser: Browser, demo_server, api, grid_point, phone, lang
):
    case_id, receipt = hotline_case(api, grid_point, "人行道积水")
    handled(api, case_id)
    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        page.goto(f"{demo_server}/cases/{case_id}")
        # Without a reason the department cannot redo it: the form stays, filled, and says so.
        send_action(page, "check", "check_fail", "", photo=True)
        expect(page.locator("#message-check [role=alert]")).to_be_visible()
        expect(page.locator("#photos-check-chosen li")).to_have_count(1)
        refusal_expected(page, 422)
        assert page.url.startswith(f"{demo_server}/cases/{case_id}")
        check_accessibility(page)
        send_action(page, "check", "check_fail", "积水仍未排净", photo=False)
        page.wait_for_url(f"{demo_server}/tasks?done={receipt}*")
    assert api.state(case_id) == "dispatched"


@pytest.mark.parametrize(("phone", "lang"), VIEWS)
def test_the_task_map_shows_the_open_cases(
    browser: Browser, demo_server, api, grid_point, phone, lang
):
    case_id, receipt = hotline_case(api, grid_point, "井盖松动")
    api.act("command", case_id, "request_verify")
    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        page.goto(f"{demo_server}/tasks/map")
        marker = page.locator(f'path.case-marker[data-receipt="{receipt}"]')
        expect(marker).to_have_count(1)
        # Waited for as an attribute, not a script: the page's CSP refuses eval.
        expect(page.locator("body")).to_have_attribute("data-grids-loaded", "1")
        expect(page.locator(f'#open-cases li[data-receipt="{receipt}"]')).to_have_count(1)
        check_accessibility(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        marker.dispatch_event("click")
        page.locator(".case-popup a").click()
        page.wait_for_url(f"{demo_server}/cases/{case_id}?lang=*")
