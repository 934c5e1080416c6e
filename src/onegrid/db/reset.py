"""Forgetting the database a process has opened from its settings, for a process whose
settings change (the tests do): the next use opens the one the settings name then."""

from onegrid.db.engine import get_engine
from onegrid.db.group_commit import group_commit
from onegrid.db.session import session_factory


def forget_database() -> None:
    """Closes the configured engine's connections and forgets it, its sessions and its group
    commit."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (group_commit, session_factory, get_engine):
        cached.cache_clear()
