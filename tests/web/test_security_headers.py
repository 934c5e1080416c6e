"""Security headers on every kind of response: API, page, static file, refusal, server error."""

import pytest
from fastapi.testclient import TestClient

from onegrid.config import get_settings
from onegrid.web.headers import content_security_policy, tile_origin

EVERY_RESPONSE = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
}


def directives(policy: str) -> dict[str, list[str]]:
    """Returns the policy's directives, name → sources."""
    parsed = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_hardened(response) -> None:
    for name, value in EVERY_RESPONSE.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    permissions = response.headers["permissions-policy"]
    assert "geolocation=(self)" in permissions and "camera=(self)" in permissions


@pytest.mark.parametrize(
    "path",
    [
        "/",  # the map page
        "/login",
        "/docs",
        "/openapi.json",
        "/api/v1/territory/geojson?level=grid",
        "/static/js/pages/map.js",
        "/static/css/onegrid.css",
        "/static/vendor/leaflet/leaflet.css",
        "/api/v1/territory/units/000",  # 404 from a domain error
        "/api/v1/locate?lon=abc&lat=1",  # 422 from validation
        "/no/such/page",  # 404 from the router
    ],
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    assert_hardened(client.get(path))


def test_a_refusal_and_a_redirect_carry_them_too(app) -> None:
    with TestClient(app) as anonymous:
        assert_hardened(anonymous.get("/api/v1/auth/me"))  # 401
        assert_hardened(anonymous.get("/", follow_redirects=False))  # 303 to sign in


def test_a_server_error_carries_them_too(app) -> None:
    from onegrid.app import create_app

    broken = create_app()
    broken.add_api_route("/boom", lambda: 1 / 0)
    with TestClient(broken, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert_hardened(response)


def test_no_hsts_over_plain_development(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/login").headers


def test_hsts_when_cookies_are_secure(client: TestClient, monkeypatch) -> None:
    monkeypatch.setenv("ONEGRID_COOKIE_SECURE", "true")
    get_settings.cache_clear()
    try:
        response = client.get("/login")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("tile_url", "origin"),
    [
        ("", None),
        ("/tiles/{z}/{x}/{y}.png", None),  # on this site: 'self' covers it
        ("https://tiles.example.gov.cn/{z}/{x}/{y}.png", "https://tiles.example.gov.cn"),
        ("http://10.1.2.3:8080/wmts/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("https://evil.example; script-src *", None),
        ("javascript:alert(1)", None),
        ("https://[::1/{z}/{x}/{y}.png", None),  # not even a URL
    ],
)
def test_the_tile_server_origin(tile_url: str, origin: str | None) -> None:
    assert tile_origin(tile_url) == origin
    images = directives(content_security_policy(tile_url))["img-src"]
    assert images == ["'self'", "data:"] + ([origin] if origin else [])


def test_the_configured_tile_server_reaches_the_policy(client: TestClient, monkeypatch) -> None:
    monkeypatch.setenv("ONEGRID_TILE_URL", "https://tiles.example.gov.cn/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    try:
        policy = client.get("/").headers["content-security-policy"]
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert directives(policy)["img-src"] == ["'self'", "data:", "https://tiles.example.gov.cn"]
