"""A request's session on SQLite: a writing request takes the write lock as it begins, so that
its reads and its writes see one state and it waits its turn instead of failing when another
connection commits in between; a reading request takes no lock."""

import sqlite3

import pytest
from starlette.requests import Request

from onegrid.config import get_settings
from onegrid.db import session as db_session


def _request(method: str) -> Request:
    return Request({"type": "http", "method": method, "headers": [], "path": "/"})


def _can_write(path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


@pytest.mark.parametrize(("method", "locks"), [("POST", True), ("PATCH", True), ("GET", False)])
def test_a_writing_request_holds_the_write_lock_from_its_start(
    tmp_path, monkeypatch, method, locks
):
    path = tmp_path / "requests.db"
    monkeypatch.setenv("ONEGRID_DATABASE_URL", f"sqlite:///{path}")
    for cached in (get_settings, db_session.get_engine, db_session._session_factory):
        cached.cache_clear()
    try:
        sessions = db_session.get_session(_request(method))
        session = next(sessions)
        session.connection()  # a reading request has begun too
        assert _can_write(path) is not locks
        sessions.close()
        assert _can_write(path)  # released when the request ends
    finally:
        db_session.get_engine().dispose()
        for cached in (get_settings, db_session.get_engine, db_session._session_factory):
            cached.cache_clear()
