"""employment: 稳岗 subsidies and start-up loans, and the 人社 (human resources) role

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07

- employment_subsidy: the job retention subsidy ledger, one payment per enterprise and period
  (unique), a reversal a new negative entry naming its payment.
- employment_loan: start-up guarantee loans, the borrower's name masked, the name as typed and
  the ID number sealed.
- app_user.role may be 'human_resources'. SQLite cannot alter a CHECK constraint, and a batch
  rebuild of app_user would cascade deletes to its scopes and tokens (see 0004); the constraint
  only widens, so its text is rewritten in the schema (SQLite's documented way of changing a
  constraint that no stored row can break) and the schema version bumped.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "'security_admin', 'audit_admin')"
_AFTER = "'security_admin', 'audit_admin', 'human_resources')"
_ROLES = (
    "'citizen', 'grid_worker', 'community_staff', 'street_office', 'department_handler', "
    "'command_centre', 'leader', 'system_admin', 'security_admin', 'audit_admin'"
)


def _roles(old: str, new: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_app_user_role_known"), "app_user", type_="check")
        roles = _ROLES + (", 'human_resources'" if "human_resources" in new else "")
        op.create_check_constraint(op.f("ck_app_user_role_known"), "app_user", f"role IN ({roles})")
        return
    version = op.get_bind().exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    op.get_bind().exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
        (old, new, "app_user"),
    )
    op.execute(f"PRAGMA schema_version = {int(version) + 1}")
    op.execute("PRAGMA writable_schema = OFF")
    table = op.get_bind().exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'app_user'"
    )
    if new not in table.scalar():  # the constraint's text is not what this migration knows
        raise RuntimeError(f"app_user's role check was not rewritten to hold {new}")


def upgrade() -> None:
    op.create_table(
        "employment_subsidy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("jobs_kept", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.Date(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('payment', 'reversal')", name="kind_known"),
        sa.CheckConstraint(
            "(kind = 'payment') = (reverses_id IS NULL)", name="reversal_names_payment"
        ),
        sa.CheckConstraint(
            "(kind = 'payment' AND amount_fen > 0 AND jobs_kept >= 0) OR "
            "(kind = 'reversal' AND amount_fen < 0 AND jobs_kept <= 0)",
            name="signed_by_kind",
        ),
        sa.ForeignKeyConstraint(["reverses_id"], ["employment_subsidy.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("district_code", "credit_code", "period", "attempt", "kind"),
    )
    op.create_index(
        "ix_employment_subsidy_totals",
        "employment_subsidy",
        ["district_code", "period", "street_code"],
    )
    op.create_table(
        "employment_loan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("street_code", sa.String(length=9), nullable=False),
        sa.Column("borrower_name", sa.String(length=50), nullable=False),
        sa.Column("sealed_borrower_name", sa.Text(), nullable=False),
        sa.Column("id_number", sa.Text(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("jobs_created", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.Date(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.CheckConstraint("amount_fen > 0 AND jobs_created >= 0", name="positive"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_employment_loan_totals", "employment_loan", ["district_code", "month", "street_code"]
    )
    _roles(_BEFORE, _AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM app_user WHERE role = 'human_resources'")
    _roles(_AFTER, _BEFORE)
    op.drop_index("ix_employment_loan_totals", table_name="employment_loan")
    op.drop_table("employment_loan")
    op.drop_index("ix_employment_subsidy_totals", table_name="employment_subsidy")
    op.drop_table("employment_subsidy")
