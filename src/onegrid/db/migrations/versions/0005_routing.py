"""routing: the category catalogue, its attributes, routing rules, in-app notifications

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATATYPES = "'string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'"


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


def _district(index: bool = True) -> sa.Column:
    return sa.Column("district_code", sa.String(6), nullable=False, index=index)


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("code", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("major_code", sa.String(8), nullable=False),
        sa.Column("major_name", sa.String(50), nullable=False),
        sa.Column("major_name_en", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("default_department_code", sa.String(32), nullable=False),
        sa.Column("verify_limit", sa.String(16), nullable=False),
        sa.Column("dispatch_limit", sa.String(16), nullable=False),
        sa.Column("handle_limit", sa.String(16), nullable=False),
        sa.Column("check_limit", sa.String(16), nullable=False),
        sa.Column("duplicate_radius_m", sa.Integer, nullable=False),
        sa.Column("duplicate_window_hours", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("keywords", sa.Text, nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("district_code", "code"),
        sa.CheckConstraint("kind IN ('component', 'event')", name="kind_known"),
        sa.CheckConstraint(
            "duplicate_radius_m >= 0 AND duplicate_window_hours >= 0", name="duplicate_positive"
        ),
    )
    op.create_table(
        "category_attribute",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column(
            "category_id",
            sa.Integer,
            sa.ForeignKey("category.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("datatype", sa.String(16), nullable=False),
        sa.Column("required", sa.Boolean, nullable=False),
        sa.Column("order", sa.Integer, nullable=False),
        sa.Column("values", sa.Text, nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.UniqueConstraint("category_id", "code"),
        sa.CheckConstraint(f"datatype IN ({DATATYPES})", name="datatype_known"),
    )
    op.create_table(
        "routing_rule",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(index=False),
        sa.Column("category_code", sa.String(16), nullable=False),
        sa.Column("unit_code", sa.String(15), nullable=False),
        sa.Column("department_code", sa.String(32), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("district_code", "category_code", "unit_code"),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("app_user.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column("unit_code", sa.String(15), nullable=True),
        sa.Column("department_code", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("case_id", sa.Integer, nullable=True, index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR unit_code IS NOT NULL OR department_code IS NOT NULL",
            name="has_recipient",
        ),
    )


def downgrade() -> None:
    for table in ("notification", "routing_rule", "category_attribute", "category"):
        op.drop_table(table)
