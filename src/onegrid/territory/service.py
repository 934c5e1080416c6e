"""Territory data access: units, their people, and the point → grid lookup."""

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, joinedload

from onegrid.core import coordinates
from onegrid.core.errors import Invalid, NotFound
from onegrid.core.levels import Level, parent_code, prefix, prefixes
from onegrid.core.permissions import Scope
from onegrid.territory.geoindex import GridIndex
from onegrid.territory.geometry import from_wkb, to_wkb
from onegrid.territory.models import (
    Assignment,
    Department,
    PartyBranch,
    Person,
    TerritoryUnit,
)
from onegrid.territory.validation import UnitShape


def get_by_code(*, session: Session, code: str, scope: Scope) -> TerritoryUnit:
    """Returns the unit with this code, or raises NotFound (outside the scope too: no leak)."""
    unit = session.scalars(select(TerritoryUnit).where(TerritoryUnit.code == code)).first()
    if unit is None or not scope.covers_unit(code):
        raise NotFound(f"没有代码为 {code} 的区划单元", f"no territory unit has the code {code}")
    return unit


def names(*, session: Session, codes: Sequence[str], scope: Scope) -> dict[str, str]:
    """Returns the names of the units with these codes, by code: a code of no unit, or of one
    outside the scope, is left out. Reads codes and names only, not the units' geometry."""
    if not codes:
        return {}
    query = select(TerritoryUnit.code, TerritoryUnit.name).where(
        TerritoryUnit.code.in_(codes), scope.unit_clause(TerritoryUnit.code)
    )
    return dict(session.execute(query).all())


def list_units(
    *,
    session: Session,
    scope: Scope,
    level: Level | None = None,
    district_code: str | None = None,
) -> list[TerritoryUnit]:
    """Returns the units within the scope at this level (all levels if None), by code."""
    query = (
        select(TerritoryUnit)
        .where(scope.unit_clause(TerritoryUnit.code))
        .order_by(TerritoryUnit.code)
    )
    if level is not None:
        query = query.where(TerritoryUnit.level == level.value)
    if district_code is not None:
        query = query.where(TerritoryUnit.district_code == district_code)
    return list(session.scalars(query))


def children(*, session: Session, unit: TerritoryUnit, scope: Scope) -> list[TerritoryUnit]:
    """Returns the unit's direct children within the scope, ordered by code."""
    query = select(TerritoryUnit).where(
        TerritoryUnit.parent_id == unit.id, scope.unit_clause(TerritoryUnit.code)
    )
    return list(session.scalars(query.order_by(TerritoryUnit.code)))


def parent_chain(*, session: Session, unit: TerritoryUnit) -> list[TerritoryUnit]:
    """Returns the unit's ancestors from the district down to its parent.

    Only their codes and names are shown to a user whose scope is below them, never their
    people: knowing which street a grid lies in is what the grid's own code says anyway.
    """
    query = select(TerritoryUnit).where(TerritoryUnit.code.in_(prefixes(unit.code)[1:]))
    return sorted(session.scalars(query), key=lambda u: len(u.code))


def staff(*, session: Session, unit: TerritoryUnit) -> list[Assignment]:
    """Returns the people enrolled in this unit, grid workers first."""
    query = (
        select(Assignment)
        .where(Assignment.unit_id == unit.id)
        .options(joinedload(Assignment.person), joinedload(Assignment.department))
        .order_by(Assignment.role.desc(), Assignment.id)
    )
    return list(session.scalars(query))


def get_person(*, session: Session, person_id: int, scope: Scope) -> Person:
    """Returns the person enrolled in a unit within the scope, or raises NotFound (no leak)."""
    enrolled = (
        select(Assignment.id)
        .join(TerritoryUnit, Assignment.unit_id == TerritoryUnit.id)
        .where(Assignment.person_id == Person.id, scope.unit_clause(TerritoryUnit.code))
    )
    query = select(Person).where(
        Person.id == person_id, scope.district_clause(Person.district_code), exists(enrolled)
    )
    person = session.scalars(query).first()
    if person is None:
        raise NotFound(f"没有编号为 {person_id} 的人员", f"no person has the id {person_id}")
    return person


def party_branch(*, session: Session, unit: TerritoryUnit) -> PartyBranch | None:
    """Returns the party branch of a grid, if it has one."""
    query = (
        select(PartyBranch)
        .where(PartyBranch.grid_id == unit.id)
        .options(joinedload(PartyBranch.secretary))
    )
    return session.scalars(query).first()


def list_departments(*, session: Session, scope: Scope) -> list[Department]:
    """Returns the departments of the scope's district, ordered by code."""
    query = select(Department).where(scope.district_clause(Department.district_code))
    return list(session.scalars(query.order_by(Department.district_code, Department.code)))


def stored_shapes(*, session: Session, district_codes: set[str]) -> dict[str, UnitShape]:
    """Returns the stored units of these districts as the validator sees them."""
    query = select(TerritoryUnit).where(TerritoryUnit.district_code.in_(district_codes))
    return {
        unit.code: UnitShape(
            code=unit.code,
            name=unit.name,
            level=Level(unit.level),
            parent_code=parent_code(unit.code),
            geometry=from_wkb(unit.geometry),
            is_demo=unit.is_demo,
        )
        for unit in session.scalars(query)
    }


def upsert_units(*, session: Session, units: list[UnitShape]) -> tuple[int, int]:
    """Writes these units (parents before children), returning (created, updated) counts."""
    codes = [u.code for u in units]
    existing = {
        u.code: u
        for u in session.scalars(select(TerritoryUnit).where(TerritoryUnit.code.in_(codes)))
    }
    ids = dict(
        session.execute(
            select(TerritoryUnit.code, TerritoryUnit.id).where(
                TerritoryUnit.code.in_({u.parent_code for u in units if u.parent_code})
            )
        ).all()
    )
    created = updated = 0
    for shape in sorted(units, key=lambda u: len(u.code)):
        row = existing.get(shape.code)
        if row is None:
            row = TerritoryUnit(
                code=shape.code,
                district_code=prefix(shape.code, Level.DISTRICT),
                level=shape.level,
            )
            session.add(row)
            created += 1
        else:
            updated += 1
        min_lon, min_lat, max_lon, max_lat = shape.geometry.bounds
        row.name = shape.name
        row.level = shape.level.value
        row.parent_id = ids.get(shape.parent_code) if shape.parent_code else None
        row.geometry = to_wkb(shape.geometry)
        row.min_lon, row.min_lat, row.max_lon, row.max_lat = min_lon, min_lat, max_lon, max_lat
        row.is_demo = shape.is_demo
        if shape.level is not Level.GRID:
            session.flush()
            ids[shape.code] = row.id
    session.flush()
    return created, updated


@dataclass(frozen=True)
class Located:
    """Where a point lies: its grid and the grid's community, street and district."""

    lon: float
    lat: float
    chain: list[TerritoryUnit]  # district, street, community, grid


_GRIDS = TerritoryUnit.__table__.c
_FRESHNESS = select(
    select(func.max(_GRIDS.updated_at)).where(_GRIDS.level == Level.GRID.value).scalar_subquery(),
    select(func.max(_GRIDS.id)).scalar_subquery(),
)


class _IndexCache:
    """Keeps one GridIndex per process, rebuilt when the stored grids change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._index: GridIndex | None = None

    def get(self, session: Session) -> GridIndex:
        # Grids are added and changed (upsert_units), never deleted one by one (a demo rebuild
        # deletes them all and writes new ones): the newest change and the largest id tell
        # whether the index is stale, from two index lookups (no scan) and no ORM.
        key = (str(session.get_bind().engine.url), *session.connection().execute(_FRESHNESS).one())
        with self._lock:
            if key != self._key or self._index is None:
                rows = session.execute(
                    select(TerritoryUnit.code, TerritoryUnit.geometry).where(
                        TerritoryUnit.level == Level.GRID.value
                    )
                ).all()
                self._index = GridIndex(
                    [r.code for r in rows], [from_wkb(r.geometry) for r in rows]
                )
                self._key = key
            return self._index


_index_cache = _IndexCache()


def grid_index(*, session: Session) -> GridIndex:
    """Returns the point → grid index of the stored grids, built once and kept while unchanged."""
    return _index_cache.get(session)


def locate_grid(
    *,
    session: Session,
    lon: float,
    lat: float,
    crs: coordinates.CRS = coordinates.CRS.WGS84,
    index: GridIndex | None = None,
) -> tuple[str, float, float]:
    """Returns the code of the grid containing the point and the point in WGS-84, or NotFound.

    The grid's code begins with its community's, street's and district's (Level.code_length).
    `index`: the grid index a caller locating many points has already fetched.
    """
    wgs_lon, wgs_lat = coordinates.to_wgs84(lon, lat, crs)
    if index is None:
        index = grid_index(session=session)
    code = index.locate(wgs_lon, wgs_lat)
    if code is None:
        raise NotFound(
            f"坐标 ({lon}, {lat}, {crs.value}) 不在任何网格内，不属于本系统管辖的区域",
            f"the point ({lon}, {lat}, {crs.value}) lies in no grid: it is outside the district",
        )
    return code, wgs_lon, wgs_lat


def locate(
    *, session: Session, lon: float, lat: float, crs: coordinates.CRS = coordinates.CRS.WGS84
) -> Located:
    """Returns the grid, community, street and district containing the point, or NotFound.

    Open to everyone (a citizen reporting a problem needs it): it names units, nothing more.
    """
    code, wgs_lon, wgs_lat = locate_grid(session=session, lon=lon, lat=lat, crs=crs)
    grid = get_by_code(session=session, code=code, scope=Scope.all())
    return Located(
        lon=wgs_lon, lat=wgs_lat, chain=[*parent_chain(session=session, unit=grid), grid]
    )


def district_code(*, session: Session, given: str | None) -> str:
    """Returns the given district's code if it is stored, or the only stored district's;
    raises Invalid when it is unknown, or when none is given and several are stored."""
    codes = list(
        session.scalars(select(TerritoryUnit.code).where(TerritoryUnit.level == Level.DISTRICT))
    )
    if given is not None and given not in codes:
        raise Invalid(f"没有区划代码为 {given} 的区", f"no district {given}")
    if given is None and len(codes) != 1:
        raise Invalid("请用 --district 指定区", "name the district with --district")
    return given or codes[0]
