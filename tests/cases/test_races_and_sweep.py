"""Racing transitions never both succeed; the sweep escalates overdue cases level by level."""

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from onegrid.cases import intake, scheduled
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, Channel
from onegrid.core.errors import Conflict
from onegrid.core.permissions import operator
from onegrid.routing.models import Notification
from onegrid.territory.models import Department

WHO = operator("test")


def test_two_racing_dispatches_never_both_succeed(own_demo_engine, inside):
    demo_engine = own_demo_engine
    with Session(demo_engine) as session:
        case = intake.intake(
            session=session,
            report=intake.Report(
                channel=Channel.HOTLINE,
                category_code="0107",
                description="并发测试",
                lon=inside.x,
                lat=inside.y,
            ),
            who=WHO,
        )
        transition(session=session, case=case, action=Action.OPEN, who=WHO)
        session.commit()
        case_id = case.id
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def dispatch(department: str) -> None:
        with Session(demo_engine) as session:
            case = session.get(Case, case_id)  # both read version n before either writes
            barrier.wait()
            try:
                transition(
                    session=session,
                    case=case,
                    action=Action.DISPATCH,
                    who=WHO,
                    data={"department_code": department},
                )
                session.commit()
                outcomes.append("ok")
            except Exception as error:  # noqa: BLE001 — which error depends on the store
                session.rollback()
                outcomes.append(type(error).__name__)

    threads = [threading.Thread(target=dispatch, args=(d,)) for d in ("water", "urban_mgmt")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes).count("ok") == 1, outcomes
    with Session(demo_engine) as session:
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.action == "dispatch")
        ).all()
        assert len(events) == 1
        # The case went where the one recorded dispatch sent it.
        department = session.get(Department, session.get(Case, case_id).department_id)
        assert json.loads(events[0].data) == {"department_code": department.code}


def test_a_transition_on_a_stale_case_is_refused_as_a_conflict(session, make_case):
    case = make_case()
    # Someone else moved the case after this session read it.
    session.execute(
        text("UPDATE case_record SET version = version + 1 WHERE id = :id"), {"id": case.id}
    )
    with pytest.raises(Conflict, match="changed meanwhile"):
        transition(session=session, case=case, action=Action.OPEN, who=WHO)


def test_the_sweep_raises_an_overdue_case_one_level_at_a_time(session, make_case):
    case = make_case()
    transition(session=session, case=case, action=Action.OPEN, who=WHO, now=case.received_at)
    transition(session=session, case=case, action=Action.DISPATCH, who=WHO, now=case.received_at)
    deadline = case.stage_deadline  # 2 working days to handle a dark street light
    assert scheduled.sweep(session=session, now=deadline - timedelta(minutes=1)) == 0
    assert scheduled.sweep(session=session, now=deadline + timedelta(minutes=1)) == 1
    assert (case.escalation_level, case.overdue) == (1, True)
    assert case.next_escalation_at > deadline
    assert scheduled.sweep(session=session, now=deadline + timedelta(minutes=2)) == 0
    later = case.next_escalation_at + timedelta(minutes=1)
    assert scheduled.sweep(session=session, now=later) == 1
    assert case.escalation_level == 2
    notices = session.scalars(
        select(Notification).where(Notification.case_id == case.id, Notification.kind == "escalate")
    ).all()
    assert [n.unit_code for n in notices] == ["210104002009", "210104002"]
    escalations = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "escalate")
    ).all()
    assert len(escalations) == 2 and escalations[0].actor == "sweep"


def test_closing_stops_the_clock_and_keeps_the_level(session, make_case):
    case = make_case()
    t = case.received_at
    for action in (Action.OPEN, Action.DISPATCH):
        transition(session=session, case=case, action=action, who=WHO, now=t)
    scheduled.sweep(session=session, now=case.stage_deadline + timedelta(minutes=1))
    transition(session=session, case=case, action=Action.FEEDBACK, who=WHO, note="修好了")
    transition(session=session, case=case, action=Action.CHECK_PASS, who=WHO)
    assert (
        case.closed_level == 1 and case.next_escalation_at is None and case.closed_on_time is False
    )
