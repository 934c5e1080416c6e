"""SQLite's WAL checkpoints off the requests' path, while the web application runs.

SQLite copies its write-ahead log back into the database (a checkpoint, with an fsync) in the
commit that grows the log past 1,000 pages: every few hundred audited page reads, one request
took 200 ms instead of 25 (bench (i)). While the application runs, its connections leave that
to a thread of its own, which checkpoints every second (PASSIVE: never waiting for, nor
blocking, a reader or a writer). Other processes (the command line, an import) keep SQLite's
own checkpoints.

    checkpointer = Checkpointer(get_engine())
    checkpointer.start()      # the application's lifespan
    checkpointer.stop()       # a last checkpoint; new connections checkpoint themselves again
"""

import logging
import threading

from sqlalchemy import Engine, event
from sqlalchemy.exc import OperationalError

_log = logging.getLogger(__name__)
EVERY_SECONDS = 1.0
# The engines whose connections leave their checkpoints, and to how many running checkpointers
# (two applications may share one engine, as tests' clients do).
_LEFT: dict[Engine, int] = {}
_LOCK = threading.Lock()


def _leave_checkpoints(dbapi_connection, _record) -> None:
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


class Checkpointer:
    """Checkpoints a SQLite file's WAL from a thread, its connections not checkpointing."""

    def __init__(self, engine: Engine, every: float = EVERY_SECONDS) -> None:
        self.engine = engine
        self.every = every
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def applies(self) -> bool:
        """Whether the engine is a SQLite file's (PostgreSQL and in-memory stores have none)."""
        database = self.engine.url.database
        return self.engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")

    def start(self) -> None:
        """Turns the connections' own checkpoints off (the pool's idle ones closed: they would
        keep theirs) and starts the thread."""
        if not self.applies or self._thread is not None:
            return
        with _LOCK:
            if not _LEFT.get(self.engine):
                event.listen(self.engine, "connect", _leave_checkpoints)
                self.engine.dispose(close=True)
            _LEFT[self.engine] = _LEFT.get(self.engine, 0) + 1
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stops the thread after a last checkpoint; new connections checkpoint themselves."""
        if self._thread is None:
            return
        self._stopped.set()
        self._thread.join()
        self._thread = None
        self.checkpoint()
        with _LOCK:
            _LEFT[self.engine] -= 1
            if not _LEFT[self.engine]:
                del _LEFT[self.engine]
                event.remove(self.engine, "connect", _leave_checkpoints)
                self.engine.dispose(close=True)

    def checkpoint(self) -> None:
        """Copies what the log holds into the database, as far as no reader needs it."""
        connection = self.engine.raw_connection()
        try:
            connection.driver_connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except OperationalError as error:  # another process's checkpoint: the next turn
            _log.debug("WAL checkpoint skipped: %s", error)
        finally:
            connection.close()

    def _run(self) -> None:
        while not self._stopped.wait(self.every):
            try:
                self.checkpoint()
            except Exception:  # a failed turn must not end the thread: the log would grow
                _log.exception("WAL checkpoint failed")
