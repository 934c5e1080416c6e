"""The three administrators' pages: each form valid and refused (the field's error in the user's
language, nothing saved), every change audited, and separation of duties on every page.
TestClient on the demo district, as the demo's security, system and audit admins."""

import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from onegrid.accounts.models import SignInThrottle, User
from onegrid.audit.models import AuditRecord
from onegrid.core.workcalendar import declare_days, get_calendar
from onegrid.db.base import utcnow
from onegrid.routing.models import CalendarDay, Category, RoutingRule
from tests.audit.conftest import _tamper
from tests.cases.conftest import OTHER_GRID, WORKER_GRID, point_in, report
from tests.login_form import post_login
from tests.sheets import csv_rows, xlsx_sheets

ADMIN_PAGES = {
    "secadmin": ["/admin/users", "/admin/users/new", "/admin/users/leader", "/admin/locks"],
    "sysadmin": [
        "/admin/categories",
        "/admin/categories/0107",
        "/admin/routing",
        "/admin/calendar",
    ],
    "auditadmin": ["/admin/audit", "/admin/audit/verify"],
}
PASSWORD = "Lantern-Walk-2026-x"


@pytest.fixture
def as_user(tokens):
    def headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[username]}", "Accept": "text/html"}

    return headers


def _audits(session, action: str) -> list[AuditRecord]:
    query = select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
    return list(session.scalars(query))


@pytest.mark.parametrize(
    ("username", "lands"),
    [
        ("secadmin", "/admin/users"),
        ("sysadmin", "/admin/categories"),
        ("auditadmin", "/admin/audit"),
    ],
)
def test_each_admin_starts_on_their_own_page(web, username, lands):
    data = {"username": username, "password": "Onegrid-Demo-2026"}
    answer = post_login(web, data=data, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == lands


# ---- separation of duties ------------------------------------------------------------------


@pytest.mark.parametrize("admin", sorted(ADMIN_PAGES))
@pytest.mark.parametrize("owner", sorted(ADMIN_PAGES))
def test_each_admin_reaches_only_their_own_pages(web, as_user, admin, owner):
    for path in ADMIN_PAGES[owner]:
        page = web.get(path, headers=as_user(admin))
        if admin == owner:
            assert page.status_code == 200, (path, page.text[:300])
        else:
            assert page.status_code == 403, (admin, path)
            assert page.headers["content-type"].startswith("text/html")
            assert "当前角色无权" in page.text


@pytest.mark.parametrize("username", ["command", "leader", "gridworker", "department"])
def test_no_other_role_reaches_an_admin_page(web, as_user, username):
    for paths in ADMIN_PAGES.values():
        for path in paths:
            assert web.get(path, headers=as_user(username)).status_code == 403, (username, path)


@pytest.mark.parametrize("admin", sorted(ADMIN_PAGES))
def test_no_admin_sees_a_case(web, as_user, admin, session):
    case = report(session, point_in(session, WORKER_GRID), reporter_phone="13912345678")
    assert web.get(f"/cases/{case.id}", headers=as_user(admin)).status_code == 403
    assert web.get(f"/api/v1/cases/{case.id}", headers=as_user(admin)).status_code == 403


def test_each_admin_sees_their_own_links_only(web, as_user):
    links = {
        "secadmin": ("nav-users", "nav-locks"),
        "sysadmin": ("nav-categories", "nav-routing", "nav-calendar"),
        "auditadmin": ("nav-audit",),
    }
    every = {link for own in links.values() for link in own}
    for admin, own in links.items():
        html = web.get(ADMIN_PAGES[admin][0], headers=as_user(admin)).text
        shown = {link for link in every if f'id="{link}"' in html}
        assert shown == set(own), admin


# ---- the security admin: users ------------------------------------------------------------


def _secret(html: str) -> str | None:
    found = re.search(r'<output class="secret__value">([^<]+)</output>', html)
    return found and found.group(1)


def _error(html: str, field: str) -> str:
    found = re.search(rf'<p id="{field}-error" class="field-error" role="alert">([^<]+)</p>', html)
    assert found, f"no error under {field}"
    return found.group(1)


def _user(session, username):
    return session.scalars(select(User).where(User.username == username)).first()


def test_the_security_admin_creates_a_user_and_sees_the_password_once(web, as_user, session):
    form = {"username": "new.worker", "display_name": "新网格员", "role": "grid_worker"}
    page = web.post("/admin/users", data=form | {"scope": OTHER_GRID}, headers=as_user("secadmin"))
    assert page.status_code == 200, page.text[:500]
    temporary = _secret(page.text)
    assert temporary and len(temporary) == 16
    assert "已创建用户" in page.text and "须在下次登录时修改密码" in page.text
    user = _user(session, "new.worker")
    assert user.role == "grid_worker" and [s.unit_code for s in user.scopes] == [OTHER_GRID]
    assert user.must_change_password and temporary not in user.password_hash
    [record] = _audits(session, "user.create")
    assert record.actor == "secadmin" and record.object_id == "new.worker"
    assert temporary not in (record.detail or "")
    again = web.get("/admin/users/new.worker", headers=as_user("secadmin"))
    assert _secret(again.text) is None  # shown once, never again
    listed = web.get("/admin/users?q=new.&role=grid_worker", headers=as_user("secadmin")).text
    assert re.findall(r'data-username="([^"]+)"', listed) == ["new.worker"]
    street = web.get("/admin/users?scope=210104017", headers=as_user("secadmin")).text
    assert "new.worker" in re.findall(r'data-username="([^"]+)"', street)
    assert "gridworker" not in re.findall(r'data-username="([^"]+)"', street)  # 大北街道's


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_user_list_exports_what_it_shows(web, as_user, session, format):
    headers = as_user("secadmin")
    page = web.get("/admin/users?scope=210104002", headers=headers).text
    shown = re.findall(r'<tr data-username="([^"]+)"', page)
    assert shown and f'href="/admin/users/export.{format}?lang=zh&amp;scope=210104002"' in page
    answer = web.get(f"/admin/users/export.{format}?scope=210104002&lang=en", headers=headers)
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    if format == "csv":
        header, *rows = csv_rows(answer.content)
    else:
        header, *rows = xlsx_sheets(answer.content)["users"]
    assert header == [
        "Username",
        "Name",
        "Role",
        "Scope",
        "Department",
        "active (1 yes, 0 no)",
        "sign-in locked (1 yes, 0 no)",
    ]
    assert [row[0] for row in rows] == shown
    street = next(row for row in rows if row[0] == "street")
    assert street[2] == "street office" and street[3] == "210104002" and street[5] == "1"
    [export] = _audits(session, "user.export")
    detail = json.loads(export.detail)
    assert detail["query"] == {"scope": "210104002"} and detail["count"] == len(shown)
    assert (
        web.get(f"/admin/users/export.{format}", headers=as_user("auditadmin")).status_code == 403
    )


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"username": "bad name", "role": "leader"}, "username", "用户名只能包含字母"),
        ({"username": "leader", "role": "leader"}, "username", "用户名 leader 已被使用"),
        ({"username": "x.audit", "role": "audit_admin"}, "role", "请选择可由本页管理的角色"),
        ({"username": "x.grid", "role": "grid_worker", "scope": "210104002"}, "scope", "辖区"),
        ({"username": "x.grid", "role": "grid_worker"}, "scope", "需要指定 15 位代码"),
        ({"username": "x.dept", "role": "department_handler"}, "department", "部门处置人员须"),
        ({"username": "x.weak", "role": "leader", "password": "Admin@123456"}, "password", "密码"),
    ],
)
def test_a_refused_user_comes_back_with_the_fields_error(
    web, as_user, session, form, field, message
):
    page = web.post("/admin/users", data=form, headers=as_user("secadmin"))
    assert page.status_code in (409, 422), page.text[:300]
    assert message in _error(page.text, field)
    assert f'value="{form["username"]}"' in page.text  # what was typed is kept
    assert _user(session, form["username"]) is None or form["username"] == "leader"
    assert _audits(session, "user.create") == []


def test_the_refusal_speaks_english_too(web, as_user):
    form = {"username": "bad name", "role": "leader"}
    page = web.post("/admin/users?lang=en", data=form, headers=as_user("secadmin"))
    assert "a username may hold only letters" in _error(page.text, "username")


def test_role_scope_disable_enable_and_reset(web, as_user, session):
    headers = as_user("secadmin")
    moved = web.post(
        "/admin/users/leader/role",
        data={"role": "street_office", "scope": "210104002"},
        headers=headers,
        follow_redirects=False,
    )
    assert moved.status_code == 303
    user = _user(session, "leader")
    assert user.role == "street_office" and [s.unit_code for s in user.scopes] == ["210104002"]
    assert "已保存角色和辖区" in web.get(moved.headers["location"], headers=headers).text
    refused = web.post(
        "/admin/users/leader/role", data={"role": "grid_worker", "scope": "2101"}, headers=headers
    )
    assert refused.status_code == 422 and "辖区" in _error(refused.text, "scope")
    assert _user(session, "leader").role == "street_office"
    off = web.post("/admin/users/leader/active", data={"active": "false"}, headers=headers)
    assert off.status_code == 200 and "已停用" in off.text
    assert not _user(session, "leader").is_active
    web.post("/admin/users/leader/active", data={"active": "true"}, headers=headers)
    assert _user(session, "leader").is_active
    reset = web.post("/admin/users/leader/password", data={"password": ""}, headers=headers)
    assert reset.status_code == 200 and _secret(reset.text)
    assert _user(session, "leader").must_change_password
    weak = web.post(
        "/admin/users/leader/password", data={"password": "12345678901234"}, headers=headers
    )
    assert weak.status_code == 422 and "数字" in _error(weak.text, "password")
    actions = [
        r.action
        for r in session.scalars(select(AuditRecord).where(AuditRecord.actor == "secadmin"))
    ]
    for action in ("user.role", "user.disable", "user.enable", "user.reset_password"):
        assert action in actions


@pytest.mark.parametrize("username", ["auditadmin", "sysadmin", "secadmin"])
def test_no_admin_account_nor_ones_own_is_managed_here(web, as_user, session, username):
    headers = as_user("secadmin")
    page = web.get(f"/admin/users/{username}", headers=headers)
    assert 'id="unmanaged"' in page.text and 'id="role-form"' not in page.text
    refused = web.post(f"/admin/users/{username}/active", data={"active": "false"}, headers=headers)
    assert refused.status_code == 403 and "三员分立" in refused.text
    assert _user(session, username).is_active
    denied = [r for r in _audits(session, "user.disable") if r.outcome == "denied"]
    assert denied and denied[-1].object_id is None


def test_locks_are_listed_and_lifted(web, as_user, session):
    until = utcnow() + timedelta(minutes=10)
    session.add(
        SignInThrottle(
            district_code="210104",
            username="leader",
            source="10.0.0.9",
            failures=0,
            window_started_at=utcnow(),
            locked_until=until,
        )
    )
    session.flush()
    headers = as_user("secadmin")
    page = web.get("/admin/locks", headers=headers)
    assert 'data-username="leader" data-source="10.0.0.9"' in page.text
    listed = web.get("/admin/users?status=locked", headers=headers).text
    assert re.findall(r'data-username="([^"]+)"', listed) == ["leader"]
    lifted = web.post(
        "/admin/locks/unlock", data={"username": "leader", "source": "10.0.0.9"}, headers=headers
    )
    assert lifted.status_code == 200 and "已解除锁定" in lifted.text
    assert 'data-source="10.0.0.9"' not in lifted.text
    [record] = _audits(session, "user.unlock")
    assert record.object_id == "leader"
    again = web.post(
        "/admin/locks/unlock", data={"username": "leader", "source": "10.0.0.9"}, headers=headers
    )
    assert again.status_code == 404 and "没有被锁定的登录" in again.text


# ---- the system admin: categories, routing, calendar ----------------------------------------


def _category(session, code="0107") -> Category:
    category = session.scalars(select(Category).where(Category.code == code)).one()
    session.refresh(category)
    return category


def test_a_time_limit_is_changed_and_audited(web, as_user, session):
    before = _category(session)
    form = {
        "verify_limit": "2H",
        "dispatch_limit": "30m",
        "handle_limit": "3d",
        "check_limit": "4h",
        "department": before.default_department_code,
        "active": "true",
    }
    saved = web.post("/admin/categories/0107", data=form, headers=as_user("sysadmin"))
    assert saved.status_code == 200 and "已保存类别 0107" in saved.text
    after = _category(session)
    assert (after.verify_limit, after.dispatch_limit, after.handle_limit, after.check_limit) == (
        "2h",
        "30m",
        "3d",
        "4h",
    )
    [record] = _audits(session, "category.update")
    assert '"verify_limit":"2h"' in record.detail.replace(" ", "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("verify_limit", "2x", "时限「2x」无效"),
        ("handle_limit", "0d", "时限「0d」无效"),
        ("check_limit", "", "时限「」无效"),
        ("department", "nowhere", "职能部门 nowhere"),
    ],
)
def test_a_refused_limit_comes_back_with_the_fields_error(
    web, as_user, session, field, value, message
):
    before = _category(session)
    form = {
        "verify_limit": before.verify_limit,
        "dispatch_limit": before.dispatch_limit,
        "handle_limit": before.handle_limit,
        "check_limit": before.check_limit,
        "department": before.default_department_code,
        "active": "true",
    }
    page = web.post(
        "/admin/categories/0107", data=form | {field: value}, headers=as_user("sysadmin")
    )
    assert page.status_code == 422
    assert message in _error(page.text, field)
    after = _category(session)
    assert after.verify_limit == before.verify_limit and after.active
    assert _audits(session, "category.update") == []


def _grid_in(session, community: str, not_in: str | None = None) -> str:
    from onegrid.territory.models import TerritoryUnit

    query = select(TerritoryUnit.code).where(
        TerritoryUnit.code.startswith(community), TerritoryUnit.level == "grid"
    )
    return next(
        c
        for c in session.scalars(query.order_by(TerritoryUnit.code))
        if not (not_in and c.startswith(not_in))
    )


def _preview(web, headers, category, point):
    query = f"category={category}&lon={point.x:.6f}&lat={point.y:.6f}"
    return web.get(f"/admin/routing?{query}", headers=headers)


def test_the_preview_names_the_department_and_the_rule(web, as_user, session):
    headers = as_user("sysadmin")
    # 占道经营 E0501: 大北街道 (210104002) → market, but its 华炉社区 (…009) → urban_mgmt.
    community = _preview(web, headers, "E0501", point_in(session, WORKER_GRID))
    assert 'data-department="urban_mgmt"' in community.text
    assert "由规则决定" in community.text and "（210104002009）" in community.text
    street_grid = _grid_in(session, "210104002", not_in="210104002009")
    street = _preview(web, headers, "E0501", point_in(session, street_grid))
    assert 'data-department="market"' in street.text and "（210104002）" in street.text
    default = _preview(web, headers, "E0501", point_in(session, OTHER_GRID))
    assert "没有规则匹配" in default.text
    outside = web.get("/admin/routing?category=E0501&lon=100.0&lat=10.0", headers=headers)
    assert outside.status_code == 422 and "不在任何网格内" in _error(outside.text, "preview_point")
    nothing = web.get("/admin/routing?category=&lon=x&lat=", headers=headers)
    assert "请选择类别" in _error(nothing.text, "preview_category")
    assert "请填写有效的经纬度" in _error(nothing.text, "preview_point")


def test_the_previews_category_list_says_what_to_do_before_a_choice(web, as_user):
    english = web.get("/admin/routing?lang=en", headers=as_user("sysadmin")).text
    assert '<option value="">— choose a category —</option>' in english
    chinese = web.get("/admin/routing", headers=as_user("sysadmin")).text
    assert '<option value="">— 请选择类别 —</option>' in chinese


def test_a_rule_is_set_previewed_and_deleted(web, as_user, session):
    headers = as_user("sysadmin")
    form = {"category_code": "0107", "unit_code": "210104017", "department_code": "water"}
    saved = web.post("/admin/routing/rules", data=form, headers=headers)
    assert saved.status_code == 200 and "已保存派遣规则" in saved.text
    assert 'data-rule="0107@210104017"' in saved.text
    preview = _preview(web, headers, "0107", point_in(session, OTHER_GRID))
    assert 'data-department="water"' in preview.text and "（210104017）" in preview.text
    gone = web.post(
        "/admin/routing/rules/delete",
        data={"category_code": "0107", "unit_code": "210104017"},
        headers=headers,
    )
    assert "已删除派遣规则" in gone.text and 'data-rule="0107@210104017"' not in gone.text
    rules = session.scalars(select(RoutingRule).where(RoutingRule.unit_code == "210104017"))
    assert [r.category_code for r in rules if r.category_code == "0107"] == []
    assert [r.action for r in _audits(session, "routing.set_rule")] == ["routing.set_rule"]
    assert len(_audits(session, "routing.delete_rule")) == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"unit_code": "abc"}, "unit_code", "区划代码应为"),
        ({"unit_code": "999999"}, "unit_code", "999999"),
        ({"department_code": "nowhere"}, "department_code", "职能部门 nowhere"),
        ({"category_code": "Z999"}, "category_code", "Z999"),
    ],
)
def test_a_refused_rule_comes_back_with_the_fields_error(
    web, as_user, session, change, field, message
):
    form = {"category_code": "0107", "unit_code": "210104017", "department_code": "water"}
    page = web.post("/admin/routing/rules", data=form | change, headers=as_user("sysadmin"))
    assert page.status_code == 422
    assert message in _error(page.text, field)
    assert _audits(session, "routing.set_rule") == []


@pytest.fixture
def calendar_days():
    yield
    declare_days({})  # the process's calendar forgets what the test declared


def test_a_declared_day_changes_the_running_calendar(web, as_user, session, calendar_days):
    headers = as_user("sysadmin")
    wednesday = date(2026, 12, 9)
    assert get_calendar().is_workday(wednesday)
    form = {"day": wednesday.isoformat(), "working": "rest", "reason": "寒潮停工"}
    saved = web.post("/admin/calendar", data=form, headers=headers)
    assert saved.status_code == 200 and "已保存，日历已更新" in saved.text
    assert 'data-day="2026-12-09"' in saved.text and "寒潮停工" in saved.text
    assert not get_calendar().is_workday(wednesday)
    [record] = _audits(session, "calendar.declare")
    assert record.object_id == "2026-12-09" and '"working":false' in record.detail.replace(" ", "")
    withdrawn = web.post("/admin/calendar/delete", data={"day": "2026-12-09"}, headers=headers)
    assert "已撤销" in withdrawn.text
    assert get_calendar().is_workday(wednesday)
    assert session.scalars(select(CalendarDay)).all() == []


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"reason": "  "}, "reason", "请说明原因"),
        ({"day": "2026-13-01"}, "day", "YYYY-MM-DD"),
        ({"working": "maybe"}, "working", "请选择工作日或休息日"),
    ],
)
def test_a_refused_day_comes_back_with_the_fields_error(
    web, as_user, session, calendar_days, change, field, message
):
    form = {"day": "2026-12-09", "working": "rest", "reason": "寒潮停工"}
    page = web.post("/admin/calendar", data=form | change, headers=as_user("sysadmin"))
    assert page.status_code == 422
    assert message in _error(page.text, field)
    assert session.scalars(select(CalendarDay)).all() == []


# ---- the audit admin: the log ---------------------------------------------------------------


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r'<tr data-seq="(\d+)"', html)]


def test_the_log_is_filtered_and_paged_by_keyset(web, as_user, session, monkeypatch):
    for n in range(3):  # three changes by the security admin
        web.post(
            "/admin/users/leader/active",
            data={"active": str(n % 2 == 1).lower()},
            headers=as_user("secadmin"),
        )
    monkeypatch.setattr("onegrid.web.pages.admin_audit.PAGE_SIZE", 2)
    headers = as_user("auditadmin")
    first = web.get("/admin/audit?actor=secadmin&object_id=leader", headers=headers)
    expected = [
        r.seq
        for r in session.scalars(
            select(AuditRecord)
            .where(AuditRecord.actor == "secadmin", AuditRecord.object_id == "leader")
            .order_by(AuditRecord.seq.desc())
        )
    ]
    assert len(expected) >= 3  # each change, and each read of the user's page after it
    assert _seqs(first.text) == expected[:2]
    older = re.search(r'id="next-page" class="button" href="([^"]+)"', first.text).group(1)
    second = web.get(older.replace("&amp;", "&"), headers=headers)
    assert _seqs(second.text) == expected[2:4]
    only = web.get("/admin/audit?action=user.enable&actor=secadmin", headers=headers).text
    assert {a for a in re.findall(r'data-action="([^"]+)"', only)} == {"user.enable"}
    future = (date.today() + timedelta(days=2)).isoformat()
    assert _seqs(web.get(f"/admin/audit?since={future}", headers=headers).text) == []
    bad = web.get("/admin/audit?since=2026-02-30", headers=headers)
    assert bad.status_code == 422 and "YYYY-MM-DD" in _error(bad.text, "since")
    reads = _audits(session, "audit.read")
    assert reads and all(r.actor == "auditadmin" for r in reads)


def test_the_chain_is_verified_from_the_page(web, as_user, session):
    headers = as_user("auditadmin")
    intact = web.get("/admin/audit/verify", headers=headers)
    assert 'data-ok="true"' in intact.text and "哈希链完整" in intact.text
    record = session.scalars(
        select(AuditRecord)
        .where(AuditRecord.district_code == "210104")
        .order_by(AuditRecord.seq.desc())
    ).first()
    _tamper(
        session.connection(), "UPDATE audit_log SET actor = '李四' WHERE id = :id", id=record.id
    )
    session.expire_all()
    broken = web.get("/admin/audit/verify?lang=en", headers=headers)
    assert 'data-ok="false"' in broken.text and "The chain is broken" in broken.text
    assert f'data-seq="{record.seq}"' in broken.text


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_the_export_holds_what_the_filters_show(web, as_user, session, format):
    web.post("/admin/users/leader/active", data={"active": "false"}, headers=as_user("secadmin"))
    headers = as_user("auditadmin")
    page = web.get("/admin/audit?actor=secadmin", headers=headers).text
    assert f'href="/admin/audit/export.{format}?lang=zh&amp;actor=secadmin"' in page
    answer = web.get(f"/admin/audit/export.{format}?actor=secadmin", headers=headers)
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    if format == "csv":
        assert answer.headers["content-type"].startswith("text/csv")
        header, *rows = csv_rows(answer.content)
    else:
        assert "spreadsheetml" in answer.headers["content-type"]
        header, *rows = xlsx_sheets(answer.content)["audit"]
    rows = [dict(zip(header, row, strict=True)) for row in rows]
    # Row by row what the page lists: the same records in the same order, all of secadmin.
    assert [int(r["序号"]) for r in rows] == _seqs(page)
    assert {r["操作人"] for r in rows} == {"secadmin"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", r["哈希"]) for r in rows)
    disable = next(r for r in rows if r["操作"] == "user.disable")
    assert disable["对象编号"] == "leader" and disable["结果"] == "success"
    [export] = _audits(session, "audit.export")
    detail = json.loads(export.detail)
    assert export.actor == "auditadmin" and detail["query"] == {"actor": "secadmin"}
    assert (detail["format"], detail["count"], detail["complete"]) == (format, len(rows), True)


def test_the_export_is_in_english_and_refuses_a_bad_day(web, as_user):
    headers = as_user("auditadmin")
    answer = web.get("/admin/audit/export.csv?lang=en", headers=headers)
    header, *rows = csv_rows(answer.content)
    assert header[:3] == ["seq", "time", "actor"] and rows
    bad = web.get("/admin/audit/export.xlsx?until=2026-13-01", headers=headers)
    assert bad.status_code == 422 and "until" in bad.text
