"""In Chromium, on the demo server: a citizen reports a problem with a photo, reads the receipt
and follows it on /track; a grid worker's patrol report, located by the phone; a report sent
while offline is kept and sent once, when the network is back. At 360×640 and on a desktop,
in Chinese and in English; no request leaves the server, no script error, axe-checked."""

import io
import random
import string
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.models import Case, Evidence
from onegrid.core.coordinates import wgs84_to_gcj02
from onegrid.db import create_db_engine
from tests.cases.conftest import WORKER_GRID, point_in
from tests.web.conftest import _WATCHED, check_accessibility, click_at, field_page, fits_the_screen

pytestmark = pytest.mark.browser

SETTINGS = [(True, "zh-CN"), (False, "zh-CN"), (True, "en-US"), (False, "en-US")]
IDS = ["phone-zh", "desktop-zh", "phone-en", "desktop-en"]
WORDS = {
    "zh-CN": {"sent": "报告已受理", "unsent": "1 条待发送", "found": "位于", "case": "打开案件页"},
    "en-US": {
        "sent": "Report received",
        "unsent": "1 unsent",
        "found": "In ",
        "case": "Open the case page",
    },
}


@pytest.fixture
def db(demo_db: str) -> Iterator[Session]:
    engine = create_db_engine(demo_db)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture
def point(db: Session) -> tuple[float, float]:
    found = point_in(db, WORKER_GRID)
    return found.x, found.y


def tag() -> str:
    """A word of letters only that tells this test's report apart (digits could be masked)."""
    return "".join(random.choices(string.ascii_lowercase, k=12))


def cases_saying(db: Session, description: str) -> list[Case]:
    db.rollback()  # a fresh snapshot: the server wrote meanwhile
    return list(db.scalars(select(Case).where(Case.description == description)))


def photo() -> dict:
    """A phone's large photo: made smaller in the browser before it is sent."""
    image = Image.new("RGB", (3000, 2000), (30, 60, 120))
    image.paste((240, 200, 40), (1300, 700, 1700, 1100))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def fill_report(page: Page, point, description: str, *, type_point: bool = True) -> None:
    lon, lat = point
    if type_point:
        page.fill("#report-lon", f"{lon:.6f}")
        page.fill("#report-lat", f"{lat:.6f}")
        page.dispatch_event("#report-lat", "change")
    else:
        page.wait_for_function("() => window.onegridMap !== undefined")
        # Zoomed in first, as a person would: at the district's scale a pixel is 150 m.
        page.evaluate("([lon, lat]) => window.onegridMap.setView([lat, lon], 17)", [lon, lat])
        click_at(page, lon, lat)
    expect(page.locator("#location-status")).not_to_be_empty()
    page.fill("#category-search", "0107")
    expect(page.locator("#category-code")).to_have_value("0107")
    page.fill("#description", description)


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_a_citizen_reports_with_a_photo_and_tracks_it(
    browser: Browser, demo_server: str, db: Session, point, phone: bool, lang: str
) -> None:
    description = f"路灯不亮 {tag()}"
    with field_page(browser, demo_server, phone=phone, lang=lang) as page:
        page.goto(demo_server + "/report")
        check_accessibility(page)
        fits_the_screen(page)
        fill_report(page, point, description, type_point=phone)
        page.set_input_files("#photo-input", files=[photo()])
        expect(page.locator("#photo-list img")).to_have_count(1)
        page.fill("#reporter-name", "王小明")
        page.fill("#reporter-phone", "13912345678")
        if not phone:
            page.screenshot(path=f"/tmp/report-form-{lang}.png", full_page=True)
        page.click("#report-submit")
        expect(page.locator("#done-title")).to_have_text(WORDS[lang]["sent"])
        receipt = page.locator("#receipt").get_attribute("data-receipt")
        expect(page.locator("#receipt-qr svg")).to_be_visible()
        assert "13912345678" not in page.content() and "139****5678" in page.content()
        check_accessibility(page)
        fits_the_screen(page)
        if phone:
            page.screenshot(path=f"/tmp/report-done-{lang}.png", full_page=True)
        page.click("#track-link")
        expect(page.locator("#case-heading")).to_contain_text(receipt)
    [case] = cases_saying(db, description)
    assert case.receipt == receipt and case.channel == "citizen"
    [kept] = db.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()
    assert kept.content_type == "image/jpeg" and kept.size < 400_000  # made smaller first


@pytest.mark.parametrize(("phone", "lang"), SETTINGS[::3], ids=IDS[::3])
def test_a_grid_worker_reports_on_patrol(
    browser: Browser, demo_server: str, db: Session, point, phone: bool, lang: str
) -> None:
    description = f"井盖缺失 {tag()}"
    lon, lat = point
    located = {"geolocation": {"longitude": lon, "latitude": lat}, "permissions": ["geolocation"]}
    with field_page(
        browser, demo_server, "gridworker", phone=phone, lang=lang, context_options=located
    ) as page:
        page.goto(demo_server + "/patrol")
        # Located by the phone on load: the point in the fields, its grid named.
        expect(page.locator("#location-status")).to_contain_text(WORDS[lang]["found"])
        assert abs(float(page.input_value("#report-lon")) - lon) < 1e-5
        check_accessibility(page)
        fits_the_screen(page)
        page.fill("#category-search", "0107")
        page.fill("#description", description)
        page.click("#report-submit")
        expect(page.locator("#case-link")).to_have_text(WORDS[lang]["case"])
        check_accessibility(page)
        page.click("#case-link")
        expect(page.locator("#case-facts")).to_be_visible()
    [case] = cases_saying(db, description)
    assert case.channel == "grid_worker" and case.reporter_phone is None


def _ignore_offline_errors(page: Page) -> None:
    # Chromium logs each request refused while offline; the page itself threw nothing.
    watched = _WATCHED[page]
    watched.errors[:] = [e for e in watched.errors if "ERR_INTERNET_DISCONNECTED" not in e]


@pytest.mark.parametrize(
    ("phone", "lang", "who", "path"),
    [(True, "zh-CN", None, "/report"), (False, "en-US", "gridworker", "/patrol")],
    ids=["citizen-phone-zh", "patrol-desktop-en"],
)
def test_a_report_sent_offline_is_kept_and_sent_once(
    browser: Browser, demo_server: str, db: Session, point, phone, lang, who, path
) -> None:
    description = f"占道经营 {tag()}"
    with field_page(browser, demo_server, who, phone=phone, lang=lang) as page:
        page.goto(demo_server + path)
        fill_report(page, point, description)
        page.set_input_files("#photo-input", files=[photo()])
        expect(page.locator("#photo-list img")).to_have_count(1)
        page.context.set_offline(True)
        page.click("#report-submit")
        expect(page.locator("#queue-status")).to_have_text(WORDS[lang]["unsent"])
        expect(page.locator("#description")).to_have_value("")  # ready for the next one
        assert cases_saying(db, description) == []
        page.screenshot(path=f"/tmp/report-offline-{lang}.png", full_page=True)
        page.context.set_offline(False)
        expect(page.locator("#queue-status")).to_be_hidden(timeout=20_000)
        expect(page.locator("#notifications a")).to_be_visible()
        # Once more, as after a reload: nothing is left to send, nothing is sent again.
        page.reload()
        page.wait_for_timeout(500)
        expect(page.locator("#queue-status")).to_be_hidden()
        _ignore_offline_errors(page)
    [case] = cases_saying(db, description)
    assert case.channel == ("grid_worker" if who else "citizen")
    assert len(db.scalars(select(Evidence).where(Evidence.case_id == case.id)).all()) == 1


def _ignore_refusals(page: Page) -> None:
    # Chromium logs each answer of 4xx as a failed resource; here they are the point of it.
    watched = _WATCHED[page]
    watched.errors[:] = [e for e in watched.errors if "status of 404" not in e]


def test_the_place_in_gcj02_and_outside_the_district(
    browser: Browser, demo_server: str, db: Session, point
) -> None:
    description = f"路灯不亮 {tag()}"
    with field_page(browser, demo_server, phone=True, lang="en-US") as page:
        page.goto(demo_server + "/report")
        page.fill("#report-lon", "100.000000")
        page.fill("#report-lat", "30.000000")
        page.dispatch_event("#report-lat", "change")
        expect(page.locator("#location-error")).to_contain_text("outside the district")
        expect(page.locator("#report-lon")).to_have_attribute("aria-invalid", "true")
        # The same place as an AMap user reads it: GCJ-02, named as such.
        lon, lat = wgs84_to_gcj02(*point)
        page.select_option("#report-crs", "gcj02")
        page.fill("#report-lon", f"{lon:.7f}")
        page.fill("#report-lat", f"{lat:.7f}")
        page.dispatch_event("#report-lat", "change")
        expect(page.locator("#location-status")).to_contain_text("In ")
        expect(page.locator("#location-error")).to_be_hidden()
        page.fill("#category-search", "0107")
        page.fill("#description", description)
        page.check("#anonymous")
        page.click("#report-submit")
        expect(page.locator("#contact")).to_have_text("Reported anonymously")
        _ignore_refusals(page)
    [case] = cases_saying(db, description)
    assert abs(case.lon - point[0]) < 1e-6 and abs(case.lat - point[1]) < 1e-6  # WGS-84 kept


def test_an_unsent_report_goes_on_the_next_page_load(
    browser: Browser, demo_server: str, db: Session, point
) -> None:
    description = f"占道经营 {tag()}"
    with field_page(browser, demo_server, phone=True, lang="zh-CN") as page:
        page.goto(demo_server + "/report")
        fill_report(page, point, description)
        page.context.set_offline(True)
        page.click("#report-submit")
        expect(page.locator("#queue-status")).to_have_text(WORDS["zh-CN"]["unsent"])
        _ignore_offline_errors(page)
        # The page closed while offline; the next one, online, sends what was kept.
        later = page.context.new_page()
        page.close()
        page.context.set_offline(False)
        later.goto(demo_server + "/report")
        expect(later.locator("#notifications a")).to_be_visible(timeout=20_000)
        expect(later.locator("#queue-status")).to_be_hidden()
    assert len(cases_saying(db, description)) == 1


def test_the_streets_are_named_once_there_is_room(browser: Browser, demo_server: str) -> None:
    """Without base-map tiles the streets are what a person finds a place by: drawn, and named
    once the map is close enough for the names not to overlap."""
    with field_page(browser, demo_server, phone=True) as page:
        page.goto(demo_server + "/report")
        names = page.locator(".street-label")
        expect(names).to_have_count(10)  # the demo's ten streets
        expect(names.first).to_be_hidden()  # the whole district: no room yet
        page.evaluate("window.onegridMap.setView([41.8350, 123.4600], 14, {animate: false})")
        expect(page.locator(".street-label:visible").first).to_be_visible()
        check_accessibility(page)
