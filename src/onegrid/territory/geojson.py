"""GeoJSON (RFC 7946) import and export of the territory, every level in one format.

A feature's properties: `code` (6/9/12/15 digits, which fixes its level), `name`, and
optionally `level` and `parent_code` (checked against the code). Coordinates are WGS-84
longitude/latitude, as RFC 7946 requires and as onegrid stores them.
"""

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from onegrid.core.errors import Invalid
from onegrid.core.levels import Level, parent_code, prefix
from onegrid.core.permissions import Scope
from onegrid.territory import service
from onegrid.territory.geometry import from_wkb, to_geojson
from onegrid.territory.models import TerritoryUnit
from onegrid.territory.validation import check_hierarchy, parse_features


@dataclass
class ImportReport:
    """What an import wrote: units created and updated, by level."""

    created: int = 0
    updated: int = 0
    by_level: dict[str, int] = field(default_factory=dict)
    districts: list[str] = field(default_factory=list)


def feature(unit: TerritoryUnit) -> dict:
    """Returns the GeoJSON Feature of a stored unit."""
    level = Level(unit.level)
    properties = {
        "code": unit.code,
        "name": unit.name,
        "level": level.value,
        "parent_code": parent_code(unit.code),
    }
    if unit.is_demo:
        properties["demo"] = True
    return {
        "type": "Feature",
        "id": unit.code,
        "properties": properties,
        "geometry": to_geojson(from_wkb(unit.geometry)),
    }


def export_collection(
    *,
    session: Session,
    scope: Scope,
    level: Level | None = None,
    district_code: str | None = None,
) -> dict:
    """Returns the units within the scope at this level (every level if None) as GeoJSON."""
    units = service.list_units(
        session=session, scope=scope, level=level, district_code=district_code
    )
    return {"type": "FeatureCollection", "features": [feature(unit) for unit in units]}


def import_collection(*, session: Session, document: object, tolerance: float) -> ImportReport:
    """Validates the whole document and then writes it; raises Invalid having written nothing."""
    units = parse_features(document)
    districts = {prefix(u.code, Level.DISTRICT) for u in units}
    stored = service.stored_shapes(session=session, district_codes=districts)
    check_hierarchy(units, stored, tolerance)
    created, updated = service.upsert_units(session=session, units=units)
    return ImportReport(
        created=created,
        updated=updated,
        by_level=dict(Counter(u.level.value for u in units)),
        districts=sorted(districts),
    )


def read_document(path: Path) -> object:
    """Returns the parsed JSON of a file, or raises Invalid naming the file and the problem."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(f"无法读取 {path}：{exc}", f"cannot read {path}: {exc}") from exc
