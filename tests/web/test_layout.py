"""Every page on the base layout: one <head>, one stylesheet, a header that fits a phone, the
self-hosted Chinese font, and the header's language switch and sign-out."""

import re
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.accounts import User
from onegrid.accounts import service as accounts
from onegrid.core.permissions import Role
from onegrid.db import create_db_engine
from onegrid.web.rendering import STATIC_DIR
from tests.web.conftest import (
    DISTRICT,
    click_at,
    sign_in,
    signed_in_page,
    wait_for_grids,
)

PHONE, DESKTOP = (360, 640), (1440, 900)
STYLESHEET = "/static/css/onegrid.css"
FONT_FILES = "/static/vendor/noto-sans-sc/files/"
# What a page may load of the font: its text needs a few of the ~100 subsets of each weight.
FONT_BUDGET_BYTES = 1_500_000

# Elements reaching past the edges of the screen, outside the map (whose panes Leaflet draws
# past its edges, clipped) and Swagger UI's own drawing (which scrolls in its own boxes).
_TOO_WIDE = """() => [...document.querySelectorAll('body *')]
  .filter((e) => !e.closest('.leaflet-container, #swagger-ui'))
  .filter((e) => { const r = e.getBoundingClientRect();
                   return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1); })
  .map((e) => e.tagName + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : ''))"""


@pytest.mark.parametrize("path", ["/", "/login", "/password", "/docs", "/report"])
def test_each_page_has_one_head_and_one_stylesheet(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert len(re.findall(r"<head[\s>]", html)) == 1, path
    assert len(re.findall(r"<body[\s>]", html)) == 1, path
    own = re.findall(r'<link rel="stylesheet" href="(/static/(?!vendor/)[^"]*)"', html)
    assert [urlsplit(u).path for u in own] == [STYLESHEET], own
    assert "<style" not in html and " style=" not in html


def test_the_navigation_follows_the_role(client: TestClient, app) -> None:
    html = client.get("/").text
    assert 'id="nav-map"' in html and 'aria-current="page"' in html
    assert 'id="api-docs"' in html
    with TestClient(app) as visitor:
        docs = visitor.get("/docs").text
    # A visitor may read the API docs, not the map: no link to it, a sign-in link instead.
    assert 'id="nav-map"' not in docs and 'id="api-docs"' in docs
    assert 'href="/login?next=/docs' in docs


def test_an_account_that_may_not_read_the_territory_gets_no_broken_map(
    app, territory_db: str
) -> None:
    engine = create_db_engine(territory_db)
    with Session(engine) as session:
        if session.scalar(select(User.id).where(User.username == "auditor")) is None:
            accounts.create(
                session=session,
                username="auditor",
                password="Audit-Reads-2026",
                role=Role.AUDIT_ADMIN,
                district_code=DISTRICT,
            )
            session.commit()
    engine.dispose()
    with TestClient(app) as auditor:
        sign_in(auditor, "auditor", "Audit-Reads-2026")
        html = auditor.get("/?lang=en").text
    assert 'id="no-map"' in html and "This account has no map" in html
    assert 'id="map"' not in html and 'id="nav-map"' not in html
    assert 'id="api-docs"' in html


def test_the_header_names_the_user_role_and_scope(client: TestClient, territory) -> None:
    html = client.get("/").text
    assert re.search(r'id="current-user"[^>]*>mapper（区指挥中心）<', html)
    assert re.search(r'id="current-scope"[^>]*>测试区<', html)
    english = client.get("/?lang=en").text
    assert re.search(r'id="current-user"[^>]*>mapper \(command centre\)<', english)


def _too_wide(page: Page) -> list[str]:
    assert (
        page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]
    )
    return page.evaluate(_TOO_WIDE)


def _header_fits(page: Page) -> None:
    width = page.viewport_size["width"]
    for selector in [
        ".brand",
        "#district-name",
        "#nav-map",
        "#api-docs",
        "#current-user",
        "#current-scope",
        "#lang-switch",
        "#logout",
    ]:
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, selector


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_map_works_on_the_base_layout(
    browser: Browser, live_server: str, territory, viewport: tuple[int, int]
) -> None:
    with signed_in_page(
        browser, live_server, territory.username, territory.password, viewport
    ) as page:
        wait_for_grids(page, 4)
        expect(page.locator("#district-name")).to_have_text(territory.district_name)
        _header_fits(page)
        assert _too_wide(page) == []
        map_box = page.locator("#map").bounding_box()
        assert map_box["width"] >= viewport[0] * 0.7 and map_box["height"] >= 250
        click_at(page, *territory.grid_centers[0])
        panel = page.locator("#unit-panel")
        expect(panel).to_contain_text(territory.worker_name)
        expect(panel).to_contain_text(territory.worker_phone_masked)
        assert _too_wide(page) == []
        page.screenshot(path=f"/tmp/onegrid-layout-{viewport[0]}.png")


_DRAWN = """() => {
  const css = getComputedStyle(document.documentElement);
  const token = (name) => css.getPropertyValue(name).trim();
  const paths = [...document.querySelectorAll('#map path.leaflet-interactive')];
  return {
    palette: Array.from({ length: 12 }, (_, i) => token(`--map-grid-fill-${i + 1}`)),
    selected: token('--map-selected'),
    fills: paths.map((p) => p.getAttribute('fill')).filter((f) => f && f !== 'none'),
    strokes: paths.map((p) => p.getAttribute('stroke')),
  };
}"""


@pytest.mark.browser
def test_the_map_draws_in_the_stylesheets_colours(
    browser: Browser, live_server: str, territory
) -> None:
    with signed_in_page(
        browser, live_server, territory.username, territory.password, DESKTOP
    ) as page:
        wait_for_grids(page, 4)
        drawn = page.evaluate(_DRAWN)
        assert drawn["palette"][:2] == ["#74a9e0", "#f2b27a"]  # the legend's two swatches
        assert len(drawn["fills"]) >= 4 and set(drawn["fills"]) <= set(drawn["palette"])
        click_at(page, *territory.grid_centers[0])
        expect(page.locator("#unit-panel")).to_contain_text(territory.worker_name)
        drawn = page.evaluate(_DRAWN)
        assert drawn["selected"] == "#c92a2a" and drawn["strokes"].count("#c92a2a") == 1


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/login", "/docs", "/report"])
def test_the_visitor_pages_fit_a_phone(browser: Browser, live_server: str, path: str) -> None:
    context = browser.new_context(viewport={"width": PHONE[0], "height": PHONE[1]})
    try:
        page = context.new_page()
        page.goto(live_server + path, wait_until="networkidle")
        assert _too_wide(page) == []
    finally:
        context.close()


@pytest.mark.browser
def test_the_font_comes_from_this_site(browser: Browser, live_server: str, territory) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    fonts: list[tuple[str, int, int]] = []
    requested: list[str] = []
    try:
        page = context.new_page()
        # Listening from the first request: a font the sign-in page loaded is cached after.
        page.on("request", lambda r: requested.append(r.url))
        page.on(
            "response",
            lambda r: (
                fonts.append((r.url, r.status, int(r.headers.get("content-length", 0))))
                if r.request.resource_type == "font"
                else None
            ),
        )
        # Sign-in straight to the map (as a link to it would lead), not the role's start page:
        # the budget below is for these two pages.
        page.goto(live_server + "/login?next=/%3Flang%3Dzh")
        page.fill("#username", territory.username)
        page.fill("#password", territory.password)
        page.click("#login-button")
        wait_for_grids(page, 4)
        click_at(page, *territory.grid_centers[0])
        expect(page.locator("#unit-panel")).to_contain_text(territory.worker_name)
        page.evaluate("() => document.fonts.ready")
        page.wait_for_load_state("networkidle")
        # The Chinese text is drawn in the self-hosted font, not in whatever the machine has.
        assert page.evaluate("() => document.fonts.check('16px \"Noto Sans SC\"', '网格')")
        loaded = page.evaluate(
            "() => [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family)"
        )
        assert loaded and set(loaded) == {"Noto Sans SC"}, loaded
    finally:
        context.close()
    assert [u for u in requested if not u.startswith((live_server, "data:"))] == []
    assert fonts, "the pages loaded no font"
    for url, status, _ in fonts:
        assert url.startswith(live_server + FONT_FILES) and url.endswith(".woff2"), url
        assert status == 200, url
    total = sum(size for *_, size in fonts)
    assert total <= FONT_BUDGET_BYTES, f"{len(fonts)} font files, {total} bytes"


@pytest.mark.browser
def test_the_header_switches_language_and_signs_out(
    browser: Browser, live_server: str, territory
) -> None:
    with signed_in_page(
        browser, live_server, territory.username, territory.password, PHONE
    ) as page:
        wait_for_grids(page, 4)
        page.locator("#lang-switch").click()
        page.wait_for_url(re.compile(r"\?lang=en"))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#logout")).to_have_text("Sign out")
        wait_for_grids(page, 4)
        expect(page.locator("#grid-count")).to_have_text("4 grids")
        # The choice is kept on the account: back to Chinese, for the tests that follow.
        page.locator("#lang-switch").click()
        page.wait_for_url(re.compile(r"\?lang=zh"))
        expect(page.locator("#logout")).to_have_text("退出登录")
        page.locator("#logout").click()
        page.wait_for_url(re.compile(r"/login"))
        expect(page.locator("#login-button")).to_be_visible()
        # The session has ended: the map sends the browser back to the sign-in form.
        page.goto(live_server + "/")
        page.wait_for_url(re.compile(r"/login\?next="))


# A colour written out in a declaration: `: #fff`, `rgb(…)`, `hsl(…)` (not an id selector).
_COLOUR = re.compile(r":[^;{}]*(#[0-9a-fA-F]{3,8}\b|\b(rgba?|hsla?)\()")


def test_every_colour_is_a_token() -> None:
    sheets = [p for p in (STATIC_DIR / "css").glob("*.css") if p.name != "tokens.css"]
    assert sheets
    for sheet in sheets:
        found = _COLOUR.search(sheet.read_text(encoding="utf-8"))
        assert found is None, f"{sheet.name}: {found.group(0)} (give it a name in tokens.css)"
