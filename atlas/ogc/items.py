"""Features: selecting a page of a collection and writing it as GeoJSON with paging links."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import orjson
import shapely

from atlas.engine import Atlas
from atlas.heap import own_size
from atlas.ogc.errors import not_found
from atlas.ogc.links import Params, href, link
from atlas.ogc.media import GEOJSON, HTML, JSON, Format
from atlas.ogc.params import LIMIT_MAX, NEXT_LIMIT_MIN, ItemsQuery
from atlas.ogc.queryables import Queryable, context
from atlas.ogc.representation import gis_properties
from atlas.ogc.resources import self_links
from atlas.vocab import Layer

MEDIA = {Format.json: GEOJSON, Format.html: HTML}


def select(atlas: Atlas, layer: Layer, query: ItemsQuery,
           queryables: Mapping[str, Queryable]) -> tuple[np.ndarray, int]:
    """Row positions of the requested page (in id order) and how many features match in all.

    Without a bbox or a filter the page is a slice of the layer's precomputed id order, so
    its cost does not grow with the layer.  The bbox goes through the layer's STRtree
    (``intersects``, so a polygon overlapping the box counts); property filters are boolean
    masks; the matches are then taken in id order.
    """
    order = id_order(atlas, layer)
    if query.bbox is None and not query.filters:
        return order[query.offset:query.offset + query.limit], len(order)
    frame = atlas.frames[layer]
    mask = np.ones(len(frame), dtype=bool)
    if query.bbox is not None:
        mask[:] = False
        mask[frame.sindex.query(shapely.box(*query.bbox), predicate="intersects")] = True
    for name, value in query.filters.items():
        mask &= queryables[name].match(atlas, frame, value)
    ordered = order[mask[order]]
    return ordered[query.offset:query.offset + query.limit], len(ordered)


def id_order(atlas: Atlas, layer: Layer) -> np.ndarray:
    """Row positions of ``layer`` sorted by id (once per atlas)."""
    return atlas.cached(("ogc_id_order", layer), lambda: np.argsort(
        atlas.frames[layer].index.to_numpy(dtype=str), kind="stable"))


WRITTEN_KEPT = 20_000
"""Features kept written as JSON, per data version: the most recently served (at about 1.2 kB
each, some 25 MB at most)."""


def features(atlas: Atlas, layer: Layer, positions: np.ndarray) -> list[dict[str, Any]]:
    """The features at ``positions`` as GeoJSON dicts: stored properties plus derived context,
    written for GIS clients (:func:`atlas.ogc.representation.gis_properties`)."""
    return [_feature(atlas, layer, entity_id) for entity_id in atlas.frames[layer].index[positions]]


def written_features(atlas: Atlas, layer: Layer, positions: np.ndarray) -> list[orjson.Fragment]:
    """:func:`features` already written as JSON, for a JSON answer.  One page at a time per
    layer: requests arriving together for a page nobody asked for before write it once, not
    once each."""
    written = _written(atlas, layer)
    ids = atlas.frames[layer].index[positions].tolist()
    with written.lock:
        return [orjson.Fragment(written.write(i)) for i in ids]


class _Written(NamedTuple):
    """A layer's features written as JSON bytes (``write(entity_id)``), and the lock pages take."""

    write: Callable[[str], bytes]
    lock: threading.Lock


def _written(atlas: Atlas, layer: Layer) -> _Written:
    """A feature of ``layer`` as JSON bytes, built and written once per data version while it
    stays among the :data:`WRITTEN_KEPT` most recently served."""
    return atlas.cached(("ogc_written_features", layer), lambda: _Written(lru_cache(WRITTEN_KEPT)(
        lambda entity_id: own_size(orjson.dumps(_feature(atlas, layer, entity_id)))),
        threading.Lock()))


def _feature(atlas: Atlas, layer: Layer, entity_id: str) -> dict[str, Any]:
    entity = atlas.entities[entity_id]
    return {"type": "Feature", "id": entity_id,
            "geometry": shapely.geometry.mapping(entity.geometry),
            "properties": gis_properties({**entity.props, **context(atlas, layer, entity_id)})}


def _page_links(url: str, params: Params, query: ItemsQuery, matched: int, returned: int,
                fmt: Format) -> list[dict[str, str]]:
    """``self``/``alternate`` plus ``next``/``prev``, all keeping every other parameter
    (a JSON ``next`` asks for at least :data:`~atlas.ogc.params.NEXT_LIMIT_MIN` features)."""
    links = [link(href(url, params, f=f.value), "self" if f is fmt else "alternate", MEDIA[f])
             for f in Format]
    if query.offset + returned < matched:
        grown = query.limit if fmt is Format.html else max(query.limit, NEXT_LIMIT_MIN)
        links.append(link(href(url, params, f=fmt.value, offset=query.offset + query.limit,
                               limit=min(grown, LIMIT_MAX)), "next", MEDIA[fmt], "Next page"))
    if query.offset > 0:
        links.append(link(href(url, params, f=fmt.value, offset=max(0, query.offset - query.limit),
                               limit=query.limit), "prev", MEDIA[fmt], "Previous page"))
    return links


def feature_collection(atlas: Atlas, layer: Layer, query: ItemsQuery,
                       queryables: Mapping[str, Queryable], base: str, params: Params,
                       fmt: Format) -> dict[str, Any]:
    """The items document: a GeoJSON FeatureCollection with counts and paging links."""
    positions, matched = select(atlas, layer, query, queryables)
    url = f"{base}/collections/{layer.value}"
    return {
        "type": "FeatureCollection",
        "features": (features if fmt is Format.html else written_features)(atlas, layer, positions),
        "numberMatched": matched,
        "numberReturned": len(positions),
        "links": [*_page_links(f"{url}/items", params, query, matched, len(positions), fmt),
                  link(f"{url}?f=json", "collection", JSON, "The collection")],
    }


def feature(atlas: Atlas, layer: Layer, feature_id: str, base: str, fmt: Format) -> dict[str, Any]:
    """One feature with its ``self``, ``alternate`` and ``collection`` links; 404 if absent."""
    entity = atlas.entity(feature_id)
    if entity is None or entity.layer is not layer:
        raise not_found(f"collection {layer.value!r} has no feature {feature_id!r}")
    found = _feature(atlas, layer, feature_id) if fmt is Format.html \
        else orjson.loads(_written(atlas, layer).write(feature_id))
    url = f"{base}/collections/{layer.value}"
    found["links"] = [*self_links(f"{url}/items/{feature_id}", fmt, GEOJSON),
                      link(f"{url}?f=json", "collection", JSON, "The collection")]
    return found
