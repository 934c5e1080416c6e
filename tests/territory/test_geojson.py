"""GeoJSON import and export: the round trip, and every refusal naming the feature and problem."""

import copy

import pytest
from sqlalchemy import func, select

from onegrid.core.errors import Invalid
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.territory import geojson
from onegrid.territory.models import TerritoryUnit

ALL = Scope.all()


def _square(x0, y0, x1, y1):
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def _feature(code, name, geometry):
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": geometry}


def small_territory() -> dict:
    """A district 999999 of one street, one community and four square grids."""
    return {
        "type": "FeatureCollection",
        "features": [
            _feature("999999", "测试区", _square(0, 0, 2, 2)),
            _feature("999999001", "测试街道", _square(0, 0, 2, 2)),
            _feature("999999001001", "测试社区", _square(0, 0, 2, 2)),
            _feature("999999001001001", "第1网格", _square(0, 1, 1, 2)),
            _feature("999999001001002", "第2网格", _square(1, 1, 2, 2)),
            _feature("999999001001003", "第3网格", _square(0, 0, 1, 1)),
            _feature("999999001001004", "第4网格", _square(1, 0, 2, 1)),
        ],
    }


def _count(session):
    return session.scalar(select(func.count()).select_from(TerritoryUnit))


def _import(session, document):
    return geojson.import_collection(session=session, document=document, tolerance=1e-6)


def test_import_then_export_round_trips(session):
    report = _import(session, small_territory())
    assert report.created == 7 and report.by_level == {
        "district": 1,
        "street": 1,
        "community": 1,
        "grid": 4,
    }
    exported = geojson.export_collection(session=session, scope=ALL, district_code="999999")
    assert [f["properties"]["code"] for f in exported["features"]] == [
        f["properties"]["code"] for f in small_territory()["features"]
    ]
    grid = exported["features"][3]
    assert grid["properties"] == {
        "code": "999999001001001",
        "name": "第1网格",
        "level": "grid",
        "parent_code": "999999001001",
    }
    # Importing the export again changes nothing but counts every unit as updated.
    again = _import(session, exported)
    assert (again.created, again.updated) == (0, 7)
    assert geojson.export_collection(session=session, scope=ALL, district_code="999999") == exported


def test_demo_district_round_trips_through_export(session):
    exported = geojson.export_collection(session=session, scope=ALL, district_code="210104")
    assert len(exported["features"]) == 1 + 10 + 143 + 1360
    report = _import(session, exported)
    assert (report.created, report.updated) == (0, 1514)
    assert geojson.export_collection(session=session, scope=ALL, district_code="210104") == exported


def _broken(mutate):
    document = small_territory()
    mutate(document)
    return document


def _set(index, key, value):
    def mutate(document):
        document["features"][index]["properties"][key] = value

    return mutate


def _geometry(index, geometry):
    def mutate(document):
        document["features"][index]["geometry"] = geometry

    return mutate


def _open_ring(document):
    document["features"][4]["geometry"]["coordinates"][0].pop()


def _duplicate(document):
    document["features"].append(copy.deepcopy(document["features"][3]))


def _drop_grid(document):
    del document["features"][6]


BOWTIE = {"type": "Polygon", "coordinates": [[[1, 0], [2, 1], [2, 0], [1, 1], [1, 0]]]}

CASES = [
    ("not a collection", lambda d: d.update(type="Feature"), "not a GeoJSON FeatureCollection"),
    ("empty", lambda d: d.update(features=[]), "has no features"),
    ("bad code", _set(3, "code", "12ab"), "feature #4: code '12ab' must be 6, 9, 12 or 15 digits"),
    ("no name", _set(3, "name", ""), "feature #4: code 999999001001001 has no name"),
    ("wrong level", _set(3, "level", "street"), "feature #4: level 'street' does not match"),
    (
        "wrong parent",
        _set(3, "parent_code", "999999001002"),
        "feature #4: parent_code 999999001002",
    ),
    ("duplicate", _duplicate, "feature #8: code 999999001001001 repeats feature #4"),
    ("open ring", _open_ring, "feature #5: ring 1 of polygon 1 is not closed"),
    (
        "too few positions",
        _geometry(4, {"type": "Polygon", "coordinates": [[[1, 1], [2, 1], [1, 1]]]}),
        "feature #5: ring 1 of polygon 1 has fewer than 4 positions",
    ),
    (
        "bad position",
        _geometry(4, {"type": "Polygon", "coordinates": [[[1, 1], [200, 1], [2, 2], [1, 1]]]}),
        "feature #5: ring 1 of polygon 1 has an invalid position [200, 1]",
    ),
    (
        "not a polygon",
        _geometry(4, {"type": "Point", "coordinates": [1, 1]}),
        "feature #5: geometry must be a Polygon or MultiPolygon, not Point",
    ),
    (
        "self-intersection",
        _geometry(6, BOWTIE),
        "feature #7 (code 999999001001004, 第4网格): invalid polygon: Self-intersection",
    ),
    (
        "outside parent",
        _geometry(6, _square(1, 0, 2.5, 1)),
        "feature #7 (code 999999001001004, 第4网格): 33.33% of its area lies outside its parent",
    ),
    (
        "overlap",
        _geometry(6, _square(0.5, 0, 2, 1)),
        "feature #6 (code 999999001001003, 第3网格): overlaps feature #7",
    ),
    (
        "gap",
        _drop_grid,
        "feature #3 (code 999999001001, 测试社区): its children leave a gap (25.0000%",
    ),
    (
        "unknown parent",
        lambda d: d["features"].append(_feature("999999002001", "孤儿社区", _square(0, 0, 1, 1))),
        "feature #8 (code 999999002001, 孤儿社区): parent unit 999999002 is neither in the file",
    ),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_broken_import_names_the_problem_and_writes_nothing(session, mutate, message):
    before = _count(session)
    with pytest.raises(Invalid) as error:
        _import(session, _broken(mutate))
    assert message in error.value.en
    assert error.value.zh  # the Chinese message is there too
    assert _count(session) == before


def test_a_gap_within_tolerance_is_accepted(session):
    document = small_territory()
    document["features"][6]["geometry"] = _square(1, 0, 2, 0.9999)  # a 0.0025 % gap
    with pytest.raises(Invalid):
        _import(session, document)
    report = geojson.import_collection(session=session, document=document, tolerance=1e-3)
    assert report.created == 7


def test_stored_units_count_towards_the_tiling(session):
    _import(session, small_territory())
    # A new grid over an existing one is refused even though the file alone is fine.
    extra = {
        "type": "FeatureCollection",
        "features": [_feature("999999001001005", "第5网格", _square(0, 0, 0.5, 0.5))],
    }
    with pytest.raises(Invalid) as error:
        _import(session, extra)
    assert "overlaps stored unit 999999001001003" in error.value.en


def test_export_one_level(session):
    streets = geojson.export_collection(session=session, scope=ALL, level=Level.STREET)
    assert len(streets["features"]) == 10
    assert all(f["properties"]["level"] == "street" for f in streets["features"])
    assert all(f["properties"]["demo"] is True for f in streets["features"])
