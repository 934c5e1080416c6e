"""audit key id: each record names the audit key its HMAC was computed under

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

Records already written keep key_id NULL: they were hashed with plain SHA-256 and verify as
legacy records; the first keyed record chains onto the last of them. Adding a column keeps
SQLite's table (and its triggers); dropping it again rebuilds nothing either (SQLite 3.35+).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_log", "key_id")
