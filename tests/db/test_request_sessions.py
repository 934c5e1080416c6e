"""A writing route's session on SQLite: `begin_writing` ends what the request has read and takes
the write lock, so the reads and writes that follow see one state and wait their turn instead
of failing when another connection commits in between. Outside a request it does nothing."""

import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from onegrid.config import get_settings
from onegrid.db import forget_database, get_engine, write_durably
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
    get_settings.cache_clear()
    forget_database()  # and its group commit, which a test here opens on this file
    yield path
    get_settings.cache_clear()
    forget_database()


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
    with Session(get_engine()) as session:
        session.connection()
        db_session.begin_writing(session)
        assert _can_write(path) and session.in_transaction()


class _Base(DeclarativeBase):
    pass


class _Note(_Base):
    __tablename__ = "note"
    id: Mapped[int] = mapped_column(primary_key=True)


def _writing_request():
    """A writing route's dependencies: the request's session, then its WritingSession."""
    _Base.metadata.create_all(get_engine())
    sessions = db_session.get_session()
    writing = db_session.writing_session(next(sessions))
    return sessions, writing, next(writing)


def test_a_writing_route_refuses_to_write_without_the_write_lock(path):
    sessions, writing, session = _writing_request()
    session.add(_Note())
    with pytest.raises(RuntimeError, match="begin_writing"):
        session.flush()
    with pytest.raises(RuntimeError, match="begin_writing"):
        next(writing)  # nor does it leave the write to the request's commit
    sessions.close()


def test_a_writing_route_writes_under_the_write_lock_or_through_the_group_commit(path):
    sessions, writing, session = _writing_request()
    db_session.begin_writing(session)
    session.add(_Note(id=1))
    session.flush()
    assert write_durably(session, lambda s: s.add(_Note(id=2))) is None
    session.add(_Note(id=3))  # the lock ended with the transaction write_durably committed
    with pytest.raises(RuntimeError, match="begin_writing"):
        session.flush()
    session.rollback()
    db_session.begin_writing(session)
    session.add(_Note(id=3))
    for dependency in (writing, sessions):  # the view returned: the request commits
        next(dependency, None)
    with Session(get_engine()) as reader:
        assert reader.scalars(select(_Note.id).order_by(_Note.id)).all() == [1, 2, 3]


def test_a_tests_session_keeps_the_rule_and_writes_in_savepoints(path):
    _Base.metadata.create_all(get_engine())
    with Session(get_engine()) as session:
        writing = db_session.writing_session(session)
        next(writing)
        with pytest.raises(RuntimeError, match="begin_writing"):
            session.add(_Note(id=1))
            session.flush()
        session.rollback()
        write_durably(session, lambda s: s.add(_Note(id=1)))
        db_session.begin_writing(session)
        session.add(_Note(id=2))
        next(writing, None)
        session.add(_Note(id=3))  # the route has returned: the test's own writes are free
        session.commit()
        assert session.scalars(select(_Note.id).order_by(_Note.id)).all() == [1, 2, 3]
