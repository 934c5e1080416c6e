"""The escalation sweep: overdue cases rise one level and are flagged for 督办/催办.

One indexed query (`next_escalation_at <= now`), the same on SQLite and PostgreSQL; run by
`onegrid sweep` and every minute inside `onegrid serve`.
"""

import logging
import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.core.permissions import operator
from onegrid.db import session_scope
from onegrid.db.base import utcnow

logger = logging.getLogger("onegrid.sweep")


def due(*, session: Session, now: datetime, limit: int = 500) -> list[Case]:
    """Returns the cases whose escalation time has come, oldest first."""
    query = (
        select(Case)
        .where(Case.next_escalation_at <= now)
        .order_by(Case.next_escalation_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def sweep(*, session: Session, now: datetime | None = None) -> int:
    """Escalates every case whose time has come; returns how many it escalated."""
    now = now or utcnow()
    who = operator("sweep")
    count = 0
    while batch := due(session=session, now=now):
        for case in batch:
            transition(session=session, case=case, action=Action.ESCALATE, who=who, now=now)
            count += 1
        session.flush()
    return count


def start_background_sweep(interval_seconds: float) -> threading.Event:
    """Runs the sweep every interval in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_seconds):
            try:
                with session_scope() as session:
                    sweep(session=session)
            except Exception:  # the next round tries again; the server keeps serving
                logger.exception("the escalation sweep failed")

    threading.Thread(target=loop, name="onegrid-sweep", daemon=True).start()
    return stop
