"""Migrations build exactly the models' schema on both stores, and SQLite runs in WAL."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

import onegrid.models  # noqa: F401
from onegrid.cases import rollup
from onegrid.cases.facts import FACTS, BucketKey, bucket, facts
from onegrid.cases.models import Case
from onegrid.db.base import Base
from onegrid.db.engine import create_db_engine
from onegrid.db.migrate import downgrade, upgrade


def _modelled(name, kind, parent_names) -> bool:
    # The full-text index is each store's own (cases/search.py): SQLite's FTS5 table and its
    # shadow tables, PostgreSQL's expression index, none of them a model.
    return not (name or "").startswith(("case_text_fts", "ix_case_text_words"))


_COMPARE = {"compare_type": True, "include_name": _modelled}


def test_migrations_match_the_models_and_go_down_again(empty_db_url):
    engine = create_db_engine(empty_db_url)
    try:
        upgrade(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts=_COMPARE)
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


def test_0015_counts_a_case_under_a_department_once_dispatched_to_it(empty_db_url):
    """0015 moves the counts of the cases not yet dispatched from the department intake
    proposed to none, as onegrid.cases.facts.bucket keeps them now; and back when going down."""
    engine = create_db_engine(empty_db_url)
    zone = ZoneInfo("Asia/Shanghai")
    at = datetime(2026, 1, 5, 20, 30, tzinfo=UTC)  # 6 January in Shanghai
    common = {
        "district_code": "210104",
        "channel": "hotline",
        "category_code": "0107",
        "description": "路灯不亮",
        "lon": 123.5,
        "lat": 41.9,
        "grid_code": "210104002009001",
        "anonymous": False,
        "received_at": at,
        "opened_at": at,
        "verified_on_time": True,
        "escalation_level": 0,
        "feedback_count": 0,
        "rework_count": 0,
        "return_count": 0,
        "extension_count": 0,
        "version": 1,
    }
    cases = [  # waiting for dispatch, overdue; dispatched; voided before any dispatch
        common | {"receipt": "A", "state": "opened", "stage": "dispatch", "overdue": True},
        common
        | {"receipt": "B", "state": "dispatched", "stage": "handle", "overdue": False}
        | {"dispatched_at": at, "dispatched_on_time": True, "received_at": at + timedelta(1)},
        common | {"receipt": "C", "state": "voided", "overdue": False, "opened_at": None},
    ]
    try:
        upgrade(engine, "0011")
        with engine.begin() as connection:
            now = datetime.now(UTC)
            department = connection.execute(
                sa.table(
                    "department",
                    *map(sa.column, ("district_code", "code", "name", "name_en", "id")),
                    sa.column("created_at", sa.DateTime(timezone=True)),
                    sa.column("updated_at", sa.DateTime(timezone=True)),
                )
                .insert()
                .values(district_code="210104", code="urban_mgmt", name="城管", name_en="urban")
                .values(created_at=now, updated_at=now)
                .returning(sa.column("id"))
            ).scalar_one()
            rows = [c | {"department_id": department} for c in cases]
            names = sorted({name for row in rows for name in row})
            table = sa.table(
                "case_record",
                *(
                    sa.column(n, sa.DateTime(timezone=True) if n.endswith("_at") else None)
                    for n in names
                ),
            )
            connection.execute(table.insert(), [dict.fromkeys(names) | row for row in rows])
        objects = [Case(**row) for row in rows]

        def by_grain(dispatched_only: bool) -> dict:
            totals: dict = {}
            for case in objects:
                key = bucket(case, zone)
                if not dispatched_only:  # the old rollup: the proposed department
                    key = replace(key, department_id=department)
                rollup.tally(totals, key, facts(case))
            added = rollup.rows_to_add(totals)
            return {
                grain.table.name: sorted(map(str, rows))
                for grain, rows in zip(rollup.GRAINS, added, strict=True)
            }

        old, new = by_grain(False), by_grain(True)
        assert old["case_rollup"] != new["case_rollup"]
        with engine.begin() as connection:
            totals: dict = {}
            for case in objects:
                key = replace(bucket(case, zone), department_id=department)
                rollup.tally(totals, key, facts(case))
            for grain, rows in zip(rollup.GRAINS, rollup.rows_to_add(totals), strict=True):
                connection.execute(grain.table.insert(), rows)

        def found() -> dict:
            with engine.connect() as connection:
                return {
                    grain.table.name: sorted(
                        str(dict(row))
                        for row in connection.execute(grain.table.select()).mappings()
                        if any(row[name] for name in grain.counted)
                    )
                    for grain in rollup.GRAINS
                }

        assert found() == old
        upgrade(engine, "0015")
        assert found() == new
        downgrade(engine, "-1")
        assert found() == old
    finally:
        downgrade(engine, "base")
        engine.dispose()
