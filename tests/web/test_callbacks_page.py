"""/callbacks: the hotline's callback list for the command centre: closed 12345 calls whose
caller wants a call back and has not rated yet, oldest closed first, callers masked; the rating
entered on the caller's behalf takes the case out. TestClient on the demo district."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from onegrid.audit.models import AuditRecord
from onegrid.cases.machine import Action
from onegrid.db.base import utcnow
from onegrid.web.pages import callbacks as page
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in, report
from tests.cases.driving import CALLER_NAME, CALLER_PHONE, act, drive_to_handled
from tests.sheets import csv_rows, xlsx_sheets


@pytest.fixture
def as_user(tokens):
    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


def waiting_call(session, grid=WORKER_GRID, *, closed_in=0, callback=True, category="0107"):
    """A 12345 call taken to closed `closed_in` minutes from now, its caller named and phoned."""
    case = report(
        session,
        point_in(session, grid),
        category=category,
        reporter_name=CALLER_NAME,
        reporter_phone=CALLER_PHONE,
        callback_wanted=callback,
    )
    drive_to_handled(session, case, supervise=False)
    act(
        session,
        case,
        "gridworker",
        Action.CHECK_PASS,
        now=utcnow() + timedelta(minutes=closed_in),
    )
    return case


def _rows(html: str) -> list[str]:
    return re.findall(r'data-receipt="([^"]+)"', html)


def test_the_operator_sees_who_waits_masked_oldest_closed_first(web, session, as_user):
    later = waiting_call(session, closed_in=20)
    earlier = waiting_call(session, OTHER_GRID, closed_in=5, category="0108")
    waiting_call(session, category="0109", callback=False)  # no call back wanted
    html = web.get("/callbacks", headers=as_user("command")).text
    assert _rows(html) == [earlier.receipt, later.receipt]
    assert "2 位来电人等待回访" in html
    assert html.count("王**") == 2 and html.count("139****5678") == 2
    assert CALLER_PHONE not in html and CALLER_NAME not in html
    assert '<span class="callback__category">路灯杆体损坏</span>' in html
    closed = (earlier.closed_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f">{closed}</time>" in html  # Shanghai time
    assert 'id="nav-callbacks"' in html and 'aria-current="page"' in html
    english = web.get("/callbacks?lang=en", headers=as_user("command")).text
    assert "2 callers waiting for a call" in english and "Street light pole damaged" in english


def test_nobody_waiting_is_said_plainly(web, session, as_user):
    waiting_call(session, callback=False)
    html = web.get("/callbacks", headers=as_user("command")).text
    assert _rows(html) == [] and "目前没有等待回访的来电。" in html
    assert 'id="callbacks-empty" hidden' not in html
    english = web.get("/callbacks?lang=en", headers=as_user("command")).text
    assert "Nobody is waiting for a call back." in english


def test_the_list_is_paged(web, session, as_user, monkeypatch):
    monkeypatch.setattr(page, "PAGE_SIZE", 2)
    calls = [waiting_call(session, closed_in=n, category=c) for n, c in ((1, "0107"), (2, "0108"))]
    calls.append(waiting_call(session, closed_in=3, category="0109"))
    first = web.get("/callbacks", headers=as_user("command")).text
    assert _rows(first) == [c.receipt for c in calls[:2]]
    assert "第 1–2 条，共 3 条" in first and 'href="/callbacks?page=2&amp;lang=zh"' in first
    second = web.get("/callbacks?page=2", headers=as_user("command")).text
    assert _rows(second) == [calls[2].receipt] and 'rel="prev"' in second
    past = web.get("/callbacks?page=9", headers=as_user("command"), follow_redirects=False)
    assert past.status_code == 303 and past.headers["location"] == "/callbacks?lang=zh"


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_list_exports_every_caller_masked(web, session, as_user, monkeypatch, format):
    monkeypatch.setattr(page, "PAGE_SIZE", 1)  # the page shows one
    monkeypatch.setattr(page, "_BATCH", 2)  # the export reads two at a time
    calls = [waiting_call(session, closed_in=n, category="0107") for n in (3, 1, 2)]
    waiting_call(session, category="0109", callback=False)  # no call back wanted
    first = web.get("/callbacks", headers=as_user("command")).text
    assert f'href="/callbacks/export.{format}?lang=zh"' in first
    answer = web.get(f"/callbacks/export.{format}?lang=en", headers=as_user("command"))
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    if format == "csv":
        header, *rows = csv_rows(answer.content)
    else:
        header, *rows = xlsx_sheets(answer.content)["callbacks"]
    assert header == [
        "receipt",
        "category",
        "description (masked)",
        "closed at",
        "caller (masked)",
        "phone (masked)",
    ]
    # Every caller of every page, oldest closed first, as the list masks them.
    assert [row[0] for row in rows] == [calls[i].receipt for i in (1, 2, 0)]
    assert {(row[1], row[4], row[5]) for row in rows} == {
        ("Street light out", "王**", "139****5678")
    }
    closed = (calls[1].closed_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[0][3] == closed  # Shanghai time
    assert CALLER_PHONE.encode() not in answer.content
    records = session.scalars(select(AuditRecord).where(AuditRecord.action == "case.export"))
    [detail] = [json.loads(r.detail) for r in records]
    assert detail["query"] == {"page": "callbacks"} and detail["count"] == 3
    for role in ("street", "department", "leader"):
        assert web.get(f"/callbacks/export.{format}", headers=as_user(role)).status_code == 403


def test_only_the_command_centre_opens_the_list(web, as_user):
    browser = web.get("/callbacks", headers={"Accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and "/login?next=/callbacks" in browser.headers["location"]
    for username in ("gridworker", "community", "street", "department", "leader"):
        response = web.get("/callbacks", headers=as_user(username))
        assert response.status_code == 403, username
        assert set(response.json()) == {"error"} and "cases.command" in response.text
    home = web.get("/", headers=as_user("leader")).text
    assert 'id="nav-callbacks"' not in home


def test_the_callers_rating_entered_by_the_operator_takes_the_call_out(web, session, as_user):
    call = waiting_call(session)
    other = waiting_call(session, category="0108")
    response = web.post(
        f"/api/v1/cases/{call.id}/transitions",
        headers=as_user("command"),
        json={"action": "evaluate", "note": "来电人表示满意", "data": {"rating": 4}},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["state"], response.json()["rating"]) == ("evaluated", 4)
    assert _rows(web.get("/callbacks", headers=as_user("command")).text) == [other.receipt]


def test_the_callers_phone_is_revealed_for_a_purpose_and_logged(web, session, as_user):
    call = waiting_call(session)
    body = {"object_type": "case", "object_id": call.id, "field": "reporter_phone"}
    response = web.post(
        "/api/v1/pii/reveal",
        headers=as_user("command"),
        json={**body, "purpose": "电话回访来电人，记录其评价"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["value"] == CALLER_PHONE
    web.get("/callbacks", headers=as_user("command"))
    actions = session.scalars(
        select(AuditRecord.action).where(AuditRecord.action.in_(["pii.reveal", "case.callbacks"]))
    ).all()
    assert {"pii.reveal", "case.callbacks"} <= set(actions)
