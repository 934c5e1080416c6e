"""open311: API keys, the batch queue, each category's Open311 type, an index of Open311 cases

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

No batch mode for `category`: on SQLite it rebuilds the table, and dropping the old one under
PRAGMA foreign_keys=ON cascades to `category_attribute` (see 0004). The new column carries its
CHECK constraint, which ADD COLUMN takes on both stores.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN311_CHANNEL = sa.text("channel = 'open311'")


def upgrade() -> None:
    op.add_column(
        "category",
        sa.Column(
            "open311_type",
            sa.String(16),
            sa.CheckConstraint(
                "open311_type IN ('realtime', 'batch')",
                name=op.f("ck_category_open311_type_known"),
            ),
            nullable=False,
            server_default="realtime",
        ),
    )
    op.create_table(
        "open311_api_key",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("district_code", sa.String(6), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("key_prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("rate_per_minute", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(150), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_api_key_key_hash")),
        sa.CheckConstraint("rate_per_minute > 0", name=op.f("ck_open311_api_key_rate_positive")),
    )
    op.create_index(
        "ix_open311_api_key_district_name",
        "open311_api_key",
        ["district_code", "name"],
        unique=True,
    )
    op.create_table(
        "open311_queued_request",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("district_code", sa.String(6), nullable=False, index=True),
        sa.Column("token", sa.String(32), nullable=False),
        sa.Column(
            "api_key_id",
            sa.Integer,
            sa.ForeignKey("open311_api_key.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("report", sa.Text, nullable=True),
        sa.Column("reporter_phone", sa.Text, nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True, index=True),
        sa.Column(
            "case_id", sa.Integer, sa.ForeignKey("case_record.id"), nullable=True, index=True
        ),
        sa.Column("error", sa.Text, nullable=True),
        sa.UniqueConstraint("token", name=op.f("uq_open311_queued_request_token")),
    )
    op.create_index(
        "ix_case_record_open311",
        "case_record",
        ["district_code", "received_at"],
        sqlite_where=OPEN311_CHANNEL,
        postgresql_where=OPEN311_CHANNEL,
    )


def downgrade() -> None:
    op.drop_index("ix_case_record_open311", table_name="case_record")
    op.drop_table("open311_queued_request")
    op.drop_index("ix_open311_api_key_district_name", table_name="open311_api_key")
    op.drop_table("open311_api_key")
    op.drop_column("category", "open311_type")
