"""Benchmark (g), the field pages' server time, at smoke scale: it runs end to end and times
every page it names, each answered 200 to the user it names."""

import pytest

from bench import pages
from bench.common import Scale


@pytest.fixture(scope="module")
def figure(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
        (found,) = pages.run(Scale.SMOKE, tmp_path_factory.mktemp("pages"))
    return found


def test_every_page_is_timed_against_the_sign_in_page(figure):
    assert figure.unit == "ms" and figure.value > 0 and figure.baseline_value > 0
    assert figure.baseline == "the sign-in page (no case read), p95"
    assert figure.met is (figure.value <= 150)
    for page in pages.PAGES:
        assert f"{page.name} " in figure.note
    assert "2,000 cases" in figure.name
