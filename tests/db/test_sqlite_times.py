"""On SQLite a timestamp is text: rows written in bulk carry the same text as any other row,
so that times compare as times, and migration 0010 rewrites what older bulk writes left."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from onegrid.db.base import UTCDateTime
from onegrid.db.engine import create_db_engine
from onegrid.db.inserts import insert_many
from onegrid.db.migrate import upgrade

MIDNIGHT = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'times.db'}")
    yield engine
    engine.dispose()


def test_bulk_rows_carry_the_text_sqlalchemy_writes_and_compares(engine):
    table = Table(
        "moment", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime)
    )
    table.create(engine)
    beijing = timezone(timedelta(hours=8))
    with Session(engine) as session:
        session.execute(insert(table), {"id": 1, "at": MIDNIGHT})
        insert_many(session, table, [{"id": 2, "at": MIDNIGHT.astimezone(beijing)}])
        session.commit()
        stored = session.execute(text("SELECT id, at FROM moment ORDER BY id")).all()
        # Bulk or not, the same time is the same text, in UTC.
        assert stored == [(1, "2026-06-01 00:00:00.000000"), (2, "2026-06-01 00:00:00.000000")]
        # "From midnight on" finds both.
        found = session.scalars(select(table.c.id).where(table.c.at >= MIDNIGHT)).all()
        assert sorted(found) == [1, 2]


def test_migration_0010_rewrites_the_sqlite3_modules_text_and_keeps_the_log_append_only(engine):
    upgrade(engine, "0009")
    older = [
        (1, "2026-06-01 00:00:00+00:00"),  # the sqlite3 module left out a zero fraction
        (2, "2026-06-01 00:00:00.250000+00:00"),
        (3, "2026-06-01 00:00:01.500000"),  # SQLAlchemy's own: left as it is
    ]
    with engine.begin() as connection:
        for seq, at in older:
            connection.execute(
                text(
                    "INSERT INTO audit_log (district_code, seq, at, actor, action, outcome,"
                    " prev_hash, hash) VALUES ('210104', :seq, :at, 'cli:root', 'x', 'success',"
                    " 'p', 'h')"
                ),
                {"seq": seq, "at": at},
            )
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT at FROM audit_log ORDER BY seq")
        ).scalars().all() == [
            "2026-06-01 00:00:00.000000",
            "2026-06-01 00:00:00.250000",
            "2026-06-01 00:00:01.500000",
        ]
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'someone' WHERE seq = 1"))
