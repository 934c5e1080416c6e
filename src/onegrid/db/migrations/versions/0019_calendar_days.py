"""calendar days: working and rest days the system admin declares

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07

- calendar_day: a day declared a working day or a rest day, with its reason, overriding the
  official calendar (chinese_calendar, ONEGRID_CALENDAR_FILE); the running calendar reads them
  at start-up and again after each change (routing/calendar.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_day",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("district_code", "day"),
    )


def downgrade() -> None:
    op.drop_table("calendar_day")
