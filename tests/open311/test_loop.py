"""A request posted through Open311 is a case of the loop: the command centre, the grid worker
and the department move it, and the Open311 client follows it to closed."""

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Case
from onegrid.core.permissions import operator
from onegrid.open311.mapping import w3
from tests.open311.conftest import parse


@pytest.fixture
def staff(client, tokens):
    """Takes an action on a case through the staff API, as a demo user."""

    def act(username, case_id, action, note=None, **data):
        response = client.post(
            f"/api/v1/cases/{case_id}/transitions",
            headers={"Authorization": f"Bearer {tokens[username]}"},
            json={"action": action, "note": note, "data": data},
        )
        assert response.status_code == 200, response.text
        return response.json()

    return act


def _follow(both, case_id):
    """What the Open311 client sees of its request, and whether each status filter finds it."""
    [request] = both(f"requests/{case_id}")
    found = {
        status: str(case_id) in [r["service_request_id"] for r in both("requests", status=status)]
        for status in ("open", "closed")
    }
    assert found == {"open": request["status"] == "open", "closed": request["status"] == "closed"}
    return request


def test_a_posted_request_is_followed_to_closed(o311, both, form, staff, client, tokens, session):
    posted = parse(o311("post", "requests", "xml", data=form()))[0]
    case_id = int(posted["service_request_id"])
    # The command centre finds it among the cases, from the Open311 channel.
    listed = client.get(
        "/api/v1/cases",
        params={"channel": "open311"},
        headers={"Authorization": f"Bearer {tokens['command']}"},
    ).json()["items"]
    assert case_id in [c["id"] for c in listed]
    request = _follow(both, case_id)
    assert (request["status"], request["status_notes"]) == ("open", "已受理，待核实")
    assert request["expected_datetime"] is None  # no handling deadline before dispatch

    staff("command", case_id, "request_verify")
    assert _follow(both, case_id)["status_notes"] == "网格员正在现场核实"
    staff("gridworker", case_id, "verify", valid=True)
    staff("command", case_id, "open")
    assert _follow(both, case_id)["status_notes"] == "已立案，待派遣"
    staff("command", case_id, "dispatch")
    request = _follow(both, case_id)
    case = session.get(Case, case_id)
    zone = ZoneInfo("Asia/Shanghai")
    assert request["status"] == "open" and request["agency_responsible"] == "区城市管理局"
    assert request["status_notes"] == "已派遣至区城市管理局处置"
    assert request["expected_datetime"] == w3(case.handle_deadline, zone)  # the deadline
    staff("department", case_id, "feedback", note="已更换灯泡，师傅电话 13700000000")
    assert _follow(both, case_id)["status_notes"] == "区城市管理局已处置，待现场核查"
    staff("gridworker", case_id, "check_fail", note="仍不亮")
    request = _follow(both, case_id)
    assert request["status_notes"] == "现场核查未通过，区城市管理局返工处置"
    staff("department", case_id, "feedback", note="更换镇流器")
    staff("gridworker", case_id, "check_pass")
    request = _follow(both, case_id)
    session.refresh(case)
    assert (request["status"], request["status_notes"]) == ("closed", "已办结：现场核查通过")
    assert request["updated_datetime"] == w3(case.closed_at, zone)  # the day it was closed
    english = parse(o311("get", f"requests/{case_id}", "json", params={"lang": "en"}))[0]
    assert english["status_notes"] == "closed: fixed and checked on site"
    assert english["agency_responsible"] == "Urban Management Bureau"
    [extended] = both(f"requests/{case_id}", extensions="true")
    assert [n["type"] for n in extended["notes"]] == [
        "receive",
        "request_verify",
        "verify",
        "open",
        "dispatch",
        "feedback",
        "check_fail",
        "feedback",
        "check_pass",
    ]
    assert "13700000000" not in str(extended)


def test_voided_and_merged_requests_are_closed(o311, both, form, session: Session):
    first, second, third = (
        int(parse(o311("post", "requests", "json", data=form()))[0]["service_request_id"])
        for _ in range(3)
    )
    who = operator("test")
    transition(
        session=session, case=session.get(Case, first), action=Action.VOID, who=who, note="不实"
    )
    survivor = session.get(Case, third)
    transition(
        session=session,
        case=session.get(Case, second),
        action=Action.MERGE,
        who=who,
        data={"into": survivor.receipt},
    )
    assert _follow(both, first)["status_notes"] == "经核实不予立案，已作废"
    merged = _follow(both, second)
    assert (merged["status"], merged["status_notes"]) == ("closed", "与同一问题的其他报告合并处理")
    assert _follow(both, third)["status"] == "open"
