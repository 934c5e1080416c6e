"""Revealing a masked field: permitted roles only, within their scope, for a logged purpose."""

import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.accounts import service as accounts
from onegrid.accounts.models import User
from onegrid.audit.models import AuditRecord
from onegrid.core.pii import PiiKind, mask
from onegrid.territory.models import Assignment, Person, TerritoryUnit

INSIDE_GRID = "210104002009001"  # within the community user's community
OUTSIDE_GRID = "210104017012009"  # a grid of another street
PURPOSE = "联系网格员核实案件现场情况"
USERS = ("citizen", "gridworker", "community", "street", "command")


@pytest.fixture(scope="module")
def tokens(demo_engine) -> dict[str, str]:
    """Returns committed bearer tokens: a refusal is recorded on a connection of its own."""
    with Session(demo_engine) as session:
        users = session.scalars(select(User).where(User.username.in_(USERS))).all()
        result = {
            u.username: accounts.issue_token(session=session, user=u, kind="api", source="t").token
            for u in users
        }
        session.commit()
    return result


def bearer(tokens, username):
    return {"Authorization": f"Bearer {tokens[username]}"}


def grid_worker(session, grid_code) -> Person:
    query = (
        select(Person)
        .join(Assignment, Assignment.person_id == Person.id)
        .join(TerritoryUnit, Assignment.unit_id == TerritoryUnit.id)
        .where(TerritoryUnit.code == grid_code, Assignment.role == "grid_worker")
        .order_by(Person.id)
    )
    return session.scalars(query).first()


def reveal(client, tokens, username, person_id, field="phone", purpose=PURPOSE):
    body = {"object_type": "person", "object_id": person_id, "field": field}
    if purpose is not None:
        body["purpose"] = purpose
    return client.post("/api/v1/pii/reveal", json=body, headers=bearer(tokens, username))


def last_reveal(session_or_engine, outcome) -> AuditRecord:
    query = (
        select(AuditRecord)
        .where(AuditRecord.action == "pii.reveal", AuditRecord.outcome == outcome)
        .order_by(AuditRecord.id.desc())
    )
    return session_or_engine.scalars(query).first()


def test_a_reveal_with_a_purpose_returns_the_clear_value_and_is_audited(client, session, tokens):
    person = grid_worker(session, INSIDE_GRID)
    response = reveal(client, tokens, "community", person.id)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {
        "object_type": "person",
        "object_id": person.id,
        "field": "phone",
        "value": person.phone,
        "masked": mask(PiiKind.PHONE, person.phone),
    }
    record = last_reveal(session, "success")
    assert (record.actor, record.actor_role) == ("community", "community_staff")
    assert (record.object_type, record.object_id) == ("person", str(person.id))
    assert json.loads(record.detail) == {"field": "phone", "purpose": PURPOSE}
    assert person.phone not in record.detail


def test_an_id_number_is_revealed_the_same_way(client, session, tokens):
    person = grid_worker(session, INSIDE_GRID)
    person.id_number = "11010519491231002X"
    session.flush()
    response = reveal(client, tokens, "street", person.id, field="id_number")
    assert response.status_code == 200, response.text
    assert response.json()["value"] == "11010519491231002X"
    assert response.json()["masked"] == "1101**********002X"
    assert "002X" not in last_reveal(session, "success").detail


@pytest.mark.parametrize("purpose", [None, "", "看看", "    查看  ", "x" * 201])
def test_a_missing_or_short_purpose_is_refused(client, session, tokens, purpose):
    person = grid_worker(session, INSIDE_GRID)
    response = reveal(client, tokens, "community", person.id, purpose=purpose)
    assert response.status_code == 422
    assert person.phone not in response.text


def test_an_unknown_field_or_object_type_is_refused(client, session, tokens):
    person = grid_worker(session, INSIDE_GRID)
    body = {"object_type": "person", "object_id": person.id, "field": "name", "purpose": PURPOSE}
    headers = bearer(tokens, "community")
    assert client.post("/api/v1/pii/reveal", json=body, headers=headers).status_code == 422
    body.update(field="phone", object_type="user")
    assert client.post("/api/v1/pii/reveal", json=body, headers=headers).status_code == 422


@pytest.mark.parametrize("username", ["gridworker", "citizen"])
def test_a_role_without_the_permission_is_forbidden(client, session, tokens, username):
    person = grid_worker(session, INSIDE_GRID)
    response = reveal(client, tokens, username, person.id)
    assert response.status_code == 403
    assert response.json()["error"]["detail"] == {"permission": "pii.reveal"}
    assert person.phone not in response.text


def test_a_person_outside_the_scope_is_not_found_like_no_person_at_all(client, session, tokens):
    outside = grid_worker(session, OUTSIDE_GRID)
    response = reveal(client, tokens, "street", outside.id)
    assert response.status_code == 404
    assert outside.phone not in response.text and not re.search(r"\d{11}", response.text)
    missing = reveal(client, tokens, "street", 10**9)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == f"没有编号为 {10**9} 的人员"
    assert response.json()["error"]["message"] == f"没有编号为 {outside.id} 的人员"
    refused = last_reveal(session, "denied")
    assert refused.actor == "street"
    assert json.loads(refused.detail) == {
        "field": "phone",
        "purpose": PURPOSE,
        "object_type": "person",
        "object_id": 10**9,
    }
    # The district-wide command centre may see the same person.
    assert reveal(client, tokens, "command", outside.id).json()["value"] == outside.phone


def test_the_units_endpoint_never_returns_a_full_phone_number(client, session, tokens):
    for code in (INSIDE_GRID, INSIDE_GRID[:12]):
        response = client.get(f"/api/v1/territory/units/{code}", headers=bearer(tokens, "street"))
        assert response.status_code == 200
        body = response.json()
        assert body["staff"]
        staff = json.dumps(body["staff"], ensure_ascii=False)
        assert not re.search(r"\d{11}", staff)
        for entry in body["staff"]:
            person = session.get(Person, entry["person_id"])
            assert person.phone not in response.text
            assert entry["phone"] == mask(PiiKind.PHONE, person.phone)


def test_a_person_listed_on_a_unit_can_be_revealed_by_its_id(client, session, tokens):
    unit = client.get(f"/api/v1/territory/units/{INSIDE_GRID}", headers=bearer(tokens, "community"))
    person_id = unit.json()["staff"][0]["person_id"]
    response = reveal(client, tokens, "community", person_id)
    assert response.status_code == 200
    assert response.json()["masked"] == unit.json()["staff"][0]["phone"]
