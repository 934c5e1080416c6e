"""Intake: one service for every channel."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from onegrid.audit import chain
from onegrid.audit.models import AuditRecord
from onegrid.cases import intake, service
from onegrid.cases.models import Case, CaseEvent, CaseRollup, Channel
from onegrid.core.coordinates import from_wgs84
from onegrid.core.errors import Forbidden, Invalid
from onegrid.core.permissions import ANONYMOUS, Scope, operator
from onegrid.routing import service as routing
from onegrid.routing.models import Category
from onegrid.territory.models import Department

WORKER_GRID = "210104002009001"
MONDAY = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a working day


def test_a_report_becomes_a_located_routed_case_with_a_receipt(session, make_case):
    case = make_case(reporter_phone="139 1234 5678", reporter_name="王先生")
    assert case.state == "received" and case.grid_code == WORKER_GRID
    assert len(case.receipt) == 14 and case.receipt[4] == "-"
    department = session.get(Department, case.department_id)
    assert department.code == "urban_mgmt"  # 路灯不亮's department
    # 4 working hours to verify from Tuesday 09:00 Shanghai time: three before the lunch
    # break (12:00–13:30), one after it, so 14:30 local = 06:30 UTC.
    assert case.stage == "verify"
    assert case.stage_deadline == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    assert case.reporter_phone == "13912345678"
    events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.action, e.to_state) for e in events] == [("receive", "received")]
    audit = session.scalars(select(AuditRecord).where(AuditRecord.object_id == case.receipt)).all()
    assert [a.action for a in audit] == ["case.receive"]
    assert service.get_by_receipt(session=session, receipt=case.receipt.lower()).id == case.id


def test_the_rollup_counts_the_new_case(session, make_case):
    case = make_case()
    row = session.scalars(
        select(CaseRollup).where(
            CaseRollup.grid_code == case.grid_code, CaseRollup.category_code == "0107"
        )
    ).one()
    assert (row.received, row.opened, row.closed) == (1, 0, 0)


def test_gcj02_input_lands_in_the_same_grid(session, inside, make_case):
    lon, lat = from_wgs84(inside.x, inside.y, "gcj02")
    case = make_case(crs="gcj02", point=type(inside)(lon, lat))
    assert case.grid_code == WORKER_GRID
    assert abs(case.lon - inside.x) < 1e-9 and abs(case.lat - inside.y) < 1e-9


def _refused(make_case, session, message, **kwargs):
    before = session.scalar(select(func.count()).select_from(Case))
    with pytest.raises(Invalid) as error:
        make_case(**kwargs)
    assert message in error.value.en
    assert session.scalar(select(func.count()).select_from(Case)) == before


def test_bad_reports_are_refused_with_the_reason(session, make_case, inside):
    _refused(make_case, session, "the category 9999 does not exist", category="9999")
    _refused(make_case, session, "describe the problem", description="  ")
    _refused(make_case, session, "outside the district", point=type(inside)(116.4, 39.9))
    _refused(make_case, session, "is required", category="E0108")  # noise source missing
    _refused(make_case, session, "no attribute colour", attributes={"colour": "red"})


def test_custom_attributes_are_checked_and_kept(session, make_case):
    case = make_case(
        category="E0108",
        description="夜间施工噪音",
        attributes={"source": "construction", "period": "night"},
    )
    assert '"period": "night"' in case.attributes


def test_a_near_report_of_the_same_problem_is_suggested_as_duplicate(session, make_case, inside):
    first = make_case()
    near = type(inside)(inside.x + 0.0001, inside.y)  # about 8 m east
    second = make_case(point=near)
    assert second.duplicate_of_id == first.id
    other_kind = make_case(point=near, category="E0101", description="垃圾暴露")
    assert other_kind.duplicate_of_id is None


def test_anonymous_reports_keep_no_reporter(session, make_case):
    case = make_case(anonymous=True, reporter_name="李", reporter_phone="13900000000")
    assert case.reporter_name is None and case.reporter_phone is None


def _entry(point, category="0107", who=None, **extra) -> intake.Entry:
    fields = {"channel": Channel.HOTLINE, "description": "路灯不亮，晚上很黑"} | extra
    report = intake.Report(category_code=category, lon=point.x, lat=point.y, **fields)
    return intake.Entry(report=report, who=who or operator("test"), source="10.0.0.9", now=MONDAY)


def test_reports_arriving_together_are_opened_together_each_failing_alone(session, inside):
    near = type(inside)(inside.x + 0.0001, inside.y)  # about 8 m east
    far_away = type(inside)(116.39, 39.91)  # Beijing: in no grid of the district
    entries = [
        _entry(inside),
        _entry(far_away),
        _entry(inside, who=ANONYMOUS),  # a staff channel, and no permission to take cases in
        _entry(near),
        _entry(near, category="E0101", description="垃圾暴露"),
    ]
    first, outside, forbidden, second, other_kind = intake.intake_many(session, entries)
    assert isinstance(outside, Invalid) and "no grid" in outside.en
    assert isinstance(forbidden, Forbidden)
    stored = {c.receipt: c for c in session.scalars(select(Case))}
    assert set(stored) == {first.case.receipt, second.case.receipt, other_kind.case.receipt}
    # The second report of the same problem, in the same group, points at the first.
    assert stored[second.case.receipt].duplicate_of_id == stored[first.case.receipt].id
    assert second.duplicate_receipt == first.case.receipt
    assert stored[other_kind.case.receipt].duplicate_of_id is None
    timeline = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == stored[second.case.receipt].id)
    ).all()
    assert [(e.seq, e.action, e.to_state) for e in timeline] == [(1, "receive", "received")]
    assert json.loads(timeline[0].data)["duplicate_of"] == first.case.receipt
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.object_id.in_(list(stored)))
    ).all()
    assert {(r.object_id, r.action, r.source) for r in records} == {
        (receipt, "case.receive", "10.0.0.9") for receipt in stored
    }
    assert chain.verify(session=session, district_code="210104").ok
    received = session.scalar(
        select(func.sum(CaseRollup.received)).where(CaseRollup.grid_code == WORKER_GRID)
    )
    assert received == 3


@pytest.mark.parametrize("size", [1, 12])  # below and above loading the whole catalogue
def test_a_group_opens_cases_as_intake_does_one_at_a_time(session, inside, outside, size):
    points = [inside, outside] * size
    alone = [
        intake.intake(session=session, report=e.report, who=e.who, now=e.now)
        for e in map(_entry, points[:2])
    ]
    together = intake.intake_many(session, [_entry(p) for p in points])
    for n, opened in enumerate(together):
        case, one = opened.case, alone[n % 2]
        assert (case.grid_code, case.department_id, case.state) == (
            one.grid_code,
            one.department_id,
            one.state,
        )
        assert (case.stage, case.stage_deadline) == (one.stage, one.stage_deadline)


def test_intake_follows_changes_to_the_catalogue_and_the_routing_table(session, make_case):
    first = make_case()  # the district's catalogue and routing table are now kept in memory
    departments = session.scalars(select(Department).where(Department.district_code == "210104"))
    other = next(d for d in departments if d.id != first.department_id)
    routing.set_rule(
        session=session,
        scope=Scope.all(),
        category_code="0107",
        unit_code=WORKER_GRID,
        department_code=other.code,
    )
    assert make_case().department_id == other.id
    routing.delete_rule(
        session=session, scope=Scope.all(), category_code="0107", unit_code=WORKER_GRID
    )
    session.flush()
    assert make_case().department_id == first.department_id
    category = session.scalars(select(Category).where(Category.code == "0107")).one()
    category.active = False
    session.flush()
    with pytest.raises(Invalid, match="0107"):
        make_case()
