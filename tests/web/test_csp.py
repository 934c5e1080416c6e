"""The pages pass their Content-Security-Policy in Chromium: not one violation, not one refusal."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.conftest import grid_center, signed_in

# Installed before any script of each document: keeps every violation the page reports.
_LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


class Watched:
    """A page whose CSP violations and console errors are all kept."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.violations: list[str] = []
        self.console: list[str] = []
        self.policies: list[str] = []
        page.add_init_script(_LISTEN)
        page.on("console", self._console)
        page.on("response", self._response)

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.policies.append(response.headers.get("content-security-policy", ""))

    def _console(self, message) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(message.text)

    def collect(self) -> None:
        """Takes the current document's violations before it is left."""
        self.violations += self.page.evaluate("() => window.__violations || []")

    def assert_clean(self) -> None:
        self.collect()
        # Every document was under the strict policy: no inline script, no eval.
        assert self.policies, "no page was loaded"
        for policy in self.policies:
            assert "script-src 'self';" in policy and "unsafe" not in policy, policy
        assert self.violations == [], self.violations
        csp = [m for m in self.console if "Content Security Policy" in m]
        assert csp == [], csp


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def sign_in(watched: Watched, live_server: str, territory) -> None:
    page = watched.page
    page.goto(live_server + "/login")
    expect(page.locator("#login-button")).to_be_visible()
    watched.collect()
    page.fill("#username", territory.username)
    page.fill("#password", territory.password)
    page.click("#login-button")
    signed_in(page, live_server)
    page.goto(live_server + "/", wait_until="load")  # the map, whatever the role's start page


@pytest.mark.browser
def test_the_sign_in_page_passes_the_policy(watched: Watched, live_server: str) -> None:
    watched.page.goto(live_server + "/login?lang=en")
    expect(watched.page.locator("#login-button")).to_have_text("Sign in")
    watched.assert_clean()


@pytest.mark.browser
def test_the_map_page_passes_the_policy(watched: Watched, live_server: str, territory) -> None:
    sign_in(watched, live_server, territory)
    page = watched.page
    page.wait_for_function("() => document.querySelector('#grid-count')?.dataset.count === '4'")
    expect(page.locator(".leaflet-control-layers")).to_be_visible()
    # The panel, the reveal form and the hover highlight all draw through the policy.
    lon, lat = grid_center(0)
    point = page.evaluate(
        """([lon, lat]) => {
            const p = window.onegridMap.latLngToContainerPoint([lat, lon]);
            const box = window.onegridMap.getContainer().getBoundingClientRect();
            return {x: box.left + p.x, y: box.top + p.y};
        }""",
        [lon, lat],
    )
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])
    panel = page.locator("#unit-panel")
    expect(panel).to_contain_text(territory.worker_phone_masked)
    panel.locator("button.reveal").first.click()
    expect(panel.locator(".reveal-form")).to_be_visible()
    watched.assert_clean()


@pytest.mark.browser
def test_the_api_docs_pass_the_policy(watched: Watched, live_server: str) -> None:
    page = watched.page
    page.goto(live_server + "/docs")
    # Swagger UI has read the OpenAPI document and drawn its operations.
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)
    expect(page.locator(".info .title")).to_contain_text("onegrid")
    page.locator(".opblock-summary").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    watched.assert_clean()


@pytest.mark.browser
def test_tiles_of_the_configured_server_pass_the_policy(
    watched: Watched, live_server: str, territory, monkeypatch
) -> None:
    from onegrid.config import get_settings
    from tests.images import png

    monkeypatch.setenv("ONEGRID_TILE_URL", "http://tiles.example.test/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    tiles: list[str] = []

    def tile(route) -> None:
        tiles.append(route.request.url)
        route.fulfill(body=png(256, 256, (240, 240, 220)), content_type="image/png")

    try:
        watched.page.route("http://tiles.example.test/**", tile)
        sign_in(watched, live_server, territory)
        page = watched.page
        page.wait_for_function("() => document.querySelector('#grid-count')?.dataset.count === '4'")
        # Drawn or refused: a tile image is complete either way.
        tile_images = "[...document.querySelectorAll('img.leaflet-tile')]"
        page.wait_for_function(f"() => {tile_images}.some(i => i.complete)")
        watched.assert_clean()
        assert tiles
        assert page.evaluate(f"() => {tile_images}.some(i => i.naturalWidth === 256)")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
