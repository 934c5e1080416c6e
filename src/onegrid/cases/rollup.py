"""The indicators' rollup: per bucket, the sum of its cases' facts, kept current on change.

Every change to a case calls `apply(session, before, after)` with the case's (bucket, facts)
before and after; the difference lands in at most two rows with one upsert each. Counts
therefore always equal a direct count over the cases (the tests check it).
"""

from datetime import date

from sqlalchemy import Date, Integer, String, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from onegrid.cases.facts import FACTS, BucketKey
from onegrid.db.base import Base

Snapshot = tuple[BucketKey, tuple[int, ...]]


def _count() -> Mapped[int]:
    return mapped_column(Integer, default=0, server_default="0")


class CaseRollup(Base):
    """One bucket: intake day × grid × department × category × channel, and its counts."""

    __tablename__ = "case_rollup"

    district_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    # One column per name in onegrid.cases.facts.FACTS (a test checks they match).
    received: Mapped[int] = _count()
    voided: Mapped[int] = _count()
    opened: Mapped[int] = _count()
    verified: Mapped[int] = _count()
    verified_on_time: Mapped[int] = _count()
    dispatched: Mapped[int] = _count()
    dispatched_on_time: Mapped[int] = _count()
    fed_back: Mapped[int] = _count()
    reworked: Mapped[int] = _count()
    extended: Mapped[int] = _count()
    closed: Mapped[int] = _count()
    closed_on_time: Mapped[int] = _count()
    overdue_verify: Mapped[int] = _count()
    overdue_dispatch: Mapped[int] = _count()
    overdue_handle: Mapped[int] = _count()
    rated: Mapped[int] = _count()
    satisfied: Mapped[int] = _count()
    closed_at_grid: Mapped[int] = _count()
    closed_at_community: Mapped[int] = _count()
    closed_at_street: Mapped[int] = _count()
    closed_at_district: Mapped[int] = _count()


_KEYS = ("district_code", "day", "grid_code", "department_id", "category_code", "channel")


def _upsert(session: Session, key: BucketKey, delta: dict[str, int]) -> None:
    table = CaseRollup.__table__
    values = {name: getattr(key, name) for name in _KEYS} | delta
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = insert.values(values).on_conflict_do_update(
        index_elements=list(_KEYS),
        set_={name: table.c[name] + literal(change) for name, change in delta.items()},
    )
    session.execute(statement)


def apply(session: Session, before: Snapshot | None, after: Snapshot | None) -> None:
    """Moves a case's contribution from its old bucket and counts to its new ones."""
    changes: dict[BucketKey, dict[str, int]] = {}
    for snapshot, sign in ((before, -1), (after, 1)):
        if snapshot is None:
            continue
        key, counts = snapshot
        row = changes.setdefault(key, dict.fromkeys(FACTS, 0))
        for name, count in zip(FACTS, counts, strict=True):
            row[name] += sign * count
    for key, delta in changes.items():
        delta = {name: change for name, change in delta.items() if change}
        if delta:
            _upsert(session, key, delta)


def add_many(session: Session, totals: dict[BucketKey, list[int]]) -> None:
    """Adds whole cases' counts (new cases of a bulk import) to their buckets, batched."""
    table = CaseRollup.__table__
    rows = [
        {name: getattr(key, name) for name in _KEYS} | dict(zip(FACTS, counts, strict=True))
        for key, counts in totals.items()
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = insert.on_conflict_do_update(
        index_elements=list(_KEYS),
        set_={name: table.c[name] + insert.excluded[name] for name in FACTS},
    )
    session.execute(statement, rows)
