"""Every route declares its access rule, and role × scope × route behaves as the rule says.

A new route joins by adding one probe to PROBES: the test refuses any route without one.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from onegrid.accounts import service
from onegrid.accounts.access import iter_routes, rule_of
from onegrid.accounts.models import User
from onegrid.app import create_app
from onegrid.core.permissions import ROLE_PERMISSIONS, Permission, Role
from onegrid.core.pii import PiiKind, mask
from onegrid.demo.build import DEMO_USERS
from onegrid.territory.models import Assignment, TerritoryUnit

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
            kwargs={"data": {"username": "nobody", "password": "wrong-Password-1"}},
        )
    ],
    ("POST", "/logout"): [
        Probe("POST", "/logout", _status(303), fresh_token=True, kwargs={"follow_redirects": False})
    ],
    ("GET", "/docs"): [Probe("GET", "/docs", _status(200))],
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
}


def _api_routes():
    for path, route in iter_routes(create_app().routes):
        if isinstance(route, APIRoute):
            for method in route.methods - {"HEAD"}:
                yield method, path, route
        else:
            assert path in NON_API_ROUTES, f"{path} is neither an API route nor known"


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
    ids=[f"{p.method} {p.path} as {w or 'anonymous'}" for _, p, w in CASES],
)
def test_matrix(client, tokens, session, route, probe, who):
    token = tokens.get(who) if who else None
    if probe.fresh_token and who:
        user = session.scalars(select(User).where(User.username == who)).one()
        token = service.issue_token(session=session, user=user, kind="api", source="t").token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {**probe.kwargs, **probe.setup(session)} if probe.setup else probe.kwargs
    response = client.request(probe.method, probe.path, headers=headers, **kwargs)
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
