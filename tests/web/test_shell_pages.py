"""What every signed-in page shares: the notification bell and list, errors as pages in the
user's language, the language kept on the account, the way back after a session ends.
TestClient on the demo district (the test's rolled-back session); the journeys in Chromium are
in test_shell_journeys.py."""

import re
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from onegrid.accounts.identity import SESSION_COOKIE
from onegrid.accounts.models import AuthToken, User
from onegrid.app import create_app
from onegrid.core.access import public
from onegrid.core.errors import Conflict
from onegrid.core.permissions import Principal
from onegrid.db import get_session
from onegrid.demo.build import DEMO_PASSWORD
from onegrid.routing.models import Notification, NotificationRead
from onegrid.routing.senders import InAppSender, Message, Recipients
from onegrid.web.pages import notifications as notifications_page
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in, report
from tests.login_form import post_login

Anyone = Annotated[Principal, public()]
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _app(session: Session) -> FastAPI:
    app = create_app()

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    return app


@pytest.fixture
def demo_app(session: Session) -> FastAPI:
    return _app(session)


@pytest.fixture
def web(demo_app) -> Iterator[TestClient]:
    """A browser-like client, not signed in."""
    with TestClient(demo_app) as client:
        yield client


def signed_in(client: TestClient, username: str) -> TestClient:
    response = post_login(
        client, data={"username": username, "password": DEMO_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def worker(web) -> TestClient:
    return signed_in(web, "gridworker")


@pytest.fixture
def mail(session):
    """Clears the demo's notifications; sends three to the grid worker's grid, about a case in
    the grid and one outside it (another street's: not theirs to open), and one elsewhere."""
    session.execute(NotificationRead.__table__.delete())
    session.execute(Notification.__table__.delete())
    mine = report(session, point_in(session, WORKER_GRID))
    theirs = report(session, point_in(session, OTHER_GRID))
    session.execute(Notification.__table__.delete())  # what the intake itself sent
    for subject, case, unit in [
        ("请核实 please verify: mine", mine.id, WORKER_GRID),
        ("督办 oversight: theirs", theirs.id, WORKER_GRID),
        ("通知 notice", None, WORKER_GRID),
        ("elsewhere", None, OTHER_GRID),
    ]:
        InAppSender(session).send(
            Message(
                district_code="210104",
                to=Recipients(unit_code=unit),
                subject=subject,
                body=f"{subject} body",
                case_id=case,
            )
        )
    return {"mine": mine, "theirs": theirs}


def _count(html: str) -> int:
    return int(re.search(r'id="bell-count"[^>]*data-count="(\d+)"', html).group(1))


def test_the_bell_shows_the_unread_count_and_refreshes(worker, mail):
    page = worker.get("/notifications", headers=HTML)
    assert page.status_code == 200
    assert _count(page.text) == 3
    assert 'aria-label="通知：3 条未读"' in page.text
    assert 'hx-get="/notifications/badge?lang=zh"' in page.text
    # htmx: no eval, no inline styles (the CSP refuses both)
    assert '"allowEval": false' in page.text and '"includeIndicatorStyles": false' in page.text
    badge = worker.get("/notifications/badge?lang=en", headers={"HX-Request": "true"})
    assert badge.status_code == 200 and badge.text.strip().startswith('<a id="bell"')
    assert _count(badge.text) == 3 and "Notifications: 3 unread" in badge.text


def test_a_visitor_has_no_bell(web):
    page = web.get("/login", headers=HTML).text
    assert 'id="bell"' not in page and "htmx" not in page


def test_the_list_is_newest_first_with_links_where_the_case_opens(worker, mail):
    page = worker.get("/notifications?lang=en", headers=HTML).text
    subjects = re.findall(r'<h2 class="notice__subject">([^<]*)</h2>', page)
    assert subjects == ["通知 notice", "督办 oversight: theirs", "请核实 please verify: mine"]
    assert f'href="/cases/{mail["mine"].id}?lang=en"' in page
    assert f"/cases/{mail['theirs'].id}" not in page  # another street's case: not theirs
    assert "elsewhere" not in page
    assert "3 unread" in page


def test_a_case_steps_notice_reads_in_the_readers_language(worker, session, mail):
    # Stored in both languages (an SMS or e-mail reaches someone whose language is unknown);
    # the page says it in the reader's.
    receipt = mail["mine"].receipt
    InAppSender(session).send(
        Message(
            district_code="210104",
            to=Recipients(unit_code=WORKER_GRID),
            subject=f"返工 rework: {receipt}",
            body="井盖仍松动",
            kind="case.check_fail",
            case_id=mail["mine"].id,
        )
    )
    for lang, expected in (("en", f"Rework: {receipt}"), ("zh", f"返工：{receipt}")):
        page = worker.get(f"/notifications?lang={lang}", headers=HTML).text
        subjects = re.findall(r'<h2 class="notice__subject">([^<]*)</h2>', page)
        assert subjects[0] == expected


def test_marking_read_lowers_the_count(worker, session, mail):
    first = session.scalar(select(Notification.id).where(Notification.subject == "通知 notice"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', worker.get("/notifications").text)[1]
    marked = worker.post(
        f"/notifications/{first}/read?lang=en",
        data={"csrf_token": token, "page": "1"},
        headers=HTML,
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == f"/notifications?lang=en#notice-{first}"
    page = worker.get("/notifications", headers=HTML).text
    assert _count(page) == 2
    assert re.search(rf'id="notice-{first}" class="card notice" data-read="true"', page)
    # Without the CSRF token a cookie's form changes nothing.
    refused = worker.post("/notifications/read", data={}, headers=HTML)
    assert refused.status_code == 403 and 'data-status="403"' in refused.text
    everything = worker.post("/notifications/read", data={"csrf_token": token}, headers=HTML)
    assert everything.status_code == 200 and _count(everything.text) == 0


def test_another_users_notification_is_not_found(worker, session, mail):
    other = session.scalar(select(Notification.id).where(Notification.subject == "elsewhere"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', worker.get("/notifications").text)[1]
    refused = worker.post(f"/notifications/{other}/read", data={"csrf_token": token}, headers=HTML)
    assert refused.status_code == 404 and 'data-status="404"' in refused.text


# ---- errors as pages ------------------------------------------------------------------------


def _error(response) -> tuple[int, str, str]:
    status = re.search(r'data-status="(\d+)"', response.text)
    title = re.search(r'<h1 id="error-title"[^>]*>([^<]*)</h1>', response.text)
    return response.status_code, status and status[1], title and title[1]


def test_a_missing_page_is_a_page_in_the_users_language(web, worker):
    anonymous = TestClient(web.app)
    assert _error(anonymous.get("/nowhere", headers=HTML)) == (404, "404", "页面不存在")
    english = anonymous.get("/nowhere", headers={**HTML, "Accept-Language": "en"})
    assert _error(english) == (404, "404", "Page not found")
    assert 'id="current-user"' not in english.text
    signed = worker.get("/nowhere?lang=en", headers=HTML)
    assert _error(signed) == (404, "404", "Page not found")
    assert 'id="current-user"' in signed.text and 'id="bell"' in signed.text
    assert signed.headers["content-language"] == "en"
    # The API keeps its JSON.
    api = worker.get("/api/v1/nowhere", headers=HTML)
    assert api.status_code == 404 and api.json()["error"]["kind"] == "not_found"


def test_a_refused_page_is_a_403_page(worker):
    response = worker.get("/callbacks", headers=HTML)
    assert _error(response) == (403, "403", "无权访问")
    assert "cases.command" in response.text  # the domain's own words
    english = worker.get("/callbacks?lang=en", headers=HTML)
    assert _error(english) == (403, "403", "Not allowed")


def test_bad_input_names_the_field(worker):
    response = worker.get("/notifications?page=0&lang=en", headers=HTML)
    assert _error(response) == (422, "422", "Input not valid")
    assert "The value of “page” is not valid." in response.text
    assert "“page”的值无效" in worker.get("/notifications?page=x", headers=HTML).text


def test_a_conflict_says_it_changed_meanwhile_and_an_error_shows_no_trace(session):
    app = _app(session)

    @app.get("/test/conflict")
    def conflict(who: Anyone) -> None:
        raise Conflict("案件已被他人处理", "someone else has handled the case")

    @app.get("/test/broken")
    def broken(who: Anyone) -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        changed = client.get("/test/conflict?lang=en", headers=HTML)
        assert _error(changed) == (409, "409", "Changed meanwhile")
        assert "someone else has handled the case" in changed.text
        assert 'id="error-reload"' in changed.text
        assert _error(client.get("/test/conflict", headers=HTML))[2] == "内容已被修改"
        failed = client.get("/test/broken", headers=HTML)
        assert _error(failed) == (500, "500", "服务器出错了")
        assert "secret internals" not in failed.text and "Traceback" not in failed.text
        api = client.get("/test/broken")  # a script's request: the JSON error
        assert api.status_code == 500 and api.json()["error"]["kind"] == "internal"


# ---- language --------------------------------------------------------------------------------


def test_the_switch_keeps_the_language_on_the_account(worker, session):
    page = worker.get("/notifications?page=1", headers={**HTML, "Accept-Language": "zh"})
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    assert 'name="next" value="/notifications?page=1"' in page.text
    switched = worker.post(
        "/language",
        data={"csrf_token": token, "lang": "en", "next": "/notifications?page=1"},
        follow_redirects=False,
    )
    assert switched.status_code == 303
    assert switched.headers["location"] == "/notifications?page=1&lang=en"
    user = session.scalars(select(User).where(User.username == "gridworker")).one()
    session.refresh(user)
    assert user.language == "en"
    # The account's choice wins over the browser's; an explicit ?lang= over both.
    assert '<html lang="en">' in worker.get("/notifications", headers=HTML).text
    assert '<html lang="zh-CN">' in worker.get("/notifications?lang=zh", headers=HTML).text
    # Only a path on this site is gone back to.
    away = worker.post(
        "/language",
        data={"csrf_token": token, "lang": "zh", "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/?lang=zh"
    refused = worker.post("/language", data={"csrf_token": token, "lang": "fr"}, headers=HTML)
    assert refused.status_code == 422 and "“lang”" in refused.text


# ---- the session ends ----------------------------------------------------------------------


def _end_sessions(session: Session, username: str) -> None:
    user_id = session.scalar(select(User.id).where(User.username == username))
    session.execute(update(AuthToken).where(AuthToken.user_id == user_id).values(revoked=True))
    session.flush()


def test_an_ended_session_signs_in_again_and_returns(worker, session):
    assert worker.cookies.get(SESSION_COOKIE)
    _end_sessions(session, "gridworker")
    page = worker.get("/notifications?page=1&lang=en", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/notifications%3Fpage%3D1%26lang%3Den&lang=en"
    # htmx's refresh and a script's fetch: a 401, which the page turns into the same trip.
    assert worker.get("/notifications/badge", headers={"HX-Request": "true"}).status_code == 401
    assert worker.get("/api/v1/notifications/unread-count").status_code == 401
    back = post_login(
        worker,
        data={
            "username": "gridworker",
            "password": DEMO_PASSWORD,
            "next": "/notifications?page=1&lang=en",
        },
        follow_redirects=False,
    )
    assert back.status_code == 303 and back.headers["location"] == "/notifications?page=1&lang=en"


def test_a_refused_forms_reload_link_stays_on_this_site(session):
    app = _app(session)

    @app.post("/test/conflict")
    def conflict(who: Anyone) -> None:
        raise Conflict("案件已被他人处理", "someone else has handled the case")

    with TestClient(app) as client:
        for referer, back in (
            ("http://testserver/notifications?page=2", "/notifications?page=2"),
            ("http://testserver//evil.example/x", "/"),
            ("http://evil.example/notifications", "/"),
        ):
            page = client.post("/test/conflict", headers={**HTML, "Referer": referer})
            assert page.status_code == 409
            assert f'id="error-reload" class="button button--primary" href="{back}"' in page.text


def test_a_form_sent_after_the_session_ended_returns_to_its_page(worker, session):
    token = re.search(r'name="csrf_token" value="([^"]+)"', worker.get("/notifications").text)[1]
    _end_sessions(session, "gridworker")
    sent = worker.post(
        "/notifications/read",
        data={"csrf_token": token},
        headers={**HTML, "Referer": "http://testserver/notifications?page=2"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"].startswith("/login?next=/notifications%3Fpage%3D2")


def test_the_sign_in_goes_back_only_to_this_site(web):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = post_login(
            web,
            data={"username": "gridworker", "password": DEMO_PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert response.status_code == 303 and response.headers["location"] == "/tasks"


def test_the_list_is_paged(worker, mail, monkeypatch):
    monkeypatch.setattr(notifications_page, "PAGE_SIZE", 2)
    first = worker.get("/notifications?lang=en", headers=HTML).text
    assert first.count('class="card notice') == 2 and "1–2" in first
    assert 'href="/notifications?lang=en&amp;page=2" rel="next"' in first
    second = worker.get("/notifications?lang=en&page=2", headers=HTML).text
    assert second.count('class="card notice') == 1 and "3–3" in second
    assert 'rel="next"' not in second and 'href="/notifications?lang=en" rel="prev"' in second
    past = worker.get("/notifications?page=9", headers=HTML, follow_redirects=False)
    assert past.status_code == 303 and past.headers["location"] == "/notifications?lang=zh"
