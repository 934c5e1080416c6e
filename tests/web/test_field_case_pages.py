"""The field worker's pages over HTTP: "my tasks", the task map and the staff case page, on the
demo district (each test's writes rolled back): who may open them, what they list and in
which order, the actions a role is offered in a state, and the action forms' answers.

The actions expected per role and state are written out here from the loop as SPEC §3 tells
it (who verifies, who dispatches, who handles, who supervises), not computed by the code that
offers them (cases/machine.allowed_actions).
"""

import json
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.audit.models import AuditRecord
from onegrid.cases.models import Case, Evidence
from onegrid.db.base import utcnow
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import TerritoryUnit
from tests.images import jpeg_with_gps, png
from tests.login_form import post_login

GRID = "210104002009001"  # the demo grid worker's grid (大北街道华炉社区)
OTHER_GRID = "210104017012009"  # a grid of another street
PASSWORD = "Onegrid-Demo-2026"
ROLES = ("gridworker", "community", "street", "department", "command", "leader")


Call = Callable[..., object]


@pytest.fixture
def as_user(web: TestClient, tokens: dict[str, str]) -> Call:
    """Requests as a demo user (bearer token): as_user("command", "get", "/tasks")."""

    def call(username: str | None, method: str, path: str, **kwargs):
        headers = {"Authorization": f"Bearer {tokens[username]}"} if username else {}
        headers |= kwargs.pop("headers", {})
        return web.request(method.upper(), path, headers=headers, **kwargs)

    return call


def point_in(session: Session, grid: str) -> tuple[float, float]:
    unit = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == grid)).one()
    point = from_wkb(unit.geometry).representative_point()
    return point.x, point.y


def new_case(session: Session, as_user: Call, grid: str = GRID, description="井盖缺失") -> Case:
    """A hotline case entered by the command centre at a point of the grid."""
    lon, lat = point_in(session, grid)
    body = {
        "category_code": "0107",
        "description": description,
        "lon": lon,
        "lat": lat,
        "channel": "hotline",
    }
    answer = as_user("command", "post", "/api/v1/cases", json=body)
    assert answer.status_code == 201, answer.text
    return session.scalars(select(Case).where(Case.receipt == answer.json()["receipt"])).one()


def act(as_user: Call, who: str, case: Case, action: str, note=None, **data) -> None:
    body = {"action": action, "note": note, "data": data}
    answer = as_user(who, "post", f"/api/v1/cases/{case.id}/transitions", json=body)
    assert answer.status_code == 200, answer.text


# How each state is reached from a new case, through the API, by whom.
ROAD = {
    "received": [],
    "verifying": [("command", "request_verify", None, {})],
    "opened": [("command", "open", None, {})],
    "dispatched": [
        ("command", "open", None, {}),
        ("command", "dispatch", None, {"department_code": "urban_mgmt"}),
    ],
    "handled": [
        ("command", "open", None, {}),
        ("command", "dispatch", None, {"department_code": "urban_mgmt"}),
        ("department", "feedback", "已修复", {}),
    ],
    "closed": [
        ("command", "open", None, {}),
        ("command", "dispatch", None, {"department_code": "urban_mgmt"}),
        ("department", "feedback", "已修复", {}),
        ("gridworker", "check_pass", None, {}),
    ],
}


def case_in(session: Session, as_user: Call, state: str, grid: str = GRID) -> Case:
    case = new_case(session, as_user, grid)
    for who, action, note, data in ROAD[state]:
        act(as_user, who, case, action, note, **data)
    assert case.state == state
    return case


# ---- the actions a role is offered, per state -------------------------------------------------
# (the field's forms, the other actions) — None: the role does not see the case at all.
V, C = ("verify",), ("check",)
EXPECTED: dict[str, dict[str, tuple[tuple[str, ...], set[str]] | None]] = {
    "received": {
        "gridworker": ((), set()),
        "community": ((), set()),
        "street": ((), {"supervise"}),
        "department": None,  # not dispatched to them
        "command": ((), {"request_verify", "open", "void", "merge", "supervise"}),
        "leader": ((), {"supervise"}),
    },
    "verifying": {
        "gridworker": (V, set()),
        "community": (V, set()),
        "street": ((), {"supervise"}),
        "department": None,
        "command": ((), {"void", "merge", "supervise"}),
        "leader": ((), {"supervise"}),
    },
    "opened": {
        "gridworker": ((), set()),
        "community": ((), set()),
        "street": ((), {"supervise"}),
        "department": None,
        "command": ((), {"dispatch", "supervise"}),
        "leader": ((), {"supervise"}),
    },
    "dispatched": {
        "gridworker": ((), set()),
        "community": ((), set()),
        "street": ((), {"supervise"}),
        "department": ((), {"return", "request_extension", "request_park", "feedback"}),
        "command": ((), {"supervise"}),
        "leader": ((), {"supervise"}),
    },
    "handled": {
        "gridworker": (C, set()),
        "community": (C, set()),
        "street": ((), {"supervise"}),
        "department": ((), set()),
        "command": ((), {"supervise"}),
        "leader": ((), {"supervise"}),
    },
    "closed": {
        "gridworker": ((), set()),
        "community": ((), set()),
        "street": ((), set()),
        "department": ((), set()),
        "command": ((), {"evaluate"}),  # the hotline's callback rates for the caller
        "leader": ((), set()),
    },
}
_FORM = re.compile(r'<form id="form-(\w+)"')


@pytest.mark.parametrize("state", list(EXPECTED))
def test_the_actions_offered_match_each_role_and_state(session, as_user, state):
    case = case_in(session, as_user, state)
    for role in ROLES:
        page = as_user(role, "get", f"/cases/{case.id}")
        expected = EXPECTED[state][role]
        if expected is None:
            assert page.status_code == 404, (role, state)
            continue
        assert page.status_code == 200, (role, state, page.text[:300])
        forms, others = expected
        # Every action has its form now: the field's two named as before, the others by action.
        assert set(_FORM.findall(page.text)) == set(forms) | others, (role, state)
        if not forms and not others:
            assert 'id="no-actions"' in page.text


def test_verify_form_offers_valid_and_invalid_and_check_form_pass_and_fail(session, as_user):
    verifying = as_user("gridworker", "get", f"/cases/{case_in(session, as_user, 'verifying').id}")
    assert re.findall(r'name="choice" value="(\w+)"', verifying.text) == [
        "verify_valid",
        "verify_invalid",
    ]
    assert "属实：问题存在" in verifying.text and "不属实：问题不存在" in verifying.text
    handled = as_user("community", "get", f"/cases/{case_in(session, as_user, 'handled').id}")
    assert re.findall(r'name="choice" value="(\w+)"', handled.text) == ["check_pass", "check_fail"]


# ---- access and scope ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/tasks", "/tasks/map"])
def test_tasks_pages_are_for_roles_that_verify(as_user, path):
    assert as_user("gridworker", "get", path).status_code == 200
    assert as_user("community", "get", path).status_code == 200
    for role in ("command", "street", "department", "leader"):
        refused = as_user(role, "get", path)
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == "当前角色无权执行此操作（需要 cases.verify）"
    anonymous = as_user(None, "get", path)
    assert anonymous.status_code == 401 and "error" in anonymous.json()


def test_a_browser_not_signed_in_is_sent_to_sign_in_and_back(web):
    answer = web.get("/tasks?tab=check", headers={"Accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/tasks%3Ftab%3Dcheck")


def test_another_grids_case_is_not_found_as_the_api_says(session, as_user):
    theirs = case_in(session, as_user, "verifying", grid=OTHER_GRID)
    page = as_user("gridworker", "get", f"/cases/{theirs.id}")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert f"没有案件 {theirs.id}" in page.text
    assert theirs.receipt not in page.text and "井盖缺失" not in page.text
    api = as_user("gridworker", "get", f"/api/v1/cases/{theirs.id}")
    assert api.status_code == 404 and api.json()["error"]["message"] == f"没有案件 {theirs.id}"
    # … and no action on it either, with no word of it.
    post = as_user(
        "gridworker",
        "post",
        f"/cases/{theirs.id}/actions",
        data={"choice": "verify_valid"},
        headers={"Accept": "application/json"},
    )
    assert post.status_code == 404 and post.json()["error"]["kind"] == "not_found"
    # Nor is a case that does not exist at all told apart.
    assert as_user("gridworker", "get", "/cases/99999999").status_code == 404


def test_the_case_page_in_english(session, as_user):
    case = case_in(session, as_user, "verifying")
    page = as_user("gridworker", "get", f"/cases/{case.id}?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    assert "Verify on site" in page.text and "Valid: the problem is there" in page.text
    assert "Being verified" in page.text  # the state, as web/case_display says it
    missing = as_user("gridworker", "get", "/cases/99999999?lang=en")
    assert "Case not found" in missing.text and "no case 99999999" in missing.text


# ---- my tasks -----------------------------------------------------------------------------


def _receipts(html: str) -> list[str]:
    return re.findall(r'<li class="case-card" data-receipt="([^"]+)"', html)


def test_tasks_list_waiting_cases_due_soonest_first_in_tabs(session, as_user):
    late = case_in(session, as_user, "verifying")
    soon = case_in(session, as_user, "verifying")
    check = case_in(session, as_user, "handled")
    case_in(session, as_user, "dispatched")  # waits for the department, not the worker
    theirs = case_in(session, as_user, "verifying", grid=OTHER_GRID)
    now = utcnow()
    late.stage_deadline = now + timedelta(days=3)
    soon.stage_deadline = now - timedelta(hours=2)  # overdue: the most urgent
    check.stage_deadline = now + timedelta(days=1)
    session.flush()

    all_tab = as_user("gridworker", "get", "/tasks")
    mine = [r for r in _receipts(all_tab.text) if r in {late.receipt, soon.receipt, check.receipt}]
    assert mine == [soon.receipt, check.receipt, late.receipt]
    assert theirs.receipt not in all_tab.text
    assert "剩余时间最少" in all_tab.text  # the page says how it is ordered
    tab_count = r'id="tab-(\w+)"[^>]*>\s*\S+ <span class="tabs__count" data-count="(\d+)"'
    counts = dict(re.findall(tab_count, all_tab.text))
    assert int(counts["all"]) == int(counts["verify"]) + int(counts["check"])
    assert int(counts["verify"]) >= 2 and int(counts["check"]) >= 1

    verify_tab = as_user("gridworker", "get", "/tasks?tab=verify")
    assert soon.receipt in verify_tab.text and check.receipt not in verify_tab.text
    check_tab = as_user("gridworker", "get", "/tasks?tab=check")
    assert check.receipt in check_tab.text and soon.receipt not in check_tab.text
    assert 'aria-current="page"' in check_tab.text.split('id="tab-check"')[1][:80]
    # Each card: its light and time left in working hours, and a link to its case.
    card = all_tab.text.split(f'data-receipt="{soon.receipt}"')[1].split("</li>")[0]
    assert 'data-light="red"' in card and "已超时" in card and "工作小时" in card
    assert f'href="/cases/{soon.receipt and soon.id}?lang=zh"' in card


def test_tasks_say_so_when_nothing_waits(as_user):
    page = as_user("gridworker", "get", "/tasks?tab=check")
    assert page.status_code == 200
    if 'data-receipt="' not in page.text:
        assert "没有等待您现场核查的案件" in page.text
    english = as_user("gridworker", "get", "/tasks?tab=check&lang=en")
    if 'data-receipt="' not in english.text:
        assert "No case is waiting for you to check." in english.text


def test_tasks_pages_through_a_long_list(session, as_user):
    for _ in range(21):
        new_case(session, as_user)
    received = select(Case).where(Case.grid_code == GRID, Case.state == "received")
    for case in session.scalars(received):
        case.state = "verifying"  # as request_verify leaves it, quicker
    session.flush()
    first = as_user("gridworker", "get", "/tasks?tab=verify")
    assert len(_receipts(first.text)) == 20
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = as_user("gridworker", "get", "/tasks?tab=verify&page=2")
    assert 1 <= len(_receipts(second.text)) <= 20 and 'rel="prev"' in second.text
    assert not set(_receipts(first.text)) & set(_receipts(second.text))
    assert as_user("gridworker", "get", "/tasks?tab=nonsense").status_code == 422
    assert as_user("gridworker", "get", "/tasks?page=0").status_code == 422


def test_task_map_hands_its_script_the_open_cases_of_the_scope(session, as_user):
    mine = case_in(session, as_user, "dispatched")
    closed = case_in(session, as_user, "closed")
    theirs = case_in(session, as_user, "verifying", grid=OTHER_GRID)
    page = as_user("gridworker", "get", "/tasks/map")
    block = r'<script id="onegrid-config" type="application/json">(.*?)</script>'
    config = json.loads(re.search(block, page.text).group(1))
    receipts = {c["receipt"] for c in config["cases"]}
    assert mine.receipt in receipts
    assert closed.receipt not in receipts and theirs.receipt not in receipts
    marker = next(c for c in config["cases"] if c["receipt"] == mine.receipt)
    assert marker["light"] in ("green", "yellow", "red")
    assert marker["href"] == f"/cases/{mine.id}?lang=zh"
    assert (marker["lon"], marker["lat"]) == (mine.lon, mine.lat)
    assert "reporter" not in json.dumps(config) and "井盖缺失" not in json.dumps(config)


# ---- the case page ------------------------------------------------------------------------


def test_case_page_shows_the_case_masked_and_escaped(session, as_user):
    lon, lat = point_in(session, GRID)
    body = {
        "category_code": "0107",
        "description": "<script>alert(1)</script> 请联系 13912345678",
        "lon": lon,
        "lat": lat,
        "channel": "hotline",
        "reporter_name": "张三丰",
        "reporter_phone": "13800138000",
    }
    receipt = as_user("command", "post", "/api/v1/cases", json=body).json()["receipt"]
    case = session.scalars(select(Case).where(Case.receipt == receipt)).one()
    page = as_user("gridworker", "get", f"/cases/{case.id}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "13912345678" not in page.text and "13800138000" not in page.text
    assert "138****8000" in page.text and "张三丰" not in page.text
    assert receipt in page.text and "已受理" in page.text
    assert 'id="case-map"' in page.text and 'id="timeline"' in page.text
    assert "问题已受理" in page.text  # the timeline's first step
    assert "区指挥中心 区指挥中心值班长" in page.text  # by whom: role and name, for staff


def test_reading_the_case_page_is_audited_as_the_apis_read(session, as_user):
    case = case_in(session, as_user, "verifying")
    assert as_user("gridworker", "get", f"/cases/{case.id}").status_code == 200
    records = session.scalars(
        select(AuditRecord).where(
            AuditRecord.action == "case.read", AuditRecord.object_id == str(case.id)
        )
    ).all()
    assert [r.actor for r in records] == ["gridworker"]


# ---- the action forms ---------------------------------------------------------------------


def _post(as_user: Call, who: str, case: Case, json_answer=True, files=None, **form):
    headers = {"Accept": "application/json"} if json_answer else {"Accept": "text/html"}
    return as_user(
        who,
        "post",
        f"/cases/{case.id}/actions",
        data=form,
        files=files or [],
        headers=headers,
        follow_redirects=False,
    )


def _evidence(session: Session, case: Case) -> list[Evidence]:
    return list(session.scalars(select(Evidence).where(Evidence.case_id == case.id)))


def test_verify_valid_with_a_note_and_a_photo(session, as_user):
    case = case_in(session, as_user, "verifying")
    photo = [("photos", ("site.jpg", jpeg_with_gps(), "image/jpeg"))]
    answer = _post(
        as_user,
        "gridworker",
        case,
        files=photo,
        choice="verify_valid",
        note="现场确有井盖缺失",
        version=str(case.version),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["redirect"] == f"/tasks?done={case.receipt}&lang=zh"
    session.refresh(case)
    assert case.state == "verified"
    (row,) = _evidence(session, case)
    assert row.event_id is not None and row.uploaded_by == "gridworker"
    timeline = as_user("gridworker", "get", f"/api/v1/cases/{case.id}/timeline").json()
    assert timeline[-1]["action"] == "verify" and timeline[-1]["data"] == {"valid": True}
    assert timeline[-1]["note"] == "现场确有井盖缺失"
    page = as_user("gridworker", "get", f"/cases/{case.id}")
    assert "核实结果：属实" in page.text
    assert f"/api/v1/cases/{case.id}/evidence/{row.id}" in page.text
    assert case.receipt not in _receipts(as_user("gridworker", "get", "/tasks").text)


def test_a_form_without_script_is_sent_back_to_my_tasks(session, as_user):
    case = case_in(session, as_user, "verifying")
    answer = _post(as_user, "gridworker", case, json_answer=False, choice="verify_invalid")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/tasks?done={case.receipt}&lang=zh"
    timeline = as_user("gridworker", "get", f"/api/v1/cases/{case.id}/timeline").json()
    assert timeline[-1]["data"] == {"valid": False}
    done = as_user("gridworker", "get", answer.headers["location"])
    assert f"已提交：{case.receipt}" in done.text


def test_check_pass_closes_and_check_fail_sends_back_with_its_reason(session, as_user):
    passed = case_in(session, as_user, "handled")
    photo = [("photos", ("after.png", png(), "image/png"))]
    answer = _post(as_user, "gridworker", passed, files=photo, choice="check_pass")
    assert answer.status_code == 200, answer.text
    session.refresh(passed)
    assert passed.state == "closed" and len(_evidence(session, passed)) == 1

    failed = case_in(session, as_user, "handled")
    refused = _post(as_user, "gridworker", failed, files=photo, choice="check_fail")
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "请说明返工原因"
    assert _evidence(session, failed) == []  # the photo went with the refusal
    answer = _post(as_user, "gridworker", failed, files=photo, choice="check_fail", note="仍有积水")
    assert answer.status_code == 200
    session.refresh(failed)
    assert failed.state == "dispatched" and failed.rework_count == 1


def test_a_refused_action_leaves_nothing_and_says_why(session, as_user):
    case = case_in(session, as_user, "verifying")
    photo = [("photos", ("site.png", png(), "image/png"))]
    wrong = _post(as_user, "gridworker", case, files=photo, choice="check_pass")
    assert wrong.status_code == 409
    assert wrong.json()["error"]["message"] == "案件处于“核实中”状态，不能执行 check_pass"
    not_photo = [("photos", ("site.jpg", b"not a photo at all", "image/jpeg"))]
    bad = _post(as_user, "gridworker", case, files=not_photo, choice="verify_valid")
    assert bad.status_code == 422
    assert bad.json()["error"]["message"] == "只接受 JPEG、PNG、WebP 图片或 PDF 文件"
    many = [("photos", (f"{n}.png", png(), "image/png")) for n in range(7)]
    too_many = _post(as_user, "gridworker", case, files=many, choice="verify_valid")
    assert too_many.status_code == 422 and "最多上传 6 张照片" in too_many.text
    no_choice = _post(as_user, "gridworker", case, choice="")
    assert no_choice.status_code == 422 and no_choice.json()["error"]["message"] == "请选择处理结果"
    forbidden = _post(as_user, "command", case, choice="verify_valid")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["message"] == "当前角色不能执行 verify"
    session.refresh(case)
    assert case.state == "verifying" and _evidence(session, case) == []


def test_a_case_changed_meanwhile_is_refused_with_a_reload(session, as_user):
    case = case_in(session, as_user, "verifying")
    seen = case.version
    case.escalation_level += 1  # meanwhile the sweep raised it, overdue: another version
    session.flush()
    assert case.version == seen + 1
    answer = _post(as_user, "gridworker", case, choice="verify_valid", version=str(seen))
    assert answer.status_code == 409
    assert answer.json()["error"]["message"] == "案件刚被他人更新，请刷新后重试"
    # Without the page's script: the page again, the reason, the note kept, a reload link.
    page = _post(
        as_user,
        "gridworker",
        case,
        json_answer=False,
        choice="verify_valid",
        note="现场已看过",
        version=str(seen),
    )
    assert page.status_code == 409 and page.headers["content-type"].startswith("text/html")
    assert "案件刚被他人更新，请刷新后重试" in page.text
    assert ">现场已看过</textarea>" in page.text
    assert 'value="verify_valid" required checked' in page.text
    assert f'href="/cases/{case.id}?lang=zh">重新加载</a>' in page.text
    session.refresh(case)
    assert case.state == "verifying"


def test_a_cookie_session_needs_the_forms_csrf_token(session, web, as_user):
    case = case_in(session, as_user, "verifying")
    data = {"username": "gridworker", "password": PASSWORD}
    answer = post_login(web, data=data, follow_redirects=False)
    assert answer.status_code == 303
    forged = web.post(f"/cases/{case.id}/actions", data={"choice": "verify_valid"}, files=[])
    assert forged.status_code == 403
    page = web.get(f"/cases/{case.id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    sent = web.post(
        f"/cases/{case.id}/actions",
        data={"choice": "verify_valid", "csrf_token": token},
        files=[],
        follow_redirects=False,
    )
    assert sent.status_code == 303


# ---- signing in ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "next_page", "lands"),
    [
        ("gridworker", None, "/tasks"),
        ("community", None, "/tasks"),
        ("command", None, "/console"),  # the command centre: its console
        ("street", None, "/area"),  # a street office starts on its area's cases
        ("gridworker", "/cases/5?lang=en", "/cases/5?lang=en"),
    ],
)
def test_field_workers_start_at_their_tasks(web, username, next_page, lands):
    data = {"username": username, "password": PASSWORD}
    if next_page:
        data["next"] = next_page
    answer = post_login(web, data=data, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == lands


def test_the_navigation_links_to_my_tasks_for_those_who_verify(as_user):
    assert 'id="nav-tasks"' in as_user("gridworker", "get", "/tasks").text
    assert 'id="nav-tasks"' not in as_user("command", "get", "/").text
