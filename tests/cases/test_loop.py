"""Every path of the loop, through the API, as the roles that take each step."""

import io

import pytest
from sqlalchemy import select

from onegrid.cases.models import Case
from onegrid.routing.models import Notification
from tests.images import png

PNG = png()  # a real one: evidence is decoded


@pytest.fixture
def reported(api, inside):
    """A citizen's report of a dark street light in the grid worker's grid."""
    response = api(
        None,
        "post",
        "/public/cases",
        json={
            "category_code": "0107",
            "description": "小区门口路灯不亮",
            "lon": inside.x,
            "lat": inside.y,
            "reporter_phone": "13912345678",
        },
    )
    assert response.status_code == 201, response.text
    receipt = response.json()["receipt"]
    case_id = api("command", "get", "/cases", params={"limit": 500}).json()["items"]
    return receipt, next(c["id"] for c in case_id if c["receipt"] == receipt)


def act(api, username, case_id, action, note=None, **data):
    response = api(
        username,
        "post",
        f"/cases/{case_id}/transitions",
        json={"action": action, "note": note, "data": data},
    )
    return response


def ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def test_the_whole_loop_with_rework_and_a_rating(api, reported, session):
    receipt, case_id = reported
    assert ok(act(api, "command", case_id, "request_verify"))["state"] == "verifying"
    assert ok(act(api, "gridworker", case_id, "verify", valid=True))["state"] == "verified"
    assert ok(act(api, "command", case_id, "open"))["state"] == "opened"
    dispatched = ok(act(api, "command", case_id, "dispatch"))
    assert dispatched["state"] == "dispatched" and dispatched["department"] == "urban_mgmt"
    assert dispatched["light"] == "green"
    photo = api(
        "department",
        "post",
        f"/cases/{case_id}/evidence",
        files={"file": ("fixed.png", io.BytesIO(PNG), "image/png")},
    )
    assert photo.status_code == 201, photo.text
    handled = api(
        "department",
        "post",
        f"/cases/{case_id}/transitions",
        json={"action": "feedback", "note": "已更换灯泡", "evidence_ids": [photo.json()["id"]]},
    )
    assert ok(handled)["state"] == "handled"
    assert ok(act(api, "gridworker", case_id, "check_fail", note="仍不亮"))["state"] == "dispatched"
    ok(act(api, "department", case_id, "feedback", note="更换镇流器"))
    assert ok(act(api, "gridworker", case_id, "check_pass"))["state"] == "closed"
    # The citizen follows and rates with the receipt alone.
    public = api(None, "get", f"/receipts/{receipt}").json()
    assert public["state"] == "closed" and public["can_rate"] is True
    assert "13912345678" not in str(public)
    rated = api(None, "post", f"/receipts/{receipt}/rating", json={"rating": 5, "comment": "快"})
    assert rated.json()["state"] == "evaluated" and rated.json()["rating"] == 5
    timeline = api("command", "get", f"/cases/{case_id}/timeline").json()
    assert [e["action"] for e in timeline] == [
        "receive",
        "request_verify",
        "verify",
        "open",
        "dispatch",
        "feedback",
        "check_fail",
        "feedback",
        "check_pass",
        "evaluate",
    ]
    assert [e["to_state"] for e in timeline][-1] == "evaluated"
    case = session.get(Case, case_id)
    assert (case.rework_count, case.feedback_count, case.closed_level) == (1, 2, 0)
    notices = session.scalars(
        select(Notification).where(Notification.case_id == case_id).order_by(Notification.id)
    ).all()
    assert [n.kind for n in notices] == ["case.request_verify", "case.dispatch", "case.check_fail"]
    assert notices[1].department_code == "urban_mgmt"
    assert notices[0].unit_code == "210104002009001"


def test_a_wrong_dispatch_is_returned_and_sent_elsewhere(api, reported):
    _, case_id = reported
    ok(act(api, "command", case_id, "open"))
    ok(act(api, "command", case_id, "dispatch"))
    assert act(api, "department", case_id, "return").status_code == 422  # a reason is required
    returned = ok(act(api, "department", case_id, "return", note="灯杆属供电公司"))
    assert returned["state"] == "returned" and returned["stage"] == "dispatch"
    moved = ok(act(api, "command", case_id, "dispatch", department_code="water"))
    assert moved["department"] == "water"
    # The city-management handler no longer sees it: it is the water bureau's now.
    assert api("department", "get", f"/cases/{case_id}").status_code == 404


def test_extension_and_parking_need_approval(api, reported, session):
    _, case_id = reported
    ok(act(api, "command", case_id, "open"))
    ok(act(api, "command", case_id, "dispatch"))
    asked = ok(
        act(api, "department", case_id, "request_extension", note="需采购灯具", duration="2d")
    )
    assert asked["pending"] == "extension"
    refused = act(api, "department", case_id, "feedback", note="done")
    assert refused.status_code == 409 and "extension" in refused.json()["error"]["message"]
    before = session.get(Case, case_id).stage_deadline
    ok(act(api, "command", case_id, "approve_extension"))
    case = session.get(Case, case_id)
    assert case.stage_deadline > before and case.extension_count == 1 and case.pending is None
    ok(act(api, "department", case_id, "request_park", note="待道路改造统一处理"))
    ok(act(api, "command", case_id, "reject_park"))
    ok(act(api, "department", case_id, "request_park", note="待道路改造统一处理"))
    parked = ok(act(api, "command", case_id, "approve_park"))
    assert parked["state"] == "parked" and parked["stage"] is None
    assert ok(act(api, "command", case_id, "unpark"))["stage"] == "handle"


def test_duplicates_merge_and_every_reporter_follows_the_survivor(api, reported, inside, session):
    receipt, _ = reported
    body = {"category_code": "0107", "description": "同一盏路灯", "lon": inside.x, "lat": inside.y}
    public = api(None, "post", "/public/cases", json=body).json()
    # The citizen learns it may repeat a report, never the other report's receipt.
    assert public["possible_duplicate"] is True and public["duplicate_of"] is None
    second = api("command", "post", "/cases", json=body).json()
    assert second["duplicate_of"] == receipt
    second_id = session.scalars(select(Case.id).where(Case.receipt == second["receipt"])).one()
    assert ok(act(api, "command", second_id, "merge", into=receipt))["state"] == "merged"
    followed = api(None, "get", f"/receipts/{second['receipt']}").json()
    survivor = api(None, "get", f"/receipts/{receipt}").json()
    # The second reporter follows the surviving case under their own receipt: never the other
    # reporter's, which would let them rate a case they did not report.
    assert followed["receipt"] == second["receipt"] != receipt
    assert followed["state"] == survivor["state"] != "merged"
    assert followed["steps"] == survivor["steps"] and followed["reported_before"] is True


def test_a_void_needs_a_reason(api, reported):
    _, case_id = reported
    assert act(api, "command", case_id, "void").status_code == 422
    assert ok(act(api, "command", case_id, "void", note="重复举报"))["state"] == "voided"
    assert act(api, "command", case_id, "void", note="again").status_code == 409  # voided


def test_illegal_and_unauthorised_actions_are_refused_clearly(api, reported):
    _, case_id = reported
    illegal = api(
        "command", "post", f"/cases/{case_id}/transitions?lang=en", json={"action": "dispatch"}
    )
    assert illegal.status_code == 409  # the case's state does not allow it: a conflict
    assert illegal.json()["error"]["message"] == (
        "a case in state received cannot take the action dispatch"
    )
    forbidden = act(api, "gridworker", case_id, "dispatch")
    assert forbidden.status_code == 403


def test_scope_hides_other_grids_cases(api, reported, outside):
    _, mine = reported
    theirs = api(
        None,
        "post",
        "/public/cases",
        json={
            "category_code": "0107",
            "description": "别处路灯",
            "lon": outside.x,
            "lat": outside.y,
        },
    )
    assert theirs.status_code == 201
    listed = api("gridworker", "get", "/cases").json()
    assert {c["grid_code"] for c in listed["items"]} == {"210104002009001"}
    assert listed["total"] == len(listed["items"])
    other_id = next(
        c["id"]
        for c in api("command", "get", "/cases").json()["items"]
        if c["grid_code"] == "210104017012009"
    )
    assert api("gridworker", "get", f"/cases/{other_id}").status_code == 404
    assert api("street", "get", f"/cases/{other_id}").status_code == 404
    assert api("command", "get", f"/cases/{other_id}").status_code == 200
    assert api("gridworker", "get", f"/cases/{mine}").status_code == 200
    # The department handler sees only cases dispatched to their department.
    assert api("department", "get", "/cases").json()["total"] == 0  # nothing dispatched yet
    for case_id, department in ((mine, "urban_mgmt"), (other_id, "water")):
        ok(act(api, "command", case_id, "open"))
        ok(act(api, "command", case_id, "dispatch", department_code=department))
    handler = api("department", "get", "/cases").json()["items"]
    assert [c["id"] for c in handler] == [mine]


def test_evidence_must_really_be_an_image_or_pdf(api, reported):
    _, case_id = reported
    fake = api(
        "command",
        "post",
        f"/cases/{case_id}/evidence",
        files={"file": ("x.png", io.BytesIO(b"MZ\x90\x00 not an image"), "image/png")},
    )
    assert fake.status_code == 422 and "JPEG" in fake.text
