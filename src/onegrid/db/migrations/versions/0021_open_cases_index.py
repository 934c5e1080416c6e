"""the console reads the open cases through one index; SQLite indexes their words apart

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07

- ix_case_record_counting gains (stage_deadline, pending, stage_started_at): the open queues'
  pages, counts and lights (a few thousand of a year's cases) read the index alone, never the
  case rows of a filter's own index (a department's or a category's: a year of cases).
- SQLite: case_text_fts_open, an FTS5 table of the open cases' words alone, kept in step by
  triggers on case_text and on case_record's state: a search in the open queues asks it (the
  few thousand open cases) rather than the index of every case's words (a common word: a
  year's cases). PostgreSQL's planner has the statistics to join its GIN index with the state.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = [
    "district_code",
    "state",
    "grid_code",
    "category_code",
    "department_id",
    "channel",
    "received_at",
]
_MORE = ["stage_deadline", "pending", "stage_started_at"]

# This migration's own copy of the open states (cases.models.OPEN), in their fixed order.
_OPEN = (
    "('received', 'verifying', 'verified', 'opened', 'dispatched', 'returned', 'parked', 'handled')"
)
_STATE_OF = "(SELECT state FROM case_record WHERE id = new.case_id)"

_SQLITE = [
    "CREATE VIRTUAL TABLE case_text_fts_open USING fts5(words, "
    "tokenize='unicode61 remove_diacritics 0', prefix='1 2')",
    f"CREATE TRIGGER case_text_open_ai AFTER INSERT ON case_text WHEN {_STATE_OF} IN {_OPEN} "
    "BEGIN INSERT INTO case_text_fts_open(rowid, words) VALUES (new.case_id, new.words); END",
    "CREATE TRIGGER case_text_open_ad AFTER DELETE ON case_text BEGIN "
    "DELETE FROM case_text_fts_open WHERE rowid = old.case_id; END",
    "CREATE TRIGGER case_text_open_au AFTER UPDATE ON case_text BEGIN "
    "DELETE FROM case_text_fts_open WHERE rowid = old.case_id; "
    "INSERT INTO case_text_fts_open(rowid, words) "
    f"SELECT new.case_id, new.words WHERE {_STATE_OF} IN {_OPEN}; END",
    # A case entering or leaving the open states: its words join or leave the open index.
    "CREATE TRIGGER case_record_open_au AFTER UPDATE OF state ON case_record "
    f"WHEN (new.state IN {_OPEN}) <> (old.state IN {_OPEN}) BEGIN "
    "DELETE FROM case_text_fts_open WHERE rowid = new.id; "
    "INSERT INTO case_text_fts_open(rowid, words) SELECT case_id, words FROM case_text "
    f"WHERE case_id = new.id AND new.state IN {_OPEN}; END",
    "INSERT INTO case_text_fts_open(rowid, words) SELECT t.case_id, t.words FROM case_text t "
    f"JOIN case_record c ON c.id = t.case_id WHERE c.state IN {_OPEN}",
]
_TRIGGERS = ("case_record_open_au", "case_text_open_au", "case_text_open_ad", "case_text_open_ai")


def upgrade() -> None:
    op.drop_index("ix_case_record_counting", table_name="case_record")
    op.create_index("ix_case_record_counting", "case_record", _COLUMNS + _MORE)
    if op.get_bind().dialect.name != "postgresql":
        for statement in _SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_text_fts_open")
    op.drop_index("ix_case_record_counting", table_name="case_record")
    op.create_index("ix_case_record_counting", "case_record", _COLUMNS)
