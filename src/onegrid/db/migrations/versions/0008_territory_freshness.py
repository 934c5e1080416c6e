"""territory freshness: an index answering "when did a level last change" without a scan

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_territory_unit_level_updated_at", "territory_unit", ["level", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_territory_unit_level_updated_at", table_name="territory_unit")
