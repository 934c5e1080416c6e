"""Benchmark (d), locate, at smoke scale: it runs end to end against PostGIS and checks itself.

The figures mean nothing at this scale; what matters is that the benchmark still works: both
figures come out, PostGIS answered for every point and agreed, and the scratch database is gone.
"""

import re
from contextlib import contextmanager

import psycopg
import pytest

from bench import locate
from bench.common import Scale


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    """Runs the benchmark once at smoke scale: (figures, names of the databases it made)."""
    with pytest.MonkeyPatch.context() as patch:
        made: list[str] = []
        scratch = locate.scratch_database

        @contextmanager
        def recorded():
            with scratch() as conninfo:
                made.append(psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"])
                yield conninfo

        patch.setattr(locate, "scratch_database", recorded)
        figures = locate.run(Scale.SMOKE, tmp_path_factory.mktemp("locate"))
        return {f.name: f for f in figures}, made, locate


def test_one_bulk_and_one_single_figure_in_points_per_second(outcome):
    figures, _, _ = outcome
    assert set(figures) == {"bulk locate", "single locate"}
    for figure in figures.values():
        assert figure.bench == "locate" and figure.unit == "points/s"
        assert figure.value > 0 and figure.baseline_value > 0
        assert figure.baseline == "PostGIS ST_Contains join"
        assert figure.ratio == pytest.approx(figure.value / figure.baseline_value)


def test_bulk_has_the_issues_target_and_single_has_none(outcome):
    figures, _, _ = outcome
    bulk, single = figures["bulk locate"], figures["single locate"]
    assert bulk.target == "≥ 800k points/s and ≥ 4× PostGIS" and isinstance(bulk.met, bool)
    assert bulk.met == (bulk.value >= 800_000 and bulk.ratio >= 4)
    assert single.target == "" and single.met is None
    # Both figures are measured against the same PostGIS run.
    assert bulk.baseline_value == single.baseline_value


def test_every_point_was_compared_with_both_postgis_plans_and_agreed(outcome):
    figures, _, locate = outcome
    points = locate.POINTS[locate.Scale.SMOKE]
    note = figures["bulk locate"].note
    assert f"{points:,} points uniform in the grids' bounding box" in note
    checked = re.findall(r"([\d,]+) points compared, (\d+) disagree", note)
    assert checked == [(f"{points:,}", "0")] * len(locate.JOINS)
    for name in locate.JOINS:
        assert f"{name} " in note


def test_the_scratch_database_is_dropped(outcome):
    _, made, locate = outcome
    assert len(made) == 1 and made[0].startswith("onegrid_bench_locate_")
    with psycopg.connect(locate.POSTGRES) as conn:
        left = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [made[0]]).fetchall()
    assert left == []
