"""Every route declares its access rule, and role × scope × route behaves as the rule says.

A new route joins by adding one probe to PROBES: the test refuses any route without one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from onegrid.accounts import service
from onegrid.accounts.models import SignInThrottle, User
from onegrid.app import create_app
from onegrid.cases import evidence, intake, rollup
from onegrid.cases.facts import FACTS, BucketKey
from onegrid.cases.flows import transition
from onegrid.cases.machine import Action
from onegrid.cases.models import Channel
from onegrid.core.access import iter_routes, rule_of
from onegrid.core.permissions import ROLE_PERMISSIONS, Permission, Role, Scope, operator
from onegrid.core.pii import PiiKind, mask
from onegrid.core.workcalendar import declare_days
from onegrid.db.base import utcnow
from onegrid.demo.build import DEMO_PASSWORD, DEMO_USERS
from onegrid.employment import service as employment
from onegrid.employment.models import StartupLoan
from onegrid.mediation import service as mediation
from onegrid.mediation.models import MediationPoint, Side
from onegrid.routing import calendar as declared_days
from onegrid.routing.models import Notification
from onegrid.routing.senders import InAppSender, Message, Recipients
from onegrid.routing.service import DEMO_RULES, set_rule
from onegrid.territory.geometry import from_wkb
from onegrid.territory.models import Assignment, Department, TerritoryUnit
from onegrid.web import login_csrf
from tests.images import png
from tests.sheets import csv_rows, xlsx_sheets

INSIDE_GRID = "210104002009001"  # the demo grid worker's grid
OUTSIDE_GRID = "210104017012009"  # a grid of another street
SCOPES = {username: scope for username, _, _, scope, _ in DEMO_USERS}
ROLE_OF = {username: role for username, _, role, _, _ in DEMO_USERS}
PRINCIPALS = [None, *SCOPES]  # None: the anonymous public
# Routes outside FastAPI's APIRoute: the schema and the static files are public by design.
NON_API_ROUTES = {"/openapi.json", "/static"}


def covers(username: str, code: str) -> bool:
    scope = SCOPES[username] or ["210104"]
    return any(code.startswith(prefix) for prefix in scope)


@dataclass
class Probe:
    method: str
    path: str
    check: Callable | None = None  # (response, username) -> None, for principals let in
    ok: int = 200
    kwargs: dict = field(default_factory=dict)
    fresh_token: bool = False  # the probe ends the token it uses
    setup: Callable | None = None  # (session) -> request kwargs that depend on the data


def _unit_check(code):
    def check(response, username):
        if covers(username, code):
            assert response.status_code == 200 and response.json()["code"] == code
        else:
            # Indistinguishable from a unit that does not exist: nothing leaks.
            assert response.status_code == 404
            assert response.json()["error"]["message"] == f"没有代码为 {code} 的区划单元"

    return check


def _layer_check(response, username):
    assert response.status_code == 200
    codes = [f["properties"]["code"] for f in response.json()["features"]]
    assert all(covers(username, c) for c in codes)
    expected = {"gridworker": 1, "community": None, "street": None}.get(username, 1360)
    if expected is not None:
        assert len(codes) == expected
    assert codes  # every reader sees at least their own grids


def _grid_worker_id(session, grid_code) -> int:
    query = (
        select(Assignment.person_id)
        .join(TerritoryUnit, Assignment.unit_id == TerritoryUnit.id)
        .where(TerritoryUnit.code == grid_code, Assignment.role == "grid_worker")
        .order_by(Assignment.person_id)
    )
    return session.scalars(query).first()


def _reveal_setup(grid_code):
    def setup(session):
        person_id = _grid_worker_id(session, grid_code)
        body = {"object_type": "person", "object_id": person_id, "field": "phone"}
        return {"json": {**body, "purpose": "核实案件现场情况"}}

    return setup


def _reveal_check(grid_code):
    def check(response, username):
        if covers(username, grid_code):
            assert response.status_code == 200, response.text
            body = response.json()
            assert re.fullmatch(r"1[3-9][0-9]{9}", body["value"])
            assert body["masked"] == mask(PiiKind.PHONE, body["value"])
        else:
            # Indistinguishable from a person who does not exist, and no number in the body.
            assert response.status_code == 404
            assert set(response.json()) == {"error"} and "value" not in response.text
            assert not re.search(r"[0-9]{11}", response.text)

    return check


def _status(code):
    def check(response, username):
        assert response.status_code == code, response.text

    return check


def _catalogue_check(response, username):
    assert response.status_code == 200
    codes = [c["code"] for c in response.json()]
    assert len(codes) >= 40 and len(set(codes)) == len(codes)


def _category_check(code):
    def check(response, username):
        assert response.status_code == 200 and response.json()["code"] == code

    return check


def _rules_check(response, username):
    # A scope sees the rules that route its cases: its own units' and those above them.
    assert response.status_code == 200
    scope = SCOPES[username] or ["210104"]
    expected = {
        (category, unit)
        for category, unit, _, _ in DEMO_RULES
        if covers(username, unit) or any(code.startswith(unit) for code in scope)
    }
    assert {(r["category_code"], r["unit_code"]) for r in response.json()} == expected


def _route_check(grid_code):
    def check(response, username):
        if covers(username, grid_code):
            assert response.status_code == 200, response.text
            assert response.json()["department"]["code"] == "urban_mgmt"
        else:
            assert response.status_code == 404
            assert response.json()["error"]["message"] == f"没有代码为 {grid_code} 的区划单元"

    return check


# One bucket of 2001 (no demo case is that old) per grid, each of its own department.
_INDICATOR_BUCKETS = {INSIDE_GRID: "water", OUTSIDE_GRID: "urban_mgmt"}


def _indicators_setup(session):
    ids = dict(
        session.execute(
            select(Department.code, Department.id).where(Department.district_code == "210104")
        ).all()
    )
    received = [1] + [0] * (len(FACTS) - 1)
    for grid, department in _INDICATOR_BUCKETS.items():
        key = BucketKey("210104", date(2001, 1, 1), grid, ids[department], "0101", "citizen")
        rollup.add_many(session, {key: received})
    return {"params": {"by": "grid", "since": "2001-01-01", "until": "2001-01-01"}}


def _indicators_check(response, username):
    assert response.status_code == 200, response.text
    department = {user: code for user, *_, code in DEMO_USERS}[username]
    expected = [
        grid
        for grid, owner in _INDICATOR_BUCKETS.items()
        if covers(username, grid) and department in (None, owner)
    ]
    assert [g["key"] for g in response.json()["groups"]] == sorted(expected)


def _case_at(session, grid_code: str, department: str | None = None, *, callback: bool = False):
    """Opens a 12345 case in this grid (dispatched to the department if given) as the
    operator, its caller wanting a call back if `callback`."""
    grid = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == grid_code)).one()
    point = from_wkb(grid.geometry).representative_point()
    case = intake.intake(
        session=session,
        report=intake.Report(
            channel=Channel.HOTLINE,
            category_code="0107",
            description="路灯不亮",
            lon=point.x,
            lat=point.y,
            reporter_phone="13912345678",
            callback_wanted=callback,
        ),
        who=operator("matrix"),
    )
    if department:
        for action, data in ((Action.OPEN, {}), (Action.DISPATCH, {"department_code": department})):
            transition(session=session, case=case, action=action, who=operator("m"), data=data)
    return case


def _case_setup(grid_code, department, suffix=""):
    def setup(session):
        case = _case_at(session, grid_code, department)
        return {"path": f"/api/v1/cases/{case.id}{suffix}"}

    return setup


def _evidence_setup(session):
    case = _case_at(session, INSIDE_GRID, "urban_mgmt")
    upload = evidence.prepare(filename="p.png", data=PNG)
    row = evidence.store(session=session, case=case, upload=upload, who=operator("matrix"))
    return {"path": f"/api/v1/cases/{case.id}/evidence/{row.id}"}


def _receipt_setup(suffix=""):
    def setup(session):
        return {"path": f"/api/v1/receipts/{_case_at(session, OUTSIDE_GRID).receipt}{suffix}"}

    return setup


def _login_form(session):
    # The sign-in form with the login-CSRF token its page would have set (cookie and field).
    token = login_csrf.new_token()
    data = {"username": "nobody", "password": "wrong-Password-1", "csrf_token": token}
    return {"data": data, "headers": {"Cookie": f"{login_csrf.COOKIE}={token}"}}


def _sees_case(username, grid_code, department):
    # A department handler sees only what was dispatched to their department (城管).
    return covers(username, grid_code) and (username != "department" or department == "urban_mgmt")


def _case_check(grid_code, department, ok=200):
    def check(response, username):
        expected = ok if _sees_case(username, grid_code, department) else 404
        assert response.status_code == expected, (username, response.text)
        if expected == 404:
            assert set(response.json()) == {"error"}

    return check


def _supervise_check(response, username):
    if not _sees_case(username, INSIDE_GRID, "urban_mgmt"):
        expected = 404
    elif Permission.CASES_SUPERVISE in ROLE_PERMISSIONS[Role(ROLE_OF[username])]:
        expected = 200
    else:
        expected = 403  # may read it, may not take this action
    assert response.status_code == expected, (username, response.text)


def _intake_body(session):
    grid = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == INSIDE_GRID)).one()
    point = from_wkb(grid.geometry).representative_point()
    return {
        "json": {"category_code": "0107", "description": "路灯不亮", "lon": point.x, "lat": point.y}
    }


def _list_check(response, username):
    assert response.status_code == 200
    assert all(covers(username, c["grid_code"]) for c in response.json()["items"])


def _export_check(response, username):
    """An export holds the cases of the principal's scope, and no other: a case of each grid."""
    assert response.status_code == 200, response.text
    header, *rows = csv_rows(response.content)
    grids = [row[header.index("网格")] for row in rows]
    assert all(covers(username, grid) for grid in grids)
    assert (INSIDE_GRID in grids) == covers(username, INSIDE_GRID)


def _report_check(street):
    def check(response, username):
        assert response.status_code == (200 if covers(username, street) else 404), response.text

    return check


def _report_of(street):
    return {"params": {"street": street, "month": "2026-03"}}


def _xlsx_export_check(response, username):
    assert response.status_code == 200, response.text
    header, *rows = xlsx_sheets(response.content)["cases"]
    grids = [row[header.index("网格")] for row in rows]
    assert all(covers(username, grid) for grid in grids)
    assert (INSIDE_GRID in grids) == covers(username, INSIDE_GRID)


def _both_cases(session):
    _case_at(session, *MINE)
    _case_at(session, *THEIRS)
    return {}


MINE = (INSIDE_GRID, "urban_mgmt")  # a case in the grid worker's grid, sent to 城管
THEIRS = (OUTSIDE_GRID, "water")  # a case of another street, sent to 水务
PNG = png()  # a real one: evidence is decoded


PROBES: dict[tuple[str, str], list[Probe]] = {
    ("GET", "/api/v1/territory/geojson"): [
        Probe(
            "GET", "/api/v1/territory/geojson", _layer_check, kwargs={"params": {"level": "grid"}}
        )
    ],
    ("GET", "/api/v1/territory/units/{code}"): [
        Probe("GET", f"/api/v1/territory/units/{INSIDE_GRID}", _unit_check(INSIDE_GRID)),
        Probe("GET", f"/api/v1/territory/units/{OUTSIDE_GRID}", _unit_check(OUTSIDE_GRID)),
    ],
    ("GET", "/api/v1/territory/departments"): [
        Probe("GET", "/api/v1/territory/departments", _status(200))
    ],
    ("GET", "/api/v1/locate"): [
        Probe(
            "GET", "/api/v1/locate", _status(200), kwargs={"params": {"lon": 123.47, "lat": 41.8}}
        )
    ],
    ("POST", "/api/v1/auth/token"): [
        Probe(
            "POST",
            "/api/v1/auth/token",
            _status(401),
            kwargs={"json": {"username": "nobody", "password": "wrong-Password-1"}},
        )
    ],
    ("POST", "/api/v1/auth/logout"): [
        Probe("POST", "/api/v1/auth/logout", _status(204), fresh_token=True)
    ],
    ("GET", "/api/v1/auth/me"): [Probe("GET", "/api/v1/auth/me", _status(200))],
    ("POST", "/api/v1/auth/password"): [
        Probe(
            "POST",
            "/api/v1/auth/password",
            _status(200),
            fresh_token=True,
            kwargs={"json": {"old_password": DEMO_PASSWORD, "new_password": "Lantern-Walk-2026"}},
        )
    ],
    ("GET", "/api/v1/users"): [Probe("GET", "/api/v1/users", _status(200))],
    ("POST", "/api/v1/users"): [
        Probe(
            "POST",
            "/api/v1/users",
            _status(201),
            kwargs={
                "json": {
                    "username": "newworker",
                    "password": "Fresh-Password-9",
                    "role": "grid_worker",
                    "scope": [OUTSIDE_GRID],
                }
            },
        )
    ],
    ("GET", "/api/v1/users/{username}"): [Probe("GET", "/api/v1/users/leader", _status(200))],
    # Separation of duties: the probes act on a non-admin account; the admin accounts and
    # one's own are refused to everyone (test_separation_of_duties.py).
    ("PUT", "/api/v1/users/{username}/role"): [
        Probe(
            "PUT",
            "/api/v1/users/department/role",
            _status(200),
            kwargs={"json": {"role": "leader"}},
        )
    ],
    ("POST", "/api/v1/users/{username}/disable"): [
        Probe("POST", "/api/v1/users/leader/disable", _status(200))
    ],
    ("POST", "/api/v1/users/{username}/enable"): [
        Probe("POST", "/api/v1/users/leader/enable", _status(200))
    ],
    ("POST", "/api/v1/users/{username}/password"): [
        Probe(
            "POST",
            "/api/v1/users/leader/password",
            _status(200),
            kwargs={"json": {"password": "Another-Password-7"}},
        )
    ],
    ("GET", "/"): [Probe("GET", "/", _status(200), kwargs={"follow_redirects": False})],
    ("GET", "/login"): [Probe("GET", "/login", _status(200))],
    ("POST", "/login"): [
        Probe(
            "POST",
            "/login",
            _status(401),
            setup=_login_form,
        )
    ],
    ("POST", "/logout"): [
        Probe("POST", "/logout", _status(303), fresh_token=True, kwargs={"follow_redirects": False})
    ],
    ("GET", "/docs"): [Probe("GET", "/docs", _status(200))],
    ("GET", "/password"): [Probe("GET", "/password", _status(200))],
    ("POST", "/password"): [
        Probe(
            "POST",
            "/password",
            _status(422),  # the two new passwords differ: nothing is changed
            kwargs={"data": {"old_password": "x", "new_password": "a", "confirm_password": "b"}},
        )
    ],
    ("GET", "/api/v1/audit"): [Probe("GET", "/api/v1/audit", _status(200))],
    ("GET", "/api/v1/audit/verify"): [Probe("GET", "/api/v1/audit/verify", _status(200))],
    ("POST", "/api/v1/pii/reveal"): [
        Probe(
            "POST",
            "/api/v1/pii/reveal",
            _reveal_check(grid),
            setup=_reveal_setup(grid),
        )
        for grid in (INSIDE_GRID, OUTSIDE_GRID)
    ],
    ("GET", "/api/v1/categories"): [Probe("GET", "/api/v1/categories", _catalogue_check)],
    ("GET", "/api/v1/categories/{code}"): [
        Probe("GET", "/api/v1/categories/E0501", _category_check("E0501"))
    ],
    ("GET", "/api/v1/routing/rules"): [Probe("GET", "/api/v1/routing/rules", _rules_check)],
    ("PUT", "/api/v1/routing/rules"): [
        Probe(
            "PUT",
            "/api/v1/routing/rules",
            _status(200),
            kwargs={
                "json": {
                    "category_code": "E0101",
                    "unit_code": OUTSIDE_GRID,
                    "department_code": "housing",
                }
            },
        )
    ],
    ("DELETE", "/api/v1/routing/rules"): [
        Probe(
            "DELETE",
            "/api/v1/routing/rules",
            _status(204),
            kwargs={"params": {"category_code": "E0108", "unit_code": "210104015"}},
        )
    ],
    ("GET", "/api/v1/routing/route"): [
        Probe(
            "GET",
            "/api/v1/routing/route",
            _route_check(grid),
            kwargs={"params": {"category_code": "E0501", "unit_code": grid}},
        )
        for grid in (INSIDE_GRID, OUTSIDE_GRID)
    ],
    ("GET", "/api/v1/indicators"): [
        Probe("GET", "/api/v1/indicators", _indicators_check, setup=_indicators_setup)
    ],
    ("GET", "/api/v1/indicators/definitions"): [
        Probe("GET", "/api/v1/indicators/definitions", _status(200))
    ],
    ("POST", "/api/v1/cases"): [Probe("POST", "/api/v1/cases", _status(201), setup=_intake_body)],
    ("POST", "/api/v1/public/cases"): [
        Probe("POST", "/api/v1/public/cases", _status(201), setup=_intake_body)
    ],
    ("GET", "/api/v1/cases"): [Probe("GET", "/api/v1/cases", _list_check)],
    ("GET", "/api/v1/cases/export"): [
        Probe(
            "GET",
            "/api/v1/cases/export",
            _export_check,
            kwargs={"params": {"format": "csv"}},
            setup=_both_cases,
        )
    ],
    ("GET", "/api/v1/cases/{case_id}"): [
        Probe(
            "GET",
            "",
            _case_check(INSIDE_GRID, "urban_mgmt"),
            setup=_case_setup(INSIDE_GRID, "urban_mgmt"),
        ),
        Probe(
            "GET", "", _case_check(OUTSIDE_GRID, "water"), setup=_case_setup(OUTSIDE_GRID, "water")
        ),
    ],
    ("GET", "/api/v1/cases/{case_id}/timeline"): [
        Probe(
            "GET",
            "",
            _case_check(OUTSIDE_GRID, "water"),
            setup=_case_setup(OUTSIDE_GRID, "water", "/timeline"),
        ),
    ],
    ("POST", "/api/v1/cases/{case_id}/transitions"): [
        Probe(
            "POST",
            "",
            _supervise_check,
            setup=_case_setup(INSIDE_GRID, "urban_mgmt", "/transitions"),
            kwargs={"json": {"action": "supervise", "note": "请加快处置"}},
        ),
    ],
    ("POST", "/api/v1/cases/{case_id}/evidence"): [
        Probe(
            "POST",
            "",
            _case_check(INSIDE_GRID, "urban_mgmt", ok=201),
            setup=_case_setup(INSIDE_GRID, "urban_mgmt", "/evidence"),
            kwargs={"files": {"file": ("p.png", PNG, "image/png")}},
        ),
    ],
    ("GET", "/api/v1/cases/{case_id}/evidence"): [
        Probe(
            "GET",
            "",
            _case_check(OUTSIDE_GRID, "water"),
            setup=_case_setup(OUTSIDE_GRID, "water", "/evidence"),
        ),
    ],
    ("GET", "/api/v1/cases/{case_id}/evidence/{evidence_id}"): [
        Probe("GET", "", _case_check(INSIDE_GRID, "urban_mgmt"), setup=_evidence_setup),
    ],
    ("GET", "/api/v1/receipts/{receipt}"): [
        Probe("GET", "", _status(200), setup=_receipt_setup()),
    ],
    ("POST", "/api/v1/receipts/{receipt}/rating"): [
        Probe(
            "POST",
            "",
            _status(409),  # anyone with the receipt gets in; a case not yet closed: conflict
            setup=_receipt_setup("/rating"),
            kwargs={"json": {"rating": 5}},
        ),
    ],
    # Open311 is open to anyone; only its api_key (not a user's token) lets a request in.
    ("GET", "/open311/discovery.{fmt}"): [Probe("GET", "/open311/discovery.xml", _status(200))],
    ("GET", "/open311/v2/discovery.{fmt}"): [
        Probe("GET", "/open311/v2/discovery.json", _status(200))
    ],
    ("GET", "/open311/v2/services.{fmt}"): [Probe("GET", "/open311/v2/services.xml", _status(200))],
    ("GET", "/open311/v2/services/{service_code}.{fmt}"): [
        Probe("GET", "/open311/v2/services/0107.json", _status(200))
    ],
    ("POST", "/open311/v2/requests.{fmt}"): [
        Probe("POST", "/open311/v2/requests.xml", _status(403), kwargs={"data": {"lat": "1"}})
    ],
    ("GET", "/open311/v2/requests.{fmt}"): [
        Probe("GET", "/open311/v2/requests.json", _status(200))
    ],
    ("GET", "/open311/v2/requests/{service_request_id}.{fmt}"): [
        Probe("GET", "/open311/v2/requests/0.xml", _status(404))
    ],
    ("GET", "/open311/v2/tokens/{token}.{fmt}"): [
        Probe("GET", "/open311/v2/tokens/0.json", _status(404))
    ],
    ("GET", "/open311/{path:path}"): [Probe("GET", "/open311/v3/services.xml", _status(404))],
    ("POST", "/open311/{path:path}"): [Probe("POST", "/open311/v2/services.xml", _status(404))],
}


# ---- the field worker's pages: my tasks, the task map, the staff case page and its forms ----


def _page_case_check(grid_code, department):
    def check(response, username):
        if _sees_case(username, grid_code, department):
            assert response.status_code == 200, (username, response.text[:300])
            assert 'id="case-facts"' in response.text
        else:  # the not-found page, as for a case that does not exist: nothing of the case
            assert response.status_code == 404, (username, response.text[:300])
            assert 'id="case-missing"' in response.text and "路灯不亮" not in response.text

    return check


def _page_action_check(response, username):
    # A check on a case being handled: the state refuses it (409) to whoever may check, the
    # role refuses it (403) to whoever may read but not check; outside the scope: 404.
    if not _sees_case(username, INSIDE_GRID, "urban_mgmt"):
        expected = 404
    elif Permission.CASES_VERIFY in ROLE_PERMISSIONS[Role(ROLE_OF[username])]:
        expected = 409
    else:
        expected = 403
    assert response.status_code == expected, (username, response.text[:300])
    assert set(response.json()) == {"error"}


PROBES |= {
    ("GET", "/tasks"): [Probe("GET", "/tasks", _status(200))],
    # The console's list as a file: the reader's scope alone, whatever the filters.
    ("GET", "/console/export.csv"): [
        Probe("GET", "/console/export.csv", _export_check, setup=_both_cases)
    ],
    ("GET", "/console/export.xlsx"): [
        Probe("GET", "/console/export.xlsx", _xlsx_export_check, setup=_both_cases)
    ],
    # A street's monthly report: a street office reads its own street, not another's.
    ("GET", "/reports/monthly"): [
        Probe(
            "GET",
            "/reports/monthly",
            _report_check(INSIDE_GRID[:9]),
            kwargs=_report_of(INSIDE_GRID[:9]),
        ),
        Probe(
            "GET",
            "/reports/monthly",
            _report_check(OUTSIDE_GRID[:9]),
            kwargs=_report_of(OUTSIDE_GRID[:9]),
        ),
    ],
    ("GET", "/reports/monthly.xlsx"): [
        Probe(
            "GET",
            "/reports/monthly.xlsx",
            _report_check(INSIDE_GRID[:9]),
            kwargs=_report_of(INSIDE_GRID[:9]),
        ),
        Probe(
            "GET",
            "/reports/monthly.xlsx",
            _report_check(OUTSIDE_GRID[:9]),
            kwargs=_report_of(OUTSIDE_GRID[:9]),
        ),
    ],
    ("GET", "/tasks/map"): [Probe("GET", "/tasks/map", _status(200))],
    ("GET", "/cases/{case_id}"): [
        Probe(
            "GET",
            "",
            _page_case_check(*MINE),
            setup=lambda s: {"path": f"/cases/{_case_at(s, *MINE).id}"},
        ),
        Probe(
            "GET",
            "",
            _page_case_check(*THEIRS),
            setup=lambda s: {"path": f"/cases/{_case_at(s, *THEIRS).id}"},
        ),
    ],
    ("POST", "/cases/{case_id}/actions"): [
        Probe(
            "POST",
            "",
            _page_action_check,
            setup=lambda s: {"path": f"/cases/{_case_at(s, *MINE).id}/actions"},
            kwargs={"data": {"choice": "check_pass"}, "headers": {"Accept": "application/json"}},
        ),
    ],
}


# ---- the office's bulk actions (API and console page): each case on its own ----


def _bulk_setup(form: bool):
    def setup(session):
        ids = [_case_at(session, INSIDE_GRID).id, _case_at(session, OUTSIDE_GRID).id]
        if form:
            return {"data": {"action": "void", "note": "重复报告", "case": [str(i) for i in ids]}}
        return {"json": {"action": "void", "note": "重复报告", "case_ids": ids}}

    return setup


def _bulk_check(response, username):
    # Taken where the command centre's scope reaches; a case outside it: refused, as not found.
    assert response.status_code == 200, (username, response.text[:300])
    expected = [covers(username, INSIDE_GRID), covers(username, OUTSIDE_GRID)]
    if response.headers["content-type"].startswith("application/json"):
        assert [r["ok"] for r in response.json()["results"]] == expected
    else:
        assert re.findall(r'data-ok="(\w+)"', response.text) == [str(e).lower() for e in expected]


PROBES |= {
    ("POST", "/api/v1/cases/bulk"): [
        Probe("POST", "/api/v1/cases/bulk", _bulk_check, setup=_bulk_setup(form=False))
    ],
    ("POST", "/console/bulk"): [
        Probe("POST", "/console/bulk", _bulk_check, setup=_bulk_setup(form=True))
    ],
}

# ---- the pages /track (a citizen follows a case by its receipt) and /callbacks (the hotline) ----


def _closed_at(session, grid_code, *, callback=False, photo=False):
    """A 12345 case in this grid taken to closed by the operator, a photo on its feedback."""
    case = _case_at(session, grid_code, "urban_mgmt", callback=callback)
    case.reporter_phone = "13912345678"
    ids = []
    if photo:
        upload = evidence.prepare(filename="p.png", data=PNG)
        ids = [evidence.store(session=session, case=case, upload=upload, who=operator("m")).id]
    transition(
        session=session,
        case=case,
        action=Action.FEEDBACK,
        who=operator("m"),
        note="已修复",
        evidence_ids=ids,
    )
    transition(session=session, case=case, action=Action.CHECK_PASS, who=operator("m"))
    return case, ids


def _track_photo_setup(session):
    case, (photo,) = _closed_at(session, OUTSIDE_GRID, photo=True)
    return {"path": f"/track/{case.receipt}/photos/{photo}"}


def _track_photo_check(response, username):
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-security-policy"] == "sandbox; default-src 'none'"


def _callbacks_setup(session):
    for grid in (INSIDE_GRID, OUTSIDE_GRID):
        _closed_at(session, grid, callback=True)
    return {}


def _callbacks_check(response, username):
    # Only the command centre holds cases.command: it sees the whole district's callers.
    assert response.status_code == 200, response.text
    assert response.text.count('class="card callback"') >= 2
    assert "13912345678" not in response.text and "139****5678" in response.text


PROBES |= {
    ("GET", "/track"): [
        Probe("GET", "/track", _status(200)),
        # a case of another street's: a receipt shows its case to anyone, signed in or not
        Probe(
            "GET",
            "/track",
            _status(200),
            setup=lambda s: {"params": {"receipt": _case_at(s, OUTSIDE_GRID).receipt}},
        ),
    ],
    ("POST", "/track/{receipt}/rating"): [
        Probe(
            "POST",
            "",
            _status(409),  # anyone with the receipt gets in; a case not yet closed: conflict
            setup=lambda s: {"path": f"/track/{_case_at(s, OUTSIDE_GRID).receipt}/rating"},
            kwargs={"data": {"rating": "5"}},
        )
    ],
    ("GET", "/track/{receipt}/photos/{evidence_id}"): [
        Probe("GET", "", _track_photo_check, setup=_track_photo_setup)
    ],
    ("GET", "/callbacks"): [Probe("GET", "/callbacks", _callbacks_check, setup=_callbacks_setup)],
    **{
        ("GET", f"/callbacks/export.{format}"): [
            Probe("GET", f"/callbacks/export.{format}", _status(200), setup=_callbacks_setup)
        ]
        for format in ("csv", "xlsx")
    },
}


# ---- /hotline: the 12345 call form (cases.intake on the hotline channel: the command centre) ----

# The roles holding cases.intake that enter cases on their own channels, never on 12345.
_OFF_THE_HOTLINE = {"citizen", "gridworker", "community"}


def _hotline_check(ok: int):
    def check(response, username):
        if username in _OFF_THE_HOTLINE:
            assert response.status_code == 403, response.text
            assert "hotline" in response.json()["error"]["message"]
        else:
            assert response.status_code == ok, response.text

    return check


def _call_setup(session):
    grid = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == OUTSIDE_GRID)).one()
    point = from_wkb(grid.geometry).representative_point()
    call = {"category_code": "0107", "description": "路灯不亮", "reporter_phone": "13912345678"}
    return {"data": call | {"lon": str(point.x), "lat": str(point.y), "callback_wanted": "1"}}


def _receipt_setup(session):
    return {"params": {"receipt": _case_at(session, OUTSIDE_GRID).receipt}}


PROBES |= {
    ("GET", "/hotline"): [
        Probe("GET", "/hotline", _hotline_check(200)),
        # the receipt of a call in another street's grid: the operator's scope is the district
        Probe("GET", "/hotline", _hotline_check(200), setup=_receipt_setup),
    ],
    ("POST", "/hotline"): [
        Probe(
            "POST",
            "/hotline",
            _hotline_check(303),
            setup=_call_setup,
            kwargs={"follow_redirects": False},
        )
    ],
}


def _grid_notification(session) -> dict:
    """A notification to the demo grid worker's grid: theirs to read, no one else's."""
    InAppSender(session).send(
        Message(
            district_code="210104",
            to=Recipients(unit_code=INSIDE_GRID),
            subject="请核实 please verify",
            body="probe",
        )
    )
    return {"id": session.scalar(select(Notification.id).order_by(Notification.id.desc()))}


def _own_notification_check(ok):
    def check(response, username):
        expected = ok if username == "gridworker" else 404
        assert response.status_code == expected, response.text

    return check


def _mark_one(prefix):
    def setup(session) -> dict:
        return {"path": f"{prefix}/notifications/{_grid_notification(session)['id']}/read"}

    return setup


PROBES |= {
    ("GET", "/api/v1/notifications"): [Probe("GET", "/api/v1/notifications", _status(200))],
    ("GET", "/api/v1/notifications/unread-count"): [
        Probe("GET", "/api/v1/notifications/unread-count", _status(200))
    ],
    ("POST", "/api/v1/notifications/read"): [
        Probe("POST", "/api/v1/notifications/read", _status(200))
    ],
    ("POST", "/api/v1/notifications/{notification_id}/read"): [
        Probe("POST", "", _own_notification_check(204), setup=_mark_one("/api/v1"))
    ],
    ("GET", "/notifications"): [Probe("GET", "/notifications", _status(200))],
    ("GET", "/notifications/badge"): [Probe("GET", "/notifications/badge", _status(200))],
    ("POST", "/notifications/read"): [
        Probe("POST", "/notifications/read", _status(303), kwargs={"follow_redirects": False})
    ],
    ("POST", "/notifications/{notification_id}/read"): [
        Probe(
            "POST",
            "",
            _own_notification_check(303),
            setup=_mark_one(""),
            kwargs={"follow_redirects": False},
        )
    ],
    ("POST", "/language"): [
        Probe(
            "POST",
            "/language",
            _status(303),
            kwargs={"data": {"lang": "en", "next": "/"}, "follow_redirects": False},
        )
    ],
}


# ---- /console and /console/live: the queues of the cases in the reader's scope ----

_CONSOLE_CASES: dict[str, str] = {}  # MINE / THEIRS → the receipt of the probe's case


def _console_setup(path):
    def setup(session):
        _CONSOLE_CASES["mine"] = _case_at(session, *MINE).receipt
        _CONSOLE_CASES["theirs"] = _case_at(session, *THEIRS).receipt
        return {"path": path}

    return setup


def _console_check(response, username):
    # Each reader's queue holds exactly the cases of their scope (a department's: its own).
    assert response.status_code == 200, (username, response.text[:300])
    assert 'id="console-live"' in response.text
    for case, (grid, department) in (("mine", MINE), ("theirs", THEIRS)):
        listed = f'data-receipt="{_CONSOLE_CASES[case]}"' in response.text
        assert listed == _sees_case(username, grid, department), (username, case)
    # Only the command centre ticks cases for the bulk actions.
    ticks = 'name="case"' in response.text
    assert ticks == (Permission.CASES_COMMAND in ROLE_PERMISSIONS[Role(ROLE_OF[username])])


PROBES |= {
    ("GET", "/console"): [
        Probe("GET", "", _console_check, setup=_console_setup("/console?queue=handle"))
    ],
    ("GET", "/console/live"): [
        Probe("GET", "", _console_check, setup=_console_setup("/console/live?queue=handle"))
    ],
}


def _api_routes():
    for path, route in iter_routes(create_app().routes):
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                yield method, path, route
        else:
            assert path in NON_API_ROUTES, f"{path} is neither an API route nor known"


# ---- the office pages: a department's inbox, an area's list, the leader's overview ----------


def _office_setup(tab):
    def setup(session):
        mine, theirs = _case_at(session, *MINE), _case_at(session, *THEIRS)
        _OFFICE_RECEIPTS[:] = [mine.receipt, theirs.receipt]
        return {"params": {"tab": tab}}

    return setup


_OFFICE_RECEIPTS: list[str] = []


def _office_list_check(response, username):
    # Each reader's list holds exactly the cases of their scope (a department: its own).
    assert response.status_code == 200, (username, response.text[:300])
    mine, theirs = _OFFICE_RECEIPTS
    assert (mine in response.text) == _sees_case(username, *MINE), username
    assert (theirs in response.text) == _sees_case(username, *THEIRS), username
    assert "13912345678" not in response.text


def _office_export_check(response, username):
    # Each reader's export holds exactly the cases its list shows: those of their scope.
    assert response.status_code == 200, (username, response.text[:300])
    if response.headers["content-type"].startswith("text/csv"):
        header, *rows = csv_rows(response.content)
    else:
        header, *rows = xlsx_sheets(response.content)["cases"]
    exported = {row[header.index("受理编号")] for row in rows}
    mine, theirs = _OFFICE_RECEIPTS
    assert (mine in exported) == _sees_case(username, *MINE), username
    assert (theirs in exported) == _sees_case(username, *THEIRS), username
    assert b"13912345678" not in response.content


_OTHER_STREET = OUTSIDE_GRID[:9]


def _overview_check(response, username):
    if covers(username, _OTHER_STREET):
        assert response.status_code == 200, (username, response.text[:300])
        assert f'data-unit="{_OTHER_STREET}"' in response.text
    else:  # as for a unit that does not exist: nothing of it
        assert response.status_code == 404, (username, response.text[:300])


PROBES |= {
    ("GET", "/inbox"): [Probe("GET", "/inbox", _office_list_check, setup=_office_setup("green"))],
    ("GET", "/area"): [Probe("GET", "/area", _office_list_check, setup=_office_setup("open"))],
    **{
        ("GET", f"/{page}/export.{format}"): [
            Probe("GET", f"/{page}/export.{format}", _office_export_check, setup=_office_setup(tab))
        ]
        for page, tab in (("inbox", "green"), ("area", "open"))
        for format in ("csv", "xlsx")
    },
    ("GET", "/overview"): [
        Probe("GET", "/overview", _status(200)),
        Probe("GET", "/overview", _overview_check, kwargs={"params": {"unit": _OTHER_STREET}}),
    ],
}


# ---- the employment ledgers: totals for 人社 and leaders, entries and writes for 人社 alone ----

_PAYMENT = {
    "enterprise_name": "沈阳矩阵测试有限公司",
    "credit_code": "91350100M000100Y43",
    "street_code": INSIDE_GRID[:9],
    "period": "2026-12",
}


def _paid_setup(path_of):
    def setup(session):
        entry = employment.record_subsidy(
            session=session,
            scope=Scope.all(),
            by="probe",
            amount_fen=100,
            jobs_kept=1,
            paid_at=date(2026, 12, 1),
            **_PAYMENT,
        )
        return path_of(entry.id)

    return setup


def _loan_setup(session):
    loan_id = session.scalars(select(StartupLoan.id).order_by(StartupLoan.id).limit(1)).one()
    return {
        "path": f"/api/v1/employment/loans/{loan_id}/reveal",
        "json": {"field": "id_number", "purpose": "核对借款人身份信息"},
    }


def _totals_check(response, username):
    assert response.status_code == 200, response.text
    assert response.json()["total"]["enterprises"] >= 3225


def _employment_page_check(response, username):
    assert response.status_code == 200, response.text
    ledgers = 'id="loan-table"' in response.text
    assert ledgers == (username == "hr")  # a leader reads totals, never names


_API_PAYMENT = _PAYMENT | {"amount_fen": 100, "jobs_kept": 1, "paid_at": "2026-12-01"}
_FORM_PAYMENT = _PAYMENT | {"amount": "1.00", "jobs_kept": "1", "paid_at": "2026-12-01"}
_LOAN = {
    "borrower_name": "李小龙",
    "id_number": "11010519491231002X",
    "street_code": INSIDE_GRID[:9],
    "jobs_created": "1",
    "granted_at": "2026-12-01",
}
_NO_FOLLOW = {"follow_redirects": False}
_UNDO = {"reason": "矩阵测试冲正", "paid_at": "2026-12-02"}

PROBES |= {
    ("GET", "/api/v1/employment/totals"): [
        Probe("GET", "/api/v1/employment/totals", _totals_check)
    ],
    ("GET", "/api/v1/employment/subsidies"): [
        Probe("GET", "/api/v1/employment/subsidies", _status(200))
    ],
    ("POST", "/api/v1/employment/subsidies"): [
        Probe("POST", "/api/v1/employment/subsidies", _status(201), kwargs={"json": _API_PAYMENT})
    ],
    ("POST", "/api/v1/employment/subsidies/{entry_id}/reversal"): [
        Probe(
            "POST",
            "",
            _status(201),
            setup=_paid_setup(
                lambda i: {"path": f"/api/v1/employment/subsidies/{i}/reversal", "json": _UNDO}
            ),
        )
    ],
    ("GET", "/api/v1/employment/loans"): [Probe("GET", "/api/v1/employment/loans", _status(200))],
    ("POST", "/api/v1/employment/loans"): [
        Probe(
            "POST",
            "/api/v1/employment/loans",
            _status(201),
            kwargs={"json": _LOAN | {"amount_fen": 100, "jobs_created": 1}},
        )
    ],
    ("POST", "/api/v1/employment/loans/{loan_id}/reveal"): [
        Probe("POST", "", _status(200), setup=_loan_setup)
    ],
    ("GET", "/employment"): [Probe("GET", "/employment", _employment_page_check)],
    ("POST", "/employment/subsidies"): [
        Probe(
            "POST",
            "/employment/subsidies",
            _status(303),
            kwargs={"data": _FORM_PAYMENT} | _NO_FOLLOW,
        )
    ],
    ("POST", "/employment/subsidies/reversal"): [
        Probe(
            "POST",
            "/employment/subsidies/reversal",
            _status(303),
            setup=_paid_setup(lambda i: {"data": _UNDO | {"entry_id": str(i)}} | _NO_FOLLOW),
        )
    ],
    ("POST", "/employment/loans"): [
        Probe(
            "POST",
            "/employment/loans",
            _status(303),
            kwargs={"data": _LOAN | {"amount": "1.00"}} | _NO_FOLLOW,
        )
    ],
    **{
        ("GET", f"/employment/{ledger}/export.{format}"): [
            Probe("GET", f"/employment/{ledger}/export.{format}", _status(200))
        ]
        for ledger in ("subsidies", "loans")
        for format in ("csv", "xlsx")
    },
}


# ---- 评理说事 (mediation): a dispute of the demo community's and one of another street's ----

_MINE_COMMUNITY = INSIDE_GRID[:12]
_THEIR_COMMUNITY = OUTSIDE_GRID[:12]
_PARTY_NAME, _PARTY_PHONE = "赵四海", "13912345678"


def _point_id(session, community: str) -> int:
    return session.scalars(
        select(MediationPoint.id).where(MediationPoint.community_code == community)
    ).one()


def _dispute_at(session, community: str):
    return mediation.create_dispute(
        session=session,
        point=session.get(MediationPoint, _point_id(session, community)),
        issue_type="property",
        summary="物业费争议",
        parties=[mediation.NewParty(Side.APPLICANT, _PARTY_NAME, _PARTY_PHONE)],
    )


def _dispute_setup(community: str, suffix: str = "", page: bool = False, **kwargs):
    def setup(session):
        dispute = _dispute_at(session, community)
        base = "" if page else "/api/v1"
        return {"path": f"{base}/mediation/disputes/{dispute.id}{suffix}", **kwargs}

    return setup


def _point_setup(community: str, suffix: str = "", page: bool = False, **kwargs):
    def setup(session):
        base = "" if page else "/api/v1"
        return {
            "path": f"{base}/mediation/points/{_point_id(session, community)}{suffix}",
            **kwargs,
        }

    return setup


def _mediation_check(community: str, ok: int):
    def check(response, username):
        expected = ok if covers(username, community) else 404
        assert response.status_code == expected, (username, response.text[:300])
        assert _PARTY_NAME not in response.text and _PARTY_PHONE not in response.text

    return check


def _both_disputes(session):
    _dispute_at(session, _MINE_COMMUNITY)
    _dispute_at(session, _THEIR_COMMUNITY)
    return {}


def _disputes_check(response, username):
    assert response.status_code == 200, response.text
    codes = {d["community_code"] for d in response.json()["items"]}
    assert codes and all(covers(username, code) for code in codes)
    assert _PARTY_NAME not in response.text and _PARTY_PHONE not in response.text


def _mediation_page_check(response, username):
    # Counts for everyone let in; the disputes' list only for whoever may read it, in scope.
    assert response.status_code == 200, response.text
    assert 'id="count-total"' in response.text
    reads = Permission.MEDIATION_READ in ROLE_PERMISSIONS[Role(ROLE_OF[username])]
    assert ('id="mediation-disputes"' in response.text) == reads
    assert _PARTY_NAME not in response.text and _PARTY_PHONE not in response.text


def _register_form(community: str):
    def setup(session):
        point = _point_id(session, community)
        data = {
            "point_id": point,
            "issue_type": "family",
            "summary": "赡养",
            "applicant_name": "赵四",
        }
        return {"data": data} | _STAY

    return setup


_STAY = {"follow_redirects": False}  # a form's answer: 303 to its page
_SESSION = {"json": {"mediator": "调解员", "note": "双方到场"}}
_PAGE_SESSION = {"data": {"mediator": "调解员", "note": "双方到场"}} | _STAY

PROBES |= {
    ("GET", "/api/v1/mediation/counts"): [Probe("GET", "/api/v1/mediation/counts", _status(200))],
    ("GET", "/api/v1/mediation/points"): [Probe("GET", "/api/v1/mediation/points", _status(200))],
    ("GET", "/api/v1/mediation/points/{point_id}"): [
        Probe("GET", "", _mediation_check(c, 200), setup=_point_setup(c))
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("PUT", "/api/v1/mediation/points/{point_id}/checklist/{item}"): [
        Probe(
            "PUT",
            "",
            _mediation_check(c, 200),
            setup=_point_setup(c, "/checklist/sign", json={"done": True}),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("GET", "/api/v1/mediation/disputes"): [
        Probe("GET", "/api/v1/mediation/disputes", _disputes_check, setup=_both_disputes)
    ],
    ("POST", "/api/v1/mediation/disputes"): [
        Probe(
            "POST",
            "/api/v1/mediation/disputes",
            _mediation_check(c, 201),
            setup=lambda s, c=c: {
                "json": {
                    "point_id": _point_id(s, c),
                    "issue_type": "family",
                    "summary": "赡养",
                    "parties": [{"side": "applicant", "name": "赵四"}],
                }
            },
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("GET", "/api/v1/mediation/disputes/{dispute_id}"): [
        Probe("GET", "", _mediation_check(c, 200), setup=_dispute_setup(c))
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/api/v1/mediation/disputes/{dispute_id}/sessions"): [
        Probe(
            "POST", "", _mediation_check(c, 201), setup=_dispute_setup(c, "/sessions", **_SESSION)
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/api/v1/mediation/disputes/{dispute_id}/outcome"): [
        Probe(
            "POST",
            "",
            _mediation_check(c, 200),
            setup=_dispute_setup(c, "/outcome", json={"outcome": "failed"}),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/api/v1/mediation/disputes/{dispute_id}/refer"): [
        Probe(
            "POST",
            "",
            _mediation_check(c, 200),
            setup=_dispute_setup(c, "/refer", json={"category_code": "E0606"}),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("GET", "/mediation"): [
        Probe("GET", "/mediation", _mediation_page_check, setup=_both_disputes)
    ],
    ("POST", "/mediation/disputes"): [
        Probe("POST", "/mediation/disputes", _mediation_check(c, 303), setup=_register_form(c))
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("GET", "/mediation/points/{point_id}"): [
        Probe("GET", "", _mediation_check(c, 200), setup=_point_setup(c, page=True))
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/mediation/points/{point_id}/checklist"): [
        Probe(
            "POST",
            "",
            _mediation_check(c, 200),
            setup=_point_setup(c, "/checklist", page=True, data={"done": ["sign"]}),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("GET", "/mediation/disputes/{dispute_id}"): [
        Probe("GET", "", _mediation_check(c, 200), setup=_dispute_setup(c, page=True))
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/mediation/disputes/{dispute_id}/sessions"): [
        Probe(
            "POST",
            "",
            _mediation_check(c, 303),
            setup=_dispute_setup(c, "/sessions", page=True, **_PAGE_SESSION),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/mediation/disputes/{dispute_id}/outcome"): [
        Probe(
            "POST",
            "",
            _mediation_check(c, 303),
            setup=_dispute_setup(c, "/outcome", page=True, data={"outcome": "failed"}, **_STAY),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
    ("POST", "/mediation/disputes/{dispute_id}/refer"): [
        Probe(
            "POST",
            "",
            _mediation_check(c, 303),
            setup=_dispute_setup(c, "/refer", page=True, data={"category_code": "E0606"}, **_STAY),
        )
        for c in (_MINE_COMMUNITY, _THEIR_COMMUNITY)
    ],
}


# ---- /report (a citizen's report, anyone), its receipt, and /patrol (a field worker's) ----

PATROLLERS = {"gridworker", "community"}  # cases.intake with the grid_worker channel


def _report_form(session):
    grid = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == INSIDE_GRID)).one()
    point = from_wkb(grid.geometry).representative_point()
    return {
        "data": {
            "lon": f"{point.x:.6f}",
            "lat": f"{point.y:.6f}",
            "category_code": "0107",
            "description": "路灯不亮",
            "reporter_phone": "13912345678",
        }
    }


def _report_sent(response, username):
    assert response.status_code == 303, response.text
    assert "/report/" in response.headers["location"]


def _receipt_setup(session):
    case = _case_at(session, OUTSIDE_GRID)
    case.reporter_phone = "13912345678"
    return {"path": f"/report/{case.receipt}"}


def _receipt_check(response, username):
    # Anyone with the receipt sees it; the reporter's phone masked, never whole.
    assert response.status_code == 200, response.text
    assert 'id="receipt"' in response.text and "13912345678" not in response.text


def _patrol_check(ok):
    def check(response, username):
        if username in PATROLLERS:
            assert response.status_code == ok, (username, response.text[:300])
        else:  # cases.intake, but not on the grid_worker channel (a citizen, the hotline)
            assert response.status_code == 403, (username, response.text[:300])

    return check


PROBES |= {
    ("GET", "/report"): [Probe("GET", "/report", _status(200))],
    ("POST", "/report"): [
        Probe(
            "POST",
            "/report",
            _report_sent,
            setup=_report_form,
            kwargs={"follow_redirects": False},
        )
    ],
    ("GET", "/report/{receipt}"): [Probe("GET", "", _receipt_check, setup=_receipt_setup)],
    ("GET", "/patrol"): [
        # No Accept: text/html, so that a refusal is the API's (401, 403 in JSON), as every
        # probe's; a browser is sent to sign in instead (tests/web).
        Probe("GET", "/patrol", _patrol_check(200))
    ],
    ("POST", "/patrol"): [
        Probe(
            "POST",
            "/patrol",
            _patrol_check(201),
            setup=lambda s: _report_form(s) | {"headers": {"Accept": "application/json"}},
        )
    ],
}


# ---- the three administrators' pages (/admin/…): each behind its own permission ----


def _lock_setup(session):
    session.add(
        SignInThrottle(
            district_code="210104",
            username="leader",
            source="10.9.9.9",
            failures=0,
            window_started_at=utcnow(),
            locked_until=utcnow() + timedelta(minutes=10),
        )
    )
    session.flush()
    return {"data": {"username": "leader", "source": "10.9.9.9"}}


def _rule_setup(session):
    set_rule(
        session=session,
        scope=Scope.all(),
        category_code="0107",
        unit_code="210104017",
        department_code="water",
    )
    return {"data": {"category_code": "0107", "unit_code": "210104017"}}


_FAR_DAY = "2099-01-05"  # declared and withdrawn by the probes: no case's deadline nears it


def _day_setup(session):
    declared_days.declare(
        session=session,
        district_code="210104",
        day=date(2099, 1, 5),
        working=False,
        reason="probe",
        by="probe",
    )
    return {"data": {"day": _FAR_DAY}}


def _calendar_check(ok):
    def check(response, username):
        declare_days({})  # the process's calendar forgets what the probe declared
        assert response.status_code == ok, response.text[:300]

    return check


def _page(ok=200):
    return _status(ok)


_NO_REDIRECT = {"follow_redirects": False}
_LIMITS = {
    "verify_limit": "1h",
    "dispatch_limit": "30m",
    "handle_limit": "2d",
    "check_limit": "4h",
    "department": "urban_mgmt",
    "active": "true",
}

PROBES |= {
    ("GET", "/admin/users"): [Probe("GET", "/admin/users", _page())],
    ("GET", "/admin/users/export.csv"): [Probe("GET", "/admin/users/export.csv", _page())],
    ("GET", "/admin/users/export.xlsx"): [Probe("GET", "/admin/users/export.xlsx", _page())],
    ("GET", "/admin/users/new"): [Probe("GET", "/admin/users/new", _page())],
    ("POST", "/admin/users"): [
        Probe(
            "POST",
            "/admin/users",
            _page(),
            kwargs={"data": {"username": "probe.user", "role": "leader"}},
        )
    ],
    ("GET", "/admin/users/{username}"): [Probe("GET", "/admin/users/leader", _page())],
    ("POST", "/admin/users/{username}/role"): [
        Probe(
            "POST",
            "/admin/users/department/role",
            _page(303),
            kwargs={"data": {"role": "leader"}} | _NO_REDIRECT,
        )
    ],
    ("POST", "/admin/users/{username}/active"): [
        Probe(
            "POST",
            "/admin/users/leader/active",
            _page(303),
            kwargs={"data": {"active": "false"}} | _NO_REDIRECT,
        )
    ],
    ("POST", "/admin/users/{username}/password"): [
        Probe("POST", "/admin/users/leader/password", _page(), kwargs={"data": {}})
    ],
    ("GET", "/admin/locks"): [Probe("GET", "/admin/locks", _page())],
    ("POST", "/admin/locks/unlock"): [
        Probe("POST", "/admin/locks/unlock", _page(303), setup=_lock_setup, kwargs=_NO_REDIRECT)
    ],
    ("GET", "/admin/categories"): [Probe("GET", "/admin/categories", _page())],
    ("GET", "/admin/categories/{code}"): [Probe("GET", "/admin/categories/0107", _page())],
    ("POST", "/admin/categories/{code}"): [
        Probe("POST", "/admin/categories/0107", _page(303), kwargs={"data": _LIMITS} | _NO_REDIRECT)
    ],
    ("GET", "/admin/routing"): [Probe("GET", "/admin/routing", _page())],
    ("POST", "/admin/routing/rules"): [
        Probe(
            "POST",
            "/admin/routing/rules",
            _page(303),
            kwargs={
                "data": {
                    "category_code": "0107",
                    "unit_code": "210104017",
                    "department_code": "water",
                }
            }
            | _NO_REDIRECT,
        )
    ],
    ("POST", "/admin/routing/rules/delete"): [
        Probe(
            "POST",
            "/admin/routing/rules/delete",
            _page(303),
            setup=_rule_setup,
            kwargs=_NO_REDIRECT,
        )
    ],
    ("GET", "/admin/calendar"): [Probe("GET", "/admin/calendar", _page())],
    ("POST", "/admin/calendar"): [
        Probe(
            "POST",
            "/admin/calendar",
            _calendar_check(303),
            kwargs={"data": {"day": _FAR_DAY, "working": "rest", "reason": "probe"}} | _NO_REDIRECT,
        )
    ],
    ("POST", "/admin/calendar/delete"): [
        Probe(
            "POST",
            "/admin/calendar/delete",
            _calendar_check(303),
            setup=_day_setup,
            kwargs=_NO_REDIRECT,
        )
    ],
    ("GET", "/admin/audit"): [Probe("GET", "/admin/audit", _page())],
    ("GET", "/admin/audit/verify"): [Probe("GET", "/admin/audit/verify", _page())],
    ("GET", "/admin/audit/export.csv"): [Probe("GET", "/admin/audit/export.csv", _page())],
    ("GET", "/admin/audit/export.xlsx"): [Probe("GET", "/admin/audit/export.xlsx", _page())],
}


# ---- the matrix: built last, once every group above has added its probes ----


def test_every_route_declares_exactly_one_access_rule():
    for method, path, route in _api_routes():
        rules = rule_of(route)
        assert len(rules) == 1, f"{method} {path} declares {rules or 'no access rule'}"


def test_every_route_has_a_probe_in_the_matrix():
    routes = {(method, path) for method, path, _ in _api_routes()}
    assert routes - PROBES.keys() == set(), "add these routes to PROBES"
    assert PROBES.keys() - routes == set(), "these probes name no route"


def _rule(method, path):
    for m, p, route in _api_routes():
        if m == method and p == path:
            return rule_of(route)[0]
    raise AssertionError(f"no route {method} {path}")


CASES = [
    (route, probe, who)
    for route, probes in PROBES.items()
    for probe in probes
    for who in PRINCIPALS
]


@pytest.mark.parametrize(
    ("route", "probe", "who"),
    CASES,
    ids=[f"{r[0]} {p.path or r[1]} as {w or 'anonymous'}" for r, p, w in CASES],
)
def test_matrix(client, tokens, session, route, probe, who):
    token = tokens.get(who) if who else None
    if probe.fresh_token and who:
        user = session.scalars(select(User).where(User.username == who)).one()
        token = service.issue_token(session=session, user=user, kind="api", source="t").token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {**probe.kwargs, **probe.setup(session)} if probe.setup else dict(probe.kwargs)
    path = kwargs.pop("path", probe.path)
    headers |= kwargs.pop("headers", {})
    response = client.request(probe.method, path, headers=headers, **kwargs)
    rule = _rule(*route)
    if rule == "public":
        if route == ("GET", "/") and who is None:
            assert response.status_code == 303 and "/login" in response.headers["location"]
        else:
            probe.check(response, who)
        return
    if who is None:
        assert response.status_code == 401
        assert "error" in response.json() and "features" not in response.text
        return
    allowed = rule == "signed-in" or Permission(rule) in ROLE_PERMISSIONS[Role(ROLE_OF[who])]
    if not allowed:
        assert response.status_code == 403, response.text
        assert set(response.json()) == {"error"}
        return
    probe.check(response, who)
