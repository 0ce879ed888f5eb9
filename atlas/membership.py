"""Which town, zones, parks and corridor band each entity belongs to — one rule, computed once.

Every count the atlas shows (the atlas page's sidebar, profiles, ``/api``, ``/ogc``,
exports and the planning tables) reads what this module computes at load time.

The rule (stated for users in the README, "Membership"):

1. **Declared links count first.** A platform or incubator belongs to its ``host_park`` and
   to everything that park belongs to; a park belongs to its declared ``zone``; a zone's
   ``pivots`` belong to the zone; the corridor's ``nodes`` lie in the corridor band.
2. **An own position counts only when it is known** (precision is not ``placeholder``): the
   entity belongs to the towns, zones and parks whose polygons contain its anchor (the point
   itself, or a polygon's representative point; a point on an edge counts as inside), and to
   the corridor band when its geometry touches it.
3. **A placeholder** (position not known) with no declared link has no town and no zone:
   it is counted apart as "position not known", never by where its sketch happens to lie.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from atlas.vocab import HOSTED_LAYERS, Layer, Precision

UNKNOWN = "unknown"
"""Bucket key for entities whose position is not known (in counts by town or zone)."""
OUTSIDE = "none"
"""Bucket key for entities with a known position outside every zone."""


@dataclass(frozen=True)
class Membership:
    """Where one entity belongs."""

    town: str | None = None
    zones: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    in_corridor: bool = False
    located: bool = True
    """False for a placeholder with no declared host: its position is not known at all."""


def zone_bucket(m: Membership) -> list[str]:
    """The zone keys an entity is counted under: its zones, else "unknown" or "none"."""
    if m.zones:
        return list(m.zones)
    return [OUTSIDE if m.located else UNKNOWN]


def town_bucket(m: Membership) -> str:
    """The town key an entity is counted under: its town, else "unknown"."""
    return m.town or UNKNOWN


def containing(frame: gpd.GeoDataFrame, anchors) -> list[list[str]]:
    """For each metric anchor, the ids of ``frame``'s polygons containing it (frame order)."""
    found: list[list[str]] = [[] for _ in range(len(anchors))]
    if len(frame) == 0 or len(anchors) == 0:
        return found
    point_idx, feature_idx = frame.sindex.query(anchors, predicate="intersects")
    order = np.lexsort((feature_idx, point_idx))
    ids = frame.index.to_numpy(dtype=object)
    for p, fid in zip(point_idx[order].tolist(), ids[feature_idx[order]].tolist()):
        found[p].append(fid)
    return found


def link_column(frame: gpd.GeoDataFrame, name: str) -> list[str | None]:
    """A single-id link column as plain values (None where absent; pandas gives NaN)."""
    if name not in frame:
        return [None] * len(frame)
    return [v if isinstance(v, str) and v else None for v in frame[name]]


def _towns_of(towns: gpd.GeoDataFrame, anchors) -> list[list[str]]:
    """The town containing each anchor; an anchor off the coast (outside every town polygon,
    which validation allows within the coast tolerance) takes the nearest town."""
    found = containing(towns, anchors)
    if len(towns) == 0:
        return found
    outside = [i for i, ids in enumerate(found) if not ids]
    if outside:
        _, nearest = towns.sindex.nearest(anchors[outside], return_all=False)
        ids = towns.index.to_numpy(dtype=object)
        for i, t in zip(outside, nearest.tolist()):
            found[i] = [ids[t]]
    return found


def compute(frames: dict[Layer, gpd.GeoDataFrame], metric: dict[Layer, gpd.GeoDataFrame],
            band: BaseGeometry, entity_layers: tuple[Layer, ...]) -> dict[str, Membership]:
    """Membership of every feature of ``entity_layers`` by the module's rule (vectorised lookups).

    Parks are resolved before points so a point can inherit its host park's town and zones.
    """
    pivot_of: dict[str, list[str]] = {}
    for zone_id, pivots in frames[Layer.zones]["pivots"].items():
        for pivot in pivots or []:
            pivot_of.setdefault(pivot, []).append(zone_id)
    nodes = {n for ns in frames[Layer.corridor]["nodes"] for n in (ns or [])}

    result: dict[str, Membership] = {}
    shared: dict[Membership, Membership] = {}  # one object per distinct membership: most repeat
    order = [l for l in entity_layers if l not in HOSTED_LAYERS] + \
            [l for l in entity_layers if l in HOSTED_LAYERS]
    for layer in order:
        wgs, met = frames[layer], metric[layer]
        if len(wgs) == 0:
            continue
        known = np.fromiter((p != Precision.placeholder.value for p in wgs["precision"]),
                            bool, len(wgs))
        anchors = met.geometry.representative_point().values
        towns = _towns_of(metric[Layer.towns], anchors)
        zones = containing(metric[Layer.zones], anchors)
        parks = containing(metric[Layer.parks], anchors) if layer in HOSTED_LAYERS \
            else [[] for _ in range(len(wgs))]
        in_band = shapely.intersects(band, met.geometry.values).tolist()
        known = known.tolist()
        declared_zones = link_column(wgs, "zone")
        hosts = link_column(wgs, "host_park")
        for i, eid in enumerate(wgs.index.tolist()):
            own = known[i]
            host = hosts[i]
            host_m = result.get(host) if host else None
            linked_zones = [*([declared_zones[i]] if declared_zones[i] else []),
                            *(host_m.zones if host_m else ()), *pivot_of.get(eid, [])]
            zone_ids = [*linked_zones, *(zones[i] if own else [])]
            park_ids = [*([host] if host else []), *(host_m.parks if host_m else ()),
                        *(parks[i] if own else [])]
            town = (towns[i][0] if own and towns[i] else None) or (host_m.town if host_m else None)
            found = Membership(
                town=town,
                zones=tuple(z for z in dict.fromkeys(zone_ids) if z != eid),
                parks=tuple(p for p in dict.fromkeys(park_ids) if p != eid),
                in_corridor=(own and in_band[i]) or eid in nodes
                            or bool(host_m and host_m.in_corridor),
                located=own or host_m is not None,
            )
            result[eid] = shared.setdefault(found, found)
    return result


def members(memberships: dict[str, Membership]) -> dict[str, list[str]]:
    """Area id (town, zone or park) -> ids of the entities that belong to it, in entity order."""
    found: dict[str, list[str]] = {}
    for eid, m in memberships.items():
        for area in dict.fromkeys([*([m.town] if m.town else []), *m.zones, *m.parks]):
            found.setdefault(area, []).append(eid)
    return found
