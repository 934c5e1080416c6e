"""accounts duties: throttles by username and source, passwords to change at first sign-in

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

A user was locked after five failures from anywhere, so anyone could lock anyone out. Failures
are now counted per (username, source) and per source in sign_in_throttle; app_user loses its
failure count and lock, and gains must_change_password (a password the security admin chose).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_throttle",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("district_code", sa.String(6), nullable=False, index=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("username", "source"),
    )
    op.add_column(
        "app_user",
        sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    # SQLite (3.35+) and PostgreSQL drop a plain column in place: no table copy, which on
    # SQLite would cascade deletes to the users' scopes and tokens.
    op.execute("ALTER TABLE app_user DROP COLUMN failed_logins")
    op.execute("ALTER TABLE app_user DROP COLUMN locked_until")


def downgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    )
    op.add_column("app_user", sa.Column("locked_until", sa.DateTime(timezone=True)))
    op.execute("ALTER TABLE app_user DROP COLUMN must_change_password")
    op.drop_table("sign_in_throttle")
