"""Benchmarks (b) online intake over HTTP and (c) durability, at smoke scale.

Their figures mean nothing at this scale; what matters is that both still run end to end
against a real `onegrid serve` loaded by wrk, and that what they check holds: every case the
server acknowledged is stored, none is lost to kill -9, and the file stays whole.
"""

import pytest

from bench import durability, http_intake
from bench.common import Scale


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> dict:
    """Runs both benchmarks once at smoke scale in one workdir (the demo district is built once)."""
    workdir = tmp_path_factory.mktemp("http-bench")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONEGRID_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
        found = http_intake.run(Scale.SMOKE, workdir) + durability.run(Scale.SMOKE, workdir)
    return {(f.bench, f.name): f for f in found}


def figure(figures: dict, bench: str, start: str):
    [found] = [f for (b, name), f in figures.items() if b == bench and name.startswith(start)]
    return found


def test_intake_and_its_ceiling_both_answer(figures):
    intake = figure(figures, "http_intake", "online intake, SQLite")
    assert intake.unit == "cases/s" and intake.value > 0
    assert intake.baseline_value > intake.value  # a route without the database is faster
    assert figure(figures, "http_intake", "intake p50").value > 0
    assert figure(figures, "http_intake", "intake p99").value > 0
    assert figure(figures, "http_intake", "online intake vs one durable").baseline_value > 0


def test_every_intake_request_succeeds_and_every_acknowledged_case_is_stored(figures):
    failures = figure(figures, "http_intake", "intake answers other than 2xx")
    assert failures.value == 0 and failures.baseline_value > 0
    found = figure(figures, "http_intake", "acknowledged receipts found")
    assert found.baseline_value > 0
    assert found.value == found.baseline_value and found.met


def test_no_acknowledged_case_is_lost_to_kill_9(figures):
    lost = figure(figures, "durability", "acknowledged cases lost")
    assert lost.baseline_value > 0, "the kills must fall while cases are being acknowledged"
    assert lost.value == 0 and lost.met


def test_the_database_stays_whole_after_kill_9(figures):
    integrity = figure(figures, "durability", "integrity checks failed")
    assert integrity.baseline_value == 2 and integrity.value == 0
    incomplete = figure(figures, "durability", "stored cases missing")
    assert incomplete.baseline_value > 0
    assert incomplete.value == 0 and incomplete.met  # met also says the audit chain is intact
