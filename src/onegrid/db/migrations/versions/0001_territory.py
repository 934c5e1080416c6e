"""territory: units, departments, people, assignments, party branches

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


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


def upgrade() -> None:
    op.create_table(
        "department",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("district_code", "code"),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("phone", sa.String(20), nullable=True),
        *_timestamps(),
    )
    op.create_table(
        "territory_unit",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("level", sa.String(16), nullable=False, index=True),
        sa.Column("code", sa.String(15), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column(
            "parent_id",
            sa.Integer,
            sa.ForeignKey("territory_unit.id", ondelete="RESTRICT"),
            nullable=True,
            index=True,
        ),
        sa.Column("geometry", sa.LargeBinary, nullable=False),
        sa.Column("min_lon", sa.Float, nullable=False),
        sa.Column("min_lat", sa.Float, nullable=False),
        sa.Column("max_lon", sa.Float, nullable=False),
        sa.Column("max_lat", sa.Float, nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "level IN ('district', 'street', 'community', 'grid')", name="level_known"
        ),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column(
            "person_id",
            sa.Integer,
            sa.ForeignKey("person.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "unit_id",
            sa.Integer,
            sa.ForeignKey("territory_unit.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("department.id"), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint("person_id", "unit_id", "role"),
        sa.CheckConstraint(
            "role IN ('grid_worker', 'community_staff', 'department_staff')", name="role_known"
        ),
        sa.CheckConstraint(
            "(role = 'department_staff') = (department_id IS NOT NULL)", name="department_staff"
        ),
    )
    op.create_table(
        "party_branch",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column(
            "grid_id",
            sa.Integer,
            sa.ForeignKey("territory_unit.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column(
            "secretary_id",
            sa.Integer,
            sa.ForeignKey("person.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("member_count", sa.Integer, nullable=False),
        *_timestamps(),
        sa.CheckConstraint("member_count >= 0", name="member_count_positive"),
    )


def downgrade() -> None:
    for table in ("party_branch", "assignment", "territory_unit", "person", "department"):
        op.drop_table(table)
