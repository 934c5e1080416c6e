"""Group commit: the writes of requests arriving together share one transaction and one disk
flush, and each request is answered only once that transaction has committed.

Requests that write what a client must find again (a case and its receipt) hand their writes
here through `write_durably` or, for work done more cheaply for many callers at once,
`write_durably_together`.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from onegrid.db.engine import SQLITE_BEGIN
from onegrid.db.session import is_request_session, savepoint_apart, session_factory

T = TypeVar("T")
Item = TypeVar("Item")


def write_durably(session: Session, work: Callable[[Session], T]) -> T:
    """Runs work (which writes through the session it is given) and returns its result.

    In a request's own session (get_session) the request's transaction ends first, then the
    work joins the process's group commit: the call returns once the work is on disk, or
    raises what the work raised, having written nothing. In any other session (a command's,
    a test's) the work runs in a SAVEPOINT of that session, which its owner commits.
    """
    if not is_request_session(session):
        with savepoint_apart(session):
            return work(session)
    session.commit()  # its own writes (a sign-in's touch) go first, and no snapshot is held
    return group_commit().run(work)


def write_durably_together(
    session: Session, together: Callable[[Session, list[Item]], list[T | Exception]], item: Item
) -> T:
    """As write_durably, for work done more cheaply for many callers at once (intake).

    `together` takes the items of the callers in one group and returns, in order, each
    item's result or the exception that item alone fails with, having written nothing for it.
    Returns this caller's result once it is on disk, or raises its exception.
    """
    if not is_request_session(session):
        with savepoint_apart(session):
            [outcome] = together(session, [item])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome
    session.commit()
    return group_commit().run_together(together, item)


@dataclass
class _Caller:
    """One caller's work in a group commit, and its outcome once the batch has committed.

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
        self._waiting: list[_Caller] = []
        self._leading = False

    def run(self, work: Callable[[Session], T]) -> T:
        """Returns the work's result once it is committed, or raises what it raised."""
        return self._run(_Caller(work=work))

    def run_together(
        self, together: Callable[[Session, list[Item]], list[T | Exception]], item: Item
    ) -> T:
        """Returns the item's result once it is committed, or raises its exception; the items
        of one batch with the same `together` go to it in one call."""
        return self._run(_Caller(together=together, item=item))

    def _run(self, caller: _Caller) -> Any:
        with self._lock:
            self._waiting.append(caller)
            leads = not self._leading
            self._leading = True
        if not leads:
            caller.turn.wait()  # set when its batch has committed, or when it is to lead
        if not caller.finished:
            self._lead()
        return caller.outcome()

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

    def _commit(self, batch: list[_Caller]) -> None:
        try:
            with self._factory() as session, session.begin():
                session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})
                for callers in _calls(batch):
                    try:
                        with session.begin_nested():
                            _call(session, callers)
                    except DBAPIError:
                        # The database failed, not the work: on some errors (disk full, I/O)
                        # SQLite ends the whole transaction, and what the next works wrote
                        # would commit without what came before. Abandon the batch.
                        raise
                    except Exception as error:  # this work alone fails; the others go on
                        for caller in callers:
                            caller.error = error
        except BaseException as error:  # nothing of the batch was committed
            for caller in batch:
                caller.error = caller.error or error
        finally:
            for caller in batch:
                caller.finished = True
                caller.turn.set()


def _calls(batch: list[_Caller]) -> list[list[_Caller]]:
    """The batch as calls of work, in order: each caller alone, or with the others sharing
    its `together` (at the place of the first of them)."""
    calls: list[list[_Caller]] = []
    shared: dict[Callable, list[_Caller]] = {}
    for caller in batch:
        if caller.together is None:
            calls.append([caller])
        elif caller.together in shared:
            shared[caller.together].append(caller)
        else:
            shared[caller.together] = [caller]
            calls.append(shared[caller.together])
    return calls


def _call(session: Session, callers: list[_Caller]) -> None:
    """Makes one call of work for the callers and keeps each one's outcome."""
    [first] = callers[:1]
    if first.together is None:
        first.value = first.work(session)
        return
    outcomes = first.together(session, [caller.item for caller in callers])
    for caller, outcome in zip(callers, outcomes, strict=True):
        if isinstance(outcome, Exception):
            caller.error = outcome
        else:
            caller.value = outcome


@lru_cache
def group_commit() -> GroupCommit:
    """Returns the process-wide group commit on the configured database."""
    return GroupCommit(session_factory())
