"""rollup by dispatched department: a department's figures count the cases dispatched to it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02

The rollup kept a case under the department intake's routing table proposed, dispatched or not,
so a department's figures counted cases its staff cannot list. From now on a case counts under
the department it was dispatched to, and under none (0) before its first dispatch
(onegrid.cases.facts.bucket). No column changes: this moves the counts of every case not yet
dispatched from its proposed department to none, in the two grains that keep departments
(case_rollup and case_rollup_month_department), and deletes the rows left counting nothing;
downgrading moves them back.
"""

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACTS = (
    "received",
    "voided",
    "opened",
    "verified",
    "verified_on_time",
    "dispatched",
    "dispatched_on_time",
    "fed_back",
    "reworked",
    "extended",
    "closed",
    "closed_on_time",
    "overdue_verify",
    "overdue_dispatch",
    "overdue_handle",
    "rated",
    "satisfied",
    "closed_at_grid",
    "closed_at_community",
    "closed_at_street",
    "closed_at_district",
)
KEYS = ("district_code", "day", "grid_code", "department_id", "category_code", "channel")
# table: (whole months, digits of the grid code kept); both keep department and category.
GRAINS = {"case_rollup": (False, 15), "case_rollup_month_department": (True, 6)}
OPEN = ("received", "verifying", "verified", "opened", "dispatched", "returned", "handled")
# onegrid.config.Settings.time_zone: the intake day is a local day.
ZONE = os.environ.get("ONEGRID_TIME_ZONE", "Asia/Shanghai")
_CHUNK = 5_000

_CASES = sa.table(
    "case_record",
    *(
        sa.column(name)
        for name in (
            "district_code",
            "grid_code",
            "department_id",
            "category_code",
            "channel",
            "state",
            "stage",
            "overdue",
            "verified_on_time",
            "dispatched_on_time",
            "feedback_count",
            "rework_count",
            "extension_count",
            "closed_on_time",
            "closed_level",
            "rating",
        )
    ),
    sa.column("received_at", sa.DateTime(timezone=True)),
    sa.column("opened_at", sa.DateTime(timezone=True)),
    sa.column("closed_at", sa.DateTime(timezone=True)),
    sa.column("dispatched_at", sa.DateTime(timezone=True)),
)


def _facts(case) -> list[int]:
    """onegrid.cases.facts.facts of a case not merged away, as of this revision."""
    is_open = case.state in OPEN
    closed = case.closed_at is not None
    level = case.closed_level if closed else None
    values = {
        "received": True,
        "voided": case.state == "voided",
        "opened": case.opened_at is not None,
        "verified": case.verified_on_time is not None,
        "verified_on_time": bool(case.verified_on_time),
        "dispatched": case.dispatched_on_time is not None,
        "dispatched_on_time": bool(case.dispatched_on_time),
        "fed_back": case.feedback_count > 0,
        "reworked": case.rework_count > 0,
        "extended": case.extension_count > 0,
        "closed": closed,
        "closed_on_time": closed and bool(case.closed_on_time),
        "overdue_verify": is_open and bool(case.overdue) and case.stage == "verify",
        "overdue_dispatch": is_open
        and bool(case.overdue)
        and case.stage == "dispatch"
        and case.dispatched_on_time is None,
        "overdue_handle": is_open and bool(case.overdue) and case.stage in ("handle", "check"),
        "rated": case.rating is not None,
        "satisfied": case.rating is not None and case.rating >= 4,
        "closed_at_grid": level == 0,
        "closed_at_community": level == 1,
        "closed_at_street": level == 2,
        "closed_at_district": level == 3,
    }
    return [int(values[name]) for name in FACTS]


def _day(received_at: datetime, zone: ZoneInfo) -> date:
    aware = received_at.replace(tzinfo=UTC) if received_at.tzinfo is None else received_at
    return aware.astimezone(zone).date()


def _add(table: str, rows: list[dict]) -> None:
    """Adds each row's counts to the row with its keys, or inserts it."""
    sets = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in FACTS)
    names = (*KEYS, *FACTS)
    statement = sa.text(
        f"INSERT INTO {table} ({', '.join(names)}) "
        f"VALUES ({', '.join(':' + n for n in names)}) "
        f"ON CONFLICT ({', '.join(KEYS)}) DO UPDATE SET {sets}"
    )
    op.get_bind().execute(statement.bindparams(sa.bindparam("day", type_=sa.Date())), rows)


def _move(*, to_dispatched: bool) -> None:
    """Moves the counts of the cases never dispatched between their proposed department (the
    old rollup) and none (this revision's): `to_dispatched` from the first to the second."""
    zone = ZoneInfo(ZONE)
    query = sa.select(_CASES).where(
        _CASES.c.dispatched_at.is_(None),
        _CASES.c.department_id.is_not(None),
        _CASES.c.state != "merged",
    )
    deltas: dict[str, dict[tuple, list[int]]] = {table: {} for table in GRAINS}
    for case in op.get_bind().execute(query):
        day, counts = _day(case.received_at, zone), _facts(case)
        moves = ((case.department_id, -1), (0, 1))
        for department, sign in moves if to_dispatched else ((d, -s) for d, s in moves):
            for table, (monthly, digits) in GRAINS.items():
                key = (
                    case.district_code,
                    day.replace(day=1) if monthly else day,
                    case.grid_code[:digits],
                    department,
                    case.category_code,
                    case.channel,
                )
                total = deltas[table].setdefault(key, [0] * len(FACTS))
                for n, count in enumerate(counts):
                    total[n] += sign * count
    for table, changes in deltas.items():
        rows = [
            dict(zip(KEYS, key, strict=True)) | dict(zip(FACTS, counts, strict=True))
            for key, counts in changes.items()
            if any(counts)
        ]
        for start in range(0, len(rows), _CHUNK):
            _add(table, rows[start : start + _CHUNK])
        # A row left counting nothing is deleted, as onegrid.cases.rollup.apply does.
        op.execute(f"DELETE FROM {table} WHERE {' AND '.join(f'{f} = 0' for f in FACTS)}")


def upgrade() -> None:
    _move(to_dispatched=True)


def downgrade() -> None:
    _move(to_dispatched=False)
