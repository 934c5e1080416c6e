"""Migrations build exactly the models' schema on both stores, and SQLite runs in WAL."""

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import onegrid.models  # noqa: F401
from onegrid.cases import rollup
from onegrid.cases.facts import FACTS, BucketKey
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


def test_the_grid_total_grain_is_filled_from_the_finest_rollup(empty_db_url):
    """0011 fills case_rollup_month_grid_total as the rollup code would have kept it."""
    engine = create_db_engine(empty_db_url)
    january = {
        BucketKey("210104", date(2026, 1, day), grid, 7, "0101", channel): [
            (day + len(channel) + n) % 3 for n in range(len(FACTS))
        ]
        for day in (5, 31)
        for grid in ("210104002009001", "210104002009002")
        for channel in ("hotline", "citizen", "api")
    }
    february = BucketKey("210104", date(2026, 2, 1), "210104002009001", 0, "0103", "hotline")
    buckets = january | {february: [1] * len(FACTS)}
    try:
        upgrade(engine, "0010")
        by_grain = dict(zip(rollup.GRAINS, rollup.rows_to_add(buckets), strict=True))
        fine = rollup.GRAINS[-1]  # case_rollup
        with engine.begin() as connection:
            connection.execute(fine.table.insert(), by_grain[fine])
        upgrade(engine)
        total = next(g for g in rollup.GRAINS if not g.channel)
        expected = by_grain[total]
        with engine.connect() as connection:
            found = connection.execute(total.table.select()).mappings().all()
        assert sorted(map(dict, found), key=str) == sorted(expected, key=str)
        assert len(found) == 3 and {r["channel"] for r in found} == {rollup.ALL_CHANNELS}
        downgrade(engine, "0010")
        assert total.table.name not in inspect(engine).get_table_names()
    finally:
        downgrade(engine, "base")
        engine.dispose()
