"""Point → grid lookup over an in-memory STRtree.

Border rule: a point on the shared border of several grids (or on a corner) belongs to the
grid with the smallest code among those whose closed polygon contains it. Every point inside
the district therefore has exactly one grid, and the answer never depends on insertion order.
"""

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

NOT_FOUND = -1


class GridIndex:
    """Answers which grid contains a WGS-84 point, one at a time or in bulk."""

    def __init__(self, codes: Sequence[str], geometries: Sequence[BaseGeometry]) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes = np.array([codes[i] for i in order], dtype=object)
        self._geoms = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)

    def __len__(self) -> int:
        return len(self.codes)

    def bounds(self) -> tuple[float, float, float, float]:
        """Returns (min lon, min lat, max lon, max lat) over every grid."""
        return tuple(float(v) for v in shapely.total_bounds(self._geoms))

    def locate_indices(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Returns, per point, the index into `codes` of its grid, or -1 outside every grid."""
        points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
        point_idx, grid_idx = self._tree.query(points)  # bounding boxes only
        hit = shapely.intersects(self._geoms[grid_idx], points[point_idx])  # closed polygons
        point_idx, grid_idx = point_idx[hit], grid_idx[hit]
        result = np.full(len(points), len(self.codes), dtype=np.int64)
        # Grids are sorted by code, so the smallest index is the smallest code (border rule).
        np.minimum.at(result, point_idx, grid_idx)
        result[result == len(self.codes)] = NOT_FOUND
        return result

    def locate(self, lon: float, lat: float) -> str | None:
        """Returns the code of the grid containing the point, or None if no grid does."""
        index = int(self.locate_indices(np.array([lon]), np.array([lat]))[0])
        return None if index == NOT_FOUND else str(self.codes[index])
