"""the console's counts with a filter read an index alone

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

- ix_case_record_counting: (district_code, state, grid_code, category_code, department_id,
  channel, received_at), so that the console's counts of a queue narrowed by a filter (the
  closed cases awaiting their evaluation are a third of a year's) read no case row.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = [
    "district_code",
    "state",
    "grid_code",
    "category_code",
    "department_id",
    "channel",
    "received_at",
]


def upgrade() -> None:
    op.create_index("ix_case_record_counting", "case_record", _COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_case_record_counting", table_name="case_record")
