"""Engines and sessions: SQLite in WAL mode with foreign keys, PostgreSQL through psycopg 3.

Requests that write what a client must find again (a case and its receipt) hand their writes
to the process's group commit: the writes of requests arriving together share one transaction
and one disk flush, and each request is answered only once that transaction has committed.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from onegrid.config import get_settings


def _normalise_url(url: str) -> str:
    # "postgresql://" would pick psycopg2; onegrid speaks psycopg 3 only.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transaction control from the sqlite3 module, whose implicit BEGIN comes late and
    # breaks SAVEPOINTs; SQLAlchemy then emits BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL syncs the WAL on every commit, so an acknowledged write survives a crash.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# An execution option naming how a SQLite transaction begins: "IMMEDIATE" takes the write lock
# at BEGIN. A deferred transaction that has read and then writes fails at once (SQLITE_BUSY,
# no waiting) if another connection committed since its first read; one that begins
# IMMEDIATE waits its turn (busy_timeout) and then reads the newest data.
SQLITE_BEGIN = "onegrid_sqlite_begin"


def _sqlite_begin(connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


# No cap on pooled connections: a request takes its connection in a dependency, before its view
# waits for one of the server's worker threads, so a cap below the number of those threads
# (40) lets every thread wait for a connection held by a request waiting for a thread: the
# server hangs. The worker threads bound the connections instead, and the pool keeps as many
# as there are threads: a connection closed after each busy request is opened again (and on
# SQLite set up again) by the next, which cost a loaded server 6% of its time.
_UNCAPPED = {"pool_size": 40, "max_overflow": -1}


def create_db_engine(url: str) -> Engine:
    """Returns a new engine for this URL, with onegrid's connection settings."""
    url = _normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        in_memory = not path or path == ":memory:"
        if not in_memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, **({} if in_memory else _UNCAPPED)
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **_UNCAPPED)


@lru_cache
def get_engine() -> Engine:
    """Returns the process-wide engine for the configured database."""
    return create_db_engine(get_settings().database_url)


@lru_cache
def _session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """Yields a session that commits on success and rolls back on any error."""
    session = _session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_REQUEST = "onegrid.request"  # in a session's info: it is a request's own session


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, committed when the view returns."""
    with session_scope() as session:
        session.info[_REQUEST] = True
        yield session


def begin_writing(session: Session) -> None:
    """In a request's session: ends what the request has read so far and begins a transaction
    that holds SQLite's write lock (PostgreSQL: an ordinary one) for the writes to come.

    On SQLite a transaction that has read and then writes fails at once if another connection
    committed in between; one that begins IMMEDIATE waits its turn and then reads the newest
    state. A route calls this in its own body, never in a dependency: a lock taken there would
    be held while the request waits for a worker thread, and the server would starve.
    """
    if not session.info.get(_REQUEST):
        return
    session.commit()
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


T = TypeVar("T")


def write_durably(session: Session, work: Callable[[Session], T]) -> T:
    """Runs work (which writes through the session it is given) and returns its result.

    In a request's own session (get_session) the request's transaction ends first, then the
    work joins the process's group commit: the call returns once the work is on disk, or
    raises what the work raised, having written nothing. In any other session (a command's,
    a test's) the work runs in a SAVEPOINT of that session, which its owner commits.
    """
    if not session.info.get(_REQUEST):
        with session.begin_nested():
            return work(session)
    session.commit()  # its own writes (a sign-in's touch) go first, and no snapshot is held
    return group_commit().run(work)


Item = TypeVar("Item")


def write_durably_together(
    session: Session, together: Callable[[Session, list[Item]], list[T | Exception]], item: Item
) -> T:
    """As write_durably, for work done more cheaply for many callers at once (intake).

    `together` takes the items of the callers in one group and returns, in order, each
    item's result or the exception that item alone fails with, having written nothing for it.
    Returns this caller's result once it is on disk, or raises its exception.
    """
    if not session.info.get(_REQUEST):
        with session.begin_nested():
            [outcome] = together(session, [item])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    session.commit()
    return group_commit().run_together(together, item)


@dataclass
class _Unit:
    """One caller's work in a group commit, and its outcome once the group has committed.

    The work is either its own (`work`) or its item's part of a shared one (`together`)."""

    work: Callable[[Session], Any] | None = None
    together: Callable[[Session, list], list] | None = None
    item: Any = None
    turn: threading.Event = field(default_factory=threading.Event)
    finished: bool = False
    value: Any = None
    error: BaseException | None = None

    def outcome(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class GroupCommit:
    """Runs the work of many threads in shared transactions: one commit, one flush, per batch.

    The first caller to arrive while no batch is running leads: it takes every waiting work
    (up to `max_batch`), runs each in a SAVEPOINT of one transaction and commits it; the next
    waiting caller then leads the works that arrived meanwhile. A work that raises (a domain
    error: invalid, forbidden) is rolled back to its savepoint and fails alone; a database
    error, or a failed commit, rolls the whole batch back and fails every work in it. No
    caller returns before the transaction holding its work has committed.
    """

    def __init__(self, factory: sessionmaker[Session], max_batch: int = 100) -> None:
        self._factory = factory
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._waiting: list[_Unit] = []
        self._leading = False

    def run(self, work: Callable[[Session], T]) -> T:
        """Returns the work's result once it is committed, or raises what it raised."""
        return self._run(_Unit(work=work))

    def run_together(
        self, together: Callable[[Session, list[Item]], list[T | Exception]], item: Item
    ) -> T:
        """Returns the item's result once it is committed, or raises its exception; the items
        of one batch with the same `together` go to it in one call."""
        return self._run(_Unit(together=together, item=item))

    def _run(self, unit: _Unit) -> Any:
        with self._lock:
            self._waiting.append(unit)
            leads = not self._leading
            self._leading = True
        if not leads:
            unit.turn.wait()  # set when its batch has committed, or when it is to lead
        if not unit.finished:
            self._lead()
        return unit.outcome()

    def _lead(self) -> None:
        with self._lock:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
        try:
            self._commit(batch)
        finally:
            with self._lock:
                if self._waiting:
                    self._waiting[0].turn.set()  # it leads next; its batch holds its own work
                else:
                    self._leading = False

    def _commit(self, batch: list[_Unit]) -> None:
        try:
            with self._factory() as session, session.begin():
                session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
                for units in _by_work(batch):
                    try:
                        with session.begin_nested():
                            _do(session, units)
                    except DBAPIError:
                        # The database failed, not the work: on some errors (disk full, I/O)
                        # SQLite ends the whole transaction, and what the next works wrote
                        # would commit without what came before. Abandon the batch.
                        raise
                    except Exception as error:  # this work alone fails; the others go on
                        for unit in units:
                            unit.error = error
        except BaseException as error:  # nothing of the batch was committed
            for unit in batch:
                unit.error = unit.error or error
        finally:
            for unit in batch:
                unit.finished = True
                unit.turn.set()


def _by_work(batch: list[_Unit]) -> list[list[_Unit]]:
    """The batch's units as they are run: alone, or with the others sharing their `together`
    (at the place of the first of them)."""
    runs: list[list[_Unit]] = []
    shared: dict[Callable, list[_Unit]] = {}
    for unit in batch:
        if unit.together is None:
            runs.append([unit])
        elif unit.together in shared:
            shared[unit.together].append(unit)
        else:
            shared[unit.together] = [unit]
            runs.append(shared[unit.together])
    return runs


def _do(session: Session, units: list[_Unit]) -> None:
    """Runs the units' work and keeps each one's outcome."""
    [first] = units[:1]
    if first.together is None:
        first.value = first.work(session)
        return
    outcomes = first.together(session, [unit.item for unit in units])
    for unit, outcome in zip(units, outcomes, strict=True):
        if isinstance(outcome, Exception):
            unit.error = outcome
        else:
            unit.value = outcome


@lru_cache
def group_commit() -> GroupCommit:
    """Returns the process-wide group commit on the configured database."""
    return GroupCommit(_session_factory())


# "function" scope commits before the response is sent: a client that was told "done" (a
# receipt, a session cookie) must find it done on its very next request, and after a crash.
DbSession = Annotated[Session, Depends(get_session, scope="function")]
