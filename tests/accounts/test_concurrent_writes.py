"""Many people writing at once through a real server: signing in at the start of the day,
signing out, and an administrator's changes meanwhile. None may fail because another request
wrote first (on SQLite: "database is locked"); each writing route takes the write lock at its
start, or, signing in, once the password is checked."""

import json
import shutil
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from onegrid.accounts.models import AuthToken
from onegrid.app import create_app
from onegrid.config import get_settings
from onegrid.db import forget_database, get_engine
from onegrid.demo.build import DEMO_PASSWORD
from tests.serving import serving

THREADS = 12
EACH = 4


@pytest.fixture
def served(demo_engine, tmp_path, monkeypatch) -> Iterator[str]:
    """Serves a copy of the demo database on a free port; returns its URL."""
    url = _copy(demo_engine, tmp_path)
    monkeypatch.setenv("ONEGRID_DATABASE_URL", url)
    get_settings.cache_clear()
    forget_database()
    try:
        with serving(create_app()) as base:
            yield base
    finally:
        get_settings.cache_clear()
        forget_database()
        _drop(url)


def _copy(engine, tmp_path: Path) -> str:
    engine.dispose()  # no connection may be open on a database being copied
    if engine.dialect.name == "sqlite":
        target = tmp_path / "copy.db"
        shutil.copyfile(engine.url.database, target)
        return f"sqlite:///{target}"
    name = f"{engine.url.database}_copy"
    with create_engine(
        engine.url, isolation_level="AUTOCOMMIT", poolclass=NullPool
    ).connect() as admin:
        admin.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{engine.url.database}"'))
    return make_url(engine.url).set(database=name).render_as_string(hide_password=False)


def _drop(url: str) -> None:
    if url.startswith("sqlite"):
        return
    name = make_url(url).database
    admin_url = make_url(url).set(database="postgres")
    with create_engine(
        admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool
    ).connect() as admin:
        admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _call(url: str, path: str, body: dict | None = None, token: str | None = None) -> tuple:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _in_threads(work) -> None:
    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)


def test_sign_ins_sign_outs_and_admin_changes_at_once_all_succeed(served, demo_engine):
    statuses: Counter = Counter()
    wrong: list = []

    def work(n: int) -> None:
        if n == 0:  # the security administrator disables and enables a (non-admin) user meanwhile
            _, answer = _call(served, "/api/v1/auth/token", _credentials("secadmin"))
            for i in range(EACH):
                change = "disable" if i % 2 == 0 else "enable"
                path = f"/api/v1/users/department/{change}"
                statuses[(change, _call(served, path, token=answer["access_token"])[0])] += 1
            return
        for i in range(EACH):
            if n == 1 and i % 2:  # someone mistypes: counted, not a server error
                status, _ = _call(served, "/api/v1/auth/token", _credentials("leader", "wrong"))
                wrong.append(status)
                continue
            status, answer = _call(served, "/api/v1/auth/token", _credentials("leader"))
            statuses[("sign-in", status)] += 1
            if status == 200:
                token = answer["access_token"]
                statuses[("sign-out", _call(served, "/api/v1/auth/logout", token=token)[0])] += 1

    _in_threads(work)
    assert set(statuses) == {("sign-in", 200), ("sign-out", 204), ("disable", 200), ("enable", 200)}
    assert statuses[("disable", 200)] == statuses[("enable", 200)] == EACH // 2
    assert wrong == [401] * (EACH // 2)
    signed_in = statuses[("sign-in", 200)] + 1  # and the administrator
    assert statuses[("sign-in", 200)] == (THREADS - 1) * EACH - len(wrong)
    ours = AuthToken.source == "127.0.0.1"  # the copy also holds other tests' tokens
    with get_engine().connect() as connection:
        issued = connection.scalar(select(func.count()).select_from(AuthToken).where(ours))
        revoked = connection.scalar(
            select(func.count()).select_from(AuthToken).where(ours, AuthToken.revoked)
        )
    assert issued == signed_in
    assert revoked == statuses[("sign-out", 204)] == statuses[("sign-in", 200)]


def _credentials(username: str, password: str = DEMO_PASSWORD) -> dict:
    return {"username": username, "password": password}
