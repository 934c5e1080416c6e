"""In Chromium, on the demo server: what every signed-in user meets — the bell's unread count
and the notification list, errors as pages, a session that ends and the way back, the language
kept on the account. At 360×640 and on a desktop, in Chinese and in English; no request leaves
the server, no script error, and axe-core finds nothing serious on each page."""

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from onegrid.accounts.models import AuthToken, User
from onegrid.db import create_db_engine
from onegrid.routing.senders import InAppSender, Message, Recipients
from tests.cases.conftest import WORKER_GRID
from tests.web.conftest import (
    _WATCHED,
    DEMO_PASSWORD,
    check_accessibility,
    field_page,
    fits_the_screen,
)

pytestmark = pytest.mark.browser

SETTINGS = [(True, "zh-CN"), (False, "zh-CN"), (True, "en-US"), (False, "en-US")]
IDS = ["phone-zh", "desktop-zh", "phone-en", "desktop-en"]
WORDS = {
    "zh-CN": {
        "title": "通知",
        "404": "页面不存在",
        "403": "无权访问",
        "sign_out": "退出登录",
        "other_sign_out": "Sign out",
    },
    "en-US": {
        "title": "Notifications",
        "404": "Page not found",
        "403": "Not allowed",
        "sign_out": "Sign out",
        "other_sign_out": "退出登录",
    },
}


@pytest.fixture
def demo(demo_db: str) -> Iterator[Session]:
    """A session on the demo server's database; the demo users' language is forgotten after."""
    engine = create_db_engine(demo_db)
    session = Session(engine)
    try:
        yield session
    finally:
        session.rollback()
        session.execute(update(User).values(language=None))
        session.commit()
        session.close()
        engine.dispose()


@pytest.fixture
def api(demo_server: str) -> Iterator[httpx.Client]:
    """The API, as the demo grid worker (a bearer token: its own session)."""
    with httpx.Client(base_url=demo_server + "/api/v1", timeout=30) as client:
        body = {"username": "gridworker", "password": DEMO_PASSWORD}
        token = client.post("/auth/token", json=body).json()["access_token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def _notify(session: Session, count: int) -> None:
    """Sends notices to the demo grid worker's grid."""
    for n in range(count):
        InAppSender(session).send(
            Message(
                district_code="210104",
                to=Recipients(unit_code=WORKER_GRID),
                subject=f"请核实 please verify: 测试 {n}",
                body="路灯不亮，晚上很黑",
            )
        )
    session.commit()


def _bell(page: Page) -> int:
    return int(page.locator("#bell-count").get_attribute("data-count"))


def _forgive(page: Page, *expected: str) -> None:
    """Drops the console's report of responses the test caused on purpose (a 401)."""
    watched = _WATCHED.get(page)
    if watched:
        watched.errors[:] = [e for e in watched.errors if not any(x in e for x in expected)]


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_the_bell_counts_and_reading_lowers_it(
    browser: Browser,
    demo_server: str,
    demo: Session,
    api: httpx.Client,
    phone: bool,
    lang: str,
) -> None:
    _notify(demo, 2)
    unread = api.get("/notifications/unread-count").json()["unread"]
    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        expect(page.locator("#bell-count")).to_have_attribute("data-count", str(unread))
        page.locator("#bell").click()
        page.wait_for_url(re.compile(r"/notifications"))
        expect(page.locator("h1")).to_have_text(WORDS[lang]["title"])
        first = page.locator("li.notice--unread").first
        expect(first).to_contain_text("please verify")
        check_accessibility(page)
        fits_the_screen(page)
        page.screenshot(path=f"/tmp/onegrid-notifications-{IDS[SETTINGS.index((phone, lang))]}.png")

        first.locator(".notice__mark").click()
        expect(page.locator("#bell-count")).to_have_attribute("data-count", str(unread - 1))

        # Read elsewhere (another device): the bell learns of it when htmx refreshes it, with
        # the session's CSRF header on its request.
        sent: list[dict] = []
        page.on("request", lambda r: sent.append(r.headers) if "/badge" in r.url else None)
        assert api.post("/notifications/read").status_code == 200
        page.evaluate("() => document.body.dispatchEvent(new Event('notifications-changed'))")
        expect(page.locator("#bell-count")).to_have_attribute("data-count", "0")
        assert sent and sent[0].get("x-csrf-token") and sent[0].get("hx-request") == "true"
        expect(page.locator("#bell")).to_have_attribute("aria-label", re.compile("0"))
        check_accessibility(page)


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_errors_are_pages_in_the_users_language(
    browser: Browser, demo_server: str, phone: bool, lang: str
) -> None:
    words = WORDS[lang]
    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        _forgive(page, "404", "403")
        page.goto(demo_server + "/no/such/page")
        expect(page.locator("#error-title")).to_have_text(words["404"])
        expect(page.locator("#current-user")).to_be_visible()  # the header, signed in
        check_accessibility(page)
        fits_the_screen(page)
        page.screenshot(path=f"/tmp/onegrid-404-{IDS[SETTINGS.index((phone, lang))]}.png")

        page.goto(demo_server + "/callbacks")  # the command centre's list
        expect(page.locator("#error-title")).to_have_text(words["403"])
        check_accessibility(page)
        page.locator("#error-home").click()
        page.wait_for_url(demo_server + "/")
        _forgive(page, "404", "403")


def _end_sessions(session: Session) -> None:
    session.execute(
        update(AuthToken)
        .where(AuthToken.kind == "session")
        .where(AuthToken.user_id.in_(session.query(User.id).filter(User.username == "gridworker")))
        .values(revoked=True)
    )
    session.commit()


def _sign_in(page: Page) -> None:
    page.fill("#username", "gridworker")
    page.fill("#password", DEMO_PASSWORD)
    page.click("#login-button")


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_an_ended_session_signs_in_again_and_returns_to_the_page(
    browser: Browser, demo_server: str, demo: Session, phone: bool, lang: str
) -> None:
    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        page.goto(demo_server + "/notifications?page=1")
        expect(page.locator("#bell")).to_be_visible()
        _end_sessions(demo)

        # The bell's refresh meets the ended session: to the sign-in form, then back.
        page.evaluate("() => document.body.dispatchEvent(new Event('notifications-changed'))")
        page.wait_for_url(re.compile(r"/login\?next="))
        _forgive(page, "401", "responseError", "Response Status Error")
        check_accessibility(page)
        _sign_in(page)
        page.wait_for_url(re.compile(r"/notifications\?page=1$"))
        expect(page.locator("#bell")).to_be_visible()

        # Opening a page after the session ended: the same way round.
        _end_sessions(demo)
        page.reload()
        page.wait_for_url(re.compile(r"/login\?next=/notifications%3Fpage%3D1"))
        _sign_in(page)
        page.wait_for_url(re.compile(r"/notifications\?page=1$"))
        _forgive(page, "401", "responseError", "Response Status Error")


@pytest.mark.parametrize(("phone", "lang"), SETTINGS, ids=IDS)
def test_the_language_chosen_stays_after_signing_out_and_in(
    browser: Browser, demo_server: str, demo: Session, phone: bool, lang: str
) -> None:
    words = WORDS[lang]
    with field_page(browser, demo_server, "gridworker", phone=phone, lang=lang) as page:
        page.goto(demo_server + "/notifications?page=1")
        expect(page.locator("#logout")).to_have_text(words["sign_out"])
        page.locator("#lang-switch").click()
        page.wait_for_url(re.compile(r"/notifications\?page=1&lang="))
        expect(page.locator("#logout")).to_have_text(words["other_sign_out"])

        page.locator("#logout").click()
        page.wait_for_url(re.compile(r"/login"))
        _sign_in(page)
        page.wait_for_url(re.compile(r"/tasks"))
        # The browser still asks for its own language: the account's choice wins.
        expect(page.locator("#logout")).to_have_text(words["other_sign_out"])
        page.goto(demo_server + "/notifications")
        expect(page.locator("#logout")).to_have_text(words["other_sign_out"])
        check_accessibility(page)
