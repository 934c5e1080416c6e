"""The territory API as a client sees it."""

import pytest

from onegrid.core.coordinates import from_wgs84

INSIDE = (123.47, 41.80)


@pytest.fixture(autouse=True)
def signed_in(client, tokens):
    """Every request here comes from the command centre, which sees the whole district."""
    client.headers["Authorization"] = f"Bearer {tokens['command']}"


def test_geojson_layers_have_every_unit_of_their_level(client):
    for level, count in (("street", 10), ("community", 143), ("grid", 1360)):
        response = client.get("/api/v1/territory/geojson", params={"level": level})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/geo+json"
        body = response.json()
        assert body["type"] == "FeatureCollection" and len(body["features"]) == count
        assert {f["properties"]["level"] for f in body["features"]} == {level}


def test_an_unknown_level_is_refused(client):
    response = client.get("/api/v1/territory/geojson", params={"level": "province"})
    assert response.status_code == 422


def test_a_grid_shows_its_chain_staff_and_party_branch(client):
    located = client.get("/api/v1/locate", params={"lon": INSIDE[0], "lat": INSIDE[1]}).json()
    code = located["grid"]["code"]
    unit = client.get(f"/api/v1/territory/units/{code}").json()
    assert unit["level"] == "grid" and unit["is_demo"] is True
    assert [p["level"] for p in unit["parents"]] == ["district", "street", "community"]
    assert unit["parents"][0] == {"code": "210104", "name": "大东区", "level": "district"}
    assert unit["children"] == []
    workers = [s for s in unit["staff"] if s["role"] == "grid_worker"]
    assert workers and all("****" in s["phone"] and len(s["phone"]) == 11 for s in workers)
    assert any(s["role"] == "department_staff" and s["department"] for s in unit["staff"])
    assert unit["party_branch"]["name"].endswith("党支部")
    assert unit["party_branch"]["member_count"] > 0
    assert 0 < unit["area_km2"] < 5


def test_a_street_lists_its_communities(client):
    unit = client.get("/api/v1/territory/units/210104002").json()
    assert unit["name"] == "大北街道"
    assert len(unit["children"]) == 16
    assert all(c["code"].startswith("210104002") for c in unit["children"])


def test_an_unknown_unit_is_a_404_in_the_users_language(client):
    response = client.get("/api/v1/territory/units/210104999")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "没有代码为 210104999 的区划单元"
    english = client.get("/api/v1/territory/units/210104999", headers={"Accept-Language": "en"})
    assert english.json()["error"]["message"] == "no territory unit has the code 210104999"


def test_locate_gives_grid_community_street_and_district(client):
    body = client.get("/api/v1/locate", params={"lon": INSIDE[0], "lat": INSIDE[1]}).json()
    assert body["district"]["code"] == "210104"
    assert body["grid"]["code"].startswith(body["community"]["code"])
    assert body["community"]["code"].startswith(body["street"]["code"])
    assert len(body["grid"]["code"]) == 15


def test_locate_converts_gcj02_and_bd09_to_the_same_grid(client):
    expected = client.get("/api/v1/locate", params={"lon": 123.5, "lat": 41.85}).json()
    for crs in ("gcj02", "bd09"):
        lon, lat = from_wgs84(123.5, 41.85, crs)
        body = client.get("/api/v1/locate", params={"lon": lon, "lat": lat, "crs": crs}).json()
        assert body["grid"] == expected["grid"]
        assert abs(body["lon"] - 123.5) < 1e-9 and abs(body["lat"] - 41.85) < 1e-9


def test_a_point_outside_the_district_is_a_clear_404(client):
    response = client.get("/api/v1/locate", params={"lon": 116.4, "lat": 39.9, "lang": "en"})
    assert response.status_code == 404
    assert "outside the district" in response.json()["error"]["message"]


def test_bad_coordinates_are_refused(client):
    assert client.get("/api/v1/locate", params={"lon": 500, "lat": 41}).status_code == 422
    assert client.get("/api/v1/locate", params={"lon": 123.4}).status_code == 422
    response = client.get("/api/v1/locate", params={"lon": 123.5, "lat": 41.8, "crs": "utm"})
    assert response.status_code == 422


def test_departments_are_listed(client):
    names = {d["name"] for d in client.get("/api/v1/territory/departments").json()}
    assert {"区城市管理局", "区住房和城乡建设局", "区水务局", "区民政局"} <= names


def test_openapi_documents_the_territory_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/territory/geojson",
        "/api/v1/territory/units/{code}",
        "/api/v1/locate",
    } <= set(paths)
