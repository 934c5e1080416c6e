"""The indicators API: its shape, its labels, its scope, its definitions."""

from datetime import date

import pytest
from sqlalchemy import event, select

from onegrid.cases import rollup
from onegrid.cases.facts import FACTS, BucketKey
from onegrid.indicators import INDICATORS
from onegrid.routing.models import Category
from onegrid.territory.models import Department, TerritoryUnit

INSIDE_GRID = "210104002009001"  # the demo grid worker's grid, in the demo street
OUTSIDE_GRID = "210104017012009"  # a grid of another street
# The counts of the bucket inside the demo grid worker's grid.
INSIDE_COUNTS = {
    "received": 2,
    "opened": 2,
    "closed": 1,
    "dispatched": 2,
    "dispatched_on_time": 1,
    "rated": 1,
    "satisfied": 1,
    "closed_at_grid": 1,
}
WINDOW = {"since": "2001-01-01", "until": "2001-12-31"}  # far from any demo case


def _department(session, code: str) -> Department:
    return session.scalars(select(Department).where(Department.code == code)).one()


@pytest.fixture
def rows(session):
    """Two buckets in 2001: urban_mgmt's hotline case inside, water's citizen cases outside."""
    urban, water = _department(session, "urban_mgmt"), _department(session, "water")
    buckets = [
        (
            BucketKey("210104", date(2001, 3, 5), INSIDE_GRID, urban.id, "0107", "hotline"),
            INSIDE_COUNTS,
        ),
        (
            BucketKey("210104", date(2001, 4, 9), OUTSIDE_GRID, water.id, "0101", "citizen"),
            {
                "received": 5,
                "opened": 4,
                "closed": 3,
                "closed_on_time": 2,
                "overdue_handle": 1,
                "closed_at_street": 3,
            },
        ),
    ]
    rollup.add_many(session, {key: [counts.get(f, 0) for f in FACTS] for key, counts in buckets})
    return urban, water


def _get(client, tokens, username, **params):
    headers = {"Authorization": f"Bearer {tokens[username]}"}
    return client.get("/api/v1/indicators", params=WINDOW | params, headers=headers)


def _names(session, model, codes):
    query = select(model.code, model.name).where(model.code.in_(codes))
    if model is Category:
        query = query.where(Category.district_code == "210104")
    return dict(session.execute(query).all())


def test_groups_carry_names_values_and_counts(client, tokens, session, rows):
    response = _get(client, tokens, "leader", by="street", period="month")
    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: body[k] for k in ("by", "period", "since", "until", "channel", "category")} == {
        "by": "street",
        "period": "month",
        **WINDOW,
        "channel": None,
        "category": None,
    }
    streets = _names(session, TerritoryUnit, [INSIDE_GRID[:9], OUTSIDE_GRID[:9]])
    got = [(g["key"], g["name"], g["period"]) for g in body["groups"]]
    assert got == [
        (INSIDE_GRID[:9], streets[INSIDE_GRID[:9]], "2001-03"),
        (OUTSIDE_GRID[:9], streets[OUTSIDE_GRID[:9]], "2001-04"),
    ]
    inside, outside = body["groups"]
    assert inside["counts"] == dict.fromkeys(FACTS, 0) | INSIDE_COUNTS
    assert set(inside["indicators"]) == {i.code for i in INDICATORS}
    assert inside["indicators"]["hotline_response_rate"] == {
        "value": 0.5,
        "numerator": 1,
        "denominator": 2,
    }
    assert outside["indicators"]["on_time_closure_rate"] == {
        "value": 0.5,
        "numerator": 2,
        "denominator": 4,
    }
    assert outside["indicators"]["hotline_satisfaction_rate"]["value"] is None
    assert outside["indicators"]["closed_at_street_share"]["value"] == 1.0


def test_departments_categories_and_grids_are_named(client, tokens, session, rows):
    urban, water = rows
    body = _get(client, tokens, "command", by="department").json()
    assert [(g["key"], g["name"], g["name_en"]) for g in body["groups"]] == [
        (d.code, d.name, d.name_en) for d in sorted((urban, water), key=lambda d: d.id)
    ]
    body = _get(client, tokens, "command", by="category", period="week").json()
    categories = _names(session, Category, ["0101", "0107"])
    assert [(g["key"], g["name"], g["period"]) for g in body["groups"]] == [
        ("0107", categories["0107"], "2001-W10"),
        ("0101", categories["0101"], "2001-W15"),
    ]
    body = _get(client, tokens, "command", by="grid", period="all").json()
    grids = _names(session, TerritoryUnit, [INSIDE_GRID, OUTSIDE_GRID])
    assert [(g["key"], g["name"]) for g in body["groups"]] == sorted(grids.items())
    body = _get(client, tokens, "command", channel="hotline", category="0107").json()
    (total,) = body["groups"]
    assert total["key"] is None and total["period"] is None and total["counts"]["received"] == 2


def test_labels_cost_one_query_whatever_the_number_of_groups(client, tokens, session, rows):
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert _get(client, tokens, "leader", by="grid", period="day").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sum("case_rollup" in s for s in statements) == 1
    assert sum("territory_unit" in s for s in statements) == 1
    assert not any("case_record" in s for s in statements)


@pytest.mark.parametrize(
    ("username", "grids"),
    [
        ("gridworker", [INSIDE_GRID]),
        ("community", [INSIDE_GRID]),
        ("street", [INSIDE_GRID]),
        ("department", [INSIDE_GRID]),  # urban_mgmt's bucket only
        ("leader", [INSIDE_GRID, OUTSIDE_GRID]),
    ],
)
def test_each_reader_gets_their_scope_only(client, tokens, rows, username, grids):
    body = _get(client, tokens, username, by="grid").json()
    assert [g["key"] for g in body["groups"]] == grids
    total = _get(client, tokens, username).json()["groups"][0]["counts"]["received"]
    assert total == sum({INSIDE_GRID: 2, OUTSIDE_GRID: 5}[g] for g in grids)


def test_bad_requests_are_refused(client, tokens):
    response = _get(client, tokens, "leader", since="2001-05-01", until="2001-04-01")
    assert response.status_code == 422 and response.json()["error"]["kind"] == "invalid"
    assert _get(client, tokens, "leader", by="household").status_code == 422
    assert _get(client, tokens, "leader", period="year").status_code == 422
    assert _get(client, tokens, "citizen").status_code == 403
    assert client.get("/api/v1/indicators").status_code == 401


def test_the_definitions_are_public_and_bilingual(client):
    response = client.get("/api/v1/indicators/definitions")
    assert response.status_code == 200
    body = response.json()
    assert [d["code"] for d in body["indicators"]] == [i.code for i in INDICATORS]
    assert [c["code"] for c in body["counts"]] == list(FACTS)
    on_time = next(d for d in body["indicators"] if d["code"] == "on_time_closure_rate")
    assert on_time == {
        "code": "on_time_closure_rate",
        "name": "按期结案率",
        "name_en": "on-time closure rate",
        "section": "loop",
        "formula": "closed_on_time / (closed + overdue_handle)",
        "numerator": [{"count": "closed_on_time", "coefficient": 1}],
        "denominator": [
            {"count": "closed", "coefficient": 1},
            {"count": "overdue_handle", "coefficient": 1},
        ],
        "channel": None,
        "about": on_time["about"],
        "about_en": on_time["about_en"],
    }
    hotline = [d for d in body["indicators"] if d["section"] == "hotline"]
    assert {d["name"] for d in hotline} == {"响应率", "解决率", "满意率"}
    assert {d["channel"] for d in hotline} == {"hotline"}
    assert all(
        d["name"] and d["name_en"] and d["about"] and d["about_en"] for d in body["indicators"]
    )
