"""pii: people's phones sealed at rest (AES-256-GCM), and their ID numbers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

Existing phones are encrypted in place under ONEGRID_DATA_KEY; downgrading decrypts them
(and drops the ID numbers, which had no column before).

No batch mode: on SQLite it rebuilds `person`, and dropping the old table under
PRAGMA foreign_keys=ON cascades to `assignment`, deleting every enrolment. A new column, a
copy, then DROP COLUMN and RENAME COLUMN (SQLite 3.35+) change the type on both stores.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from onegrid.core.crypto import decrypt, encrypt

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1000


def _replace_phone(column_type: sa.types.TypeEngine, transform: Callable[[str], str]) -> None:
    """Replaces person.phone by a column of this type holding each value transformed."""
    op.add_column("person", sa.Column("phone_new", column_type, nullable=True))
    person = sa.table("person", sa.column("id"), sa.column("phone"), sa.column("phone_new"))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(person.c.id, person.c.phone).where(person.c.phone.is_not(None))
    ).all()
    update = (
        sa.update(person)
        .where(person.c.id == sa.bindparam("row_id"))
        .values(phone_new=sa.bindparam("value"))
    )
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start : start + _CHUNK]
        connection.execute(update, [{"row_id": r.id, "value": transform(r.phone)} for r in chunk])
    op.drop_column("person", "phone")
    op.alter_column("person", "phone_new", new_column_name="phone")


def upgrade() -> None:
    _replace_phone(sa.Text(), encrypt)
    op.add_column("person", sa.Column("id_number", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("person", "id_number")
    _replace_phone(sa.String(20), decrypt)
