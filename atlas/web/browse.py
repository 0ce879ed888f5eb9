"""Data behind the atlas page: filtered entities with counts, and context layers.

The map shell is cached; the browser loads what a filter selects from here, so
changing a filter never rebuilds a Folium map.  Up to
:data:`~atlas.maps.clustering.CLIENT_MAX_FEATURES` matches the page gets every feature;
beyond, it gets the counts and the list's first :data:`LIST_MAX`, and draws the map from
``/api/clusters`` for the view it shows.  The filter (:func:`entity_filter`) is shared
with the downloads (:mod:`atlas.web.exports`) and the handouts, so an export holds exactly
the entities the list shows.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import shapely
from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, Response
from shapely.geometry import Point

from atlas.crs import InputCRS, geometry_from_wgs84
from atlas.engine import Entity
from atlas.filters import EntityFilter, counts, facet_index
from atlas.maps.clustering import CLIENT_MAX_FEATURES, cluster, extent, in_view, point_table
from atlas.membership import OUTSIDE, UNKNOWN
from atlas.ogc.media import GEOJSON
from atlas.promotion.chains import stage_ids
from atlas.vocab import Industry, Kind, Layer, Level, Status
from atlas.web.deps import AtlasDep
from atlas.web.errors import ApiError
from atlas.web.i18n import Lang, field, label
from atlas.web.query_params import parse_bbox, reject_unknown_params
from atlas.web.responses import FastJSONResponse
from atlas.web.schemas import Clusters, Entities, FeatureCollection, responses

router = APIRouter(tags=["browse"], default_response_class=Response,
                   dependencies=[Depends(reject_unknown_params)])

CONTEXT_LAYERS = (Layer.boundary, Layer.towns, Layer.corridor, Layer.zones)
LIST_MAX = 500
"""The list shows this many; the page says how many more there are."""


class ListedLayer(StrEnum):
    """Layers the atlas's filter selects from (:data:`~atlas.vocab.LISTED_LAYERS`)."""

    parks = "parks"
    platforms = "platforms"
    incubators = "incubators"
    enterprises = "enterprises"


def entity_filter(
    atlas: AtlasDep,
    layer: Annotated[list[ListedLayer], Query(description="Layers (repeatable)")] = [],
    kind: Annotated[list[Kind], Query(description="Entity kinds (repeatable)")] = [],
    level: Annotated[list[Level], Query(description="Levels (repeatable)")] = [],
    industry: Annotated[list[Industry], Query(description="Industries (repeatable)")] = [],
    stage: Annotated[list[str], Query(description="Industrial-chain stages (repeatable), e.g. "
                                                  "ic-manufacturing; see /chains")] = [],
    zone: Annotated[list[str], Query(description="Zone ids (repeatable); `none` = outside every "
                                                 "zone, `unknown` = position not known")] = [],
    town: Annotated[list[str], Query(description="Town ids (repeatable); `unknown` = position "
                                                 "not known")] = [],
    status: Annotated[list[Status], Query(description="Statuses (repeatable)")] = [],
    q: Annotated[str, Query(max_length=100, description="Name: Chinese, pinyin or English")] = "",
) -> EntityFilter:
    """The facet filter named by the query string (unknown zone, town or stage ids are a 400)."""
    if unknown := [v for v in stage if v not in stage_ids()]:
        raise ApiError(400, f"stage: unknown stage id(s) {', '.join(unknown)}; "
                            f"known: {', '.join(sorted(stage_ids()))}")
    for name, values, area, buckets in (("zone", zone, Layer.zones, (OUTSIDE, UNKNOWN)),
                                        ("town", town, Layer.towns, (UNKNOWN,))):
        known = set(atlas.frames[area].index) | set(buckets)
        if unknown := [v for v in values if v not in known]:
            raise ApiError(400, f"{name}: unknown id(s) {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(known))}")
    return EntityFilter(tuple(l.value for l in layer), tuple(kind), tuple(level), tuple(industry),
                        tuple(stage), tuple(zone), tuple(town), tuple(status), q.strip())


FilterDep = Annotated[EntityFilter, Depends(entity_filter)]
LangDep = Annotated[Lang, Query(description="zh (default) or en")]


def profile_url(entity: Entity) -> str:
    """Where an entity's profile page lives."""
    if entity.layer == Layer.corridor:
        return "/corridor"
    return f"/{entity.layer.value}/{entity.id}"


MAP_FIELDS = ("name_zh", "name_en", "kind", "status", "level", "precision")
"""The properties the map and list draw with; exports and profiles carry everything."""


def map_feature(atlas, entity: Entity, lang: Lang) -> dict:
    """An entity as a lean Feature for the map: drawing fields, display labels, a label point
    for areas, and every position on the basemap's datum (built once per entity and language)."""
    return atlas.cached(("map_feature", entity.id, lang), lambda: build_map_feature(atlas, entity, lang))


def build_map_feature(atlas, entity: Entity, lang: Lang) -> dict:
    """:func:`map_feature` without keeping it (for the lone points of a clustered view, which
    over time could be every point in both languages)."""
    datum = InputCRS(atlas.settings.tiles_datum)
    p = entity.props
    props = {k: p[k] for k in MAP_FIELDS if p.get(k) is not None}
    props.update(layer=entity.layer.value, **display(entity, lang))
    if p.get("seat_lon") is not None:  # a town is labelled at its seat
        anchor = Point(p["seat_lon"], p["seat_lat"])
    else:  # an area at a point inside it (a bounding box's centre can fall outside)
        anchor = entity.geometry.representative_point()
    if entity.geometry.geom_type != "Point":
        seat = geometry_from_wgs84(anchor, datum)
        props["label_point"] = [seat.x, seat.y]
    geometry = geometry_from_wgs84(entity.geometry, datum)
    return {"type": "Feature", "id": entity.id, "geometry": shapely.geometry.mapping(geometry),
            "properties": props}


def display(entity: Entity, lang: Lang) -> dict:
    """Labels for showing an entity in ``lang`` (the browser escapes them as text)."""
    p = entity.props
    name, fallback = field(p, "name", lang)
    return {"display_name": name, "name_fallback": fallback,
            "display_kind": label("Kind", p["kind"], lang),
            "display_status": label("Status", p["status"], lang),
            "display_level": label("Level", p.get("level"), lang),
            "display_precision": label("Precision", p["precision"], lang),
            "url": profile_url(entity)}


@router.get("/api/entities", summary="Filtered entities for the atlas page (GeoJSON + counts)",
            responses=responses({GEOJSON: Entities}, etag=True))
def entities(atlas: AtlasDep, selection: FilterDep, lang: LangDep = "zh") -> JSONResponse:
    """The filtered entities as GeoJSON with counts; with ``q``, also ``search``: how the query
    matched (the industry, kind, layer or area it named, counted over these entities, or a
    suggestion; see :meth:`atlas.search.SearchIndex.explain`).

    Beyond ``CLIENT_MAX_FEATURES`` matches the answer is ``clustered``: ``features`` holds the
    first ``LIST_MAX`` (the list), ``bbox`` the extent of them all, and the map is drawn from
    ``/api/clusters``."""
    rows = selection.rows(atlas)
    clustered = len(rows) > CLIENT_MAX_FEATURES
    listed = facet_index(atlas).listed
    body = {"type": "FeatureCollection",
            "features": [map_feature(atlas, listed[r], lang)
                         for r in (rows[:LIST_MAX] if clustered else rows).tolist()],
            "numberMatched": len(rows), "counts": counts(atlas, rows), "version": atlas.version,
            "clustered": clustered}
    if clustered:
        body["bbox"] = extent(point_table(atlas), rows)
    if selection.q:
        body["search"] = atlas.search_index().explain(selection.q, (listed[r].id for r in rows.tolist()))
    return FastJSONResponse(body, media_type=GEOJSON)


@router.get("/api/clusters", responses=responses({GEOJSON: Clusters}),
            summary="The atlas page's map of a filter's entities in a view, "
                                     "points grouped by grid cell")
def clusters(atlas: AtlasDep, selection: FilterDep,
             bbox: Annotated[str, Query(max_length=200, description=(
                 "The view: west,south,east,north in degrees on the basemap's datum"))],
             zoom: Annotated[int, Query(ge=0, le=22, description="The map's zoom level")],
             lang: LangDep = "zh") -> JSONResponse:
    """The filter's entities in ``bbox`` for a map at ``zoom``: points sharing a grid cell as
    one ``cluster`` feature (``count``, ``bbox`` of its points; see
    :mod:`atlas.maps.clustering`), every other point and every area as its map feature.
    ``numberInView`` counts the points and areas in the view."""
    table = point_table(atlas)
    rows = in_view(table, selection.rows(atlas), parse_bbox(bbox).bounds)
    listed = facet_index(atlas).listed
    points, areas = rows[table.is_point[rows]], rows[~table.is_point[rows]]
    groups, alone = cluster(table, points, zoom)
    features = [{"type": "Feature", "id": f"cluster-{i}",
                 "geometry": {"type": "Point", "coordinates": [g.lon, g.lat]},
                 "properties": {"cluster": True, "count": g.count, "bbox": list(g.bbox)}}
                for i, g in enumerate(groups)]
    features += [build_map_feature(atlas, listed[r], lang) for r in alone.tolist()]
    features += [map_feature(atlas, listed[r], lang) for r in areas.tolist()]
    return FastJSONResponse({"type": "FeatureCollection", "features": features,
                             "numberInView": len(rows), "zoom": zoom}, media_type=GEOJSON)


@router.get("/api/layers/{layer}", responses=responses({GEOJSON: FeatureCollection}, 404, etag=True),
            summary="A context layer (boundary, towns, corridor, zones) or the corridor band")
def context_layer(atlas: AtlasDep, layer: str, lang: LangDep = "zh") -> JSONResponse:
    if layer == "corridor-band":
        band = shapely.geometry.mapping(geometry_from_wgs84(atlas.band_wgs, InputCRS(atlas.settings.tiles_datum)))
        body = {"type": "FeatureCollection", "features": [{
            "type": "Feature", "id": "corridor-band", "geometry": band,
            "properties": {"width_m": atlas.settings.corridor_width_m}}]}
        return FastJSONResponse(body, media_type=GEOJSON)
    allowed = {l.value for l in CONTEXT_LAYERS}
    if layer not in allowed:
        raise ApiError(404, f"unknown context layer '{layer}'; one of: "
                            f"{', '.join(sorted(allowed | {'corridor-band'}))}", "Not found")
    features = [map_feature(atlas, atlas.entities[i], lang) for i in atlas.frames[Layer(layer)].index]
    return FastJSONResponse({"type": "FeatureCollection", "features": features},
                            media_type=GEOJSON)
