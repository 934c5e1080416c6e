"""accounts: users, their scopes, sign-in tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = (
    "'citizen', 'grid_worker', 'community_staff', 'street_office', 'department_handler', "
    "'command_centre', 'leader', 'system_admin', 'security_admin', 'audit_admin'"
)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column(
            name,
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        )
        for name in ("created_at", "updated_at")
    ]


def _district() -> sa.Column:
    return sa.Column("district_code", sa.String(6), nullable=False, index=True)


def _user_id() -> sa.Column:
    return sa.Column(
        "user_id",
        sa.Integer,
        sa.ForeignKey("app_user.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("department.id"), nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(f"role IN ({ROLES})", name="role_known"),
    )
    op.create_table(
        "user_scope",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        _user_id(),
        sa.Column("unit_code", sa.String(15), nullable=False),
        sa.UniqueConstraint("user_id", "unit_code"),
    )
    op.create_table(
        "auth_token",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        _user_id(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("csrf_token", sa.String(64), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("kind IN ('session', 'api')", name="kind_known"),
    )


def downgrade() -> None:
    for table in ("auth_token", "user_scope", "app_user"):
        op.drop_table(table)
