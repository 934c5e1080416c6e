"""The office's case page over HTTP, on the demo district (each test's writes rolled back): the
form of each action (category picker, the routing table's proposal, merge from the cases
nearby, the department's return, extension and park, the rating), their refusals (a reason
missing, a bad category, the wrong role, a state that does not allow it), and bulk actions
with an answer per case.

What a form should pre-select is written out from the demo's data (DEMO_RULES: 占道经营 in
大北街道 goes to 市场监管, in its 华炉社区 to 城管), not read from the code that proposes it.
"""

import re
from datetime import timedelta

from sqlalchemy import func, select

from onegrid.audit.models import AuditRecord
from onegrid.cases.models import Case, CaseEvent
from onegrid.territory.models import Department, TerritoryUnit
from tests.images import png
from tests.web import test_field_case_pages as field
from tests.web.test_field_case_pages import GRID, case_in, new_case, point_in

as_user = field.as_user  # the fixture: requests as a demo user


def _post(as_user, who, case, lang="zh", files=None, **form):
    return as_user(
        who,
        "post",
        f"/cases/{case.id}/actions?lang={lang}",
        data=form,
        files=files or [],
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def _selected(html: str, name: str) -> str | None:
    select_ = re.search(rf'<select id="{name}-\w+"[^>]*name="{name}".*?</select>', html, re.S)
    assert select_, name
    found = re.search(r'<option value="([^"]+)" selected', select_.group(0))
    return found.group(1) if found else None


def _events(session, case) -> list[str]:
    rows = session.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id))
    return list(rows)


def _vending_case(session, as_user, grid: str):
    """A 占道经营 (E0501) report in this grid, entered by the command centre and opened."""
    lon, lat = point_in(session, grid)
    body = {"category_code": "E0501", "description": "路边摆摊占道", "lon": lon, "lat": lat}
    answer = as_user("command", "post", "/api/v1/cases", json={**body, "channel": "hotline"})
    assert answer.status_code == 201, answer.text
    case = session.scalars(select(Case).where(Case.receipt == answer.json()["receipt"])).one()
    as_user(
        "command", "post", f"/api/v1/cases/{case.id}/transitions", json={"action": "open"}
    ).raise_for_status()
    return case


# ---- the command centre's forms -----------------------------------------------------------


def test_open_with_another_category_and_a_bad_one_refused(session, as_user):
    case = case_in(session, as_user, "received")
    page = as_user("command", "get", f"/cases/{case.id}")
    assert _selected(page.text, "category_code") == "0107"  # the reported one, to confirm
    assert "0108" in page.text and "路灯杆体损坏" in page.text

    bad = _post(as_user, "command", case, choice="open", category_code="9999")
    assert bad.status_code == 422
    assert "案件类别 9999 不存在或已停用" in bad.text
    assert 'id="form-open"' in bad.text and 'aria-invalid="true"' in bad.text
    session.refresh(case)
    assert case.state == "received" and case.category_code == "0107"

    done = _post(as_user, "command", case, choice="open", category_code="0108")
    assert done.status_code == 303
    assert done.headers["location"] == f"/cases/{case.id}?done=open&lang=zh"
    session.refresh(case)
    assert (case.state, case.category_code) == ("opened", "0108")
    after = as_user("command", "get", done.headers["location"])
    assert "已完成：立案" in after.text


def test_dispatch_preselects_the_routing_tables_department(session, as_user):
    community = _vending_case(session, as_user, GRID)  # 华炉社区: its own rule, 城管
    page = as_user("command", "get", f"/cases/{community.id}")
    assert _selected(page.text, "department_code") == "urban_mgmt"
    street_grid = session.scalars(
        select(TerritoryUnit.code)
        .where(TerritoryUnit.code.like("210104002%"), ~TerritoryUnit.code.like("210104002009%"))
        .where(func.length(TerritoryUnit.code) == 15)
        .order_by(TerritoryUnit.code)
    ).first()
    street = _vending_case(session, as_user, street_grid)  # elsewhere in 大北街道: 市场监管
    page = as_user("command", "get", f"/cases/{street.id}")
    assert _selected(page.text, "department_code") == "market"
    assert "（按派遣规则）" in page.text

    # Sent as pre-selected; or to another department the dispatcher picks.
    assert (
        _post(as_user, "command", street, choice="dispatch", department_code="market").status_code
        == 303
    )
    assert (
        _post(as_user, "command", community, choice="dispatch", department_code="water").status_code
        == 303
    )
    for case, code in ((street, "market"), (community, "water")):
        session.refresh(case)
        assert case.state == "dispatched"
        assert session.get(Department, case.department_id).code == code


def test_void_needs_its_reason(session, as_user):
    case = case_in(session, as_user, "received")
    refused = _post(as_user, "command", case, choice="void", note="  ")
    assert refused.status_code == 422
    assert "请说明作废原因" in refused.text and 'id="error-void"' in refused.text
    session.refresh(case)
    assert case.state == "received"
    english = _post(as_user, "command", case, lang="en", choice="void")
    assert "give the reason for voiding in the note" in english.text
    assert _post(as_user, "command", case, choice="void", note="重复报告").status_code == 303
    session.refresh(case)
    assert case.state == "voided"


def test_merge_into_a_case_nearby(session, as_user):
    first = new_case(session, as_user, description="路灯不亮一")
    second = new_case(session, as_user, description="路灯不亮二")  # same grid, same category
    page = as_user("command", "get", f"/cases/{second.id}")
    nearby = page.text.split('id="case-nearby"')[1].split("</section>")[0]
    assert f'data-receipt="{first.receipt}"' in nearby
    assert f'value="{first.receipt}"' in page.text.split('id="form-merge"')[1]  # pre-filled

    unknown = _post(as_user, "command", second, choice="merge", into="AAAA-BBBB-CCCC")
    assert unknown.status_code == 422 and "要并入的案件不存在" in unknown.text
    done = _post(as_user, "command", second, choice="merge", into=first.receipt.lower())
    assert done.status_code == 303
    session.refresh(second)
    assert second.state == "merged" and second.merged_into_id == first.id


def test_a_case_far_away_is_not_nearby(session, as_user):
    here = new_case(session, as_user)
    there = new_case(session, as_user, grid="210104017012009")
    page = as_user("command", "get", f"/cases/{here.id}")
    nearby = page.text.split('id="case-nearby"')[1].split("</section>")[0]
    assert there.receipt not in nearby


# ---- the department's forms and the approvals -------------------------------------------


def test_return_extension_and_park_round(session, as_user):
    case = case_in(session, as_user, "dispatched")
    page = as_user("department", "get", f"/cases/{case.id}")
    forms = set(re.findall(r'<form id="form-(\w+)"', page.text))
    assert forms == {"return", "request_extension", "request_park", "feedback"}

    assert _post(as_user, "department", case, choice="return").status_code == 422
    assert (
        _post(as_user, "department", case, choice="return", note="不属本部门职责").status_code
        == 303
    )
    session.refresh(case)
    assert case.state == "returned" and case.return_count == 1
    assert (
        _post(as_user, "command", case, choice="dispatch", department_code="urban_mgmt").status_code
        == 303
    )

    deadline = case.stage_deadline
    asked = _post(
        as_user, "department", case, choice="request_extension", duration="2d", note="需采购灯具"
    )
    assert asked.status_code == 303
    session.refresh(case)
    assert case.pending == "extension"
    decide = as_user("command", "get", f"/cases/{case.id}")
    assert re.findall(r'name="choice" value="(\w+)"', decide.text.split('id="form-extension"')[1])[
        :2
    ] == [
        "approve_extension",
        "reject_extension",
    ]
    assert _post(as_user, "command", case, choice="approve_extension").status_code == 303
    session.refresh(case)
    assert case.pending is None and case.extension_count == 1
    assert case.stage_deadline - deadline >= timedelta(days=2)  # two working days later

    assert (
        _post(as_user, "department", case, choice="request_park", note="待道路施工结束").status_code
        == 303
    )
    assert _post(as_user, "command", case, choice="approve_park").status_code == 303
    session.refresh(case)
    assert case.state == "parked"
    assert 'id="form-unpark"' in as_user("command", "get", f"/cases/{case.id}").text
    assert _post(as_user, "command", case, choice="unpark").status_code == 303
    session.refresh(case)
    assert case.state == "dispatched"


def test_a_bad_duration_is_refused_naming_it(session, as_user):
    case = case_in(session, as_user, "dispatched")
    bad = _post(
        as_user, "department", case, choice="request_extension", duration="2y", note="需采购"
    )
    assert bad.status_code == 422 and "延期时长无效" in bad.text
    assert (
        'id="duration-request_extension" class="field" name="duration" required aria-invalid="true"'
        in bad.text
    )


def test_feedback_with_a_photo_then_the_callers_rating(session, as_user):
    case = case_in(session, as_user, "dispatched")
    photo = [("photos", ("after.png", png(), "image/png"))]
    assert _post(as_user, "department", case, files=photo, choice="feedback").status_code == 422
    done = _post(as_user, "department", case, files=photo, choice="feedback", note="已更换灯泡")
    assert done.status_code == 303
    session.refresh(case)
    assert case.state == "handled"
    as_user(
        "gridworker", "post", f"/api/v1/cases/{case.id}/transitions", json={"action": "check_pass"}
    )
    session.refresh(case)
    assert case.state == "closed"
    assert _post(as_user, "command", case, choice="evaluate", rating="9").status_code == 422
    assert (
        _post(as_user, "command", case, choice="evaluate", rating="4", note="满意").status_code
        == 303
    )
    session.refresh(case)
    assert (case.state, case.rating) == ("evaluated", 4)


def test_supervise_needs_a_note(session, as_user):
    case = case_in(session, as_user, "dispatched")
    refused = _post(as_user, "street", case, choice="supervise")
    assert refused.status_code == 422 and "请填写督办意见" in refused.text
    assert _post(as_user, "street", case, choice="supervise", note="请尽快处置").status_code == 303
    assert _events(session, case)[-1] == "supervise"


# ---- refusals: role and state --------------------------------------------------------------


def test_the_wrong_role_gets_the_403_page(session, as_user):
    case = case_in(session, as_user, "dispatched")
    refused = _post(as_user, "department", case, choice="dispatch", department_code="water")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "当前角色不能执行 dispatch" in refused.text
    session.refresh(case)
    assert session.get(Department, case.department_id).code == "urban_mgmt"


def test_a_state_that_does_not_allow_it_says_so(session, as_user):
    case = case_in(session, as_user, "dispatched")
    refused = _post(as_user, "command", case, choice="open")
    assert refused.status_code == 409
    assert "案件处于“处置中”状态，不能执行 open" in refused.text
    english = _post(as_user, "command", case, lang="en", choice="open")
    assert "a case in state dispatched cannot take the action open" in english.text
    assert _events(session, case).count("open") == 1


def test_the_reporters_phone_is_masked_and_offered_to_reveal(session, as_user):
    lon, lat = point_in(session, GRID)
    body = {
        "category_code": "0107",
        "description": "路灯不亮",
        "lon": lon,
        "lat": lat,
        "channel": "hotline",
        "reporter_phone": "13800138000",
    }
    receipt = as_user("command", "post", "/api/v1/cases", json=body).json()["receipt"]
    case = session.scalars(select(Case).where(Case.receipt == receipt)).one()
    command = as_user("command", "get", f"/cases/{case.id}")
    assert "138****8000" in command.text and "13800138000" not in command.text
    assert 'id="reveal-phone"' in command.text
    department = as_user("leader", "get", f"/cases/{case.id}")  # no pii.reveal
    assert "138****8000" in department.text and 'id="reveal-phone"' not in department.text


# ---- bulk ----------------------------------------------------------------------------------


def _bulk(as_user, who="command", lang="zh", **body):
    return as_user(who, "post", f"/api/v1/cases/bulk?lang={lang}", json=body)


def test_bulk_void_answers_each_case_and_one_refused_keeps_the_others(session, as_user):
    a = case_in(session, as_user, "received")
    b = case_in(session, as_user, "dispatched")  # cannot be voided any more
    c = case_in(session, as_user, "verifying")
    answer = _bulk(as_user, action="void", note="重复报告", case_ids=[a.id, b.id, c.id, 99999999])
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True, False]
    assert [r["state"] for r in results] == ["voided", None, "voided", None]
    assert results[1]["error"]["kind"] == "conflict"
    assert results[1]["error"]["message"] == "案件处于“处置中”状态，不能执行 void"
    assert results[3]["error"]["message"] == "没有案件 99999999" and results[3]["receipt"] is None
    assert answer.json()["taken"] == 2 and answer.json()["refused"] == 2
    for case, state in ((a, "voided"), (b, "dispatched"), (c, "voided")):
        session.refresh(case)
        assert case.state == state
    audited = session.scalars(
        select(AuditRecord.object_id).where(
            AuditRecord.action == "case.void",
            AuditRecord.object_id.in_([a.receipt, b.receipt, c.receipt]),
        )
    ).all()
    assert sorted(audited) == sorted([a.receipt, c.receipt])
    english = _bulk(as_user, lang="en", action="void", note="dup", case_ids=[b.id])
    assert english.json()["results"][0]["error"]["message"].startswith("a case in state dispatched")


def test_bulk_refusals_before_any_case(session, as_user):
    case = case_in(session, as_user, "received")
    assert _bulk(as_user, action="void", case_ids=[case.id]).status_code == 422  # no reason
    assert _bulk(as_user, action="merge", case_ids=[case.id]).status_code == 422  # no target
    assert _bulk(as_user, action="open", case_ids=[case.id]).status_code == 422
    too_many = _bulk(as_user, action="void", note="重复", case_ids=list(range(1, 202)))
    assert too_many.status_code == 422 and "case_ids" in too_many.text
    assert (
        _bulk(as_user, who="department", action="void", note="x", case_ids=[case.id]).status_code
        == 403
    )
    session.refresh(case)
    assert case.state == "received"


def test_bulk_dispatch_takes_each_cases_routing_proposal(session, as_user):
    street_grid = session.scalars(
        select(TerritoryUnit.code)
        .where(TerritoryUnit.code.like("210104002%"), ~TerritoryUnit.code.like("210104002009%"))
        .where(func.length(TerritoryUnit.code) == 15)
        .order_by(TerritoryUnit.code)
    ).first()
    community = _vending_case(session, as_user, GRID)
    street = _vending_case(session, as_user, street_grid)
    answer = _bulk(as_user, action="dispatch", case_ids=[community.id, street.id])
    assert [r["ok"] for r in answer.json()["results"]] == [True, True]
    for case, code in ((community, "urban_mgmt"), (street, "market")):
        session.refresh(case)
        assert session.get(Department, case.department_id).code == code


def test_bulk_merge_and_the_console_result_page(session, as_user):
    target = new_case(session, as_user)
    dup1, dup2 = new_case(session, as_user), case_in(session, as_user, "dispatched")
    page = as_user(
        "command",
        "post",
        "/console/bulk",
        data={"action": "merge", "into": target.receipt, "case": [str(dup1.id), str(dup2.id)]},
        headers={"Accept": "text/html"},
    )
    assert page.status_code == 200
    assert "合并：1 件已办理，1 件未办理。" in page.text
    rows = re.findall(r'<tr data-case="(\d+)" data-ok="(\w+)">(.*?)</tr>', page.text, re.S)
    assert [(int(i), ok) for i, ok, _ in rows] == [(dup1.id, "true"), (dup2.id, "false")]
    assert "已合并" in rows[0][2] and "不能执行 merge" in rows[1][2]
    assert f'href="/cases/{dup1.id}?lang=zh">{dup1.receipt}</a>' in rows[0][2]
    session.refresh(dup1)
    assert dup1.merged_into_id == target.id
    bad = as_user(
        "command",
        "post",
        "/console/bulk",
        data={"action": "void", "case": [str(target.id)]},
        headers={"Accept": "text/html"},
    )
    assert bad.status_code == 422 and "“note”的值无效" in bad.text
