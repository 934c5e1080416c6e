"""A writing route's session on SQLite: `begin_writing` ends what the request has read and takes
the write lock, so the reads and writes that follow see one state and wait their turn instead
of failing when another connection commits in between. Outside a request it does nothing."""

import sqlite3

import pytest
from sqlalchemy.orm import Session

from onegrid.config import get_settings
from onegrid.db import session as db_session


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


@pytest.fixture
def path(tmp_path, monkeypatch):
    path = tmp_path / "requests.db"
    monkeypatch.setenv("ONEGRID_DATABASE_URL", f"sqlite:///{path}")
    caches = (get_settings, db_session.get_engine, db_session._session_factory)
    for cached in caches:
        cached.cache_clear()
    yield path
    db_session.get_engine().dispose()
    for cached in caches:
        cached.cache_clear()


def test_a_writing_route_holds_the_write_lock_until_the_request_ends(path):
    sessions = db_session.get_session()
    session = next(sessions)
    session.connection()  # the request has read (its token, say): no lock yet
    assert _can_write(path)
    db_session.begin_writing(session)
    assert not _can_write(path)
    sessions.close()
    assert _can_write(path)


def test_outside_a_request_it_leaves_the_callers_transaction_alone(path):
    with Session(db_session.get_engine()) as session:
        session.connection()
        db_session.begin_writing(session)
        assert _can_write(path) and session.in_transaction()
