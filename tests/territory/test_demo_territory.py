"""The demo district tiles exactly and every point in it finds its grid."""

import numpy as np
import shapely
from sqlalchemy import func, select

from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.territory import service
from onegrid.territory.geometry import area_m2, from_wkb
from onegrid.territory.models import Assignment, PartyBranch, TerritoryUnit

ALL = Scope.all()


TOLERANCE = 1e-6


def _shapes(session, level):
    return {
        u.code: from_wkb(u.geometry)
        for u in service.list_units(session=session, scope=ALL, level=level)
    }


def test_demo_has_dadongs_real_divisions_and_1360_grids(session):
    counts = dict(
        session.execute(
            select(TerritoryUnit.level, func.count()).group_by(TerritoryUnit.level)
        ).all()
    )
    assert counts == {"district": 1, "street": 10, "community": 143, "grid": 1360}
    district = service.get_by_code(session=session, code="210104", scope=ALL)
    assert district.name == "大东区" and district.is_demo
    street_names = {
        u.name for u in service.list_units(session=session, scope=ALL, level=Level.STREET)
    }
    assert {"大北街道", "万泉街道", "二台子街道", "上园街道"} <= street_names


def test_names_are_read_by_code_within_the_scope(session):
    codes = ["210104", "210104999", "nothing"]
    assert service.names(session=session, codes=codes, scope=ALL) == {"210104": "大东区"}
    street = service.list_units(session=session, scope=ALL, level=Level.STREET)[0]
    inside = Scope(district_code="210104", unit_codes=(street.code,))
    assert service.names(session=session, codes=["210104", street.code], scope=inside) == {
        street.code: street.name
    }
    assert service.names(session=session, codes=[], scope=ALL) == {}


def test_real_outline_has_the_districts_area(session):
    outline = from_wkb(service.get_by_code(session=session, code="210104", scope=ALL).geometry)
    # 大东区 covers about 100 km²; the packaged outline must be the district, in WGS-84.
    assert 95e6 < area_m2(outline) < 105e6
    assert outline.contains(shapely.Point(123.47, 41.80))


def test_each_level_tiles_its_parent(session):
    district = _shapes(session, Level.DISTRICT)["210104"]
    for parent_level in (Level.DISTRICT, Level.STREET, Level.COMMUNITY):
        parents = _shapes(session, parent_level)
        kids = _shapes(session, parent_level.child)
        for code, parent in parents.items():
            mine = [g for c, g in kids.items() if c.startswith(code)]
            assert mine, f"{code} has no children"
            for child in mine:
                assert child.difference(parent).area <= TOLERANCE * child.area
            union = shapely.union_all(mine)
            assert abs(union.area - parent.area) <= TOLERANCE * parent.area
            # No overlaps: the parts add up to the whole.
            assert abs(sum(g.area for g in mine) - parent.area) <= TOLERANCE * parent.area
        total = sum(g.area for g in kids.values())
        assert abs(total - district.area) <= TOLERANCE * district.area


def test_interior_points_locate_to_their_grid(session):
    grids = _shapes(session, Level.GRID)
    codes = list(grids)
    points = [grids[c].representative_point() for c in codes]
    index = service.grid_index(session=session)
    found = index.locate_indices(np.array([p.x for p in points]), np.array([p.y for p in points]))
    assert [str(index.codes[i]) for i in found] == codes


def test_random_points_in_the_district_each_find_the_grid_that_covers_them(session):
    district = from_wkb(service.get_by_code(session=session, code="210104", scope=ALL).geometry)
    grids = _shapes(session, Level.GRID)
    rng = np.random.default_rng(7)
    minx, miny, maxx, maxy = district.bounds
    xy = rng.uniform([minx, miny], [maxx, maxy], size=(3000, 2))
    inside = shapely.contains_xy(district, xy[:, 0], xy[:, 1])
    found = service.grid_index(session=session).locate_indices(xy[:, 0], xy[:, 1])
    assert ((found >= 0) == inside).all()
    index = service.grid_index(session=session)
    for (x, y), i in list(zip(xy, found, strict=True))[:300]:
        if i >= 0:
            assert grids[str(index.codes[i])].covers(shapely.Point(x, y))


def test_every_grid_has_a_worker_and_a_party_branch(session):
    grid_ids = set(session.scalars(select(TerritoryUnit.id).where(TerritoryUnit.level == "grid")))
    with_worker = set(
        session.scalars(select(Assignment.unit_id).where(Assignment.role == "grid_worker"))
    )
    with_branch = set(session.scalars(select(PartyBranch.grid_id)))
    with_department_staff = set(
        session.scalars(select(Assignment.unit_id).where(Assignment.role == "department_staff"))
    )
    assert grid_ids == with_worker == with_branch == with_department_staff


def test_a_vertex_shared_by_neighbouring_grids_goes_to_the_smallest_code(session):
    grids = _shapes(session, Level.GRID)
    index = service.grid_index(session=session)
    codes = sorted(grids)
    tree = shapely.STRtree([grids[c] for c in codes])
    checked = 0
    for a, b in zip(codes, codes[1:], strict=False):
        shared = set(map(tuple, shapely.get_coordinates(grids[a]))) & set(
            map(tuple, shapely.get_coordinates(grids[b]))
        )
        for x, y in sorted(shared)[:1]:
            point = shapely.Point(x, y)
            covering = [codes[i] for i in tree.query(point, predicate="intersects")]
            assert a in covering and b in covering
            assert index.locate(x, y) == min(covering)
            checked += 1
    assert checked > 100
