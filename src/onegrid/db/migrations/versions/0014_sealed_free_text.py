"""sealed free text: a case's description, address and reporter's name, and a timeline note,
kept masked where everyone reads them and sealed as typed beside them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Each new column holds the text as typed, sealed with the data key (AES-256-GCM, as
case_record.reporter_phone), and only where masking changed it. The rows already stored keep
their text as it is here: sealing needs the data key, which a migration does not hold;
`onegrid case mask-text` masks them in place and seals their originals, once, after upgrading.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "case_record": ("sealed_description", "sealed_address", "sealed_reporter_name"),
    "case_event": ("sealed_note",),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in columns:
                batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(columns):
                batch_op.drop_column(column)
