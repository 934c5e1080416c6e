"""Conversions between WGS-84, GCJ-02 and BD-09; onegrid stores every coordinate in WGS-84.

WGS-84 is what GPS receivers and phones report. GCJ-02 (the "Mars" offset) is mandated for maps
published in mainland China and used by AMap and Tencent; BD-09 is Baidu's further offset on
top of GCJ-02. The forward transforms (WGS-84 -> GCJ-02 -> BD-09) are the widely published
algorithms. Their published inverses are one-step approximations (off by up to ~5 m for GCJ-02
and ~0.2 m for BD-09), so the inverses here solve the forward transform numerically instead,
which makes every round trip exact to better than 1e-9 degrees.

All functions take and return (longitude, latitude) in decimal degrees.
"""

from __future__ import annotations

import math
from enum import StrEnum
from types import SimpleNamespace

import numpy as np

__all__ = [
    "CRS",
    "bd09_to_gcj02",
    "bd09_to_wgs84",
    "from_wgs84",
    "from_wgs84_array",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "to_wgs84",
    "to_wgs84_array",
    "wgs84_to_bd09",
    "wgs84_to_gcj02",
]


class CRS(StrEnum):
    """Coordinate reference systems in use for web maps in China."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


# Krasovsky 1940 ellipsoid, which the GCJ-02 algorithm uses instead of WGS-84's.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0

# Published rough bounding box of mainland China; GCJ-02 leaves everything outside it alone.
_LON_MIN, _LON_MAX = 72.004, 137.8347
_LAT_MIN, _LAT_MAX = 0.8293, 55.8271

_TOLERANCE = 1e-10
# Inside China each solver step gains about two digits, so four steps reach the tolerance; the
# cap only guards against inputs (NaN, infinities) where the iteration cannot settle.
_MAX_ITERATIONS = 30


def _all_below(tolerance: float, *errors: float) -> bool:
    """Whether every scalar error is within tolerance, counting NaN as settled."""
    return not any(abs(e) >= tolerance for e in errors)


def _all_below_array(tolerance: float, *errors: np.ndarray) -> bool:
    """Whether every array error is within tolerance, counting NaN as settled."""
    return not any(bool((np.abs(e) >= tolerance).any()) for e in errors)


# The math is written once against these two namespaces: `math` keeps scalar calls fast and
# returning plain floats, numpy vectorises the same expressions for bulk conversion.
_SCALAR = SimpleNamespace(
    sin=math.sin,
    cos=math.cos,
    sqrt=math.sqrt,
    atan2=math.atan2,
    fabs=math.fabs,
    all_below=_all_below,
)
_ARRAY = SimpleNamespace(
    sin=np.sin,
    cos=np.cos,
    sqrt=np.sqrt,
    atan2=np.arctan2,
    fabs=np.fabs,
    all_below=_all_below_array,
)


def _gcj_forward(lon, lat, m):
    """WGS-84 -> GCJ-02 without the bounding-box check."""
    x = lon - 105.0
    y = lat - 35.0
    sqrt_abs_x = m.sqrt(m.fabs(x))
    shared = (20.0 * m.sin(6.0 * x * math.pi) + 20.0 * m.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + shared
    dlat += (20.0 * m.sin(y * math.pi) + 40.0 * m.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * m.sin(y / 12.0 * math.pi) + 320.0 * m.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + shared
    dlon += (20.0 * m.sin(x * math.pi) + 40.0 * m.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlon += (150.0 * m.sin(x / 12.0 * math.pi) + 300.0 * m.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    sin_lat = m.sin(rad_lat)
    magic = 1.0 - _EE * sin_lat * sin_lat
    sqrt_magic = m.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * m.cos(rad_lat) * math.pi)
    return lon + dlon, lat + dlat


def _bd_forward(lon, lat, m):
    """GCJ-02 -> BD-09."""
    z = m.sqrt(lon * lon + lat * lat) + 0.00002 * m.sin(lat * _X_PI)
    theta = m.atan2(lat, lon) + 0.000003 * m.cos(lon * _X_PI)
    return z * m.cos(theta) + 0.0065, z * m.sin(theta) + 0.006


def _solve(forward, lon, lat, guess_lon, guess_lat, m):
    """Find the point that `forward` maps to (lon, lat) by fixed-point iteration."""
    # Both offsets vary slowly with position, so subtracting the residual converges fast.
    for _ in range(_MAX_ITERATIONS):
        fwd_lon, fwd_lat = forward(guess_lon, guess_lat, m)
        err_lon = fwd_lon - lon
        err_lat = fwd_lat - lat
        guess_lon = guess_lon - err_lon
        guess_lat = guess_lat - err_lat
        if m.all_below(_TOLERANCE, err_lon, err_lat):
            break
    return guess_lon, guess_lat


def _gcj_inverse(lon, lat, m):
    """GCJ-02 -> WGS-84 without the bounding-box check."""
    return _solve(_gcj_forward, lon, lat, lon, lat, m)


def _bd_inverse(lon, lat, m):
    """BD-09 -> GCJ-02."""
    return _solve(_bd_forward, lon, lat, lon - 0.0065, lat - 0.006, m)


def _out_of_china(lon: float, lat: float) -> bool:
    """The published bounding-box test; NaN counts as outside."""
    return not (_LON_MIN <= lon <= _LON_MAX and _LAT_MIN <= lat <= _LAT_MAX)


# --- scalar API -------------------------------------------------------------------------------


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert WGS-84 to GCJ-02; points outside China are returned unchanged."""
    lon, lat = float(lon), float(lat)
    if _out_of_china(lon, lat):
        return lon, lat
    return _gcj_forward(lon, lat, _SCALAR)


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert GCJ-02 to WGS-84 exactly; points outside China are returned unchanged."""
    lon, lat = float(lon), float(lat)
    if _out_of_china(lon, lat):
        return lon, lat
    return _gcj_inverse(lon, lat, _SCALAR)


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Convert GCJ-02 to BD-09."""
    return _bd_forward(float(lon), float(lat), _SCALAR)


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert BD-09 to GCJ-02 exactly."""
    return _bd_inverse(float(lon), float(lat), _SCALAR)


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """Convert WGS-84 to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert BD-09 to WGS-84 exactly."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _identity(lon: float, lat: float) -> tuple[float, float]:
    """Return the point as floats."""
    return float(lon), float(lat)


def _coerce_crs(crs: CRS | str) -> CRS:
    """Turn a CRS or its string value into a CRS, or raise ValueError."""
    try:
        return CRS(crs)
    except ValueError:
        allowed = ", ".join(c.value for c in CRS)
        raise ValueError(f"unknown CRS {crs!r}; expected one of: {allowed}") from None


_TO_WGS84 = {CRS.WGS84: _identity, CRS.GCJ02: gcj02_to_wgs84, CRS.BD09: bd09_to_wgs84}
_FROM_WGS84 = {CRS.WGS84: _identity, CRS.GCJ02: wgs84_to_gcj02, CRS.BD09: wgs84_to_bd09}


def to_wgs84(lon: float, lat: float, crs: CRS | str) -> tuple[float, float]:
    """Convert a point in `crs` to WGS-84."""
    return _TO_WGS84[_coerce_crs(crs)](lon, lat)


def from_wgs84(lon: float, lat: float, crs: CRS | str) -> tuple[float, float]:
    """Convert a WGS-84 point to `crs`."""
    return _FROM_WGS84[_coerce_crs(crs)](lon, lat)


# --- array API --------------------------------------------------------------------------------


def _as_arrays(lons, lats) -> tuple[np.ndarray, np.ndarray]:
    """Fresh float64 copies of the inputs, broadcast to a common shape."""
    lons, lats = np.broadcast_arrays(np.asarray(lons, np.float64), np.asarray(lats, np.float64))
    return lons.copy(), lats.copy()


def _inside_china(lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Vectorised negation of _out_of_china."""
    return (lons >= _LON_MIN) & (lons <= _LON_MAX) & (lats >= _LAT_MIN) & (lats <= _LAT_MAX)


def _gcj_array(transform, lons, lats) -> tuple[np.ndarray, np.ndarray]:
    """Apply a GCJ transform to the points inside China, leaving the rest as they are."""
    lons, lats = _as_arrays(lons, lats)
    inside = _inside_china(lons, lats)
    if inside.all():
        # Skipping the boolean indexing keeps the common all-in-China batch cheap.
        return transform(lons, lats, _ARRAY)
    if inside.any():
        lons[inside], lats[inside] = transform(lons[inside], lats[inside], _ARRAY)
    return lons, lats


def _wgs84_to_gcj02_array(lons, lats):
    """Vectorised wgs84_to_gcj02."""
    return _gcj_array(_gcj_forward, lons, lats)


def _gcj02_to_wgs84_array(lons, lats):
    """Vectorised gcj02_to_wgs84."""
    return _gcj_array(_gcj_inverse, lons, lats)


def _gcj02_to_bd09_array(lons, lats):
    """Vectorised gcj02_to_bd09."""
    return _bd_forward(*_as_arrays(lons, lats), _ARRAY)


def _bd09_to_gcj02_array(lons, lats):
    """Vectorised bd09_to_gcj02."""
    lons, lats = _as_arrays(lons, lats)
    return _bd_inverse(lons, lats, _ARRAY)


def _wgs84_to_bd09_array(lons, lats):
    """Vectorised wgs84_to_bd09."""
    return _gcj02_to_bd09_array(*_wgs84_to_gcj02_array(lons, lats))


def _bd09_to_wgs84_array(lons, lats):
    """Vectorised bd09_to_wgs84."""
    return _gcj02_to_wgs84_array(*_bd09_to_gcj02_array(lons, lats))


_TO_WGS84_ARRAY = {
    CRS.WGS84: _as_arrays,
    CRS.GCJ02: _gcj02_to_wgs84_array,
    CRS.BD09: _bd09_to_wgs84_array,
}
_FROM_WGS84_ARRAY = {
    CRS.WGS84: _as_arrays,
    CRS.GCJ02: _wgs84_to_gcj02_array,
    CRS.BD09: _wgs84_to_bd09_array,
}


def to_wgs84_array(lons, lats, crs: CRS | str) -> tuple[np.ndarray, np.ndarray]:
    """Convert arrays of points in `crs` to WGS-84, returning new (lons, lats) arrays."""
    return _TO_WGS84_ARRAY[_coerce_crs(crs)](lons, lats)


def from_wgs84_array(lons, lats, crs: CRS | str) -> tuple[np.ndarray, np.ndarray]:
    """Convert arrays of WGS-84 points to `crs`, returning new (lons, lats) arrays."""
    return _FROM_WGS84_ARRAY[_coerce_crs(crs)](lons, lats)
