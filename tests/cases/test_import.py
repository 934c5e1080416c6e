"""`onegrid import cases FILE`: CSV and JSON Lines through the bulk engine, batch by batch."""

import csv
import json
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from onegrid.audit import chain
from onegrid.audit.models import AuditRecord
from onegrid.cases.bulk import importing
from onegrid.cases.bulk.engine import BulkEngine, Rejected, Row
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent
from onegrid.core.coordinates import CRS, from_wgs84
from onegrid.core.errors import Conflict
from onegrid.core.permissions import operator

ZONE = ZoneInfo("Asia/Shanghai")
HEADER = ["received_at", "category_code", "description", "lon", "lat", "crs", "channel", "steps"]


def _csv(path, rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerows(rows)


def _good(inside, n: int) -> list:
    steps = json.dumps(
        [
            {"action": "open", "at": f"2026-03-03T10:{n % 50:02d}:00+08:00"},
            {"action": "dispatch", "at": f"2026-03-03T11:{n % 50:02d}:00+08:00"},
        ]
    )
    return ["2026-03-03T09:00:00+08:00", "0107", f"路灯不亮 {n}", inside.x, inside.y, "", "", steps]


def test_reading_names_each_bad_row(tmp_path):
    path = tmp_path / "cases.jsonl"
    lines = [
        {"received_at": "2026-03-03T09:00", "category_code": "0107", "description": "a"}
        | {"lon": 123.46, "lat": 41.8, "crs": "gcj02", "steps": [{"action": "open", "at": "x"}]},
        {"received_at": "2026-03-03T09:00", "category_code": "0107", "description": "b"}
        | {"lon": "east", "lat": 41.8},
        {"received_at": "yesterday", "category_code": "0107", "description": "c"}
        | {"lon": 123.46, "lat": 41.8},
        {"received_at": "2026-03-03T09:00", "category_code": "0107", "description": "d"}
        | {"lon": 123.46, "lat": 41.8, "colour": "red"},
        {"received_at": "2026-03-03T09:00", "category_code": "0107", "description": "e"}
        | {"lon": 123.46, "lat": 41.8, "steps": [{"action": "escalate", "at": "2026-03-04"}]},
        {"received_at": "2026-03-03T09:00+08:00", "category_code": "0107", "description": "f"}
        | {"lon": 123.46, "lat": 41.8, "crs": "bd09", "channel": "citizen", "anonymous": True},
    ]
    path.write_text(
        "\n".join([json.dumps(line, ensure_ascii=False) for line in lines] + ["[1, 2]", "{"])
        + "\n",
        encoding="utf-8",
    )

    items = list(importing.read(path, ZONE))

    assert [type(i) for i in items] == [Rejected] * 5 + [Row] + [Rejected] * 2
    reasons = [i.en if isinstance(i, Rejected) else None for i in items]
    assert "step 1 at is not an ISO 8601 time" in reasons[0]
    assert "lon must be a number" in reasons[1]
    assert "received_at is not an ISO 8601 time" in reasons[2]
    assert "unknown fields: colour" in reasons[3]
    assert "escalate is recorded by onegrid itself" in reasons[4]
    assert "JSON object" in reasons[6] and "not JSON" in reasons[7]
    good = items[5]
    assert good.line == 6 and good.report.crs is CRS.BD09 and good.report.anonymous
    assert good.received_at.utcoffset().total_seconds() == 8 * 3600
    assert importing.count_rows(path) == 8


def test_a_csv_without_a_required_column_is_refused_whole(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("received_at,description,lon,lat\n", encoding="utf-8")
    try:
        list(importing.read(path, ZONE))
    except importing.Invalid as error:
        assert "category_code" in error.en
    else:
        raise AssertionError("a header without category_code was read")


def test_import_batches_stop_at_the_first_bad_one_and_go_on_from_it(
    own_demo_engine, inside, onegrid_cli, tmp_path
):
    url = own_demo_engine.url.render_as_string(hide_password=False)
    gcj = from_wgs84(inside.x, inside.y, CRS.GCJ02)
    rows = [_good(inside, n) for n in range(7)]
    rows[3][3:6] = [gcj[0], gcj[1], "gcj02"]  # the same point, as a Chinese map app gives it
    rows[5][1] = "9999"  # an unknown category: its batch (lines 6-7) must not be written
    path = tmp_path / "cases.csv"
    _csv(path, rows)
    report = tmp_path / "rejected.csv"

    checked = onegrid_cli(url, "import", "cases", str(path), "--check")
    first = onegrid_cli(
        url, "import", "cases", str(path), "--batch-size", "2", "--report", str(report)
    )

    assert checked.returncode == 1 and "line 7" in checked.stderr
    assert first.returncode == 1
    assert "imported 4 case(s)" in first.stderr
    assert "--from-line 6" in first.stderr
    assert list(csv.reader(report.open(encoding="utf-8")))[1][0] == "7"
    with Session(own_demo_engine) as session:
        cases = session.scalars(select(Case).where(Case.description.like("路灯不亮 %"))).all()
        assert sorted(c.description for c in cases) == [f"路灯不亮 {n}" for n in range(4)]
        assert {c.grid_code for c in cases} == {"210104002009001"}
        assert {c.state for c in cases} == {"dispatched"}
        assert abs(cases[3].lon - inside.x) < 1e-5  # converted from GCJ-02 to WGS-84
        events = session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id.in_([c.id for c in cases]))
        )
        # Received in March and never handled: the sweep's three escalations, up to the district.
        assert {c.escalation_level for c in cases} == {3}
        assert events == 4 * (3 + 3)
        audited = session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.source == "import:cases.csv", AuditRecord.action.like("case.%"))
        )
        assert audited == events

    rows[5][1] = "0107"
    _csv(path, rows)
    rest = onegrid_cli(url, "import", "cases", str(path), "--from-line", "6")

    assert rest.returncode == 0, rest.stderr
    assert "imported 3 case(s)" in rest.stderr
    with Session(own_demo_engine) as session:
        count = session.scalar(
            select(func.count()).select_from(Case).where(Case.description.like("路灯不亮 %"))
        )
        assert count == 7
        dispatched = session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.action == Action.DISPATCH.value)
        )
        assert dispatched >= 7


def _line(inside, n: int, received: str, **fields) -> dict:
    return {
        "received_at": f"2026-03-03T{received}:00+08:00",
        "category_code": "0107",
        "description": f"路灯不亮 {n}",
        "lon": inside.x,
        "lat": inside.y,
        "receipt": f"IMPT-0000-{n:04d}",
        "channel": "citizen",
    } | fields


def test_a_long_import_is_written_by_a_second_process_and_links_cases_across_batches(
    own_demo_engine, inside, onegrid_cli, tmp_path
):
    """Batches of two: the second and third are taken while the one before is being written,
    and link to its cases by receipt (duplicates, merges)."""
    into = lambda n: [{"action": "merge", "at": "2026-03-03T11:00:00+08:00", "data": {"into": n}}]  # noqa: E731
    lines = [
        _line(inside, 1, "09:00"),
        _line(inside, 2, "09:10"),  # a duplicate of 1, in its batch
        _line(inside, 3, "09:20"),  # a duplicate of 1, in the batch before
        _line(inside, 4, "09:30", steps=into("IMPT-0000-0001")),  # merged into 1, ditto
        _line(inside, 5, "09:40", steps=into("IMPT-0000-0003")),  # merged into 3, ditto
        _line(inside, 6, "09:50"),  # a duplicate of 1, two batches before
    ]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    url = own_demo_engine.url.render_as_string(hide_password=False)

    done = onegrid_cli(url, "import", "cases", str(path), "--batch-size", "2")

    assert done.returncode == 0, done.stderr
    assert "imported 6 case(s)" in done.stderr and "in 3 batch(es)" in done.stderr
    with Session(own_demo_engine) as session:
        rows = session.execute(
            select(Case.receipt, Case.id, Case.duplicate_of_id, Case.merged_into_id, Case.state)
            .where(Case.receipt.like("IMPT-0000-%"))
            .order_by(Case.receipt)
        ).all()
        one, three = rows[0].id, rows[2].id
        assert [(r.duplicate_of_id, r.merged_into_id) for r in rows] == [
            (None, None),
            (one, None),
            (one, None),
            (one, one),
            (one, three),
            (one, None),
        ]
        assert [r.state for r in rows][3:5] == ["merged", "merged"]
        assert chain.verify(session=session, district_code="210104").ok
        events = session.scalar(
            select(func.count())
            .select_from(CaseEvent)
            .where(CaseEvent.case_id.in_([r.id for r in rows]))
        )
        audited = session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.source == "import:cases.jsonl")
        )
        assert audited == events > 6


def test_a_batch_the_second_process_cannot_write_stops_the_import_there(
    own_demo_engine, inside, tmp_path
):
    lines = [_line(inside, n, f"09:{n:02d}") for n in range(1, 7)]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")

    with Session(own_demo_engine, expire_on_commit=False) as session:
        engine = BulkEngine(session, district_code="210104", who=operator("import"))
        prepare = engine.prepare

        def second_links_to_a_case_never_stored(rows):
            prepared = prepare(rows)
            if rows[0].line == 3:
                prepared.batch.links.append((0, "duplicate_of_id", "GONE-0000-0001"))
            return prepared

        engine.prepare = second_links_to_a_case_never_stored
        with pytest.raises(Conflict) as stopped:
            importing.import_file(
                session=session, engine=engine, path=path, zone=ZONE, batch_size=2
            )

    assert "GONE-0000-0001" in stopped.value.en and "--from-line 3" in stopped.value.en
    with Session(own_demo_engine) as session:
        stored = session.scalars(select(Case.receipt).where(Case.receipt.like("IMPT-0000-%")))
        assert sorted(stored) == ["IMPT-0000-0001", "IMPT-0000-0002"]
        assert chain.verify(session=session, district_code="210104").ok


def test_an_import_tells_its_progress_batch_by_batch(own_demo_engine, inside, tmp_path):
    """With a second process writing, a batch is counted once that process has stored it."""
    lines = [_line(inside, n, f"09:{n:02d}") for n in range(1, 6)]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    told: list[importing.Progress] = []

    with Session(own_demo_engine, expire_on_commit=False) as session:
        engine = BulkEngine(session, district_code="210104", who=operator("import"))
        done = importing.import_file(
            session=session,
            engine=engine,
            path=path,
            zone=ZONE,
            batch_size=2,
            progress=told.append,
        )

    assert (done.cases, done.batches) == (5, 3)
    assert [(p.total, p.rows, p.cases, p.batches) for p in told] == [
        (5, 0, 0, 0),  # before the first batch
        (5, 2, 0, 0),  # the first handed over
        (5, 4, 2, 1),  # the second handed over once the first was stored
        (5, 5, 4, 2),
        (5, 5, 5, 3),  # the last stored
    ]
