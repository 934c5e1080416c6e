"""Territory API: the map layers, one unit with its people, and point → grid lookup."""

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import func, select

from onegrid.audit import auditing
from onegrid.core.access import public, require
from onegrid.core.coordinates import CRS
from onegrid.core.levels import Level
from onegrid.core.permissions import Permission, Principal
from onegrid.core.pii import PiiKind, mask
from onegrid.db import DbSession
from onegrid.territory import geojson, service
from onegrid.territory.geometry import area_m2, from_wkb
from onegrid.territory.models import TerritoryUnit
from onegrid.territory.schemas import (
    DepartmentOut,
    LocateOut,
    PartyBranchOut,
    StaffOut,
    UnitOut,
    UnitRef,
)

router = APIRouter(tags=["territory"])
Reader = Annotated[Principal, require(Permission.TERRITORY_READ)]
Anyone = Annotated[Principal, public()]
_layer_cache: dict[tuple, bytes] = {}


def _ref(unit: TerritoryUnit) -> UnitRef:
    return UnitRef(code=unit.code, name=unit.name, level=Level(unit.level))


@router.get(
    "/territory/geojson",
    summary="One level of the territory as a GeoJSON FeatureCollection (WGS-84)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def territory_geojson(session: DbSession, who: Reader, level: Level = Level.GRID) -> Response:
    signature = session.execute(
        select(func.count(TerritoryUnit.id), func.max(TerritoryUnit.updated_at)).where(
            TerritoryUnit.level == level.value
        )
    ).one()
    key = (str(session.get_bind().engine.url), level, who.scope, *signature)
    body = _layer_cache.get(key)
    if body is None:
        collection = geojson.export_collection(session=session, scope=who.scope, level=level)
        body = json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
        if len(_layer_cache) > 256:  # scopes × levels; old versions are never read again
            _layer_cache.clear()
        _layer_cache[key] = body
    return Response(body, media_type="application/geo+json")


@router.get("/territory/units/{code}", response_model=UnitOut, summary="One unit")
def territory_unit(code: str, request: Request, session: DbSession, who: Reader) -> UnitOut:
    unit = service.get_by_code(session=session, code=code, scope=who.scope)
    branch = service.party_branch(session=session, unit=unit)
    out = UnitOut(
        code=unit.code,
        name=unit.name,
        level=Level(unit.level),
        district_code=unit.district_code,
        is_demo=unit.is_demo,
        area_km2=round(area_m2(from_wkb(unit.geometry)) / 1e6, 4),
        bbox=(unit.min_lon, unit.min_lat, unit.max_lon, unit.max_lat),
        parents=[_ref(p) for p in service.parent_chain(session=session, unit=unit)],
        children=[_ref(c) for c in service.children(session=session, unit=unit, scope=who.scope)],
        staff=[
            StaffOut(
                person_id=a.person.id,
                name=a.person.name,
                role=a.role,
                department=a.department.name if a.department else None,
                phone=mask(PiiKind.PHONE, a.person.phone),
            )
            for a in service.staff(session=session, unit=unit)
        ],
        party_branch=PartyBranchOut(
            name=branch.name,
            secretary=branch.secretary.name if branch.secretary else None,
            member_count=branch.member_count,
        )
        if branch
        else None,
    )
    if out.staff:  # its people: names and (masked) phones
        auditing.record_read(
            session,
            request,
            who,
            "territory.staff.read",
            object_type="territory_unit",
            object_id=unit.code,
            detail={"count": len(out.staff)},
            district_code=unit.district_code,
        )
    return out


@router.get("/territory/departments", response_model=list[DepartmentOut], summary="Departments")
def departments(session: DbSession, who: Reader) -> list[DepartmentOut]:
    return [
        DepartmentOut(code=d.code, name=d.name, name_en=d.name_en)
        for d in service.list_departments(session=session, scope=who.scope)
    ]


@router.get(
    "/locate",
    response_model=LocateOut,
    summary="The grid, community, street and district containing a point",
    responses={404: {"description": "the point is outside every grid"}},
)
def locate(
    session: DbSession,
    who: Anyone,
    lon: Annotated[float, Query(ge=-180, le=180, description="longitude")],
    lat: Annotated[float, Query(ge=-90, le=90, description="latitude")],
    crs: Annotated[CRS, Query(description="coordinate system of lon/lat")] = CRS.WGS84,
) -> LocateOut:
    found = service.locate(session=session, lon=lon, lat=lat, crs=crs)
    district, street, community, grid = (_ref(u) for u in found.chain)
    return LocateOut(
        lon=found.lon,
        lat=found.lat,
        grid=grid,
        community=community,
        street=street,
        district=district,
    )
