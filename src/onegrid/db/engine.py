"""Engines: SQLite in WAL mode with foreign keys, PostgreSQL through psycopg 3."""

from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler

from onegrid.config import get_settings


def _sqlite_from_hint(_compiler, _table, text: str) -> str:
    return text


# SQLAlchemy's SQLite compiler drops a select's FROM hints; SQLite's is INDEXED BY, which a few
# queries name where its planner, with no statistics of a column's skew, would choose badly
# (`select(…).with_hint(Case, "INDEXED BY ix_…", "sqlite")`; cases/queue.py).
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


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
        path = url.split("///", 1)[1] if "///" in url else ""  # "sqlite://": in memory
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
