"""Separation of the three admins (三员分立, SPEC §7): no page or API creates, changes, resets,
enables or disables an administrator's account, nor any account its own; only the server's
command line manages administrators, and every change is visible to the audit admin."""

import pytest
from sqlalchemy import select

from onegrid.accounts.models import User
from onegrid.audit.models import AuditRecord
from onegrid.core.permissions import Role
from onegrid.demo.build import DEMO_USERS

ADMINS = {"sysadmin": "system_admin", "secadmin": "security_admin", "auditadmin": "audit_admin"}
OTHERS = [username for username, *_ in DEMO_USERS if username != "secadmin"]
NEW_PASSWORD = "Lantern-Office-Walk-9"


def _auth(tokens, username):
    return {"Authorization": f"Bearer {tokens[username]}"}


def _acts(username: str) -> list[tuple[str, str, dict | None]]:
    """Every act of the API on an existing account."""
    base = f"/api/v1/users/{username}"
    return [
        ("POST", f"{base}/disable", None),
        ("POST", f"{base}/enable", None),
        ("POST", f"{base}/password", {"password": NEW_PASSWORD}),
        ("POST", f"{base}/password", {}),
        ("PUT", f"{base}/role", {"role": "leader"}),
    ]


def _state(session, username):
    session.expire_all()
    user = session.scalars(select(User).where(User.username == username)).one()
    return (user.role, user.is_active, user.password_hash, [s.unit_code for s in user.scopes])


def _refusals(session, action):
    query = select(AuditRecord).where(AuditRecord.action == action, AuditRecord.outcome == "denied")
    return session.scalars(query.order_by(AuditRecord.id)).all()


def _assert_refused_by_the_rule(response, rule):
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["message"].startswith("三员分立")
    assert error["detail"]["rule"] == rule


@pytest.mark.parametrize("role", sorted(ADMINS.values()))
def test_the_security_admin_cannot_create_an_administrator(client, tokens, session, role):
    before = len(_refusals(session, "user.create"))
    response = client.post(
        "/api/v1/users",
        json={"username": "newadmin", "password": NEW_PASSWORD, "role": role},
        headers=_auth(tokens, "secadmin"),
    )
    _assert_refused_by_the_rule(response, "admin_accounts_by_command_line")
    assert "onegrid user" in response.json()["error"]["message"]
    english = client.post(
        "/api/v1/users?lang=en",
        json={"username": "newadmin", "role": role},
        headers=_auth(tokens, "secadmin"),
    )
    assert "separation of duties" in english.json()["error"]["message"]
    assert session.scalars(select(User).where(User.username == "newadmin")).first() is None
    refusals = _refusals(session, "user.create")
    assert len(refusals) == before + 2 and role in refusals[-1].detail


@pytest.mark.parametrize("username", sorted(ADMINS))
def test_no_act_on_an_administrator_or_oneself_goes_through_the_api(
    client, tokens, session, username
):
    rule = "not_self" if username == "secadmin" else "admin_accounts_by_command_line"
    before = _state(session, username)
    for method, path, body in _acts(username):
        response = client.request(method, path, json=body, headers=_auth(tokens, "secadmin"))
        _assert_refused_by_the_rule(response, rule)
    assert _state(session, username) == before
    assert len(_refusals(session, "user.reset_password")) >= 2
    assert username in _refusals(session, "user.role")[-1].detail


@pytest.mark.parametrize("role", sorted(ADMINS.values()))
def test_no_account_is_given_an_administrators_role_through_the_api(client, tokens, session, role):
    before = _state(session, "leader")
    response = client.put(
        "/api/v1/users/leader/role", json={"role": role}, headers=_auth(tokens, "secadmin")
    )
    _assert_refused_by_the_rule(response, "admin_accounts_by_command_line")
    assert _state(session, "leader") == before


@pytest.mark.parametrize("username", OTHERS)
def test_no_other_role_manages_users(client, tokens, session, username):
    calls = [("POST", "/api/v1/users", {"username": "x1", "role": "leader"})]
    calls += [c for target in ("leader", username, "auditadmin") for c in _acts(target)]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=_auth(tokens, username))
        assert response.status_code == 403, (method, path, response.text)
    assert session.scalars(select(User).where(User.username == "x1")).first() is None


def test_a_role_change_through_the_api_is_audited_with_old_and_new(client, tokens, session):
    response = client.put(
        "/api/v1/users/gridworker/role",
        json={"role": "community_staff", "scope": ["210104002009"]},
        headers=_auth(tokens, "secadmin"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["role"] == "community_staff"
    assert response.json()["scope"] == ["210104002009"]
    records = client.get(
        "/api/v1/audit", params={"action": "user.role"}, headers=_auth(tokens, "auditadmin")
    ).json()
    assert records[0]["object_id"] == "gridworker" and records[0]["actor"] == "secadmin"
    assert records[0]["detail"] == {
        "old": {"role": "grid_worker", "scope": ["210104002009001"]},
        "new": {"role": "community_staff", "scope": ["210104002009"]},
    }


def test_the_audit_admin_sees_creations_and_resets_without_secrets(client, tokens):
    created = client.post(
        "/api/v1/users",
        json={"username": "newleader", "role": "leader"},
        headers=_auth(tokens, "secadmin"),
    )
    assert created.status_code == 201, created.text
    temporary = created.json()["temporary_password"]
    reset = client.post(
        "/api/v1/users/newleader/password", json={}, headers=_auth(tokens, "secadmin")
    )
    assert reset.status_code == 200
    log = client.get("/api/v1/audit", headers=_auth(tokens, "auditadmin"), params={"limit": 20})
    mine = [r for r in log.json() if r["object_id"] == "newleader"]
    assert [r["action"] for r in mine] == ["user.reset_password", "user.create"]
    assert mine[1]["detail"]["role"] == "leader" and mine[1]["detail"]["password"] == "generated"
    assert temporary not in log.text and reset.json()["temporary_password"] not in log.text


def test_an_account_the_security_admin_creates_opens_nothing_before_its_password_changes(
    client, tokens
):
    """The temporary password opens nothing but its change (see test_signin): the security
    admin cannot reveal personal data through a command-centre account it made without a
    `user.password_change` in the audit log."""
    created = client.post(
        "/api/v1/users",
        json={"username": "newcommand", "role": Role.COMMAND_CENTRE.value},
        headers=_auth(tokens, "secadmin"),
    )
    temporary = created.json()["temporary_password"]
    signed = client.post(
        "/api/v1/auth/token", json={"username": "newcommand", "password": temporary}
    ).json()
    reveal = client.post(
        "/api/v1/pii/reveal",
        json={
            "object_type": "case",
            "object_id": 1,
            "field": "reporter_phone",
            "purpose": "核实案件现场情况",
        },
        headers={"Authorization": f"Bearer {signed['access_token']}"},
    )
    assert reveal.status_code == 403
    assert reveal.json()["error"]["message"].startswith("请先修改密码")
