"""A department's figures count the cases it can list: those dispatched to it, not those the
routing table merely proposed to it at intake; and they follow each dispatch, return and
re-dispatch. Counted here from the case rows and the list API, never from the rollup."""

import pytest
from sqlalchemy import func, select

from onegrid.cases import intake
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case, Channel, State
from onegrid.core.permissions import operator
from onegrid.territory.models import Department
from tests.cases.conftest import WORKER_GRID, point_in

WHO = operator("test")


@pytest.fixture
def api(client, tokens):
    def call(username, path, **params):
        headers = {"Authorization": f"Bearer {tokens[username]}"}
        response = client.get("/api/v1" + path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    return call


def _department(session, code: str) -> int:
    return session.scalar(select(Department.id).where(Department.code == code))


def _dispatched_to(session, department_id: int) -> int:
    """The cases dispatched to the department, from the case rows (a merged case counts in the
    case it joined)."""
    return session.scalar(
        select(func.count()).where(
            Case.department_id == department_id,
            Case.dispatched_at.is_not(None),
            Case.state != State.MERGED.value,
        )
    )


def _check(api, session) -> dict:
    """Checks the department user's figures against what they can list; returns the figures."""
    [total] = api("department", "/indicators")["groups"]
    listed = api("department", "/cases", limit=1)["total"]
    urban = _department(session, "urban_mgmt")
    assert total["counts"]["received"] == listed == _dispatched_to(session, urban)
    assert total["counts"]["dispatched"] == listed  # each was dispatched, once at least
    by_department = {
        g["key"]: g["counts"] for g in api("command", "/indicators", by="department")["groups"]
    }
    assert by_department.get("urban_mgmt", {"received": 0})["received"] == listed
    never = session.scalar(
        select(func.count()).where(Case.dispatched_at.is_(None), Case.state != State.MERGED.value)
    )
    assert by_department.get(None, {"received": 0})["received"] == never  # "no department"
    return total["counts"]


def test_a_departments_figures_count_the_cases_it_can_list(api, session):
    inside = point_in(session, WORKER_GRID)
    report = intake.Report(
        channel=Channel.HOTLINE,
        category_code="0107",  # a street light: proposed to urban_mgmt
        description="路灯不亮",
        lon=inside.x,
        lat=inside.y,
    )
    case = intake.intake(session=session, report=report, who=WHO)
    urban = _department(session, "urban_mgmt")
    assert case.department_id == urban and case.dispatched_at is None
    proposed = _check(api, session)["received"]  # proposed only: not the department's yet

    def act(action, **data):
        transition(session=session, case=case, action=action, who=WHO, note="测试", data=data)
        session.flush()
        return _check(api, session)["received"]

    act(Action.OPEN)
    assert act(Action.DISPATCH) == proposed + 1
    assert act(Action.RETURN) == proposed + 1  # returned: still in the department's list
    assert act(Action.DISPATCH, department_code="water") == proposed  # sent elsewhere
    assert act(Action.RETURN) == proposed
    assert act(Action.DISPATCH, department_code="urban_mgmt") == proposed + 1
