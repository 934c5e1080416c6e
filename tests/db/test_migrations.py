"""Migrations build exactly the models' schema on both stores, and SQLite runs in WAL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import onegrid.models  # noqa: F401
from onegrid.db.base import Base
from onegrid.db.migrate import downgrade, upgrade
from onegrid.db.session import create_db_engine


def test_migrations_match_the_models_and_go_down_again(empty_db_url):
    engine = create_db_engine(empty_db_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert {"territory_unit", "department", "person", "assignment", "party_branch"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        downgrade(engine, "base")
        engine.dispose()


def test_every_table_carries_its_district():
    for table in Base.metadata.sorted_tables:
        assert "district_code" in table.columns, f"{table.name} has no district_code"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'sub' / 'x.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()
