"""The cookies' attributes in each environment; Secure ones still sign in over http://127.0.0.1."""

import base64
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from onegrid.accounts.identity import SESSION_COOKIE
from onegrid.config import get_settings
from onegrid.web.login_csrf import COOKIE as LOGIN_CSRF_COOKIE
from tests.login_form import post_login
from tests.web.conftest import signed_in

REAL_KEYS = {
    "ONEGRID_SECRET_KEY": "a-secret-of-this-deployment-only",
    "ONEGRID_DATA_KEY": base64.urlsafe_b64encode(b"d" * 32).decode(),
}


@pytest.fixture
def environment(monkeypatch) -> Iterator:
    """Returns a function switching the settings to an environment (and cookie override)."""

    def switch(name: str, cookie_secure: str | None = None) -> None:
        monkeypatch.setenv("ONEGRID_ENVIRONMENT", name)
        for key, value in REAL_KEYS.items():
            monkeypatch.setenv(key, value)
        if cookie_secure is not None:
            monkeypatch.setenv("ONEGRID_COOKIE_SECURE", cookie_secure)
        get_settings.cache_clear()

    yield switch
    monkeypatch.undo()
    get_settings.cache_clear()


def set_cookies(response) -> dict[str, str]:
    """Returns name → the whole Set-Cookie line, for each cookie the response sets."""
    lines = response.headers.get_list("set-cookie")
    return {line.split("=", 1)[0]: line for line in lines}


@pytest.mark.parametrize(
    ("name", "override", "secure"),
    [
        ("development", None, False),
        ("demo", None, True),
        ("production", None, True),
        ("demo", "false", False),  # the demo over plain HTTP on a LAN
        ("development", "true", True),
    ],
)
def test_cookie_attributes_in_each_environment(
    app: FastAPI, territory, environment, name, override, secure
) -> None:
    environment(name, override)
    # https: a client keeps sending a Secure cookie only over HTTPS.
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        signed = post_login(
            client,
            data={"username": territory.username, "password": territory.password},
            follow_redirects=False,
        )
    assert signed.status_code == 303, signed.text
    login_csrf = set_cookies(page)[LOGIN_CSRF_COOKIE]
    session = set_cookies(signed)[SESSION_COOKIE]
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    assert "HttpOnly" in login_csrf and "SameSite=strict" in login_csrf
    assert ("Secure" in session) is secure, session
    assert ("Secure" in login_csrf) is secure, login_csrf


@pytest.mark.parametrize(
    ("origin", "explained"),
    [
        ("http://192.168.1.20:8000", True),  # the demo opened from another machine
        ("http://grid.example.gov.cn", True),
        ("https://grid.example.gov.cn", False),
        ("http://127.0.0.1:8000", False),  # the browser keeps Secure cookies from here
        ("http://localhost:8000", False),
        ("http://[::1]:8000", False),
    ],
)
def test_plain_http_elsewhere_is_explained_when_cookies_are_secure(
    app: FastAPI, territory, environment, origin: str, explained: bool
) -> None:
    """Secure cookies sent to a plain-HTTP page would vanish; the form says why instead."""
    environment("demo")
    host = origin.split("://", 1)[1]
    with TestClient(app, base_url=origin) as client:
        response = post_login(
            client,
            "/login?lang=en",
            data={"username": territory.username, "password": territory.password},
            headers={"Origin": origin, "Host": host},
            follow_redirects=False,
        )
    message = "cookies travel over HTTPS only, but this page was opened over plain HTTP"
    if explained:
        assert response.status_code == 403 and message in response.text
        assert "ONEGRID_COOKIE_SECURE=false" in response.text
    else:
        assert message not in response.text


def test_the_settings_say_secure_outside_development(environment) -> None:
    environment("development")
    assert get_settings().secure_cookies is False
    environment("demo")
    assert get_settings().secure_cookies is True
    environment("production")
    assert get_settings().secure_cookies is True


@pytest.mark.browser
def test_chromium_signs_in_to_the_demo_over_http_localhost(
    browser: Browser, live_server: str, territory, environment
) -> None:
    """Secure cookies set by http://127.0.0.1 are kept: localhost is a secure context."""
    environment("demo")
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(live_server + "/login")
        page.fill("#username", territory.username)
        page.fill("#password", territory.password)
        page.click("#login-button")
        signed_in(page, live_server)
        expect(page.locator("#current-user")).to_contain_text(territory.username)
        cookies = {c["name"]: c for c in context.cookies(live_server)}
        assert cookies[SESSION_COOKIE]["secure"] is True
        assert cookies[SESSION_COOKIE]["httpOnly"] is True
    finally:
        context.close()
