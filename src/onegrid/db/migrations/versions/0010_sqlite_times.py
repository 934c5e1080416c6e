"""sqlite times: timestamps written in bulk take SQLAlchemy's text, like every other

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30

On SQLite a timestamp is text. Rows written in bulk (imports, online intake in groups) went to
the driver as datetimes until now, and the sqlite3 module wrote them as
'2026-06-29 01:40:38.270749+00:00' (or without the fraction when it was zero), where
SQLAlchemy writes and compares '2026-06-29 01:40:38.270749'. Within one second the two texts
do not sort by time, so a bound like "from midnight" missed a case received at midnight. Both
mean UTC; this rewrites the first form as the second. The audit chain's hashes cover the time,
not its text, so they still hold; audit_log's refusal of updates is lifted for the rewrite and
set again. PostgreSQL stores timestamptz, and is left as it is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# 'YYYY-MM-DD HH:MM:SS+00:00' (25 characters) or 'YYYY-MM-DD HH:MM:SS.ffffff+00:00' (32).
_REWRITE = """UPDATE {table} SET {column} = CASE length({column})
    WHEN 25 THEN substr({column}, 1, 19) || '.000000' ELSE substr({column}, 1, 26) END
    WHERE {column} LIKE '%+00:00'"""

_NO_UPDATE = """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: records cannot be updated'); END"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    inspector = sa.inspect(bind)
    for table in inspector.get_table_names():
        columns = [
            c["name"] for c in inspector.get_columns(table) if isinstance(c["type"], sa.DateTime)
        ]
        if not columns:
            continue
        if table == "audit_log":
            op.execute("DROP TRIGGER audit_log_no_update")
        for column in columns:
            op.execute(_REWRITE.format(table=table, column=column))
        if table == "audit_log":
            op.execute(_NO_UPDATE)


def downgrade() -> None:
    """Nothing to undo: the rewritten text means the same time, and older code reads it."""
