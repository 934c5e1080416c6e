"""mediation: 评理说事 points and their "九个一" checklist, disputes, parties, sessions

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07

A dispute referred to a department holds its case's id (unique: one case a dispute); the
case's page finds the dispute by it. Names, phones and free text are sealed (Text) beside
their masked form, as the cases' are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = sa.DateTime(timezone=True)


def _district() -> sa.Column:
    return sa.Column("district_code", sa.String(6), nullable=False)


def upgrade() -> None:
    op.create_table(
        "mediation_point",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("community_code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.UniqueConstraint("community_code", name=op.f("uq_mediation_point_community_code")),
    )
    op.create_table(
        "mediation_checklist_item",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column(
            "point_id",
            sa.Integer,
            sa.ForeignKey(
                "mediation_point.id",
                ondelete="CASCADE",
                name=op.f("fk_mediation_checklist_item_point_id_mediation_point"),
            ),
            nullable=False,
        ),
        sa.Column("item", sa.String(16), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False),
        sa.Column("updated_at", _TIME, nullable=True),
        sa.UniqueConstraint(
            "point_id", "item", name=op.f("uq_mediation_checklist_item_point_id_item")
        ),
    )
    op.create_table(
        "mediation_dispute",
        sa.Column("id", sa.Integer, primary_key=True),
        _district(),
        sa.Column("community_code", sa.String(12), nullable=False),
        sa.Column(
            "point_id",
            sa.Integer,
            sa.ForeignKey(
                "mediation_point.id", name=op.f("fk_mediation_dispute_point_id_mediation_point")
            ),
            nullable=False,
        ),
        sa.Column("issue_type", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("sealed_summary", sa.Text, nullable=True),
        sa.Column("outcome_note", sa.Text, nullable=True),
        sa.Column("sealed_outcome_note", sa.Text, nullable=True),
        sa.Column("opened_at", _TIME, nullable=False),
        sa.Column("closed_at", _TIME, nullable=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("case_record.id", name=op.f("fk_mediation_dispute_case_id_case_record")),
            nullable=True,
        ),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("case_id", name=op.f("uq_mediation_dispute_case_id")),
        sa.CheckConstraint(
            "state IN ('open', 'mediating', 'agreed', 'failed', 'referred')",
            name=op.f("ck_mediation_dispute_state_known"),
        ),
        sa.CheckConstraint(
            "issue_type IN ('neighbour', 'family', 'property', 'labour', 'other')",
            name=op.f("ck_mediation_dispute_issue_type_known"),
        ),
    )
    op.create_index("ix_mediation_dispute_point_id", "mediation_dispute", ["point_id"])
    op.create_index(
        "ix_mediation_dispute_scope",
        "mediation_dispute",
        ["district_code", "community_code", "state"],
    )
    for table in ("mediation_party", "mediation_session"):
        op.create_table(
            table,
            sa.Column("id", sa.Integer, primary_key=True),
            _district(),
            sa.Column(
                "dispute_id",
                sa.Integer,
                sa.ForeignKey(
                    "mediation_dispute.id",
                    ondelete="CASCADE",
                    name=op.f(f"fk_{table}_dispute_id_mediation_dispute"),
                ),
                nullable=False,
            ),
            *_columns(table),
        )
        op.create_index(f"ix_{table}_dispute_id", table, ["dispute_id"])


def _columns(table: str) -> list:
    if table == "mediation_party":
        return [
            sa.Column("side", sa.String(16), nullable=False),
            sa.Column("name", sa.String(50), nullable=False),
            sa.Column("sealed_name", sa.Text, nullable=False),
            sa.Column("phone", sa.Text, nullable=True),
            sa.CheckConstraint(
                "side IN ('applicant', 'respondent')", name=op.f("ck_mediation_party_side_known")
            ),
        ]
    return [
        sa.Column("held_at", _TIME, nullable=False),
        sa.Column("mediator", sa.String(50), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("sealed_note", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(150), nullable=False),
    ]


def downgrade() -> None:
    for table in ("mediation_session", "mediation_party"):
        op.drop_index(f"ix_{table}_dispute_id", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_mediation_dispute_scope", table_name="mediation_dispute")
    op.drop_index("ix_mediation_dispute_point_id", table_name="mediation_dispute")
    op.drop_table("mediation_dispute")
    op.drop_table("mediation_checklist_item")
    op.drop_table("mediation_point")
