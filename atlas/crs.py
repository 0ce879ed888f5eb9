"""Coordinate reference systems and China's datum shifts.

Storage and output are WGS-84 lon/lat (RFC 7946).  Lengths, areas and buffers
are computed in :data:`METRIC_CRS` (UTM zone 50N, scale error about -117 ppm in
Jinjiang), never in degrees or Web Mercator.  GCJ-02 (Amap, Tencent) and BD-09
(Baidu) positions are converted explicitly with the maintained ``prcoords``
library before they touch the data.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import prcoords
import shapely

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


def shift_for_display(geometry_wgs, datum: str):
    """A WGS-84 shapely geometry moved onto a basemap drawn in ``datum`` (display only).

    Amap tiles are in GCJ-02, so an overlay must be shifted by the same ~560 m to sit
    on the right block; the stored data never changes.
    """
    if InputCRS(datum) is InputCRS.wgs84:
        return geometry_wgs

    def move(xy):
        return np.array([from_wgs84(lon, lat, datum) for lon, lat in xy]).reshape(xy.shape)

    return shapely.transform(geometry_wgs, move)
