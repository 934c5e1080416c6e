"""The district map at `/`: language, self-hosted assets, and the map itself in Chromium."""

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect

from onegrid.config import get_settings
from onegrid.core.levels import Level
from onegrid.web.pages.map import STRINGS
from onegrid.web.rendering import STATIC_DIR
from onegrid.web.strings import page_strings
from tests.web.conftest import click_at, signed_in_page, wait_for_grids

SCREENSHOT = "/tmp/onegrid-map.png"
SCREENSHOT_EN = "/tmp/onegrid-map-en.png"
SCREENSHOT_REVEAL = "/tmp/onegrid-map-reveal.png"
SCREENSHOT_REVEAL_FORM = "/tmp/onegrid-map-reveal-form.png"
SCREENSHOT_REVEAL_EN = "/tmp/onegrid-map-reveal-en.png"
PURPOSE = "核实网格员联系方式"
_ATTRIBUTE_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def urls_in(html: str) -> list[str]:
    """Returns every src and href attribute value of the page."""
    return _ATTRIBUTE_URL.findall(html)


def page_config(html: str) -> dict:
    """Returns the JSON configuration the page hands to its script."""
    match = re.search(r'<script id="onegrid-config" type="application/json">(.*?)</script>', html)
    assert match, "the page has no onegrid-config script"
    return json.loads(match.group(1))


# ---- the page as HTML ------------------------------------------------------------------------


def test_page_is_chinese_by_default(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in response.text
    assert "网格" in response.text
    assert "一网统管" in response.text
    assert 'id="grid-count"' in response.text
    assert 'id="unit-panel"' in response.text
    assert page_config(response.text)["lang"] == "zh"


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/?lang=en", {}),
        ("/", {"Accept-Language": "en"}),
        ("/", {"Accept-Language": "en-GB,en;q=0.9,zh-CN;q=0.5"}),
        ("/?lang=en", {"Accept-Language": "zh-CN,zh;q=0.9"}),
    ],
)
def test_page_in_english(client: TestClient, url: str, headers: dict) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "Legend" in response.text
    assert "Grid details" in response.text
    assert page_config(response.text)["strings"] == page_strings("en", STRINGS)


def test_chinese_query_wins_over_english_header(client: TestClient) -> None:
    response = client.get("/?lang=zh", headers={"Accept-Language": "en"})
    assert '<html lang="zh-CN">' in response.text
    assert "图例" in response.text


def test_language_switch_leads_to_the_other_language(client: TestClient) -> None:
    # Signed in: a form that keeps the choice on the account and comes back to the page.
    assert 'name="lang" value="en"' in client.get("/").text
    page = client.get("/?lang=en&x=1").text
    assert 'name="lang" value="zh"' in page and 'name="next" value="/?x=1"' in page
    # A visitor's: a link to the same page, the rest of its query kept.
    anonymous = TestClient(client.app)
    assert 'href="?lang=en&amp;next=/callbacks"' in anonymous.get("/login?next=/callbacks").text
    assert 'href="?lang=zh&amp;receipt=X1"' in anonymous.get("/track?lang=en&receipt=X1").text


def test_page_links_to_api_docs(client: TestClient) -> None:
    assert 'href="/docs"' in client.get("/").text


def test_page_uses_only_self_hosted_assets(client: TestClient) -> None:
    html = client.get("/").text
    urls = urls_in(html)
    assert "/static/vendor/leaflet/leaflet.js" in urls
    assert "/static/vendor/leaflet/leaflet.css" in urls
    external = [u for u in urls if re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", u, re.IGNORECASE)]
    assert external == [], f"the page references URLs outside the app: {external}"
    assert "http://" not in html and "https://" not in html


def test_page_assets_are_served(client: TestClient) -> None:
    local = {urlsplit(u).path for u in urls_in(client.get("/").text) if u.startswith("/static/")}
    assert len(local) >= 5
    for path in sorted(local):
        response = client.get(path)
        assert response.status_code == 200, (
            f"{path} is not served ({response.status_code}); vendor files come from npm: "
            "cp -r node_modules/leaflet/dist src/onegrid/web/static/vendor/leaflet"
        )


def test_docs_use_only_self_hosted_swagger_ui(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    urls = urls_in(response.text)
    assets = [u for u in urls if u.startswith("/static/") and u != "/static/favicon.svg"]
    assert assets, "the docs page references no Swagger UI assets"
    assert all(u.startswith(("/", "?")) for u in urls), urls
    own = (
        "/static/vendor/swagger-ui/",
        "/static/js/pages/docs.js",
        "/static/css/onegrid.css",
        "/static/vendor/htmx/",  # a signed-in page's shell: the bell
        "/static/js/shell.js",
    )
    assert all(u.startswith(own) for u in assets), assets
    assert "<script>" not in response.text  # Swagger UI starts from static/js/pages/docs.js
    assert "http://" not in response.text and "https://" not in response.text


def test_tile_settings_reach_the_page(client: TestClient) -> None:
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("ONEGRID_TILE_URL", "/tiles/{z}/{x}/{y}.png")
            patch.setenv("ONEGRID_TILE_ATTRIBUTION", "区测绘院")
            get_settings.cache_clear()
            config = page_config(client.get("/").text)
    finally:
        get_settings.cache_clear()
    assert config["tileUrl"] == "/tiles/{z}/{x}/{y}.png"
    assert config["tileAttribution"] == "区测绘院"
    assert page_config(client.get("/").text)["tileUrl"] == ""


def test_config_lets_the_mapper_reveal_phones(client: TestClient) -> None:
    config = page_config(client.get("/").text)
    assert config["canReveal"] is True
    assert config["csrfToken"]


def test_config_hands_the_script_the_levels_and_their_code_lengths(client: TestClient) -> None:
    config = page_config(client.get("/").text)
    assert config["codeLengths"] == {level.value: level.code_length for level in Level}


def test_config_keeps_a_leader_from_revealing_phones(leader_client: TestClient) -> None:
    config = page_config(leader_client.get("/").text)
    assert config["canReveal"] is False


def test_no_string_is_left_untranslated_in_the_script() -> None:
    scripts = [STATIC_DIR / "js" / "app.js", STATIC_DIR / "js" / "pages" / "map.js"]
    scripts += sorted((STATIC_DIR / "js" / "map").glob("*.js"))
    source = "\n".join(path.read_text(encoding="utf-8") for path in scripts)
    used = set(re.findall(r"""\bt\(\s*'(\w+)'""", source))
    counted = set(re.findall(r"""\bcounted\(\s*'(\w+)'""", source))
    used |= counted | {f"{key}_one" for key in counted}
    assert used, "the map's scripts look up no strings"
    known = page_strings("zh", STRINGS).keys()
    assert used <= known, used - known


# ---- the map in Chromium ---------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser, live_server: str, territory) -> Iterator[Page]:
    """Yields a fresh page signed in as the command-centre user (who may reveal phones)."""
    with signed_in_page(browser, live_server, territory.username, territory.password) as page:
        yield page


@pytest.fixture
def leader_page(browser: Browser, live_server: str, territory) -> Iterator[Page]:
    """Yields a fresh page signed in as the leader (who may not reveal phones)."""
    with signed_in_page(
        browser, live_server, territory.leader_username, territory.leader_password
    ) as page:
        yield page


@pytest.mark.browser
def test_map_shows_a_grid_with_its_people(page: Page, live_server: str, territory) -> None:
    page.goto(live_server + "/")
    wait_for_grids(page, 4)
    expect(page.locator("#grid-count")).to_have_text("4 个网格")
    expect(page.locator("#district-name")).to_have_text(territory.district_name)
    expect(page.locator(".leaflet-control-layers")).to_contain_text("网格")
    expect(page.locator("#demo-banner")).to_be_hidden()

    click_at(page, *territory.grid_centers[0])
    panel = page.locator("#unit-panel")
    expect(panel).to_contain_text(territory.grid_codes[0])
    expect(panel).to_contain_text(territory.worker_name)
    expect(panel).to_contain_text(territory.worker_phone_masked)
    expect(panel).to_contain_text(territory.staff_name)
    expect(panel).to_contain_text(territory.department_name)
    expect(panel).to_contain_text(territory.branch_name)
    expect(panel).to_contain_text(territory.secretary_name)
    expect(panel).to_contain_text("网格员")
    assert territory.worker_phone not in page.content()
    page.screenshot(path=SCREENSHOT)

    page.locator("#lang-switch").click()
    page.wait_for_url(re.compile(r"\?lang=en"))
    wait_for_grids(page, 4)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#grid-count")).to_have_text("4 grids")
    expect(page.locator(".leaflet-control-layers")).to_contain_text("Grids")
    # The selected grid survives the language switch (it is kept in the URL's #fragment).
    expect(panel).to_contain_text("Grid workers")
    expect(panel).to_contain_text(territory.grid_codes[0])
    expect(panel).to_contain_text(territory.worker_phone_masked)
    page.screenshot(path=SCREENSHOT_EN)
    # The choice is kept on the account: back to Chinese, for the tests that follow.
    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


@pytest.mark.browser
def test_hovering_highlights_a_grid(page: Page, live_server: str, territory) -> None:
    page.goto(live_server + "/")
    wait_for_grids(page, 4)
    width = (
        "() => [...document.querySelectorAll('.leaflet-grids-pane path')]"
        ".map(p => Number(p.getAttribute('stroke-width')))"
    )
    assert max(page.evaluate(width)) < 1
    lon, lat = territory.grid_centers[1]
    point = page.evaluate(
        "([lon, lat]) => window.onegridMap.latLngToContainerPoint([lat, lon])", [lon, lat]
    )
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(f"Math.max(...({width})()) > 2")


@pytest.mark.browser
def test_search_locates_a_point(page: Page, live_server: str, territory) -> None:
    page.goto(live_server + "/")
    wait_for_grids(page, 4)
    page.fill("#locate-input", "abc")
    page.click("#locate-form button")
    expect(page.locator("#locate-message")).to_contain_text("经度,纬度")

    lon, lat = territory.grid_centers[3]
    page.fill("#locate-input", f"{lon:.4f}，{lat:.4f}")
    page.click("#locate-form button")
    expect(page.locator("#unit-panel")).to_contain_text(territory.grid_codes[3])
    expect(page.locator("#locate-message")).to_contain_text("第4网格")

    page.fill("#locate-input", "120.0,30.0")
    page.click("#locate-form button")
    expect(page.locator("#locate-message")).to_contain_text("定位失败")


@pytest.mark.browser
def test_a_failed_fetch_is_explained_in_the_page_language(page: Page, live_server: str) -> None:
    page.route("**/api/v1/territory/geojson*", lambda route: route.abort())
    page.goto(live_server + "/?lang=en")
    status = page.locator("#map-status")
    expect(status).to_contain_text("Could not load the map data")
    expect(status).to_contain_text("cannot reach the server")
    page.unroute("**/api/v1/territory/geojson*")
    page.route(
        "**/api/v1/territory/geojson*",
        lambda route: route.fulfill(status=500, body="boom", content_type="text/plain"),
    )
    page.goto(live_server + "/")
    expect(status).to_contain_text("地图数据加载失败")
    expect(status).to_contain_text("500")


# ---- revealing a masked phone ----------------------------------------------------------------


def open_grid_001(page: Page, live_server: str, territory, query: str = ""):
    """Opens the map, clicks grid 001 and returns its panel once the people are shown."""
    page.goto(live_server + "/" + query)
    wait_for_grids(page, 4)
    click_at(page, *territory.grid_centers[0])
    panel = page.locator("#unit-panel")
    expect(panel).to_contain_text(territory.worker_phone_masked)
    return panel


@pytest.mark.browser
def test_revealing_a_phone_asks_for_a_purpose(page: Page, live_server: str, territory) -> None:
    panel = open_grid_001(page, live_server, territory)
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/pii/reveal" in r.url else None)
    expect(panel.locator("button.reveal")).to_have_count(2)  # the worker and the department staff
    row = panel.locator("li", has_text=territory.worker_name)
    reveal = row.locator("button.reveal")
    expect(reveal).to_have_text("查看")

    # Escape closes the form, not the panel.
    reveal.click()
    purpose = row.get_by_label("查看目的（将记入审计日志）")
    expect(purpose).to_be_focused()
    page.keyboard.press("Escape")
    expect(row.locator(".reveal-form")).to_have_count(0)
    expect(panel).to_contain_text(territory.grid_codes[0])

    reveal.click()
    confirm = row.get_by_role("button", name="确认查看")
    message = row.locator(".reveal-message")
    confirm.click()
    expect(message).to_have_text("请填写查看目的，至少 4 个字")
    purpose.fill(" 核实 ")
    purpose.press("Enter")
    expect(message).to_have_text("请填写查看目的，至少 4 个字")
    page.screenshot(path=SCREENSHOT_REVEAL_FORM)
    assert sent == [], "a too short purpose was sent to the server"
    assert territory.worker_phone not in page.content()

    csrf = page.evaluate(
        "() => JSON.parse(document.getElementById('onegrid-config').textContent).csrfToken"
    )
    purpose.fill(PURPOSE)
    with page.expect_request("**/api/v1/pii/reveal*") as request_info:
        confirm.click()
    request = request_info.value
    assert request.method == "POST"
    assert request.headers["x-csrf-token"] == csrf
    person_id = request.post_data_json["object_id"]
    assert request.post_data_json == {
        "object_type": "person",
        "object_id": person_id,
        "field": "phone",
        "purpose": PURPOSE,
    }
    expect(row.locator(".phone")).to_have_text(territory.worker_phone)
    expect(panel).to_contain_text(territory.worker_phone)
    expect(row.locator(".reveal-note")).to_have_text("已记录查看")
    expect(row.locator("button.reveal")).to_have_count(0)
    expect(row.locator(".reveal-form")).to_have_count(0)
    # Only the one asked for: the department staff member's phone stays masked.
    staff_row = panel.locator("li", has_text=territory.staff_name)
    expect(staff_row.locator(".phone")).to_have_text("138****1111")
    expect(staff_row.locator("button.reveal")).to_have_count(1)
    page.screenshot(path=SCREENSHOT_REVEAL)


@pytest.mark.browser
def test_a_failed_reveal_is_explained_in_the_page_language(
    page: Page, live_server: str, territory
) -> None:
    refusal = {"error": {"kind": "forbidden", "message": "your role may not do this", "detail": {}}}
    page.route(
        "**/api/v1/pii/reveal*",
        lambda route: route.fulfill(
            status=403, body=json.dumps(refusal), content_type="application/json"
        ),
    )
    panel = open_grid_001(page, live_server, territory, "?lang=en")
    row = panel.locator("li", has_text=territory.worker_name)
    row.get_by_role("button", name="Reveal").click()
    purpose = row.get_by_label("Purpose (recorded in the audit log)")
    confirm = row.get_by_role("button", name="Confirm")
    message = row.locator(".reveal-message")
    confirm.click()
    expect(message).to_have_text("State the purpose, at least 4 characters")

    purpose.fill("check the worker's contact details")
    confirm.click()
    expect(message).to_have_text("The reveal was refused: your role may not do this")
    expect(row.locator(".phone")).to_have_text(territory.worker_phone_masked)

    page.unroute("**/api/v1/pii/reveal*")
    page.route("**/api/v1/pii/reveal*", lambda route: route.abort())
    confirm.click()
    expect(message).to_contain_text("Could not reveal the number: cannot reach the server")
    expect(row.locator(".phone")).to_have_text(territory.worker_phone_masked)
    expect(confirm).to_be_enabled()
    assert territory.worker_phone not in page.content()
    page.screenshot(path=SCREENSHOT_REVEAL_EN)


@pytest.mark.browser
def test_no_reveal_button_without_the_permission(
    leader_page: Page, live_server: str, territory
) -> None:
    panel = open_grid_001(leader_page, live_server, territory)
    expect(panel).to_contain_text(territory.staff_name)
    expect(panel.locator("button.reveal")).to_have_count(0)
    expect(panel).not_to_contain_text("查看")
