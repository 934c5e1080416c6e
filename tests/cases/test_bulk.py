"""The bulk engine takes cases exactly where the online engine does, and all-or-nothing.

The same rows go once through the online engine (intake, then one transition per step, with
the sweep's escalations at their due times) and once through BulkEngine; every column, every
timeline event, the audit records and the rollup must come out the same.
"""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from onegrid.audit.models import AuditRecord
from onegrid.cases import intake
from onegrid.cases.bulk.engine import BulkEngine, Row, Step
from onegrid.cases.facts import FACTS
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, CaseRollup, Channel
from onegrid.core.permissions import operator
from onegrid.routing.models import Category
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import TerritoryUnit

WHO = operator("import")
SWEEP = operator("sweep")
START = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai
PRESENT = START + timedelta(days=20)
M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
OPENED = [(Action.OPEN, 10 * M, None, {}), (Action.DISPATCH, 15 * M, None, {})]
CLOSED = [
    (Action.FEEDBACK, 3 * H, "已处置", {}),
    (Action.CHECK_PASS, 4 * H, None, {}),
    (Action.EVALUATE, 5 * H, "很好，回访请打13800001111", {"rating": 5}),
]
PATHS = {
    "waits_verify": [],
    "verified_closed": [
        (Action.REQUEST_VERIFY, 5 * M, None, {}),
        (Action.VERIFY, 20 * M, None, {"valid": True}),
        *[(a, t + 20 * M, n, d) for a, t, n, d in OPENED + CLOSED],
    ],
    "late_closed": [(Action.OPEN, 2 * D, None, {}), (Action.DISPATCH, 3 * D, None, {})]
    + [(a, t + 6 * D, n, d) for a, t, n, d in CLOSED],
    "voided": [(Action.VOID, 10 * M, "不属实，举报人身份证210104198506121234", {})],
    "extended_reworked": [
        *OPENED,
        (Action.REQUEST_EXTENSION, 20 * M, "协调", {"duration": "1d"}),
        (Action.APPROVE_EXTENSION, 25 * M, None, {}),
        (Action.FEEDBACK, 40 * M, "已处置", {}),
        (Action.CHECK_FAIL, 50 * M, "未整改", {}),
        (Action.FEEDBACK, 2 * H, "已返工", {}),
        (Action.CHECK_PASS, 3 * H, None, {}),
    ],
    "returned_redispatched": [
        *OPENED,
        (Action.RETURN, 20 * M, "不属本部门", {}),
        (Action.DISPATCH, 30 * M, None, {"department_code": "urban_mgmt"}),
    ],
    "parked": [
        *OPENED,
        (Action.REQUEST_PARK, 20 * M, "纳入计划", {}),
        (Action.APPROVE_PARK, 25 * M, None, {}),
    ],
    "stuck_in_handling": list(OPENED),  # escalated up to the district by the present
}


# Personal data typed into the free text: masked where everyone reads it in both engines.
PERSONAL = "，联系人电话139 1234 5678，身份证210104198506121234"
CLEAR = ("1234 5678", "19850612", "13800001111", "22345678", "三丰")


def _rows(session) -> list[Row]:
    """One row per path and category, each in a grid of its own, so none is another's duplicate."""
    grids = session.scalars(
        select(TerritoryUnit).where(TerritoryUnit.level == "grid").order_by(TerritoryUnit.code)
    ).all()
    categories = [
        c.code
        for c in session.scalars(select(Category).order_by(Category.code))
        if c.active and not any(a.required for a in c.attributes)
    ]
    rows = []
    for n, (name, steps) in enumerate([*PATHS.items(), *PATHS.items()]):
        point = from_wkb(grids[n * 53].geometry).representative_point()
        received = START + n * 7 * M
        rows.append(
            Row(
                line=n + 1,
                report=intake.Report(
                    channel=[Channel.HOTLINE, Channel.GRID_WORKER][n % 2],
                    category_code=categories[n],
                    description=f"{name} #{n}" + (PERSONAL if n % 3 == 0 else ""),
                    lon=point.x,
                    lat=point.y,
                    address=f"{n}号楼，电话024-22345678" if n % 2 else None,
                    reporter_name="张三丰" if n % 4 == 0 else None,
                ),
                received_at=received,
                steps=[Step(a, received + t, note, data) for a, t, note, data in steps],
            )
        )
    return rows


def _online(session, rows: list[Row]) -> None:
    """Takes the rows through the online engine, the sweep escalating at the due times."""

    def escalate_until(case, until):
        while case.next_escalation_at is not None and case.next_escalation_at <= until:
            at = case.next_escalation_at
            transition(session=session, case=case, action=Action.ESCALATE, who=SWEEP, now=at)

    for row in rows:
        case = intake.intake(session=session, report=row.report, who=WHO, now=row.received_at)
        row.receipt = case.receipt
        for step in row.steps:
            escalate_until(case, step.at)
            transition(
                session=session,
                case=case,
                action=step.action,
                who=WHO,
                note=step.note,
                data=step.data,
                now=step.at,
            )
        escalate_until(case, PRESENT)
    session.flush()


_SKIP = {"id", "version", "duplicate_of_id", "merged_into_id"}


def _written(session, receipts: list[str]) -> dict:
    """Returns what the database holds of these cases: columns, timelines, audit, rollup."""
    cases = session.scalars(select(Case).where(Case.receipt.in_(receipts))).all()
    found = {}
    for case in cases:
        names = [c.key for c in Case.__table__.columns if c.key not in _SKIP]
        columns = {name: getattr(case, name) for name in names}
        events = session.execute(
            select(
                CaseEvent.seq,
                CaseEvent.at,
                CaseEvent.actor,
                CaseEvent.action,
                CaseEvent.from_state,
                CaseEvent.to_state,
                CaseEvent.note,
                CaseEvent.sealed_note,
                CaseEvent.data,
            )
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.seq)
        ).all()
        found[case.receipt] = (columns, [tuple(e) for e in events])
    audit = session.execute(
        select(AuditRecord.object_id, AuditRecord.action, func.count())
        .where(AuditRecord.object_id.in_(receipts))
        .group_by(AuditRecord.object_id, AuditRecord.action)
    ).all()
    rollup = session.execute(
        select(CaseRollup).where(CaseRollup.day >= START.date(), CaseRollup.day <= PRESENT.date())
    ).scalars()
    # A case that changed department left an all-zero row in its old bucket online: no count.
    sums = sorted(
        (r.grid_code, r.department_id, r.category_code, r.day, counts)
        for r in rollup
        for counts in [tuple(getattr(r, f) for f in FACTS)]
        if any(counts)
    )
    return {"cases": found, "audit": sorted(tuple(a) for a in audit), "rollup": sums}


def _received_by_department(session) -> Counter:
    """The rollup's `received` by department over the test's days."""
    day = CaseRollup.day
    query = (
        select(CaseRollup.department_id, func.sum(CaseRollup.received))
        .where(day >= START.date(), day <= PRESENT.date())
        .group_by(CaseRollup.department_id)
    )
    return Counter(dict(session.execute(query).all()))


def test_bulk_writes_what_the_online_engine_writes(session):
    rows = _rows(session)
    with session.begin_nested() as online:
        _online(session, rows)
        expected = _written(session, [r.receipt for r in rows])
        online.rollback()
    assert not session.scalar(select(Case.id).where(Case.receipt == rows[0].receipt))

    engine = BulkEngine(session, district_code="210104", who=WHO, present=PRESENT)
    before = _received_by_department(session)
    result = engine.run(rows)

    assert result.rejected == []
    assert result.cases == len(rows)
    got = _written(session, [r.receipt for r in rows])
    assert got["cases"].keys() == expected["cases"].keys()
    for receipt, (columns, events) in expected["cases"].items():
        assert got["cases"][receipt][0] == columns, receipt
        assert got["cases"][receipt][1] == events, receipt
    assert got["audit"] == expected["audit"]
    assert got["rollup"] == expected["rollup"]
    for row in rows:
        columns, events = got["cases"][row.receipt]
        shown = [columns[f] for f in ("description", "address", "reporter_name", "rating_comment")]
        shown += [e[6] for e in events]  # the notes
        assert not any(clear in str(shown) for clear in CLEAR)
        if PERSONAL in row.report.description:
            assert columns["description"].endswith("139 **** 5678，身份证2101**********1234")
            assert columns["sealed_description"] == row.report.description
    assert sum(len([e for e in events if e[7]]) for _, events in got["cases"].values()) > 2
    # Each department counts the cases dispatched to it (those its staff list), none proposed.
    listed = Counter(
        columns["department_id"] if columns["dispatched_at"] is not None else 0
        for columns, _ in got["cases"].values()
        if columns["state"] != "merged"
    )
    assert 0 in listed and len(listed) > 1
    assert _received_by_department(session) - before == listed
    stuck = got["cases"][rows[len(PATHS) - 1].receipt]
    assert stuck[0]["escalation_level"] == 3 and stuck[0]["overdue"]
    assert result.events == sum(len(events) for _, events in got["cases"].values())


def _row(session, line: int, **changes) -> Row:
    unit = session.scalars(select(TerritoryUnit).where(TerritoryUnit.level == "grid")).first()
    point = from_wkb(unit.geometry).representative_point()
    fields = {
        "channel": Channel.HOTLINE,
        "category_code": "0107",
        "description": "路灯不亮",
        "lon": point.x,
        "lat": point.y,
    } | changes.pop("report", {})
    return Row(line=line, report=intake.Report(**fields), **({"received_at": START} | changes))


def test_a_batch_with_bad_rows_writes_nothing_and_names_each(session):
    before = session.scalar(select(func.count()).select_from(Case))
    rows = [
        _row(session, 1),
        _row(session, 2, report={"category_code": "9999"}),
        _row(session, 3, report={"lon": 120.0, "lat": 30.0}),
        _row(session, 4, report={"description": "  "}),
        _row(session, 5, steps=[Step(Action.CHECK_PASS, START + M)]),
        _row(session, 6, steps=[Step(Action.OPEN, START - M)]),
        _row(session, 7, received_at=PRESENT + D),
    ]
    engine = BulkEngine(session, district_code="210104", who=WHO, present=PRESENT)

    result = engine.run(rows)

    assert [r.line for r in result.rejected] == [2, 3, 4, 5, 6, 7]
    reasons = {r.line: r.en for r in result.rejected}
    assert "9999" in reasons[2]
    assert "no grid" in reasons[3]
    assert "describe" in reasons[4]
    assert "received" in reasons[5] and "check_pass" in reasons[5]
    assert "earlier" in reasons[6]
    assert "future" in reasons[7]
    assert result.cases == 0
    assert session.scalar(select(func.count()).select_from(Case)) == before
    # The engine forgot the rejected batch: the good row goes in on its own afterwards.
    assert engine.run([rows[0]]).cases == 1


def test_no_rows_write_nothing(session):
    # The demo's last day before 06:30 in Shanghai has no reports yet: `onegrid demo` from
    # 16:00 UTC on failed there, handing the writer a batch that was never made.
    before = session.scalar(select(func.count()).select_from(AuditRecord))
    engine = BulkEngine(session, district_code="210104", who=WHO, present=PRESENT)

    result = engine.run([])

    assert (result.cases, result.events, result.rejected) == (0, 0, [])
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == before
    assert engine.run([_row(session, 1)]).cases == 1  # and the engine goes on


def test_a_given_receipt_is_taken_once(session):
    engine = BulkEngine(session, district_code="210104", who=WHO, present=PRESENT)
    assert engine.run([_row(session, 1, receipt="IMPT-0000-0001")]).cases == 1

    again = engine.run([_row(session, 1, receipt="IMPT-0000-0001")])
    twice = engine.run(
        [_row(session, 1, receipt="IMPT-0000-0002"), _row(session, 2, receipt="IMPT-0000-0002")]
    )

    assert [r.line for r in again.rejected] == [1]
    assert "already exists" in again.rejected[0].en
    assert [r.line for r in twice.rejected] == [2]


def test_duplicates_are_suggested_among_cases_open_when_the_report_came(session):
    engine = BulkEngine(session, district_code="210104", who=WHO, present=PRESENT)
    first = _row(session, 1, steps=[Step(Action.VOID, START + 2 * H, "不属实")])
    stored = engine.run([first])
    assert stored.cases == 1
    # Received while the first was open: suggested, across batches.
    while_open = _row(
        session, 1, received_at=START + H, steps=[Step(Action.VOID, START + 2 * H, "重复")]
    )
    # Received after both were voided: not suggested.
    after_void = _row(session, 2, received_at=START + 3 * H)
    # Same batch: the third suggests the second (open, 30 m away at most).
    third = _row(session, 3, received_at=START + 4 * H)

    result = engine.run([while_open, after_void, third])

    assert result.cases == 3
    by_description = session.execute(
        select(Case.received_at, Case.id, Case.duplicate_of_id)
        .where(Case.description == "路灯不亮", Case.received_at >= START)
        .order_by(Case.received_at)
    ).all()
    ids = [r.id for r in by_description]
    assert [r.duplicate_of_id for r in by_description] == [None, ids[0], None, ids[2]]
    events = session.scalars(
        select(CaseEvent.data).where(CaseEvent.case_id == ids[1], CaseEvent.seq == 1)
    ).one()
    assert first.receipt is None and "duplicate_of" in events


@pytest.mark.parametrize("channel", [Channel.CITIZEN])
def test_merge_into_a_case_of_the_same_batch(session, channel):
    engine = BulkEngine(session, district_code="210104", who=WHO, present=PRESENT)
    survivor = _row(session, 1, receipt="IMPT-0000-0010", report={"channel": channel})
    merged = _row(
        session,
        2,
        receipt="IMPT-0000-0011",
        steps=[Step(Action.MERGE, START + M, None, {"into": "IMPT-0000-0010"})],
    )

    assert engine.run([survivor, merged]).cases == 2

    rows = dict(
        session.execute(
            select(Case.receipt, Case.merged_into_id).where(Case.receipt.like("IMPT-0000-001%"))
        ).all()
    )
    survivor_id = session.scalar(select(Case.id).where(Case.receipt == "IMPT-0000-0010"))
    assert rows == {"IMPT-0000-0010": None, "IMPT-0000-0011": survivor_id}
