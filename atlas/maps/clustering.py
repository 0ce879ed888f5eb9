"""Grid clustering of the atlas's points, for a map of more points than a browser can draw.

The atlas page ships every matched feature while there are at most
:data:`CLIENT_MAX_FEATURES` (the browser clusters them itself).  Beyond that it asks the
server for the view it shows: the matched points in the view are grouped by the cells of a
grid fixed in Web Mercator pixels at the map's zoom (:data:`CELL_PX` square), each cell with
two or more points answered as one cluster (count, centre, extent), each lone point as
itself.  The grid is aligned to the world, not to the view, so panning never regroups
points; from :data:`SINGLES_ZOOM` every point stands alone, as in the browser's clustering.
A request costs a few numpy passes over the matched rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from atlas.crs import InputCRS, coords_from_wgs84, geometry_from_wgs84
from atlas.engine import Atlas
from atlas.filters import facet_index

CLIENT_MAX_FEATURES = 10_000
"""Up to this many matches the page gets every feature; beyond, it gets clusters."""
CELL_PX = 80
"""Side of a grid cell in screen pixels."""
SINGLES_ZOOM = 15
"""From this zoom every point is drawn alone (the page's ``FOCUS_ZOOM``)."""
MAX_SINGLES = 3_000
"""At or beyond :data:`SINGLES_ZOOM`, a view holding more points is still clustered."""


@dataclass(frozen=True)
class PointTable:
    """Where every listed entity (rows as in :func:`atlas.filters.listed_in_order`) lies on the
    basemap's datum: points' positions (NaN for areas, which the page draws as shapes) and
    everyone's extent."""

    bounds: np.ndarray
    """west, south, east, north of each row (n × 4)"""
    lon: np.ndarray
    lat: np.ndarray
    x: np.ndarray
    """Web Mercator x in world units (0…1, west to east)"""
    y: np.ndarray
    """Web Mercator y in world units (0…1, north to south)"""

    @property
    def is_point(self) -> np.ndarray:
        return ~np.isnan(self.lon)


def point_table(atlas: Atlas) -> PointTable:
    """The atlas's :class:`PointTable` (built once per atlas)."""
    return atlas.cached(("point_table",), lambda: _build_table(atlas))


def _build_table(atlas: Atlas) -> PointTable:
    datum = InputCRS(atlas.settings.tiles_datum)
    geoms = np.array([e.geometry for e in facet_index(atlas).listed], dtype=object)
    xy = np.full((len(geoms), 2), np.nan)
    bounds = np.empty((len(geoms), 4))
    points = shapely.get_type_id(geoms) == 0 if len(geoms) else np.zeros(0, bool)
    if points.any():
        xy[points] = coords_from_wgs84(shapely.get_coordinates(geoms[points]), datum)
        bounds[points] = np.c_[xy[points], xy[points]]
    for row in np.flatnonzero(~points):  # areas: few, and shifted vertex by vertex
        bounds[row] = geometry_from_wgs84(geoms[row], datum).bounds
    lon, lat = xy[:, 0], xy[:, 1]
    x, y = mercator(lon, lat)
    return PointTable(bounds, lon, lat, x, y)


def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator world coordinates (0…1) of lon/lat degrees."""
    phi = np.radians(np.clip(lat, -85.05112878, 85.05112878))
    return (np.asarray(lon) + 180.0) / 360.0, (1.0 - np.log(np.tan(phi) + 1.0 / np.cos(phi)) / np.pi) / 2.0


@dataclass(frozen=True)
class Cluster:
    """Points of one grid cell: how many, their mean position and their extent."""

    count: int
    lon: float
    lat: float
    bbox: tuple[float, float, float, float]


def in_view(table: PointTable, rows: np.ndarray,
            bbox: tuple[float, float, float, float]) -> np.ndarray:
    """The ``rows`` reaching into ``bbox`` (west, south, east, north; edges inside)."""
    b = table.bounds[rows]
    west, south, east, north = bbox
    return rows[(b[:, 2] >= west) & (b[:, 0] <= east) & (b[:, 3] >= south) & (b[:, 1] <= north)]


def extent(table: PointTable, rows: np.ndarray) -> list[float] | None:
    """[west, south, east, north] around the ``rows`` (None for none)."""
    if not len(rows):
        return None
    b = table.bounds[rows]
    return [float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())]


def cluster(table: PointTable, rows: np.ndarray, zoom: int) -> tuple[list[Cluster], np.ndarray]:
    """Group the points at ``rows`` by grid cell at ``zoom``: clusters of two or more, and the
    rows standing alone (in the order given)."""
    if zoom >= SINGLES_ZOOM and len(rows) <= MAX_SINGLES:
        return [], rows
    cells = 256.0 * 2.0 ** zoom / CELL_PX
    cx = np.floor(table.x[rows] * cells).astype(np.int64)
    cy = np.floor(table.y[rows] * cells).astype(np.int64)
    _, cell, size = np.unique(cx * (int(cells) + 1) + cy, return_inverse=True, return_counts=True)
    alone = size[cell] == 1
    grouped = rows[~alone]
    cell = cell[~alone]
    clusters = []
    if len(grouped):
        order = np.argsort(cell, kind="stable")
        grouped, cell = grouped[order], cell[order]
        starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
        lon, lat = table.lon[grouped], table.lat[grouped]
        ends = np.r_[starts[1:], len(grouped)]
        sums = np.add.reduceat(np.c_[lon, lat], starts)
        west, east = np.minimum.reduceat(lon, starts), np.maximum.reduceat(lon, starts)
        south, north = np.minimum.reduceat(lat, starts), np.maximum.reduceat(lat, starts)
        n = ends - starts
        clusters = [Cluster(int(n[i]), float(sums[i, 0] / n[i]), float(sums[i, 1] / n[i]),
                            (float(west[i]), float(south[i]), float(east[i]), float(north[i])))
                    for i in range(len(starts))]
    return clusters, rows[alone]
