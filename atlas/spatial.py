"""Metric geometry helpers shared by validation and the query engine."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from atlas.crs import METRIC_CRS


def to_metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame reprojected to the metric CRS (metres)."""
    return frame.to_crs(METRIC_CRS)


def corridor_band(corridor_metric: gpd.GeoSeries, width_m: float) -> BaseGeometry:
    """The corridor band: the avenue buffered by half the width on each side (metric CRS)."""
    return corridor_metric.buffer(width_m / 2.0).union_all()
