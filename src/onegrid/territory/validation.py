"""Validation of a territory given as GeoJSON: the first problem found is named, nothing else.

Checks, in order: the document's shape; each feature's properties and rings (closed, enough
positions, valid numbers); polygon validity (no self-intersection); each code under its
parent's code and each parent known; each child inside its parent; siblings not overlapping;
and children tiling their parent without gaps. Areas are compared as a fraction of the unit's
own area, `tolerance`, so that floating-point seams of a correct tiling pass.
"""

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from onegrid.core.errors import Invalid
from onegrid.core.levels import LENGTHS_EN, LENGTHS_ZH, Level, level_of, parent_code
from onegrid.territory.geometry import from_geojson


@dataclass
class UnitShape:
    """One unit as the validator sees it: from the file (with its position) or the database."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    geometry: BaseGeometry
    index: int | None = None  # position in the imported file; None for a stored unit
    is_demo: bool = False
    properties: dict = field(default_factory=dict)

    def label(self) -> tuple[str, str]:
        """Returns how messages name this unit, in Chinese and English."""
        if self.index is None:
            return f"已有单元 {self.code}（{self.name}）", f"stored unit {self.code} ({self.name})"
        return (
            f"第 {self.index + 1} 个要素（代码 {self.code}，{self.name}）",
            f"feature #{self.index + 1} (code {self.code}, {self.name})",
        )


def _refuse(unit: UnitShape | None, index: int | None, zh: str, en: str) -> Invalid:
    if unit is not None:
        label_zh, label_en = unit.label()
    else:
        label_zh, label_en = f"第 {index + 1} 个要素", f"feature #{index + 1}"
    return Invalid(f"{label_zh}：{zh}", f"{label_en}: {en}", feature=index)


def _check_rings(index: int, geometry: object) -> None:
    if not isinstance(geometry, Mapping) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, Mapping) else type(geometry).__name__
        raise _refuse(
            None,
            index,
            f"几何类型须为 Polygon 或 MultiPolygon，而不是 {kind}",
            f"geometry must be a Polygon or MultiPolygon, not {kind}",
        )
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list | tuple) or not polygons:
        raise _refuse(None, index, "几何没有坐标", "geometry has no coordinates")
    for p, rings in enumerate(polygons):
        if not isinstance(rings, list | tuple) or not rings:
            raise _refuse(None, index, f"第 {p + 1} 个多边形没有环", f"polygon {p + 1} has no ring")
        for r, ring in enumerate(rings):
            where_zh, where_en = (
                f"第 {p + 1} 个多边形的第 {r + 1} 个环",
                f"ring {r + 1} of polygon {p + 1}",
            )
            if not isinstance(ring, list | tuple) or len(ring) < 4:
                raise _refuse(
                    None,
                    index,
                    f"{where_zh}少于 4 个坐标点",
                    f"{where_en} has fewer than 4 positions",
                )
            for position in ring:
                if (
                    not isinstance(position, list | tuple)
                    or len(position) < 2
                    or not all(isinstance(v, int | float) and math.isfinite(v) for v in position)
                    or not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90)
                ):
                    raise _refuse(
                        None,
                        index,
                        f"{where_zh}含无效坐标 {position!r}",
                        f"{where_en} has an invalid position {position!r}",
                    )
            if list(ring[0][:2]) != list(ring[-1][:2]):
                raise _refuse(
                    None,
                    index,
                    f"{where_zh}未闭合（首尾坐标不同）",
                    f"{where_en} is not closed (first and last positions differ)",
                )


def parse_features(document: object) -> list[UnitShape]:
    """Returns the units of a GeoJSON FeatureCollection, or raises Invalid at the first problem."""
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise Invalid(
            "文件不是 GeoJSON FeatureCollection", "the file is not a GeoJSON FeatureCollection"
        )
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise Invalid("FeatureCollection 中没有要素", "the FeatureCollection has no features")
    units: list[UnitShape] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
            raise _refuse(None, index, "不是 GeoJSON Feature", "is not a GeoJSON Feature")
        props = feature.get("properties") or {}
        code = str(props.get("code", "")).strip()
        name = str(props.get("name", "")).strip()
        level = level_of(code)
        if level is None:
            raise _refuse(
                None,
                index,
                f"代码 {code!r} 须为 {LENGTHS_ZH} 位数字",
                f"code {code!r} must be {LENGTHS_EN} digits",
            )
        if not name:
            raise _refuse(None, index, f"代码 {code} 缺少名称", f"code {code} has no name")
        if props.get("level") not in (None, level.value):
            raise _refuse(
                None,
                index,
                f"层级 {props['level']!r} 与 {len(code)} 位代码不符（应为 {level.value}）",
                f"level {props['level']!r} does not match a {len(code)}-digit code "
                f"(expected {level.value})",
            )
        if code in seen:
            raise _refuse(
                None,
                index,
                f"代码 {code} 与第 {seen[code] + 1} 个要素重复",
                f"code {code} repeats feature #{seen[code] + 1}",
            )
        seen[code] = index
        _check_rings(index, feature.get("geometry"))
        parent = parent_code(code)
        if props.get("parent_code") not in (None, parent):
            raise _refuse(
                None,
                index,
                f"上级代码 {props['parent_code']} 与代码 {code} 的前缀不符",
                f"parent_code {props['parent_code']} is not the prefix of code {code}",
            )
        unit = UnitShape(
            code=code,
            name=name,
            level=level,
            parent_code=parent,
            geometry=from_geojson(feature["geometry"]),
            index=index,
            is_demo=bool(props.get("demo", False)),
            properties=dict(props),
        )
        if not unit.geometry.is_valid:
            reason = explain_validity(unit.geometry)
            raise _refuse(unit, index, f"多边形无效：{reason}", f"invalid polygon: {reason}")
        if unit.geometry.area <= 0:
            raise _refuse(unit, index, "多边形面积为零", "polygon has zero area")
        units.append(unit)
    return units


def check_hierarchy(
    imported: Sequence[UnitShape], stored: Mapping[str, UnitShape], tolerance: float
) -> None:
    """Raises Invalid unless the stored units, updated by the imported ones, form a tiling."""
    final = dict(stored)
    final.update({unit.code: unit for unit in imported})
    children: dict[str, list[UnitShape]] = defaultdict(list)
    for unit in imported:
        if unit.parent_code is None:
            continue
        parent = final.get(unit.parent_code)
        if parent is None:
            raise _refuse(
                unit,
                unit.index,
                f"上级单元 {unit.parent_code} 既不在文件中也不在库中",
                f"parent unit {unit.parent_code} is neither in the file nor stored",
            )
        outside = unit.geometry.difference(parent.geometry).area
        if outside > tolerance * unit.geometry.area:
            share = outside / unit.geometry.area
            raise _refuse(
                unit,
                unit.index,
                f"有 {share:.2%} 的面积在上级 {parent.code}（{parent.name}）之外",
                f"{share:.2%} of its area lies outside its parent {parent.code} ({parent.name})",
            )
    for unit in final.values():
        if unit.parent_code is not None:
            children[unit.parent_code].append(unit)
    touched = {u.parent_code for u in imported if u.parent_code} | {u.code for u in imported}
    for above in sorted(touched & children.keys()):
        _check_tiling(final[above], children[above], tolerance)


def _check_tiling(parent: UnitShape, kids: list[UnitShape], tolerance: float) -> None:
    kids = sorted(kids, key=lambda u: (u.index is None, u.index or 0, u.code))
    geoms = [k.geometry for k in kids]
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        a, b = kids[i], kids[j]
        overlap = a.geometry.intersection(b.geometry).area
        if overlap > tolerance * min(a.geometry.area, b.geometry.area):
            at = a.geometry.intersection(b.geometry).representative_point()
            first, second = (a, b) if a.index is not None else (b, a)
            other_zh, other_en = second.label()
            raise _refuse(
                first,
                first.index,
                f"与{other_zh}重叠（重叠处约 {at.x:.6f}, {at.y:.6f}）",
                f"overlaps {other_en} (around {at.x:.6f}, {at.y:.6f})",
            )
    gap = parent.geometry.difference(shapely.union_all(geoms))
    if gap.area > tolerance * parent.geometry.area:
        at = gap.representative_point()
        raise _refuse(
            parent,
            parent.index,
            f"下级单元未铺满本单元，留有空隙（约 {gap.area / parent.geometry.area:.4%}，"
            f"在 {at.x:.6f}, {at.y:.6f} 附近）",
            f"its children leave a gap ({gap.area / parent.geometry.area:.4%} of its area, "
            f"near {at.x:.6f}, {at.y:.6f})",
        )
