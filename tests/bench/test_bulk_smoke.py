"""Benchmarks (a) bulk intake, (e) dashboard and (f) memory at smoke scale: they run end to end.

The figures mean nothing at this scale; what matters is that each benchmark still measures what
it says: the import went through the CLI into both stores, the raw baselines copied the same
rows, and every dashboard answer equalled DuckDB's.
"""

import pytest

from bench import dashboard, intake_bulk
from bench.common import Scale


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
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


def test_memory_of_the_import_is_compared_across_sizes(figures):
    (memory,) = [f for f in figures.values() if f.bench == "memory"]
    assert memory.unit == "MiB" and memory.value > 50 and memory.baseline_value > 50
    assert "2,000 cases" in memory.name and "200 cases" in memory.baseline


def test_dashboard_answers_equal_duckdbs(figures):
    (figure,) = [f for f in figures.values() if f.bench == "dashboard"]
    assert figure.unit == "ms" and figure.value > 0 and figure.baseline_value > 0
    assert "every answer equal to DuckDB's" in figure.note
    for query in dashboard.QUERIES:
        assert query.name in figure.note
