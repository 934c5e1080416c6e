"""Benchmark (i), the console's server time, at smoke scale: it runs end to end, times every
queue, filter and search it names (each answered 200 to the command centre) and the naive LIKE
scan beside them."""

import pytest

from bench import console
from bench.common import Scale
from onegrid.cases.queue import Queue


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
        return console.run(Scale.SMOKE, tmp_path_factory.mktemp("console"))


def test_every_queue_filter_and_search_is_timed_beside_a_like_scan(figures):
    pages, search = figures
    for figure in figures:
        assert figure.unit == "ms" and figure.value > 0 and figure.baseline_value > 0
        assert figure.baseline.startswith("a naive LIKE '%word%' scan")
        assert "2,000 cases" in figure.name
    assert pages.met is (pages.value <= 150) and search.met is (search.value <= 200)
    for queue in Queue:
        assert f"queue {queue.value} " in pages.note
    for name in ("street", "community", "grid", "category", "department", "channel", "light"):
        assert f"all + {name} " in pages.note and f" + {name} " in search.note
    assert "(most frequent)" in search.note and "LIKE '%" in search.note
