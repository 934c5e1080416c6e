"""audit: the hash-chained audit log, its per-district heads, append-only triggers

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The triggers refuse any UPDATE of audit_log, and any DELETE of a record its district has not
archived yet. SQLite batch operations rebuild a table and lose its triggers: a later migration
that alters audit_log in batch mode must create them again (see _SQLITE below).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_ARCHIVED = (
    "OLD.seq > COALESCE((SELECT archived_through_seq FROM audit_head "
    "WHERE district_code = OLD.district_code), 0)"
)

_SQLITE = [
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be updated'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    WHEN {_NOT_ARCHIVED}
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: only archived records can be deleted');
    END""",
]

# SQLSTATE 23000 (integrity constraint violation) is what SQLite's RAISE(ABORT) maps to as well,
# so both stores raise the same IntegrityError.
_POSTGRESQL = [
    """CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_log is append-only: records cannot be updated or truncated'
            USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    f"""CREATE FUNCTION audit_log_refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_NOT_ARCHIVED} THEN
            RAISE EXCEPTION 'audit_log is append-only: only archived records can be deleted'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END $$""",
    """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()""",
    """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_delete()""",
]


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("district_code", sa.String(6), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(150), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=True),
        sa.Column("object_id", sa.String(64), nullable=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("district_code", "seq"),
        sa.CheckConstraint("outcome IN ('success', 'denied', 'failed')", name="outcome_known"),
    )
    op.create_table(
        "audit_head",
        sa.Column("district_code", sa.String(6), primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("archived_through_seq", sa.Integer, server_default="0", nullable=False),
        sa.Column("archived_hash", sa.String(64), nullable=False),
    )
    for statement in _POSTGRESQL if _is_postgresql() else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if _is_postgresql():
        for trigger in ("audit_log_no_delete", "audit_log_no_truncate", "audit_log_no_update"):
            op.execute(f"DROP TRIGGER {trigger} ON audit_log")
        for function in ("audit_log_refuse_delete", "audit_log_refuse_change"):
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for trigger in ("audit_log_no_delete", "audit_log_no_update"):
            op.execute(f"DROP TRIGGER {trigger}")
    op.drop_table("audit_head")
    op.drop_table("audit_log")


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"
