"""Point → grid lookup over a uniform raster of cells.

Border rule: a point on the shared border of several grids (or on a corner) belongs to the
grid with the smallest code among those whose closed polygon contains it. Every point inside
the district therefore has exactly one grid, and the answer never depends on insertion order.

The grids' bounding box is cut into cells a few per grid across. A cell that no grid touches,
or that the smallest-coded grid touching it covers entirely, answers without any geometry
test; only points in cells that a border crosses are tested against the cell's few grids.
"""

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

NOT_FOUND = -1
_MIXED = -2  # a cell a border crosses: its points need a geometry test
# Cells across a typical grid, per side: finer cells leave fewer points to test but take
# longer to build (the demo's 1,360 grids build in well under a second).
_CELLS_PER_GRID = 4
# However unequal the grids' sizes, at most this many cells a grid, so that memory and build
# time stay in proportion to the number of grids.
_MAX_CELLS_PER_GRID = 64
# Cells are widened by this share of a cell when classified: far more than any rounding in
# the point → cell arithmetic, so a point always lies in the cell it is mapped to.
_PAD = 1e-6


class _Raster:
    """Cells over the grids' bounding box, each with the grids whose closed polygon touches it.

    `answer[cell]` is the grid index for every point of the cell, NOT_FOUND, or _MIXED; the
    grids touching cell c are `grids[start[c]:start[c + 1]]`, smallest index first.
    """

    def __init__(self, geoms: np.ndarray) -> None:
        bounds = shapely.bounds(geoms)
        low, high = bounds[:, :2].min(axis=0), bounds[:, 2:].max(axis=0)
        extent = high - low
        typical = np.median(bounds[:, 2:] - bounds[:, :2], axis=0) / _CELLS_PER_GRID
        shape = np.ceil(np.divide(extent, typical, out=np.ones(2), where=typical > 0))
        shrink = max(1.0, np.sqrt(shape.prod() / (_MAX_CELLS_PER_GRID * len(geoms))))
        shape = np.maximum(1, shape / shrink).astype(int)
        scale = np.divide(shape, extent, out=np.zeros(2), where=extent > 0)
        # Python floats: the one-point path must do exactly the arithmetic of the bulk path.
        self.x0, self.y0, self.x1, self.y1 = (float(v) for v in (*low, *high))
        self.sx, self.sy = float(scale[0]), float(scale[1])
        self.nx, self.ny = int(shape[0]), int(shape[1])
        self._cell_size = extent / shape

        grid, cell = self._touching(geoms, bounds)
        counts = np.bincount(cell, minlength=self.nx * self.ny)
        self.start = np.concatenate([[0], np.cumsum(counts)])
        self.grids = grid[np.argsort(cell, kind="stable")]  # stable: smallest grid first
        self.answer = np.full(self.nx * self.ny, NOT_FOUND, dtype=np.int64)
        touched = np.flatnonzero(counts)
        first = self.grids[self.start[touched]]
        covered = shapely.covers(geoms[first], self._boxes(touched))
        self.answer[touched] = np.where(covered, first, _MIXED)

    def _touching(self, geoms: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns the (grid, cell) pairs where the grid's closed polygon touches the cell."""
        x0, y0 = self._columns(bounds[:, 0]), self._rows(bounds[:, 1])
        x1, y1 = self._columns(bounds[:, 2]), self._rows(bounds[:, 3])
        width = x1 - x0 + 1
        counts = width * (y1 - y0 + 1)
        grid = np.repeat(np.arange(len(geoms)), counts)
        k = _offsets(counts)
        cell = (y0[grid] + k // width[grid]) * self.nx + x0[grid] + k % width[grid]
        touch = shapely.intersects(geoms[grid], self._boxes(cell))
        return grid[touch], cell[touch]

    def _boxes(self, cells: np.ndarray) -> np.ndarray:
        """Returns the cells as polygons, each widened by _PAD of a cell on every side."""
        pad = _PAD * self._cell_size.sum()
        corner = np.stack([cells % self.nx, cells // self.nx], axis=1) * self._cell_size
        low = corner + (self.x0, self.y0) - pad
        high = low + self._cell_size + 2 * pad
        return shapely.box(low[:, 0], low[:, 1], high[:, 0], high[:, 1])

    # Subtracting, scaling and truncating are each monotonic in IEEE arithmetic, so a point
    # within a grid's bounding box always falls between the cells of that box's corners.
    def _columns(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(((x - self.x0) * self.sx).astype(np.int64), self.nx - 1)

    def _rows(self, y: np.ndarray) -> np.ndarray:
        return np.minimum(((y - self.y0) * self.sy).astype(np.int64), self.ny - 1)

    def cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Returns each point's cell, or -1 outside the bounding box (NaN included)."""
        inside = (x >= self.x0) & (x <= self.x1) & (y >= self.y0) & (y <= self.y1)
        result = np.full(len(x), -1, dtype=np.int64)
        result[inside] = self._rows(y[inside]) * self.nx + self._columns(x[inside])
        return result

    def cell(self, x: float, y: float) -> int:
        """Returns one point's cell, or -1 outside; the same arithmetic as `cells`."""
        if not (self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1):
            return -1
        column = min(int((x - self.x0) * self.sx), self.nx - 1)
        row = min(int((y - self.y0) * self.sy), self.ny - 1)
        return row * self.nx + column

    def candidates(self, points: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (point, grid) pairs: each point with every grid touching its cell."""
        first, counts = self.start[cells], self.start[cells + 1] - self.start[cells]
        return np.repeat(points, counts), self.grids[np.repeat(first, counts) + _offsets(counts)]


def _offsets(counts: np.ndarray) -> np.ndarray:
    """Returns 0, 1, …, count - 1 for each count in turn, all in one array."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


class GridIndex:
    """Answers which grid contains a WGS-84 point, one at a time or in bulk."""

    def __init__(self, codes: Sequence[str], geometries: Sequence[BaseGeometry]) -> None:
        order = sorted(range(len(codes)), key=lambda i: codes[i])
        self.codes = np.array([codes[i] for i in order], dtype=object)
        self._geoms = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self._geoms)
        self._raster = _Raster(self._geoms) if len(self._geoms) else None

    def __len__(self) -> int:
        return len(self.codes)

    def bounds(self) -> tuple[float, float, float, float]:
        """Returns (min lon, min lat, max lon, max lat) over every grid."""
        return tuple(float(v) for v in shapely.total_bounds(self._geoms))

    def locate_indices(self, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Returns, per point, the index into `codes` of its grid, or -1 outside every grid."""
        x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        result = np.full(len(x), NOT_FOUND, dtype=np.int64)
        if self._raster is None:
            return result
        cells = self._raster.cells(x, y)
        inside = cells >= 0
        result[inside] = self._raster.answer[cells[inside]]
        mixed = np.flatnonzero(result == _MIXED)
        point_idx, grid_idx = self._raster.candidates(mixed, cells[mixed])
        hit = shapely.intersects_xy(self._geoms[grid_idx], x[point_idx], y[point_idx])
        result[mixed] = len(self.codes)
        # Grids are sorted by code, so the smallest index is the smallest code (border rule).
        np.minimum.at(result, point_idx[hit], grid_idx[hit])
        result[result == len(self.codes)] = NOT_FOUND
        return result

    def locate(self, lon: float, lat: float) -> str | None:
        """Returns the code of the grid containing the point, or None if no grid does."""
        cell = -1 if self._raster is None else self._raster.cell(float(lon), float(lat))
        if cell < 0:
            return None
        index = int(self._raster.answer[cell])
        if index == _MIXED:
            start, stop = self._raster.start[cell], self._raster.start[cell + 1]
            grids = self._raster.grids[start:stop]
            # Smallest index first, so the first grid that holds the point is the answer.
            index = next(
                (int(g) for g in grids if shapely.intersects_xy(self._geoms[g], lon, lat)),
                NOT_FOUND,
            )
        return None if index == NOT_FOUND else str(self.codes[index])
