"""The route rules alone, with a stand-in for accounts' identify: what each rule lets through,
what it refuses and records, and that a route nobody identified is never let through."""

from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Header, Request
from fastapi.testclient import TestClient

from onegrid.core import problems
from onegrid.core.access import CSRF_HEADER, identified, public, require, rule_of, signed_in
from onegrid.core.permissions import ANONYMOUS, Permission, Principal, Role, Scope

READ = Permission.TERRITORY_READ
PEOPLE = {
    "reader": Principal(1, "reader", Role.LEADER, Scope("210104"), frozenset({READ})),
    "nobody": Principal(2, "nobody", Role.CITIZEN, Scope(None)),  # must change their password
    "citizen": Principal(4, "citizen", Role.CITIZEN, Scope(None)),
    "browser": Principal(3, "browser", Role.LEADER, Scope("210104"), frozenset({READ}), True),
}


def _app(refusals: list, *, identify: bool = True) -> FastAPI:
    def stand_in(request: Request, who: Annotated[str | None, Header()] = None) -> None:
        principal = PEOPLE.get(who or "", ANONYMOUS)
        identified(
            request,
            principal,
            lambda principal, detail: refusals.append((principal.username, detail)),
            csrf_token="right" if principal.via_cookie else None,
            must_change_password=who == "nobody",
        )

    app = FastAPI(dependencies=[Depends(stand_in)] if identify else [])
    problems.install(app)

    @app.get("/read")
    def read(user: Annotated[Principal, require(READ)]) -> str:
        return user.username

    @app.post("/write")
    def write(user: Annotated[Principal, require(READ)]) -> str:
        return user.username

    @app.get("/anyone")
    def anyone(user: Annotated[Principal, public()]) -> str:
        return user.username

    @app.post("/password")
    def password(user: Annotated[Principal, signed_in(pending=True)]) -> str:
        return user.username

    return app


def test_require_lets_in_the_permitted_and_refuses_and_records_the_rest():
    refusals: list = []
    client = TestClient(_app(refusals))
    assert client.get("/read", headers={"who": "reader"}).json() == "reader"
    assert client.get("/read").status_code == 401
    assert refusals == []  # nobody signed in: nothing to record
    assert client.get("/read", headers={"who": "citizen"}).status_code == 403
    assert client.get("/read", headers={"who": "nobody"}).status_code == 403
    assert refusals == [
        ("citizen", {"permission": "territory.read", "path": "/read"}),
        ("nobody", {"reason": "must change password", "path": "/read"}),
    ]


def test_a_write_with_a_cookie_carries_the_sessions_csrf_token():
    client = TestClient(_app([]))
    assert client.post("/write", headers={"who": "browser"}).status_code == 403
    wrong = {"who": "browser", CSRF_HEADER: "wrong"}
    assert client.post("/write", headers=wrong).status_code == 403
    right = {"who": "browser", CSRF_HEADER: "right"}
    assert client.post("/write", headers=right).json() == "browser"
    assert client.post("/write", headers={"who": "reader"}).json() == "reader"  # no cookie


def test_public_sees_a_user_who_must_change_their_password_as_anonymous():
    client = TestClient(_app([]))
    assert client.get("/anyone", headers={"who": "reader"}).json() == "reader"
    assert client.get("/anyone", headers={"who": "nobody"}).json() == "anonymous"
    assert client.post("/password", headers={"who": "nobody"}).json() == "nobody"


def test_a_route_nobody_identified_is_never_let_through():
    client = TestClient(_app([], identify=False), raise_server_exceptions=False)
    for path in ("/read", "/anyone"):
        assert client.get(path).status_code == 500


@pytest.mark.parametrize(
    ("path", "rule"),
    [("/read", "territory.read"), ("/anyone", "public"), ("/password", "signed-in")],
)
def test_a_routes_rule_is_found_again(path, rule):
    [route] = [r for r in _app([]).routes if getattr(r, "path", None) == path]
    assert rule_of(route) == [rule]
