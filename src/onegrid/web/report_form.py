"""The report form's parts, shared by the pages that open a case (/report, /patrol, /hotline):
the categories grouped 部件/事件 with their attributes, the map picker's settings, the values a
posted form carries, and the field an intake error is about.

Templates: components/report_form.html; scripts: static/js/report/. A page merges FORM_STRINGS
into its own STRINGS.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from onegrid.cases import submissions
from onegrid.config import get_settings
from onegrid.core.coordinates import CRS
from onegrid.core.errors import DomainError, Invalid
from onegrid.core.levels import Level
from onegrid.core.permissions import Scope
from onegrid.routing import service as routing
from onegrid.routing.models import Category, Datatype
from onegrid.territory import service as territory
from onegrid.territory.geometry import from_wkb, to_geojson
from onegrid.territory.models import TerritoryUnit
from onegrid.web.strings import Strings

MAX_PHOTOS = submissions.MAX_PHOTOS
PHOTO_SIDE = 1600  # the browser makes a photo's longer side at most this many pixels
ATTRIBUTE_PREFIX = "attr."
KINDS = ("component", "event")  # 部件 first, as the catalogue lists them

FORM_STRINGS: Strings = {
    "location_legend": ("位置", "Location"),
    "map_label": (
        "选择位置的地图：点击或拖动图钉",
        "Map to choose the place: click, or drag the pin",
    ),
    "use_location": ("使用我的位置", "Use my location"),
    "locating": ("正在定位…", "Finding your location…"),
    "location_denied": (
        "无法获取您的位置：请在地图上点选，或输入坐标",
        "Your location is not available: click the map, or type the coordinates",
    ),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "crs": ("坐标系", "Coordinate system"),
    "crs_wgs84": ("WGS-84（GPS、手机定位）", "WGS-84 (GPS, phones)"),
    "crs_gcj02": ("GCJ-02（高德、腾讯地图）", "GCJ-02 (AMap, Tencent maps)"),
    "crs_bd09": ("BD-09（百度地图）", "BD-09 (Baidu maps)"),
    "address": ("地址或地点说明", "Address or description of the place"),
    "address_hint": ("例如：北大街 12 号门口", "e.g. in front of No. 12, Beidajie"),
    "location_hint": (
        "点击地图放置图钉，或输入坐标（请选择坐标系）",
        "Click the map to place the pin, or type the coordinates (choose their system)",
    ),
    "location_found": (
        "位于 {grid} · {community} · {street}",
        "In {grid} · {community} · {street}",
    ),
    "location_missing": (
        "请在地图上选择位置或输入坐标",
        "choose the place on the map or type its coordinates",
    ),
    "location_number": ("经纬度须为数字", "longitude and latitude must be numbers"),
    "category_legend": ("问题类别", "Category"),
    "category_search": ("搜索类别", "Search the categories"),
    "category_search_hint": ("输入关键字，如“井盖”", "Type a word, e.g. “manhole”"),
    "category_choose": ("— 请选择类别 —", "— choose a category —"),
    "category_none": ("没有匹配的类别", "No category matches"),
    "category_missing": ("请选择问题类别", "choose the category of the problem"),
    "kind_component": ("部件", "Components"),
    "kind_event": ("事件", "Events"),
    "attributes_legend": ("补充信息：{category}", "Details: {category}"),
    "required_mark": ("（必填）", "(required)"),
    "photos_legend": ("照片", "Photos"),
    "photos_hint": (
        "最多 {n} 张；上传前在手机上缩小",
        "Up to {n}; made smaller on your phone before they are sent",
    ),
    "photos_add": ("添加照片", "Add photos"),
    "photo_remove": ("删除照片 {n}", "Remove photo {n}"),
    "photo_alt": ("照片 {n}", "Photo {n}"),
    "photos_too_many": ("最多 {n} 张照片", "At most {n} photos"),
    "photos_count": ("已选 {n} 张", "{n} chosen"),
    "photo_unreadable": ("无法读取此照片：{name}", "This photo cannot be read: {name}"),
}


@dataclass(frozen=True)
class AttributeField:
    """A category's custom attribute as a form field."""

    code: str
    name: str
    datatype: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()  # (key, name) of a list type
    description: str | None = None

    @property
    def input_name(self) -> str:
        return ATTRIBUTE_PREFIX + self.code


@dataclass(frozen=True)
class CategoryChoice:
    code: str
    name: str
    major: str
    kind: str
    keywords: str
    attributes: tuple[AttributeField, ...] = ()


@dataclass(frozen=True)
class CategoryGroup:
    """The categories of one kind (部件 or 事件) and major class, for an <optgroup>."""

    label: str
    kind: str
    choices: tuple[CategoryChoice, ...] = field(default_factory=tuple)


def _attribute(attribute, lang: str) -> AttributeField:
    values = json.loads(attribute.values) if attribute.values else []
    return AttributeField(
        code=attribute.code,
        name=attribute.name_en if lang == "en" else attribute.name,
        datatype=attribute.datatype,
        required=attribute.required,
        choices=tuple((str(v["key"]), str(v["name"])) for v in values),
        description=attribute.description,
    )


def _choice(category: Category, lang: str) -> CategoryChoice:
    en = lang == "en"
    return CategoryChoice(
        code=category.code,
        name=category.name_en if en else category.name,
        major=category.major_name_en if en else category.major_name,
        kind=category.kind,
        # Searched in both languages: a word typed in either finds it.
        keywords=" ".join(
            filter(None, [category.code, category.name, category.name_en, category.keywords])
        ).lower(),
        attributes=tuple(_attribute(a, lang) for a in category.attributes),
    )


def category_groups(session: Session, lang: str, t: Mapping[str, str]) -> list[CategoryGroup]:
    """Returns the district's active categories grouped by kind (部件, 事件) and major class."""
    district = _district(session)
    categories = [
        c
        for c in routing.list_categories(session=session, scope=Scope.all())
        if c.district_code == district
    ]
    groups: dict[tuple[str, str], list[CategoryChoice]] = {}
    for category in sorted(categories, key=lambda c: (KINDS.index(c.kind), c.code)):
        choice = _choice(category, lang)
        groups.setdefault((category.kind, choice.major), []).append(choice)
    return [
        CategoryGroup(label=f"{t['kind_' + kind]} · {major}", kind=kind, choices=tuple(choices))
        for (kind, major), choices in groups.items()
    ]


def _district(session: Session) -> str | None:
    try:
        return territory.district_code(session=session, given=None)
    except Invalid:
        return None


# The district's outline and its streets' as the map picker draws them, by the last change of
# either level: computed once, not on every form (a district's polygon holds thousands of
# points). Without base-map tiles the streets and their names are what a person finds a place by.
_OUTLINES: dict[datetime, dict] = {}
OUTLINE_TOLERANCE = 0.0002  # degrees, about 20 m: a line on a phone's map, not a survey
_DRAWN = (Level.DISTRICT, Level.STREET)


def _shape(data: bytes) -> dict:
    shape = from_wkb(data).simplify(OUTLINE_TOLERANCE, preserve_topology=True)
    return to_geojson(shapely.set_precision(shape, 1e-5))


def _outlines(session: Session, changed: datetime) -> dict:
    found = _OUTLINES.get(changed)
    if found is None:
        rows = session.execute(
            select(TerritoryUnit.level, TerritoryUnit.name, TerritoryUnit.geometry).where(
                TerritoryUnit.level.in_(_DRAWN)
            )
        ).all()
        found = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"level": level, "name": name},
                    "geometry": _shape(geometry),
                }
                for level, name, geometry in rows
            ],
        }
        _OUTLINES.clear()  # the latest only
        _OUTLINES[changed] = found
    return found


def map_settings(session: Session) -> dict:
    """Returns what the map picker needs: the outlines of the district and its streets
    (GeoJSON, each feature's level and name) and the bounds (west, south, east, north), the
    base-map tiles if configured."""
    settings = get_settings()
    try:
        bounds = list(territory.grid_index(session=session).bounds())
    except (DomainError, ValueError):
        bounds = None  # no territory imported yet: the map shows the country
    districts, changed = session.execute(
        select(
            func.count().filter(TerritoryUnit.level == Level.DISTRICT),
            func.max(TerritoryUnit.updated_at),
        ).where(TerritoryUnit.level.in_(_DRAWN))
    ).one()
    return {
        "bounds": bounds,
        "outline": _outlines(session, changed) if districts == 1 else None,
        "tileUrl": settings.tile_url,
        "tileAttribution": settings.tile_attribution,
    }


@lru_cache
def _crs_values() -> tuple[str, ...]:
    return tuple(c.value for c in CRS)


def crs_choices(t: Mapping[str, str]) -> list[tuple[str, str]]:
    """Returns the coordinate systems a typed point may be in, each with its name."""
    return [(value, t["crs_" + value]) for value in _crs_values()]


def attribute_values(form: FormData, choice: CategoryChoice | None) -> dict:
    """Returns the chosen category's attribute values a form carries (lists for multi-value
    lists), the empty ones left out; intake checks them."""
    if choice is None:
        return {}
    values: dict = {}
    for attribute in choice.attributes:
        if attribute.datatype == Datatype.MULTIVALUELIST.value:
            chosen = [str(v) for v in form.getlist(attribute.input_name) if str(v).strip()]
            if chosen:
                values[attribute.code] = chosen
            continue
        value = str(form.get(attribute.input_name) or "").strip()
        if value:
            values[attribute.code] = value
    return values


def find_choice(groups: list[CategoryGroup], code: str) -> CategoryChoice | None:
    """Returns the category with this code among the groups, None if none has it."""
    return next((c for g in groups for c in g.choices if c.code == code), None)


def field_of(error: DomainError) -> str:
    """Returns the form field an intake error is about ("form" if none)."""
    if "attribute" in error.detail:
        return ATTRIBUTE_PREFIX + str(error.detail["attribute"])
    return str(error.detail.get("field", "form"))


def parse_point(form: FormData) -> tuple[float, float, str]:
    """Returns the form's longitude, latitude and coordinate system; raises Invalid (field
    "location") when they are missing or not numbers."""
    lon_text = str(form.get("lon") or "").strip()
    lat_text = str(form.get("lat") or "").strip()
    crs = str(form.get("crs") or CRS.WGS84.value)
    if crs not in _crs_values():  # never guessed: a point in another system is metres off
        raise Invalid(
            f"未知的坐标系 {crs[:20]}（可选：{'、'.join(_crs_values())}）",
            f"unknown coordinate system {crs[:20]} (one of {', '.join(_crs_values())})",
            field="location",
        )
    if not lon_text or not lat_text:
        raise Invalid(
            FORM_STRINGS["location_missing"][0],
            FORM_STRINGS["location_missing"][1],
            field="location",
        )
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        raise Invalid(
            FORM_STRINGS["location_number"][0],
            FORM_STRINGS["location_number"][1],
            field="location",
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise Invalid(
            "经纬度超出范围（经度 −180～180，纬度 −90～90）",
            "the coordinates are out of range (longitude −180 to 180, latitude −90 to 90)",
            field="location",
        )
    return lon, lat, crs
