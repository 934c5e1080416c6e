"""Sign-in throttles: failures counted per (username, source) and per source, never per user.

A pair is locked after `lockout_threshold` failures within `lockout_minutes`, a source after
`lockout_source_threshold` failures across usernames: a stranger guessing from elsewhere slows
only their own source, and the user signs in from theirs as before.
"""

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from onegrid.accounts.models import SignInThrottle
from onegrid.config import get_settings

ANY_USERNAME = ""  # the username of a source's row, counting failures for every username
_NO_DISTRICT = "000000"


def _keys(username: str, source: str) -> list[tuple[str, str]]:
    return [(username, source), (ANY_USERNAME, source)]


def _rows(session: Session, username: str, source: str) -> list[SignInThrottle]:
    query = (
        select(SignInThrottle)
        .where(
            SignInThrottle.source == source, SignInThrottle.username.in_([username, ANY_USERNAME])
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def is_locked(*, session: Session, username: str, source: str, now: datetime) -> bool:
    """Tells whether sign-ins as this username from this source are refused for now."""
    return any(
        row.locked_until is not None and row.locked_until > now
        for row in _rows(session, username, source)
    )


def count_failure(
    *, session: Session, username: str, source: str, district_code: str | None, now: datetime
) -> None:
    """Counts a failed sign-in for the pair and for the source, locking what reached its limit."""
    settings = get_settings()
    window = timedelta(minutes=settings.lockout_minutes)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for name, src in _keys(username, source):
        # Concurrent first failures must not both insert: the row is made once, then locked.
        session.execute(
            insert(SignInThrottle)
            .values(
                district_code=district_code or _NO_DISTRICT,
                username=name,
                source=src,
                failures=0,
                window_started_at=now,
            )
            .on_conflict_do_nothing(index_elements=["username", "source"])
        )
    for row in _rows(session, username, source):
        threshold = (
            settings.lockout_source_threshold
            if row.username == ANY_USERNAME
            else settings.lockout_threshold
        )
        if row.window_started_at + window <= now:
            row.failures, row.window_started_at = 0, now
        row.failures += 1
        if row.failures >= threshold:
            row.locked_until = now + window
            row.failures, row.window_started_at = 0, now
    session.flush()


def clear(*, session: Session, username: str, source: str | None = None) -> None:
    """Forgets the failures of a username (from this source, or from all), not its sources'."""
    query = delete(SignInThrottle).where(SignInThrottle.username == username)
    if source is not None:
        query = query.where(SignInThrottle.source == source)
    session.execute(query)
