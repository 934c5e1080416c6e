"""Benchmarks (a) bulk intake, (e) dashboard and (f) memory at smoke scale: they run end to end.

The figures mean nothing at this scale; what matters is that each benchmark still measures what
it says: the import went through the CLI into both stores, the raw baselines copied the same
rows, and every dashboard answer equalled DuckDB's.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bench import dashboard, intake_bulk, years
from bench.common import Scale
from bench.generate import cases_file
from bench.stores import imported_sqlite, sqlite_url
from onegrid.cases.models import Case, CaseEvent
from onegrid.db.engine import create_db_engine


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
        yield patch


@pytest.fixture(scope="module")
def figures(cache, tmp_path_factory):
    found = intake_bulk.run(Scale.SMOKE, tmp_path_factory.mktemp("bulk"))
    found += dashboard.run(Scale.SMOKE, tmp_path_factory.mktemp("dashboard"))
    return {f.name: f for f in found}


def test_bulk_import_is_measured_on_both_stores_against_raw_inserts(figures):
    for backend in ("sqlite", "postgresql"):
        figure = figures[f"bulk import, {backend}"]
        assert figure.unit == "cases/s" and 0 < figure.value < figure.baseline_value
        assert figure.target.startswith("within 3×") and figure.met is (figure.ratio >= 1 / 3)
        # The import wrote the whole loop: cases, their timelines, the audit chain, the rollup.
        for table in ("case_record", "case_event", "audit_log", "case_rollup"):
            assert table in figure.note
        everything = figures[f"bulk import, {backend}, vs every row it wrote"]
        assert everything.baseline_value < figure.baseline_value  # more rows take longer
        # The smoke run times half of the per-case tables' rows, as the quick run a fifth.
        assert everything.baseline.endswith(
            "(timed on the first 50% of the rows of audit_log, case_event, notification)"
        )


def test_a_raw_copy_in_part_copies_the_first_new_rows(tmp_path):
    engines = [create_db_engine(sqlite_url(tmp_path / f"{name}.db")) for name in ("a", "b")]
    for engine in engines:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    with engines[0].begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO t VALUES " + ", ".join(f"({i}, 'row {i}')" for i in range(1, 26))
        )
    done = intake_bulk.copy_seconds(*engines, ["t"], after={"t": 5}, limits={"t": 7})
    assert done["t"][1] == 7 and done["t"][0] > 0
    with engines[1].connect() as connection:
        copied = connection.exec_driver_sql("SELECT id, v FROM t ORDER BY id").all()
    assert copied == [(i, f"row {i}") for i in range(6, 13)]
    for engine in engines:
        engine.dispose()


def test_memory_of_the_import_is_its_peak_against_its_peak_early_on(figures):
    (memory,) = [f for f in figures.values() if f.bench == "memory"]
    assert memory.unit == "MiB" and memory.baseline_value > 50
    assert memory.value >= memory.baseline_value  # a peak only grows
    assert "2,000 cases" in memory.name and "two processes" in memory.name
    # In batches of 500, the second was written once the first 1,000 cases were.
    assert memory.baseline == "the same import once its first 1,000 cases were written"
    assert memory.met is (memory.ratio <= 1.25)


def test_dashboard_answers_equal_duckdbs(figures):
    (figure,) = [f for f in figures.values() if f.bench == "dashboard"]
    assert figure.unit == "ms" and figure.value > 0 and figure.baseline_value > 0
    assert "every answer equal to DuckDB's" in figure.note
    for query in dashboard.QUERIES:
        assert query.name in figure.note


def test_the_dashboard_above_a_year_reads_copies_of_the_imported_year(cache, figures, tmp_path):
    cache.setattr(years, "YEAR", 2_000)  # the smoke import's 2,000 cases stand for the year
    figure, _ = dashboard.measure(6_000, 3, tmp_path)
    assert "6,000 cases" in figure.name and "3 copies of an imported year" in figure.name
    assert "every answer equal to DuckDB's" in figure.note  # the copies' rollup included
    timelines = []
    for store in (imported_sqlite(2_000, cases_file(2_000)), years.copied_sqlite(6_000)):
        engine = create_db_engine(sqlite_url(store))
        with engine.connect() as connection:
            query = select(Case.id, Case.receipt, Case.received_at).order_by(Case.id)
            cases = connection.execute(query).all()
            timelines.append(connection.scalar(select(func.count()).select_from(CaseEvent)))
        engine.dispose()
    assert len(cases) == 6_000 and len({c.receipt for c in cases}) == 6_000
    originals = {c.id: c for c in cases[:2_000]}
    offset = max(originals)
    # Each copy is whole weeks earlier than the year it copies, and only its cases are new.
    shifts = {originals[c.id % offset or offset].received_at - c.received_at for c in cases[2_000:]}
    assert len(shifts) == 2 and all(s % timedelta(weeks=1) == timedelta(0) for s in shifts)
    assert min(shifts) > timedelta(0) and max(shifts) == 2 * min(shifts)
    assert timelines[1] == timelines[0] > 0  # the copies carry no timeline
