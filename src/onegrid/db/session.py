"""Sessions: one per request (the FastAPI dependencies DbSession and WritingSession), or one
per command or job (session_scope).

How a request writes: a route whose method writes (POST, PUT, PATCH, DELETE) takes
`WritingSession`, never `DbSession` (tests/db/test_writing_routes.py refuses one that does not).
The service that writes then chooses one of two ways: under SQLite's write lock, taken by
`begin_writing` before the reads its writes depend on (and after any slow check, as the lock
is held to the end of the request); or through the process's group commit
(db/group_commit.py), which shares one transaction and one disk flush among the requests that
arrive together (intake). A writing session refuses to flush ORM writes any other way, so a
forgotten `begin_writing` fails the route's first test, not a busy server with SQLITE_BUSY.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated

from fastapi import Depends
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from onegrid.db.engine import SQLITE_BEGIN, get_engine

_REQUEST = "onegrid.request"  # in a session's info: it is a request's own session
_WRITING = "onegrid.writing"  # … of a writing route: its writes need begin_writing
_LOCKED = "onegrid.locked"  # … the transaction begin_writing began
_APART = "onegrid.apart"  # … in a savepoint standing in for the group commit


@lru_cache
def session_factory() -> sessionmaker[Session]:
    """Returns the process-wide maker of sessions on the configured database."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """Yields a session that commits on success and rolls back on any error."""
    session = session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, committed when the view returns."""
    with session_scope() as session:
        session.info[_REQUEST] = True
        yield session


def is_request_session(session: Session) -> bool:
    """Returns whether the session is a request's own (get_session), not a command's or test's."""
    return bool(session.info.get(_REQUEST))


# "function" scope commits before the response is sent: a client that was told "done" (a
# receipt, a session cookie) must find it done on its very next request, and after a crash.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


# "request" scope lives until the response has been sent: a streamed export reads its rows
# (and records its audit record, the row count known) while the response goes out.
StreamingSession = Annotated[Session, Depends(get_session, scope="request")]


def writing_session(session: DbSession) -> Iterator[Session]:
    """FastAPI dependency: the request's session, which writes only under begin_writing or
    through the group commit."""
    session.info.pop(_LOCKED, None)
    session.info[_WRITING] = True
    try:
        yield session
        session.flush()  # what the view left to the commit is written under the rule too
    finally:
        del session.info[_WRITING]


WritingSession = Annotated[Session, Depends(writing_session, scope="function")]


def begin_writing(session: Session) -> None:
    """In a request's session: ends what the request has read so far and begins a transaction
    that holds SQLite's write lock (PostgreSQL: an ordinary one) for the writes to come.

    Called in the route's own thread, never in a dependency: a lock taken there would be held
    while the request waits for a worker thread, and the server would starve.
    """
    if is_request_session(session):
        session.commit()
        session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
    elif not session.info.get(_WRITING):
        return
    session.info[_LOCKED] = session.get_transaction() or session.begin()


@contextmanager
def savepoint_apart(session: Session) -> Iterator[None]:
    """In a command's or a test's session: a SAVEPOINT that stands in for the group commit, in
    which a writing route's session may write."""
    apart = session.info.get(_APART)
    session.info[_APART] = True
    try:
        with session.begin_nested():
            yield
    finally:
        session.info[_APART] = apart


@event.listens_for(Session, "before_flush")
def _refuse_unlocked_writes(session: Session, _context, _instances) -> None:
    if (
        session.info.get(_WRITING)
        and not session.info.get(_APART)
        and session.info.get(_LOCKED) is not session.get_transaction()
    ):
        raise RuntimeError(
            "a writing route wrote outside SQLite's write lock: call begin_writing before the "
            "reads the writes depend on, or write through the group commit"
        )
