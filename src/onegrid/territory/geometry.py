"""Geometry helpers: storage as WKB, areas in square metres, GeoJSON geometry mapping."""

import math

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8


def to_wkb(geometry: BaseGeometry) -> bytes:
    """Returns the geometry as WKB for storage."""
    return shapely.to_wkb(geometry)


def from_wkb(data: bytes) -> BaseGeometry:
    """Returns the geometry stored as this WKB."""
    return shapely.from_wkb(data)


def to_geojson(geometry: BaseGeometry) -> dict:
    """Returns the GeoJSON geometry object of a shapely geometry."""
    return mapping(geometry)


def from_geojson(geometry: dict) -> BaseGeometry:
    """Returns the shapely geometry of a GeoJSON geometry object."""
    return shape(geometry)


def area_m2(geometry: BaseGeometry) -> float:
    """Returns the area of a WGS-84 geometry in square metres (local equal-area scaling).

    At district scale (tens of km) the error of scaling degrees at the centroid's latitude is
    far below a thousandth, which is all a display or a tiling check needs.
    """
    lat = math.radians(geometry.centroid.y)
    metres_per_degree = math.pi * EARTH_RADIUS_M / 180
    return geometry.area * metres_per_degree**2 * math.cos(lat)
