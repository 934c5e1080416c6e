"""Database: declarative base, engine and sessions, Alembic migrations."""

from onegrid.db.base import Base, TimestampMixin, UTCDateTime
from onegrid.db.session import (
    DbSession,
    create_db_engine,
    get_engine,
    get_session,
    session_scope,
)

__all__ = [
    "Base",
    "DbSession",
    "TimestampMixin",
    "UTCDateTime",
    "create_db_engine",
    "get_engine",
    "get_session",
    "session_scope",
]
