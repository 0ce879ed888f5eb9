"""Metric geometry helpers shared by validation and the query engine."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

import geopandas as gpd
from shapely.geometry.base import BaseGeometry

from atlas.crs import METRIC_CRS
from atlas.vocab import Layer


def to_metric(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The frame's geometry (its only column: properties are read from the frame itself)
    reprojected to the metric CRS (metres), with the same index."""
    return frame[[frame.geometry.name]].to_crs(METRIC_CRS)


def corridor_band(corridor_metric: gpd.GeoSeries, width_m: float) -> BaseGeometry:
    """The corridor band: the avenue buffered by half the width on each side (metric CRS)."""
    return corridor_metric.buffer(width_m / 2.0).union_all()


class MetricFrames(Mapping[Layer, gpd.GeoDataFrame]):
    """Each layer of ``frames`` in the metric CRS (:func:`to_metric`) with its STRtree, made
    when first asked for and kept.

    A server that answers only OGC pages and the map never measures its point layers, and their
    metric copies are the largest thing it would hold: 29 MB at 100 000 features.  The first
    query that measures (nearest, within, coverage) makes the copy it needs (0.3 s at 100 000).
    """

    def __init__(self, frames: Mapping[Layer, gpd.GeoDataFrame]):
        self._frames = frames
        self._made: dict[Layer, gpd.GeoDataFrame] = {}
        self._lock = threading.Lock()

    def __getitem__(self, layer: Layer) -> gpd.GeoDataFrame:
        made = self._made.get(layer)
        if made is None:
            with self._lock:  # made once, even when requests ask together
                made = self._made.get(layer)
                if made is None:
                    made = to_metric(self._frames[layer])
                    made.sindex  # the STRtree too, before anyone shares the frame
                    self._made[layer] = made
        return made

    def __iter__(self) -> Iterator[Layer]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)
