"""the console's queues and full-text search

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07

- case_record: indexes (district_code, received_at), all cases newest first, and
  (district_code, state, closed_at), the closed cases awaiting evaluation (cases/queue.py).
- case_text: each case's description and address (the masked text) as words cut by jieba's
  algorithm (rjieba), space-separated (cases/search.py). SQLite: an FTS5 table case_text_fts
  with case_text as its external content, kept in step by triggers; PostgreSQL: a GIN index
  on to_tsvector('simple', words).
- The stored cases are segmented here, with this migration's own copy of the segmenting (so
  what it writes does not change with later code): a year of the demo's cases takes about a
  minute. `onegrid case reindex` segments them again with the code of the day.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TOKEN = re.compile(r"[^\W_]+")
_BATCH = 5000

_SQLITE = [
    # prefix='1 2': "井*" and "井盖*" read a prefix index, not every word starting so.
    "CREATE VIRTUAL TABLE case_text_fts USING fts5(words, content='case_text', "
    "content_rowid='case_id', tokenize='unicode61 remove_diacritics 0', prefix='1 2')",
    "CREATE TRIGGER case_text_ai AFTER INSERT ON case_text BEGIN "
    "INSERT INTO case_text_fts(rowid, words) VALUES (new.case_id, new.words); END",
    "CREATE TRIGGER case_text_ad AFTER DELETE ON case_text BEGIN "
    "INSERT INTO case_text_fts(case_text_fts, rowid, words) "
    "VALUES ('delete', old.case_id, old.words); END",
    "CREATE TRIGGER case_text_au AFTER UPDATE ON case_text BEGIN "
    "INSERT INTO case_text_fts(case_text_fts, rowid, words) "
    "VALUES ('delete', old.case_id, old.words); "
    "INSERT INTO case_text_fts(rowid, words) VALUES (new.case_id, new.words); END",
]


def _words(segmenter, text: str | None) -> list[str]:
    if not text:
        return []
    found: list[str] = []
    for token in segmenter.cut_for_search(text, hmm=False):
        found.extend(_TOKEN.findall(token.lower()))
    return found


def _backfill(bind, case_text: sa.Table) -> None:
    cases = sa.table(
        "case_record",
        sa.column("id", sa.Integer),
        sa.column("district_code", sa.String),
        sa.column("description", sa.Text),
        sa.column("address", sa.String),
    )
    if bind.execute(sa.select(cases.c.id).limit(1)).first() is None:
        return
    import rjieba  # jieba's dictionary and algorithm (jieba-rs): jieba 0.42.1's words

    last = 0
    while True:
        query = (
            sa.select(cases.c.id, cases.c.district_code, cases.c.description, cases.c.address)
            .where(cases.c.id > last)
            .order_by(cases.c.id)
            .limit(_BATCH)
        )
        found = bind.execute(query).all()
        if not found:
            return
        rows = [
            {
                "case_id": i,
                "district_code": d,
                "words": " ".join(_words(rjieba, t) + _words(rjieba, a)),
            }
            for i, d, t, a in found
        ]
        bind.execute(case_text.insert(), rows)
        last = found[-1][0]


def upgrade() -> None:
    op.create_index(
        "ix_case_record_received", "case_record", ["district_code", "received_at"], unique=False
    )
    op.create_index(
        "ix_case_record_closing",
        "case_record",
        ["district_code", "state", "closed_at"],
        unique=False,
    )
    case_text = op.create_table(
        "case_text",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_case_text_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_text")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_case_text_words ON case_text "
            "USING gin (to_tsvector('simple'::regconfig, words))"
        )
    else:
        for statement in _SQLITE:
            op.execute(statement)
    _backfill(bind, case_text)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name in ("case_text_au", "case_text_ad", "case_text_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS case_text_fts")
    op.drop_table("case_text")
    op.drop_index("ix_case_record_closing", table_name="case_record")
    op.drop_index("ix_case_record_received", table_name="case_record")
