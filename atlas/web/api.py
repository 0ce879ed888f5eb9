"""The spatial query API under ``/api``: locate, nearest, within, hierarchy and search.

Each route takes validated input from :mod:`atlas.web.query_params`, asks the
:class:`~atlas.engine.Atlas`, and answers as JSON (default), a GeoJSON
FeatureCollection (``f=geojson``) or an HTML page with a map (``f=html``).
Input is WGS-84 unless ``crs`` says gcj02 or bd09; output is WGS-84 unless
``out_crs`` says otherwise.  Every error is ``application/problem+json``.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from atlas.config import Settings
from atlas.crs import InputCRS
from atlas.ogc.media import GEOJSON
from atlas.queries import Answer, Hit, answer_map, metres, summary, to_geojson, to_json
from atlas.search import normalise
from atlas.vocab import POINT_LAYERS, Kind
from atlas.web.browse import profile_url
from atlas.web.deps import AtlasDep, SettingsDep
from atlas.web.errors import PROBLEM_JSON, ApiError
from atlas.web.query_params import (DEFAULT_K, MAX_K, AnySelection, AreaDep, Format, Output,
                                    OutputDep, PointDep, PointSelection, reject_unknown_params)
from atlas.web.templating import templates

LOCATE_NEAREST = 5
DEFAULT_SEARCH, MAX_SEARCH = 20, 50
PROBLEMS = {status: {"description": text, "content": {PROBLEM_JSON: {}}} for status, text in (
    (400, "A parameter is missing, malformed or unknown; `detail` says which and how to fix it"),
    (404, "No entity with that id"),
    (422, "The place is outside the area the atlas covers"))}

router = APIRouter(prefix="/api", tags=["spatial queries"], responses=PROBLEMS,
                   dependencies=[Depends(reject_unknown_params)])


def _rows(answer: Answer, out_crs: InputCRS) -> dict[str, list[dict]]:
    """Each group's hits as table rows for the HTML page (labels and profile links added)."""
    return {name: [{**summary(hit, out_crs), "url": profile_url(hit.entity),
                    "layer_label": hit.entity.layer.label,
                    "kind_label": Kind(hit.entity.props["kind"]).label} for hit in hits]
            for name, hits in answer.groups.items()}


def respond(request: Request, answer: Answer, out: Output, settings: Settings) -> Response:
    """Write ``answer`` in the format the request asked for."""
    if out.format is Format.geojson:
        return JSONResponse(to_geojson(answer, out.out_crs), media_type=GEOJSON)
    if out.format is Format.html:
        body = to_json(answer, out.out_crs)
        return templates.TemplateResponse(request, "api/answer.html", {
            "answer": answer, "map": answer_map(answer, settings),
            "query": {k: json.dumps(v, ensure_ascii=False) for k, v in body["query"].items()},
            "facts": {k: json.dumps(v, ensure_ascii=False) for k, v in answer.facts.items()},
            "rows": _rows(answer, out.out_crs),
            "links": {f.value: str(request.url.include_query_params(f=f.value))
                      for f in (Format.json, Format.geojson)}})
    return JSONResponse(to_json(answer, out.out_crs))


@router.get("/locate", summary="What contains a point, and the nearest platforms")
def locate(request: Request, atlas: AtlasDep, settings: SettingsDep, point: PointDep,
           out: OutputDep) -> Response:
    """Town, zones, parks and corridor band at a point (edges count as inside), whether it is in
    the city, the distance to the corridor, and the nearest platforms and incubators.

    A point in the sea off the coast is answered: ``in_city`` false, ``town`` null."""
    lon, lat = point.wgs.x, point.wgs.y
    found = atlas.locate(lon, lat)
    near = atlas.nearest(lon, lat, LOCATE_NEAREST, POINT_LAYERS)
    answer = Answer(
        title=f"Locate ({lon:.5f}, {lat:.5f})", query=point.echo(),
        facts={"in_city": found.in_city, "in_corridor": found.in_corridor,
               "corridor_distance_m": metres(found.corridor_distance_m)},
        groups={"town": [Hit(atlas.entities[found.town], 0.0)] if found.town else [],
                "zones": [Hit(atlas.entities[z], 0.0) for z in found.zones],
                "parks": [Hit(atlas.entities[p], 0.0) for p in found.parks],
                "nearest": [Hit(e, d) for e, d in near]},
        singular=("town",), shape=point.wgs)
    return respond(request, answer, out, settings)


@router.get("/nearest", summary="The k nearest entities to a point")
def nearest(request: Request, atlas: AtlasDep, settings: SettingsDep, point: PointDep,
            pick: PointSelection, out: OutputDep,
            k: Annotated[int, Query(ge=1, le=MAX_K, description="How many (1…100)")] = DEFAULT_K
            ) -> Response:
    """The ``k`` nearest entities of the chosen layers (kind/industry filters optional), with
    the distance in metres from the point to each (0 inside an area)."""
    found = atlas.nearest(point.wgs.x, point.wgs.y, k, pick.layers, pick.keep(atlas))
    answer = Answer(title=f"Nearest {k}", query={**point.echo(), **pick.echo(), "k": k},
                    groups={"results": [Hit(e, d) for e, d in found]}, shape=point.wgs)
    return respond(request, answer, out, settings)


@router.get("/within", summary="Entities within a radius, a box or a polygon")
def within(request: Request, atlas: AtlasDep, settings: SettingsDep, area: AreaDep,
           pick: AnySelection, out: OutputDep) -> Response:
    """Entities within ``radius_m`` of a point, or touching a ``bbox`` or WKT ``polygon`` (plus an
    optional ``radius_m`` margin), nearest first with distances in metres."""
    found = [Hit(e, d) for e, d in atlas.within(area.geometry, pick.layers, area.radius_m)
             if pick.matches(e)]
    answer = Answer(title="Within", query={**area.echo, **pick.echo()}, groups={"results": found},
                    shape=area.geometry, radius_m=area.radius_m)
    return respond(request, answer, out, settings)


@router.get("/hierarchy/{entity_id}", summary="An entity, its ancestors and its children")
def hierarchy(request: Request, atlas: AtlasDep, settings: SettingsDep,
              entity_id: Annotated[str, Path(max_length=100,
                                             description="Entity id, e.g. sanchuang-park")],
              out: OutputDep) -> Response:
    """The entity, its ancestors nearest first (platform → park → zone → corridor), and the
    entities whose parent it is."""
    entity = atlas.entity(entity_id)
    if entity is None:
        raise ApiError(404, f"id: no entity with id {entity_id!r}; find ids with "
                            "/api/search?q=<name>", title="Not found")
    answer = Answer(title=entity.props["name_zh"], query={"id": entity_id}, singular=("entity",),
                    groups={"entity": [Hit(entity)],
                            "ancestors": [Hit(e) for e in atlas.ancestors(entity_id)],
                            "children": [Hit(e) for e in atlas.children(entity_id)]})
    return respond(request, answer, out, settings)


@router.get("/search", summary="Entities by Chinese, pinyin (full or initials) or English name")
def search(request: Request, atlas: AtlasDep, settings: SettingsDep,
           q: Annotated[str, Query(min_length=1, max_length=100,
                                   description="Name: 三创, sanchuang, scy or Sanchuang")],
           out: OutputDep,
           limit: Annotated[int, Query(ge=1, le=MAX_SEARCH, description="At most this many")
                            ] = DEFAULT_SEARCH) -> Response:
    """Entities whose names match ``q``: exact, then prefix, then substring matches."""
    if not normalise(q):
        raise ApiError(400, "q: has no letters or digits to search for; give a Chinese, pinyin "
                            "or English name")
    answer = Answer(title=f"Search {q}", query={"q": q, "limit": limit},
                    groups={"results": [Hit(e) for e in atlas.search(q, limit)]})
    return respond(request, answer, out, settings)
