"""Signing in: tokens, web sessions with CSRF, throttles, timeouts, disabled and demo accounts,
one answer for every refusal, and passwords to change at first sign-in."""

import base64
import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.accounts.models import AuthToken, User
from onegrid.app import create_app
from onegrid.audit.models import AuditRecord
from onegrid.config import get_settings
from onegrid.db import get_session
from onegrid.db.base import utcnow
from onegrid.demo.build import DEMO_PASSWORD
from tests.login_form import post_login

WRONG = "Not-The-Password-1"


def _token(client, username="leader", password=DEMO_PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_token_signs_in_and_logout_ends_it(client):
    response = _token(client)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["user"]["role"] == "leader"
    token = body["access_token"]
    assert client.get("/api/v1/auth/me", headers=_auth(token)).json()["username"] == "leader"
    assert client.post("/api/v1/auth/logout", headers=_auth(token)).status_code == 204
    assert client.get("/api/v1/auth/me", headers=_auth(token)).status_code == 401


def test_the_pages_sign_out_ends_the_token_it_was_identified_by(client):
    # A bearer token is who the request is (it goes before a cookie): the page's sign-out ends
    # that token, as the API's does, not some cookie's session recorded under its name.
    token = _token(client).json()["access_token"]
    out = client.post("/logout", headers=_auth(token), follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/v1/auth/me", headers=_auth(token)).status_code == 401


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = _token(client, password="Not-The-Password-1")
    unknown = _token(client, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["message"] == "用户名或密码错误"


@pytest.fixture
def from_source(session) -> Iterator:
    """Returns a maker of HTTP clients of the app, each from its own source address."""
    made: list[TestClient] = []

    def make(host: str) -> TestClient:
        app = create_app()

        def _session() -> Iterator[Session]:
            yield session
            session.flush()

        app.dependency_overrides[get_session] = _session
        client = TestClient(app, client=(host, 50000))
        made.append(client.__enter__())
        return client

    yield make
    for client in made:
        client.__exit__(None, None, None)


def test_a_stranger_cannot_lock_a_user_out(from_source):
    stranger, user = from_source("203.0.113.7"), from_source("198.51.100.20")
    for _ in range(get_settings().lockout_threshold + 3):
        assert _token(stranger, password=WRONG).status_code == 401
    # The stranger's source is stopped for this username, the right password included …
    assert _token(stranger).status_code == 401
    # … and the user, from their own desk, signs in as before.
    assert _token(user).status_code == 200


def test_a_source_guessing_across_usernames_is_stopped(from_source, monkeypatch):
    monkeypatch.setattr(get_settings(), "lockout_source_threshold", 4)
    sprayer = from_source("203.0.113.8")
    for name in ("leader", "street", "command", "nobody"):
        assert _token(sprayer, username=name, password=WRONG).status_code == 401
    assert _token(sprayer, username="community").status_code == 401  # right, but stopped
    assert _token(from_source("198.51.100.21"), username="community").status_code == 200


def _reasons(session) -> list[str]:
    query = select(AuditRecord).where(AuditRecord.action == "auth.login")
    records = session.scalars(query.order_by(AuditRecord.id.desc()).limit(1)).all()
    return [json.loads(r.detail)["reason"] for r in records]


def test_every_refusal_answers_alike_after_the_same_work(client, session, from_source, monkeypatch):
    verified: list[str] = []
    real_verify = accounts.verify_password

    def counting(password_hash, password):
        verified.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    locker = from_source("203.0.113.9")
    for _ in range(get_settings().lockout_threshold):
        _token(locker, username="street", password=WRONG)
    session.scalars(select(User).where(User.username == "command")).one().is_active = False
    session.flush()

    def refused(who, **kwargs):
        verified.clear()
        response = _token(who, **kwargs)
        assert len(verified) == 1, kwargs  # one Argon2 verification, whatever the reason
        return response, _reasons(session)[0]

    answers = {
        "unknown": refused(client, username="nobody"),
        "wrong": refused(client, password=WRONG),
        "throttled": refused(locker, username="street"),
        "disabled": refused(client, username="command"),
    }
    monkeypatch.setenv("ONEGRID_ENVIRONMENT", "production")
    monkeypatch.setenv("ONEGRID_SECRET_KEY", "a-real-production-secret")
    monkeypatch.setenv("ONEGRID_DATA_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())
    get_settings.cache_clear()
    try:
        answers["demo"] = refused(client)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    bodies = {name: (r.status_code, r.json()) for name, (r, _) in answers.items()}
    assert all(body == bodies["unknown"] for body in bodies.values()), bodies
    assert bodies["unknown"][0] == 401
    assert bodies["unknown"][1]["error"]["message"] == "用户名或密码错误"
    # The real reason is for the audit admin only.
    assert {name: reason for name, (_, reason) in answers.items()} == {
        "unknown": "unknown user",
        "wrong": "wrong password",
        "throttled": "throttled: too many failures for this username or source",
        "disabled": "the account is disabled",
        "demo": "a demo account outside demo or development mode",
    }


def test_the_security_admin_resets_to_a_password_the_user_must_change(client, tokens):
    reset = client.post("/api/v1/users/street/password", json={}, headers=_auth(tokens["secadmin"]))
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]
    assert reset.json()["must_change_password"] is True and len(temporary) == 16
    signed = _token(client, username="street", password=temporary)
    assert signed.status_code == 200 and signed.json()["user"]["must_change_password"] is True
    token = signed.json()["access_token"]
    # The temporary password opens nothing but the change of password.
    for method, path in (("GET", "/api/v1/auth/me"), ("GET", "/api/v1/cases")):
        refused = client.request(method, path, headers=_auth(token))
        assert refused.status_code == 403
        assert refused.json()["error"]["message"].startswith("请先修改密码")
    weak = client.post(
        "/api/v1/auth/password",
        json={"old_password": temporary, "new_password": "Qwerty123456"},
        headers=_auth(token),
    )
    assert weak.status_code == 422 and "太容易被猜到" in weak.json()["error"]["message"]
    wrong_old = client.post(
        "/api/v1/auth/password",
        json={"old_password": WRONG, "new_password": "Lantern-Office-Walk-9"},
        headers=_auth(token),
    )
    assert wrong_old.status_code == 422
    changed = client.post(
        "/api/v1/auth/password",
        json={"old_password": temporary, "new_password": "Lantern-Office-Walk-9"},
        headers=_auth(token),
    )
    assert changed.status_code == 200 and changed.json()["must_change_password"] is False
    log = client.get(
        "/api/v1/audit",
        params={"action": "user.password_change"},
        headers=_auth(tokens["auditadmin"]),
    ).json()
    assert [(r["actor"], r["outcome"]) for r in log[:3]] == [
        ("street", "success"),
        ("street", "denied"),
        ("street", "denied"),
    ]
    assert log[0]["detail"] == {"temporary": True}
    assert log[1]["detail"] == {"reason": "the old password is wrong"}
    assert "too easy to guess" in log[2]["detail"]["reason"]
    assert client.get("/api/v1/auth/me", headers=_auth(token)).status_code == 200
    again = _token(client, username="street", password="Lantern-Office-Walk-9")
    assert again.status_code == 200 and again.json()["user"]["must_change_password"] is False


def test_a_password_given_by_the_admin_must_be_changed_too(client, tokens):
    created = client.post(
        "/api/v1/users",
        json={
            "username": "newstaff",
            "password": "Given-By-Admin-2026",
            "role": "leader",
        },
        headers=_auth(tokens["secadmin"]),
    )
    assert created.status_code == 201, created.text
    assert created.json()["temporary_password"] is None
    token = _token(client, username="newstaff", password="Given-By-Admin-2026").json()
    assert token["user"]["must_change_password"] is True
    refused = client.get("/api/v1/cases", headers=_auth(token["access_token"]))
    assert refused.status_code == 403


def test_an_idle_session_times_out(client, session):
    token = _token(client).json()["access_token"]
    row = session.scalars(select(AuthToken).order_by(AuthToken.id.desc())).first()
    row.last_seen_at -= timedelta(minutes=get_settings().session_idle_minutes + 1)
    session.flush()
    assert client.get("/api/v1/auth/me", headers=_auth(token)).status_code == 401


def test_a_disabled_user_is_signed_out_at_once(client, tokens):
    token = _token(client, username="command").json()["access_token"]
    assert (
        client.post("/api/v1/users/command/disable", headers=_auth(tokens["secadmin"])).status_code
        == 200
    )
    assert client.get("/api/v1/auth/me", headers=_auth(token)).status_code == 401
    assert _token(client, username="command").json()["error"]["message"] == "用户名或密码错误"


def test_web_session_cookie_needs_the_csrf_token_for_writes(client):
    page = post_login(
        client,
        data={"username": "leader", "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert page.status_code == 303 and page.headers["location"] == "/overview"  # its desk
    cookie = page.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "leader" in home.text
    # A cross-site form cannot know the token: the write is refused.
    assert client.post("/api/v1/auth/logout").status_code == 403
    csrf = home.text.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_login_page_refuses_with_a_message_and_never_redirects_offsite(client):
    page = post_login(
        client, "/login?lang=en", data={"username": "leader", "password": "nope", "next": "/"}
    )
    assert page.status_code == 401 and "wrong username or password" in page.text
    away = post_login(
        client,
        data={"username": "leader", "password": DEMO_PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/overview"  # its own desk, never off-site


def test_demo_accounts_are_refused_outside_demo_and_development(client, monkeypatch):
    monkeypatch.setenv("ONEGRID_ENVIRONMENT", "production")
    monkeypatch.setenv("ONEGRID_SECRET_KEY", "a-real-production-secret")
    monkeypatch.setenv("ONEGRID_DATA_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())
    get_settings.cache_clear()
    try:
        response = _token(client)
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "用户名或密码错误"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert _token(client).status_code == 200


def test_a_token_in_use_is_touched_and_a_busy_database_never_fails_the_request(demo_engine):
    with Session(demo_engine) as setup:
        user = setup.scalars(select(User).where(User.username == "citizen")).one()
        token = accounts.issue_token(session=setup, user=user, kind="api", source="test")
        setup.commit()
        token_id = setup.scalars(select(AuthToken).order_by(AuthToken.id.desc())).first().id
    stale = utcnow() - timedelta(minutes=5)

    def age(engine) -> None:
        with Session(engine) as other:
            other.execute(
                update(AuthToken).where(AuthToken.id == token_id).values(last_seen_at=stale)
            )
            other.commit()

    try:
        age(demo_engine)
        with Session(demo_engine) as request:
            assert accounts.resolve_token(session=request, token=token.token) is not None
            request.commit()
        with Session(demo_engine) as check:
            assert check.get(AuthToken, token_id).last_seen_at > stale  # touched
        age(demo_engine)
        with Session(demo_engine) as request:
            request.scalar(select(func.count()).select_from(User))  # the request has read …
            age(demo_engine)  # … and another connection commits meanwhile
            row = accounts.resolve_token(session=request, token=token.token)
            assert row is not None and row.user.username == "citizen"
            request.commit()
    finally:
        with Session(demo_engine) as cleanup:
            cleanup.execute(delete(AuthToken).where(AuthToken.id == token_id))
            cleanup.commit()


def test_a_stolen_session_cannot_guess_the_password_faster_than_a_sign_in(client):
    token = _token(client, username="community").json()["access_token"]

    def change(old):
        return client.post(
            "/api/v1/auth/password",
            json={"old_password": old, "new_password": "Qwerty123456"},
            headers=_auth(token),
        )

    for _ in range(get_settings().lockout_threshold):
        assert change(WRONG).status_code == 422
    # Throttled now: the right old password is not told apart, not even by the weak new one.
    stopped = change(DEMO_PASSWORD)
    assert (
        stopped.status_code == 403
        and "try again later"
        in client.post(
            "/api/v1/auth/password?lang=en",
            json={"old_password": DEMO_PASSWORD, "new_password": "Qwerty123456"},
            headers=_auth(token),
        ).json()["error"]["message"]
    )
    assert _token(client, username="community").status_code == 401  # this source, that user
