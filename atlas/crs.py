"""Coordinate reference systems and China's datum shifts.

Storage and output are WGS-84 lon/lat (RFC 7946).  Lengths, areas and buffers
are computed in :data:`METRIC_CRS` (UTM zone 50N, scale error about -117 ppm in
Jinjiang), never in degrees or Web Mercator.  GCJ-02 (Amap, Tencent) and BD-09
(Baidu) positions are converted explicitly with the maintained ``prcoords``
library before they touch the data.
"""

from __future__ import annotations

from enum import StrEnum

from collections.abc import Callable

import numpy as np
import prcoords
import shapely
from shapely.geometry.base import BaseGeometry

WGS84 = "EPSG:4326"
METRIC_CRS = "EPSG:32650"


class InputCRS(StrEnum):
    """Datums a user may give a position in."""

    wgs84 = "wgs84"
    gcj02 = "gcj02"
    bd09 = "bd09"


def to_wgs84(lon: float, lat: float, crs: InputCRS | str) -> tuple[float, float]:
    """Convert a lon/lat pair given in ``crs`` to WGS-84 lon/lat."""
    crs = InputCRS(crs)
    if crs is InputCRS.wgs84:
        return lon, lat
    convert = prcoords.gcj_wgs_bored if crs is InputCRS.gcj02 else prcoords.bd_wgs_bored
    out = convert(prcoords.Coords(lat, lon))
    return out.lon, out.lat


def from_wgs84(lon: float, lat: float, crs: InputCRS | str) -> tuple[float, float]:
    """Convert a WGS-84 lon/lat pair to ``crs`` (for display on a shifted basemap)."""
    crs = InputCRS(crs)
    if crs is InputCRS.wgs84:
        return lon, lat
    convert = prcoords.wgs_gcj if crs is InputCRS.gcj02 else prcoords.wgs_bd
    out = convert(prcoords.Coords(lat, lon))
    return out.lon, out.lat


def _each_vertex(geom: BaseGeometry, convert: Callable[[float, float], tuple[float, float]]
                 ) -> BaseGeometry:
    return shapely.transform(
        geom, lambda xy: np.array([convert(x, y) for x, y in xy], dtype=float).reshape(-1, 2))


def geometry_to_wgs84(geom: BaseGeometry, crs: InputCRS) -> BaseGeometry:
    """A lon/lat geometry given in ``crs`` as WGS-84 (every vertex converted)."""
    return geom if crs is InputCRS.wgs84 else _each_vertex(geom, lambda x, y: to_wgs84(x, y, crs))


def coords_from_wgs84(xy: np.ndarray, crs: InputCRS) -> np.ndarray:
    """WGS-84 lon/lat rows (an n × 2 array) shifted to ``crs``."""
    if crs is InputCRS.wgs84:
        return xy
    return np.array([from_wgs84(x, y, crs) for x, y in xy], dtype=float).reshape(-1, 2)


def geometry_from_wgs84(geom: BaseGeometry, crs: InputCRS) -> BaseGeometry:
    """A WGS-84 geometry shifted to ``crs`` (for display on a GCJ-02 or BD-09 basemap)."""
    return geom if crs is InputCRS.wgs84 else shapely.transform(geom, lambda xy: coords_from_wgs84(xy, crs))
