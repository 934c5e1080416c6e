"""The routing API as clients see it: a public catalogue, rules under routing.write, audited."""

import pytest
from sqlalchemy import select

from onegrid.audit.models import AuditRecord

pytestmark = pytest.mark.usefixtures("catalogue")

HUALU_GRID = "210104002009001"
DABEI_GRID = "210104002013001"


def _as(tokens, username):
    return {"Authorization": f"Bearer {tokens[username]}"}


def test_anyone_reads_the_active_catalogue_with_limits_and_attributes(client, session):
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    categories = {c["code"]: c for c in response.json()}
    assert len(categories) >= 40 and {c["kind"] for c in categories.values()} == {
        "component",
        "event",
    }
    gas = categories["E0401"]
    assert gas["name"] == "燃气泄漏隐患" and gas["department_code"] == "emergency"
    assert gas["limits"] == {"verify": "30m", "dispatch": "15m", "handle": "2h", "check": "1h"}
    assert "燃气" in gas["keywords"]
    smell = gas["attributes"][0]
    assert smell["datatype"] == "singlevaluelist" and smell["required"] is True
    assert smell["values"] == [{"key": "yes", "name": "有"}, {"key": "no", "name": "无"}]


def test_one_category_and_an_unknown_one(client, tokens):
    body = client.get("/api/v1/categories/E0601").json()
    assert body["name_en"] == "Insufficient heating"
    assert body["attributes"][0]["code"] == "indoor_temperature"
    missing = client.get("/api/v1/categories/9999", headers={"Accept-Language": "en"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no category has the code 9999"
    other = client.get("/api/v1/categories", params={"district": "110101"})
    assert other.status_code == 200 and other.json() == []
    mine = client.get("/api/v1/categories", headers=_as(tokens, "gridworker")).json()
    assert len(mine) >= 40


def test_a_rule_set_changes_the_route_and_its_removal_restores_it(client, session, tokens):
    command = _as(tokens, "command")
    where = {"category_code": "E0501", "unit_code": DABEI_GRID}
    before = client.get("/api/v1/routing/route", params=where, headers=command).json()
    assert before["department"]["code"] == "market" and before["rule_unit_code"] == "210104002"

    rule = {"category_code": "E0501", "unit_code": "210104002013", "department_code": "police"}
    response = client.put("/api/v1/routing/rules", json=rule, headers=command)
    assert response.status_code == 200, response.text
    assert response.json() == {**rule, "district_code": "210104"}
    after = client.get("/api/v1/routing/route", params=where, headers=command).json()
    assert after["department"] == {
        "code": "police",
        "name": "公安大东分局",
        "name_en": "Public Security Sub-bureau",
    }
    assert after["rule_unit_code"] == "210104002013"

    listed = client.get("/api/v1/routing/rules", headers=_as(tokens, "street")).json()
    assert ("E0501", "210104002013") in {(r["category_code"], r["unit_code"]) for r in listed}

    removed = client.delete(
        "/api/v1/routing/rules",
        params={"category_code": "E0501", "unit_code": "210104002013"},
        headers=command,
    )
    assert removed.status_code == 204
    again = client.get("/api/v1/routing/route", params=where, headers=command).json()
    assert again == before

    actions = session.scalars(
        select(AuditRecord.action).where(AuditRecord.object_id == "E0501@210104002013")
    ).all()
    assert actions == ["routing.set_rule", "routing.delete_rule"]


def test_rules_outside_the_scope_or_naming_nothing_are_refused(client, tokens):
    command = _as(tokens, "command")
    outside = {"category_code": "E0501", "unit_code": "110101001", "department_code": "market"}
    response = client.put("/api/v1/routing/rules", json=outside, headers=command)
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "没有代码为 110101001 的区划单元"
    for wrong, status in (
        ({"category_code": "E9999"}, 404),
        ({"department_code": "nowhere"}, 422),
        ({"unit_code": "2101040021"}, 422),
    ):
        body = {**outside, "unit_code": "210104002", **wrong}
        assert client.put("/api/v1/routing/rules", json=body, headers=command).status_code == status
    gone = client.delete(
        "/api/v1/routing/rules",
        params={"category_code": "E0101", "unit_code": "210104002"},
        headers=command,
    )
    assert gone.status_code == 404


def test_a_grid_worker_asks_the_route_only_within_their_grid(client, tokens):
    worker = _as(tokens, "gridworker")
    inside = client.get(
        "/api/v1/routing/route",
        params={"category_code": "E0501", "unit_code": HUALU_GRID},
        headers=worker,
    )
    assert inside.status_code == 200 and inside.json()["department"]["code"] == "urban_mgmt"
    outside = client.get(
        "/api/v1/routing/route",
        params={"category_code": "E0501", "unit_code": DABEI_GRID},
        headers=worker,
    )
    assert outside.status_code == 404
