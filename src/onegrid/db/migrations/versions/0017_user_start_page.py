"""a user's start page: where signing in leads when no page was asked for

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07

- app_user.start_page: a path on this site (e.g. /hotline for a 12345 operator, who shares the
  command centre's role with the duty chief who starts on the map); none: the role's start page.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_page", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_column("start_page")
