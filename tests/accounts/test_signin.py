"""Signing in: tokens, web sessions with CSRF, lockout, timeouts, disabled and demo accounts."""

import base64
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.accounts.models import AuthToken, User
from onegrid.config import get_settings
from onegrid.db.base import utcnow
from onegrid.demo.build import DEMO_PASSWORD
from tests.login_form import post_login


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


def test_wrong_password_and_unknown_user_get_the_same_answer(client):
    wrong = _token(client, password="Not-The-Password-1")
    unknown = _token(client, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["message"] == "用户名或密码错误"


def test_repeated_failures_lock_the_account(client, session):
    for _ in range(get_settings().lockout_threshold):
        assert _token(client, password="Not-The-Password-1").status_code == 401
    locked = _token(client)  # the right password no longer helps
    assert locked.status_code == 401
    assert (
        "locked until" in _token(client, password=DEMO_PASSWORD).json()["error"]["message"]
        or "锁定" in locked.json()["error"]["message"]
    )
    user = session.scalars(select(User).where(User.username == "leader")).one()
    assert user.locked_until is not None


def test_the_security_admin_unlocks_by_resetting_the_password(client, tokens):
    for _ in range(get_settings().lockout_threshold):
        _token(client, username="street", password="Not-The-Password-1")
    reset = client.post(
        "/api/v1/users/street/password",
        json={"password": "Brand-New-Secret-4"},
        headers=_auth(tokens["secadmin"]),
    )
    assert reset.status_code == 200 and reset.json()["locked_until"] is None
    assert _token(client, username="street", password="Brand-New-Secret-4").status_code == 200


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
    assert _token(client, username="command").json()["error"]["message"] == "账户已停用"


def test_web_session_cookie_needs_the_csrf_token_for_writes(client):
    page = post_login(
        client,
        data={"username": "leader", "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert page.status_code == 303 and page.headers["location"] == "/"
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
    assert away.headers["location"] == "/"


def test_demo_accounts_are_refused_outside_demo_and_development(client, monkeypatch):
    monkeypatch.setenv("ONEGRID_ENVIRONMENT", "production")
    monkeypatch.setenv("ONEGRID_SECRET_KEY", "a-real-production-secret")
    monkeypatch.setenv("ONEGRID_DATA_KEY", base64.urlsafe_b64encode(b"k" * 32).decode())
    get_settings.cache_clear()
    try:
        response = _token(client)
        assert response.status_code == 401
        assert "demo accounts" in _token(client).json()["error"]["message"] or (
            "演示账户" in response.json()["error"]["message"]
        )
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
