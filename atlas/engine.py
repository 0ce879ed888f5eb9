"""The spatial engine: validated layers in memory, indexed once, answering spatial questions.

An :class:`Atlas` is built from a :class:`~atlas.storage.Storage`.  Building it
validates the data (and refuses invalid data), loads every layer into a
GeoDataFrame in WGS-84 with an STRtree spatial index (and a metric, EPSG:32650, copy
made when first measured in: :class:`~atlas.spatial.MetricFrames`), derives the
corridor band and the corridor → zone → park → platform hierarchy.  The search
index is built on the first search (a server builds it right after loading:
:func:`atlas.live.warm`).  Nothing is recomputed per request; a new data version
means a new ``Atlas``.
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from atlas.config import Settings
from atlas.crs import METRIC_CRS, WGS84
from atlas.loader import read_collections
from atlas import membership, snapshot
from atlas.membership import Membership
from atlas.model import LAYER_MODELS
from atlas.packed import columns, unpack
from atlas.search import Pinyin, SearchIndex
from atlas.spatial import MetricFrames, corridor_band, to_metric
from atlas.storage import Storage
from atlas.validate import InvalidDataError, Report, validate
from atlas.vocab import HOSTED_LAYERS, POINT_LAYERS, Layer

T = TypeVar("T")

_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)
"""Built once: creating a transformer per call costs milliseconds."""

NEAREST_MIN_RADIUS_M = 200.0
"""Least first search radius of :meth:`Atlas.nearest` (which multiplies it by 4 until enough
are found)."""

ENTITY_LAYERS: tuple[Layer, ...] = (Layer.corridor, Layer.zones, Layer.parks, *HOSTED_LAYERS)
"""Layers whose features are entities people browse (towns and the boundary are context)."""


@dataclass(frozen=True, slots=True)
class Entity:
    """One feature with its layer, properties and derived context."""

    id: str
    layer: Layer
    packed: bytes
    """The validated properties, packed (:mod:`atlas.packed`): read them as :attr:`props`."""
    geometry: BaseGeometry
    member: Membership = Membership()
    dictionary: bytes | None = None
    """What ``packed`` was squeezed with (its layer's, shared), or None: plain JSON."""

    @property
    def props(self) -> dict:
        """Every property of the layer's model (defaults filled in), as a new dict each time:
        read it once per use (``p = entity.props``), not once per field, in loops."""
        return unpack(self.layer, self.packed, self.dictionary)

    @property
    def town(self) -> str | None:
        return self.member.town

    @property
    def zones(self) -> tuple[str, ...]:
        return self.member.zones

    @property
    def in_corridor(self) -> bool:
        return self.member.in_corridor

    def feature(self, extra: dict | None = None) -> dict:
        """The entity as an RFC 7946 Feature (properties plus derived context)."""
        props = {**self.props, "layer": self.layer.value, "town": self.town,
                 "zones": list(self.zones), "parks": list(self.member.parks),
                 "in_corridor": self.in_corridor, "located": self.member.located,
                 **(extra or {})}
        return {"type": "Feature", "id": self.id, "geometry": shapely.geometry.mapping(self.geometry),
                "properties": props}


@dataclass(frozen=True)
class Located:
    """What contains a point, and how far it is from the corridor."""

    town: str | None
    zones: list[str]
    parks: list[str]
    in_corridor: bool
    corridor_distance_m: float
    in_city: bool


@dataclass
class Atlas:
    """Validated, indexed layers and the queries over them."""

    settings: Settings
    version: str
    frames: dict[Layer, gpd.GeoDataFrame]
    metric: MetricFrames
    band: BaseGeometry
    band_wgs: BaseGeometry
    city: BaseGeometry
    entities: dict[str, Entity] = field(default_factory=dict)
    parent: dict[str, str | None] = field(default_factory=dict)
    child_ids: dict[str, list[str]] = field(default_factory=dict)
    member_ids: dict[str, list[str]] = field(default_factory=dict)
    index: SearchIndex | None = None
    """Built by :meth:`search_index` on first use."""
    memo: dict = field(default_factory=dict, repr=False)
    _index_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    # ------------------------------------------------------------------ build
    @classmethod
    def load(cls, storage: Storage, settings: Settings) -> Atlas:
        """Read, validate and index every layer; raise InvalidDataError on bad data.  A version
        loaded before is built from its snapshot (:mod:`atlas.snapshot`) instead."""
        with collection_paused():
            version = storage.version()  # before reading: a write in between makes it look stale
            kept = snapshot.read(settings, snapshot.key(version, settings))
            if kept is not None:
                return cls._build(settings, version, kept)
            report = validate(read_collections(storage), settings.corridor_width_m,
                              settings.coast_tolerance_m)
            if not report.ok:
                raise InvalidDataError(report)
            return cls.from_report(settings, version, report)

    @classmethod
    def from_report(cls, settings: Settings, version: str, report: Report) -> Atlas:
        """The atlas of the storage ``version`` whose validation ``report`` passed, kept as a
        snapshot for the next load of that version."""
        with collection_paused():
            atlas = cls._build(settings, version,
                               snapshot.Snapshot(report.checked, report.dictionaries))
            snapshot.write(settings, snapshot.key(version, settings), snapshot.Snapshot(
                report.checked, report.dictionaries,
                {layer: {c: frame[c].tolist() for c in frame.columns if c != "geometry"}
                 for layer, frame in atlas.frames.items()},
                {layer: [atlas.entities[i].member for i in frame.index]
                 for layer, frame in atlas.frames.items()}))
        return atlas

    @classmethod
    def _build(cls, settings: Settings, version: str, kept: snapshot.Snapshot) -> Atlas:
        """Frames, indexes, entities and hierarchy from validated data (the frame columns and
        memberships computed unless ``kept`` has them)."""
        checked = kept.checked
        frames = {layer: _frame(layer, checked[layer], kept.dictionaries[layer],
                                kept.columns and kept.columns[layer]) for layer in Layer}
        for frame in frames.values():
            frame.sindex  # build the STRtrees now, not on the first request
        metric = MetricFrames(frames)
        band = corridor_band(metric[Layer.corridor].geometry, settings.corridor_width_m)
        band_wgs = gpd.GeoSeries([band], crs=METRIC_CRS).to_crs(WGS84).iloc[0]
        city = metric[Layer.boundary].geometry.union_all()
        atlas = cls(settings, version, frames, metric, band, band_wgs, city)
        atlas._build_entities(kept)
        atlas._build_hierarchy()
        return atlas

    def _build_entities(self, kept: snapshot.Snapshot) -> None:
        """One Entity per feature (its validated properties and geometry), with where it
        belongs by the one membership rule (or as the snapshot ``kept`` it)."""
        members = kept.members
        if members is None:  # the point layers' metric copies only for this (MetricFrames)
            metric = {layer: to_metric(self.frames[layer]) if layer in HOSTED_LAYERS
                      else self.metric[layer] for layer in Layer}
            computed = membership.compute(self.frames, metric, self.band, ENTITY_LAYERS)
            members = {layer: [computed.get(i) for i in self.frames[layer].index]
                       for layer in Layer}
        default = Membership()
        for layer in Layer:
            dictionary = kept.dictionaries[layer]
            for eid, (packed, geom), member in zip(self.frames[layer].index, kept.checked[layer],
                                                    members[layer]):
                self.entities[eid] = Entity(eid, layer, packed, geom, member or default,
                                            dictionary)
        self.member_ids = membership.members(
            {e.id: e.member for e in self.entities.values() if e.layer in ENTITY_LAYERS})

    def _build_hierarchy(self) -> None:
        """parent: platform/incubator → host park → zone → corridor (links first, then space)."""
        corridor_ids = list(self.frames[Layer.corridor].index)
        declared = {eid: link for layer, name in ((Layer.parks, "zone"),
                                                  *((h, "host_park") for h in HOSTED_LAYERS))
                    for eid, link in zip(self.frames[layer].index,
                                         membership.link_column(self.frames[layer], name))}
        for e in self.entities.values():
            parent = None
            if e.layer in (Layer.parks, *HOSTED_LAYERS):
                parent = declared[e.id] or (e.zones[0] if e.zones else None)
            if e.layer in (Layer.zones, Layer.parks, *HOSTED_LAYERS) and parent is None and e.in_corridor:
                parent = corridor_ids[0] if corridor_ids else None
            self.parent[e.id] = parent
            if parent:
                self.child_ids.setdefault(parent, []).append(e.id)

    # ------------------------------------------------------------- lookups
    def cached(self, key: tuple, compute: Callable[[], T]) -> T:
        """``compute()`` once per atlas (so per data version) and ``key``.

        For derived, read-only values that requests would otherwise rebuild: map
        features, filter choices, OGC queryables and documents.  Callers must not mutate
        what they get back.

        The memo lives as long as the data version and is never trimmed, so ``key`` must come
        from a bounded set: entity ids, layers, ``Lang``, configuration — never text a client
        sends (a header such as ``Host``, a query string, a search): 2 000 ``Host`` values
        once grew it by 383 MB.
        """
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]

    def entity(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def members(self, area_id: str) -> list[Entity]:
        """Entities that belong to a town, zone or park by the membership rule (entity order)."""
        return [self.entities[m] for m in self.member_ids.get(area_id, [])]

    def children(self, entity_id: str) -> list[Entity]:
        """Entities whose parent is ``entity_id``."""
        return [self.entities[c] for c in self.child_ids.get(entity_id, [])]

    def ancestors(self, entity_id: str) -> list[Entity]:
        """Parent, grandparent, … up to the corridor (nearest first)."""
        chain, seen = [], {entity_id}
        current = self.parent.get(entity_id)
        while current and current not in seen:
            chain.append(self.entities[current])
            seen.add(current)
            current = self.parent.get(current)
        return chain

    def search(self, query: str, limit: int | None = 50) -> list[Entity]:
        """Entities of the browsable layers matching ``query`` (names, aliases, industries,
        kinds, layers, areas, typos: see :mod:`atlas.search`), best first."""
        return [self.entities[i] for i in self.search_index().search(query, limit)]

    def search_index(self) -> SearchIndex:
        """The search index, built on first use: once per atlas, even under concurrent requests."""
        if self.index is None:
            with self._index_lock:
                if self.index is None:
                    self.index = self._build_search_index()
        return self.index

    def _build_search_index(self) -> SearchIndex:
        """Index the browsable entities in layer order, then id (the order ties rank in), with
        the entities of each layer, kind and industry and (by membership) of each area."""
        ids = {layer: sorted(self.frames[layer].index) for layer in ENTITY_LAYERS}
        ranked = [self.entities[i] for layer in ENTITY_LAYERS for i in ids[layer]]
        members = {**{("layer", layer.value): ids[layer] for layer in ENTITY_LAYERS},
                   **{("area", area): m for area, m in self.member_ids.items()}}
        names = {}
        for e in ranked:
            p = e.props
            names[e.id] = _names(p)
            for term in (("kind", p["kind"]), *(("industry", i) for i in p.get("industries") or [])):
                members.setdefault(term, []).append(e.id)
        areas = [self.entities[a] for layer in (Layer.towns, Layer.zones, Layer.parks)
                 for a in self.frames[layer].index]
        pinyin = Pinyin(snapshot.read_pinyin(self.settings))
        index = SearchIndex(names, members, {a.id: _names(a.props) for a in areas}, pinyin)
        if pinyin.learned:
            snapshot.write_pinyin(self.settings, pinyin.runs)
        return index

    # ------------------------------------------------------------- spatial
    def to_metric_point(self, lon: float, lat: float) -> Point:
        """A WGS-84 lon/lat as a point in the metric CRS."""
        return Point(_TO_METRIC.transform(lon, lat))

    def to_metric_xy(self, lon, lat) -> np.ndarray:
        """WGS-84 lon/lat arrays as an (n, 2) array of metric x, y (vectorised)."""
        return np.column_stack(_TO_METRIC.transform(np.asarray(lon, float), np.asarray(lat, float)))

    def to_metric(self, geometry_wgs: BaseGeometry) -> BaseGeometry:
        """Any WGS-84 geometry in the metric CRS."""
        return shapely.transform(geometry_wgs, lambda xy: self.to_metric_xy(xy[:, 0], xy[:, 1]))

    def to_wgs84(self, geometry_metric: BaseGeometry) -> BaseGeometry:
        """Any metric geometry back in WGS-84 lon/lat."""
        return shapely.transform(geometry_metric, lambda xy: np.column_stack(
            _TO_WGS84.transform(xy[:, 0], xy[:, 1])))

    def locate(self, lon: float, lat: float) -> Located:
        """Town, zones, parks and corridor band containing a WGS-84 point.

        A point exactly on a shared edge counts as inside every polygon it touches.
        """
        point = self.to_metric_point(lon, lat)
        towns, zones, parks = (membership.containing(self.metric[layer], [point])[0]
                               for layer in (Layer.towns, Layer.zones, Layer.parks))
        return Located(
            town=towns[0] if towns else None, zones=zones, parks=parks,
            in_corridor=bool(self.band.intersects(point)),
            corridor_distance_m=float(self.metric[Layer.corridor].distance(point).min()),
            in_city=bool(self.city.intersects(point)),
        )

    def nearest(self, lon: float, lat: float, k: int, layers: tuple[Layer, ...] = POINT_LAYERS,
                keep: set[str] | None = None) -> list[tuple[Entity, float]]:
        """The ``k`` nearest entities of ``layers`` (optionally only ids in ``keep``), with metres.

        Candidates come from each layer's STRtree within a radius (sized from the layers'
        density, growing ×4) until at least
        ``k`` are found (or the whole layer is in reach), so the work follows ``k``, not the
        layer's size.  Ties in distance go to the smaller id, so answers are stable.
        """
        point = self.to_metric_point(lon, lat)
        count = sum(len(self.metric[layer]) for layer in layers)
        # a radius that would hold about 4k features were they spread evenly over the city
        radius = max(NEAREST_MIN_RADIUS_M,
                     math.sqrt(4 * k * self.city.area / (math.pi * max(count, 1))))
        while True:
            ids, dists, everything = self._within_radius(point, layers, radius)
            if keep is not None:
                mask = np.fromiter((i in keep for i in ids), dtype=bool, count=len(ids))
                ids, dists = ids[mask], dists[mask]
            if len(ids) >= k or everything:
                break
            radius *= 4
        # all within ``radius`` are candidates, so the k smallest (and their ties) are exact
        order = np.lexsort((ids.astype(str), dists))[:k]
        return [(self.entities[ids[i]], float(dists[i])) for i in order]

    def _within_radius(self, point: Point, layers: tuple[Layer, ...],
                       radius: float) -> tuple[np.ndarray, np.ndarray, bool]:
        """(ids, metres) of the features of ``layers`` within ``radius`` of ``point``, and
        whether that is every feature of those layers."""
        ids, dists, everything = [], [], True
        for layer in layers:
            frame = self.metric[layer]
            found = frame.sindex.query(point, predicate="dwithin", distance=radius)
            everything &= len(found) == len(frame)
            ids.append(frame.index.to_numpy(dtype=object)[found])
            dists.append(shapely.distance(frame.geometry.array[found], point))
        return (np.concatenate(ids) if ids else np.empty(0, dtype=object),
                np.concatenate(dists) if dists else np.empty(0), everything)

    def nearest_to(self, geometry_wgs: BaseGeometry, k: int,
                   layers: tuple[Layer, ...] = POINT_LAYERS) -> list[tuple[Entity, float]]:
        """The ``k`` entities of ``layers`` nearest a WGS-84 geometry, in metres from its edge
        (0 inside an area); ties go to the smaller id."""
        shape = self.to_metric(geometry_wgs)
        ids = np.concatenate([self.metric[l].index.to_numpy(dtype=object) for l in layers])
        dists = np.concatenate([shapely.distance(self.metric[l].geometry.array, shape)
                                for l in layers])
        order = np.lexsort((ids.astype(str), dists))[:k]
        return [(self.entities[ids[i]], float(dists[i])) for i in order]

    def within(self, geometry_wgs: BaseGeometry, layers: tuple[Layer, ...],
               radius_m: float = 0.0) -> list[tuple[Entity, float]]:
        """Entities of ``layers`` within ``radius_m`` of a WGS-84 geometry, nearest first."""
        shape = self.to_metric(geometry_wgs)
        found = []
        for layer in layers:
            frame = self.metric[layer]
            idx = frame.sindex.query(shape, predicate="dwithin", distance=radius_m) if radius_m \
                else frame.sindex.query(shape, predicate="intersects")
            dists = shapely.distance(frame.geometry.array[idx], shape)
            found += [(self.entities[frame.index[i]], float(d)) for i, d in zip(idx, dists)]
        found.sort(key=lambda pair: (pair[1], pair[0].id))
        return found


@contextmanager
def collection_paused():
    """Pause Python's cyclic garbage collector: loading creates millions of objects and no
    cycles, and each collection would walk them all (at 100 000 features, half the load time).
    Reference counting still frees everything at once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


FRAME_FIELDS = ("id", "kind", "status", "level", "industries", "precision", "zone", "host_park",
                "pivots", "nodes", "stated_area_ha")
"""The properties a layer's GeoDataFrame holds as columns (those of its model): what the OGC
filters, the membership rule and the analyses read a whole layer at a time.  Every property is
on the entity (:attr:`Entity.props`)."""


def _frame(layer: Layer, checked: list[tuple[bytes, BaseGeometry]], dictionary: bytes,
           kept: dict[str, list] | None = None) -> gpd.GeoDataFrame:
    """A layer as a GeoDataFrame indexed by id, with the :data:`FRAME_FIELDS` of its model
    (:func:`atlas.packed.columns`: lists as tuples, equal values shared, or as a snapshot
    ``kept`` them), from the features validation passed (their properties went through the
    model, so every feature has every field)."""
    names = [f for f in FRAME_FIELDS if f in LAYER_MODELS[layer].model_fields]
    data = kept if kept is not None else columns(layer, [packed for packed, _ in checked], names,
                                                 dictionary)
    frame = gpd.GeoDataFrame(data, columns=names, crs=WGS84,
                             geometry=[geom for _, geom in checked])
    return frame.set_index("id", drop=False)


def _names(props: dict) -> tuple[str, str, list[str]]:
    """An entity's Chinese and English names and aliases, as the search index takes them."""
    return props["name_zh"], props["name_en"], props.get("aliases") or []
