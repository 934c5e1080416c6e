"""rollup grid total: the indicators' rollup by intake month and grid, the channels summed

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30

A month by grid read case_rollup_month_grid, a row per grid and channel, and summed the
hotline's cases apart with a CASE per sum. This table keeps one row per grid and month, every
fact summed over the channels, and every fact again for the hotline's cases alone.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "case_rollup_month_grid_total"
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
APART = ("hotline",)
KEYS = ("district_code", "day", "grid_code", "department_id", "category_code", "channel")
_MONTH = {
    "sqlite": "date(day, 'start of month')",
    "postgresql": "CAST(date_trunc('month', CAST(day AS TIMESTAMP)) AS DATE)",
}


def upgrade() -> None:
    apart = tuple((channel, fact) for channel in APART for fact in FACTS)
    op.create_table(
        TABLE,
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *(sa.Column(fact, sa.Integer(), server_default="0", nullable=False) for fact in FACTS),
        *(
            sa.Column(f"{channel}_{fact}", sa.Integer(), server_default="0", nullable=False)
            for channel, fact in apart
        ),
        sa.PrimaryKeyConstraint(*KEYS, name=op.f(f"pk_{TABLE}")),
    )
    # Filled from the finest rollup, as onegrid.cases.rollup keeps it from now on.
    month = _MONTH[op.get_bind().dialect.name]
    names = [*FACTS, *(f"{channel}_{fact}" for channel, fact in apart)]
    sums = [f"sum({fact})" for fact in FACTS] + [
        f"sum(CASE WHEN channel = '{channel}' THEN {fact} ELSE 0 END)" for channel, fact in apart
    ]
    op.execute(
        f"INSERT INTO {TABLE} ({', '.join(KEYS)}, {', '.join(names)}) "
        f"SELECT district_code, {month}, grid_code, -1, '', '', {', '.join(sums)} "
        f"FROM case_rollup GROUP BY district_code, {month}, grid_code"
    )


def downgrade() -> None:
    op.drop_table(TABLE)
