"""The indicators' rollup: per bucket, the sum of its cases' facts, kept current on change.

Every change to a case calls `apply(session, before, after)` with the case's (bucket, facts)
before and after; the difference lands in at most two rows of each grain with one upsert
each; a row the case left counting nothing is deleted, so no group shows without a case.
Counts therefore always equal a direct count over the cases (the tests check it).

The finest grain (case_rollup) keeps the whole bucket: intake day, grid, department, category,
channel. A district's cases spread so thinly over day × grid × category that it holds almost
a row per case, so coarser grains keep intake months by department and category, by
community, and by grid: a year by street reads a few thousand rows, not half a million.
One more keeps months by grid with the channels summed together, and the hotline's cases
again in columns of their own (the hotline's indicators count them alone): a month by grid,
the command centre's largest screen, then reads one row per grid.
"""

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from onegrid.cases.facts import FACTS, BucketKey
from onegrid.cases.models import (
    APART,
    APART_FACTS,
    ROLLUP_MONTH_COMMUNITY,
    ROLLUP_MONTH_DEPARTMENT,
    ROLLUP_MONTH_GRID,
    ROLLUP_MONTH_GRID_TOTAL,
    CaseRollup,
)
from onegrid.core.levels import DISTRICT_DIGITS, GRID_DIGITS, Level

Snapshot = tuple[BucketKey, tuple[int, ...]]
_COMMUNITY_DIGITS = Level.COMMUNITY.code_length


_KEYS = ("district_code", "day", "grid_code", "department_id", "category_code", "channel")
# In a coarser table: the dimension it leaves out.
ALL_DEPARTMENTS, ALL_CATEGORIES, ALL_CHANNELS = -1, "", ""
_NO_COUNTS = (0,) * len(FACTS)


@dataclass(frozen=True)
class Grain:
    """One rollup table and the detail it keeps of a bucket.

    `monthly`: `day` holds the first day of the intake month; `area_digits`: `grid_code` keeps
    this many digits of the grid's code (15 the grid, 12 its community, 6 the district);
    without `department`, `category` or `channel` those columns hold ALL_DEPARTMENTS,
    ALL_CATEGORIES or ALL_CHANNELS. Without `channel` the table also sums the APART channels'
    cases in columns of their own (`counted`).
    """

    table: Table
    monthly: bool
    area_digits: int
    department: bool
    category: bool
    channel: bool = True

    @property
    def counted(self) -> tuple[str, ...]:
        """The table's count columns, in the order of `counts`."""
        return FACTS if self.channel else FACTS + APART_FACTS

    def key(self, key: BucketKey) -> tuple:
        """The row of this table that a bucket counts in, in _KEYS order."""
        return (
            key.district_code,
            key.day.replace(day=1) if self.monthly else key.day,
            key.grid_code[: self.area_digits],
            key.department_id if self.department else ALL_DEPARTMENTS,
            key.category_code if self.category else ALL_CATEGORIES,
            key.channel if self.channel else ALL_CHANNELS,
        )

    def counts(self, key: BucketKey, counts: Sequence[int]) -> Sequence[int]:
        """What a bucket's counts add to its row of this table, one per `counted` column."""
        if self.channel:
            return counts
        apart = (counts if key.channel == channel else _NO_COUNTS for channel in APART)
        return (*counts, *chain.from_iterable(apart))


# Smallest first: a query reads the first grain that keeps what it asks for.
GRAINS = (
    Grain(ROLLUP_MONTH_DEPARTMENT, True, DISTRICT_DIGITS, True, True),
    Grain(ROLLUP_MONTH_COMMUNITY, True, _COMMUNITY_DIGITS, False, False),
    Grain(ROLLUP_MONTH_GRID_TOTAL, True, GRID_DIGITS, False, False, channel=False),
    Grain(ROLLUP_MONTH_GRID, True, GRID_DIGITS, False, False),
    Grain(CaseRollup.__table__, False, GRID_DIGITS, True, True),
)


def _upsert(session: Session, grain: Grain, rows: list[dict]) -> None:
    """Adds each row's counts to the row with its key, or inserts it (rows share their keys)."""
    dialect = session.get_bind().dialect.name
    names = tuple(name for name in grain.counted if name in rows[0])
    session.execute(_upsert_statement(grain.table, dialect, names), rows)


@lru_cache(maxsize=1024)
def _upsert_statement(table: Table, dialect: str, names: tuple[str, ...]):
    # Built once per table and set of counts: every change to a case runs one per grain.
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(
        index_elements=list(_KEYS),
        set_={name: table.c[name] + insert.excluded[name] for name in names},
    )


@lru_cache(maxsize=16)
def _drop_empty_statement(table: Table, names: tuple[str, ...]):
    keys = (table.c[name] == bindparam(f"key_{name}") for name in _KEYS)
    return delete(table).where(*keys, *(table.c[name] == 0 for name in names))


def _drop_if_empty(session: Session, grain: Grain, key: tuple) -> None:
    """Deletes the grain's row with this key if it counts nothing any more."""
    values = {f"key_{name}": value for name, value in zip(_KEYS, key, strict=True)}
    session.execute(_drop_empty_statement(grain.table, grain.counted), values)


def apply(session: Session, before: Snapshot | None, after: Snapshot | None) -> None:
    """Moves a case's contribution from its old bucket and counts to its new ones; a row the
    case left counting nothing is deleted (each dispatch moves a case to its department)."""
    for grain in GRAINS:
        changes: dict[tuple, dict[str, int]] = {}
        for snapshot, sign in ((before, -1), (after, 1)):
            if snapshot is None:
                continue
            key, counts = snapshot
            row = changes.setdefault(grain.key(key), dict.fromkeys(grain.counted, 0))
            for name, count in zip(grain.counted, grain.counts(key, counts), strict=True):
                row[name] += sign * count
        for key, delta in changes.items():
            delta = {name: change for name, change in delta.items() if change}
            if delta:
                _upsert(session, grain, [dict(zip(_KEYS, key, strict=True)) | delta])
        if before is not None and after is not None and len(changes) == 2:
            _drop_if_empty(session, grain, grain.key(before[0]))


def add_many(session: Session, totals: dict[BucketKey, list[int]]) -> None:
    """Adds whole cases' counts (new cases of a bulk import) to their buckets, batched."""
    add_rows(session, rows_to_add(totals))


def rows_to_add(totals: dict[BucketKey, list[int]]) -> list[list[dict]]:
    """The counts by bucket as rows to add to each grain's table, one list per grain (in
    GRAINS order): plain data, so an import sums them while another process writes."""
    by_grain = []
    for grain in GRAINS:
        summed: dict[tuple, list[int]] = {}
        for key, counts in totals.items():
            tally(summed, grain.key(key), grain.counts(key, counts))
        by_grain.append(
            [
                dict(zip(_KEYS, key, strict=True)) | dict(zip(grain.counted, counts, strict=True))
                for key, counts in summed.items()
            ]
        )
    return by_grain


def tally(totals: dict, key: tuple, counts: Sequence[int]) -> None:
    """Adds the counts (one per fact) to the key's total."""
    total = totals.get(key)
    totals[key] = list(counts) if total is None else list(map(operator.add, total, counts))


def add_rows(session: Session, by_grain: list[list[dict]]) -> None:
    """Adds rows made by `rows_to_add` to their tables."""
    for grain, rows in zip(GRAINS, by_grain, strict=True):
        if rows:
            _upsert(session, grain, rows)
