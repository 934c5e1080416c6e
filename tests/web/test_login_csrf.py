"""Login CSRF: only this site's own sign-in form signs anyone in (no signing a victim in as you)."""

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect

from onegrid.accounts.identity import SESSION_COOKIE
from onegrid.web.login_csrf import COOKIE
from tests.login_form import form_token

REFUSED_ZH = "登录表单已过期或并非来自本站，请在本站登录页重新登录"
REFUSED_EN = "the sign-in form has expired or did not come from this site"


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def credentials(territory, **extra) -> dict:
    return {"username": territory.username, "password": territory.password, "next": "/"} | extra


def assert_refused(response, message: str = REFUSED_ZH) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text
    assert 'id="login-button"' in response.text  # the form again, to sign in properly
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_the_sign_in_page_sets_the_token_in_a_strict_cookie_and_the_form(anonymous) -> None:
    page = anonymous.get("/login")
    token = form_token(anonymous)
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}={token};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/login" in cookie
    assert "Max-Age=1800" in cookie
    assert page.headers["cache-control"] == "no-store"
    assert len(token) > 40
    # A second tab gets the same token: signing in from the first still works.
    assert form_token(anonymous) == token


def test_the_form_with_its_token_signs_in(anonymous, territory) -> None:
    token = form_token(anonymous)
    response = anonymous.post(
        "/login",
        data=credentials(territory, csrf_token=token),
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/console"
    assert f"{SESSION_COOKIE}=" in response.headers["set-cookie"]


def test_a_form_without_a_token_is_refused(anonymous, territory) -> None:
    assert_refused(anonymous.post("/login", data=credentials(territory)))
    assert_refused(anonymous.post("/login?lang=en", data=credentials(territory)), REFUSED_EN)


def test_a_token_without_its_cookie_is_refused(anonymous, territory) -> None:
    token = form_token(anonymous)
    anonymous.cookies.clear()
    assert_refused(anonymous.post("/login", data=credentials(territory, csrf_token=token)))


def test_a_token_not_matching_the_cookie_is_refused(anonymous, territory) -> None:
    token = form_token(anonymous)
    other = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert_refused(anonymous.post("/login", data=credentials(territory, csrf_token=other)))


def test_a_token_the_server_did_not_make_is_refused(anonymous, territory) -> None:
    # An attacker able to plant a cookie (a sibling subdomain) still cannot sign it.
    forged = "attacker-chosen-nonce.bm90LWEtbWFj"
    anonymous.cookies.set(COOKIE, forged, path="/login")
    assert_refused(anonymous.post("/login", data=credentials(territory, csrf_token=forged)))


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Referer": "https://evil.example/sign-you-in.html"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://[::1"},  # not even a URL
    ],
)
def test_a_form_posted_from_another_site_is_refused(anonymous, territory, headers) -> None:
    token = form_token(anonymous)
    response = anonymous.post(
        "/login", data=credentials(territory, csrf_token=token), headers=headers
    )
    assert_refused(response)


def test_the_refusal_counts_no_failed_attempt(anonymous, territory) -> None:
    # Refused before the credentials are looked at: a forged form cannot lock an account.
    for _ in range(8):
        assert_refused(anonymous.post("/login", data=credentials(territory, password="wrong")))
    token = form_token(anonymous)
    response = anonymous.post(
        "/login", data=credentials(territory, csrf_token=token), follow_redirects=False
    )
    assert response.status_code == 303


@pytest.mark.browser
def test_another_site_cannot_sign_a_victim_in(browser: Browser, live_server: str, territory):
    """Another site's page posting the attacker's credentials to /login signs nobody in."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    attacker = "http://attacker.example/"
    form = (
        f'<form method="post" action="{live_server}/login">'
        f'<input name="username" value="{territory.username}">'
        f'<input name="password" value="{territory.password}">'
        '<input name="csrf_token" value="guessed">'
        '<button id="go">go</button></form>'
    )
    page.route(attacker, lambda route: route.fulfill(body=form, content_type="text/html"))
    try:
        # The victim has opened our sign-in page before: the token cookie is there.
        page.goto(live_server + "/login")
        page.goto(attacker)
        with page.expect_navigation():
            page.click("#go")
        expect(page.locator("#login-error")).to_have_text(REFUSED_ZH)
        cookies = {c["name"] for c in context.cookies(live_server)}
        assert SESSION_COOKIE not in cookies
        page.goto(live_server + "/")
        assert re.search(r"/login\?", page.url), page.url  # still signed out
    finally:
        context.close()
