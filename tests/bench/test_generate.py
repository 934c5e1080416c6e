"""The benchmarks' case generator: deterministic, exact in count, in the import format."""

from collections import Counter
from zoneinfo import ZoneInfo

from bench.generate import END, write_cases
from onegrid.cases.bulk import Row
from onegrid.cases.importing import read


def test_the_stream_is_the_same_every_time_and_reads_as_an_import(session, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert write_cases(session, first, 3_000) == 3_000
    write_cases(session, second, 3_000)
    assert first.read_bytes() == second.read_bytes()
    rows = list(read(first, ZoneInfo("Asia/Shanghai")))
    assert len(rows) == 3_000 and all(isinstance(r, Row) for r in rows)
    # A big district's days up to END, busy grids and common categories, real outcomes.
    assert max(r.received_at for r in rows).date() <= END
    assert Counter(r.report.channel.value for r in rows).most_common(1)[0][0] == "hotline"
    actions = Counter(s.action.value for r in rows for s in r.steps)
    assert actions["check_pass"] > actions["void"] > 0 and actions["check_fail"] > 0
