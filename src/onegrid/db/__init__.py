"""Database: declarative base, engines, sessions, group commit, Alembic migrations."""

from onegrid.db.base import Base, TimestampMixin, UTCDateTime
from onegrid.db.engine import SQLITE_BEGIN, create_db_engine, get_engine
from onegrid.db.group_commit import write_durably, write_durably_together
from onegrid.db.inserts import insert_many
from onegrid.db.reset import forget_database
from onegrid.db.session import (
    DbSession,
    StreamingSession,
    WritingSession,
    begin_writing,
    get_session,
    session_scope,
)

__all__ = [
    "SQLITE_BEGIN",
    "Base",
    "DbSession",
    "StreamingSession",
    "TimestampMixin",
    "UTCDateTime",
    "WritingSession",
    "begin_writing",
    "create_db_engine",
    "forget_database",
    "get_engine",
    "get_session",
    "insert_many",
    "session_scope",
    "write_durably",
    "write_durably_together",
]
