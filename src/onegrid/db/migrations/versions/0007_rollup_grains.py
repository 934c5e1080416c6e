"""rollup grains: the indicators' rollup by intake month and department, community, grid

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
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
# table: (grid code digits kept, keeps department and category)
GRAINS = {
    "case_rollup_month_department": (6, True),
    "case_rollup_month_community": (12, False),
    "case_rollup_month_grid": (15, False),
}


def _create(name: str) -> sa.Table:
    return op.create_table(
        name,
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("grid_code", sa.String(length=15), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        *(sa.Column(fact, sa.Integer(), server_default="0", nullable=False) for fact in FACTS),
        sa.PrimaryKeyConstraint(*KEYS, name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    tables = {name: _create(name) for name in GRAINS}
    # Fill them from the finest rollup, as onegrid.cases.rollup keeps them from now on.
    typed = {"day": sa.Date(), "department_id": sa.Integer()} | dict.fromkeys(FACTS, sa.Integer())
    fine = sa.table(
        "case_rollup", *(sa.column(name, typed.get(name, sa.String())) for name in (*KEYS, *FACTS))
    )
    sums: dict[str, dict[tuple, list[int]]] = {name: {} for name in GRAINS}
    connection = op.get_bind()
    for row in connection.execute(sa.select(fine)).mappings():
        for name, (digits, detailed) in GRAINS.items():
            key = (
                row["district_code"],
                row["day"].replace(day=1),
                row["grid_code"][:digits],
                row["department_id"] if detailed else -1,
                row["category_code"] if detailed else "",
                row["channel"],
            )
            total = sums[name].setdefault(key, [0] * len(FACTS))
            for i, fact in enumerate(FACTS):
                total[i] += row[fact]
    for name, table in tables.items():
        rows = [
            dict(zip(KEYS, key, strict=True)) | dict(zip(FACTS, counts, strict=True))
            for key, counts in sums[name].items()
        ]
        if rows:
            op.bulk_insert(table, rows)


def downgrade() -> None:
    for name in reversed(GRAINS):
        op.drop_table(name)
