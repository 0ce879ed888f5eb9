"""The spatial query API under ``/api``: locate, nearest, within, hierarchy and search.

Each route takes validated input from :mod:`atlas.web.query_params`, asks the
:class:`~atlas.engine.Atlas`, and answers as JSON (default), a GeoJSON
FeatureCollection (``f=geojson``) or an HTML page with a map (``f=html``).
Input is WGS-84 unless ``crs`` says gcj02 or bd09; output is WGS-84 unless
``out_crs`` says otherwise.  ``lang`` (zh or en) sets the language of the HTML page.
Every error is ``application/problem+json``, except for a request that asked for HTML
(``f=html``, or a browser's Accept header): that gets the HTML error page, with the same
status and message, in ``lang`` (see :mod:`atlas.web.errors`).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from atlas.config import Settings
from atlas.crs import InputCRS
from atlas.engine import Atlas
from atlas.ogc.media import GEOJSON
from atlas.queries import Answer, Hit, answer_map, metres, summary, to_geojson, to_json
from atlas.search import normalise
from atlas.vocab import POINT_LAYERS
from atlas.web.browse import profile_url
from atlas.web.deps import AtlasDep, SettingsDep
from atlas.web.errors import ApiError
from atlas.web.hosts import request_url
from atlas.web.i18n import Lang, field, label, t
from atlas.web.query_params import (DEFAULT_K, MAX_K, AnySelection, AreaDep, Format, Output,
                                    OutputDep, PointDep, PointSelection, reject_unknown_params)
from atlas.web.schemas import (HTML, JSON, STRING, AnswerFeatures, Family, Located, Results,
                               responses)
from atlas.web.templating import templates

LOCATE_NEAREST = 5
DEFAULT_SEARCH, MAX_SEARCH = 20, 50

router = APIRouter(prefix="/api", tags=["spatial queries"],
                   default_response_class=Response, dependencies=[Depends(reject_unknown_params)])


def answers(model: type[BaseModel], *errors: int) -> dict:
    """The ``responses=`` of a query: ``model`` as JSON, its GeoJSON and its HTML page."""
    return responses({JSON: model, GEOJSON: AnswerFeatures, HTML: STRING}, *errors, etag=True,
                     description="The answer: JSON (default), GeoJSON (`f=geojson`) or an HTML "
                                 "page with a map (`f=html`)")


LangParam = Annotated[Lang, Query(description="Language of the HTML page (f=html): zh "
                                              "(default) or en; JSON and GeoJSON are the same in "
                                              "both")]
FACTS = {"in_city": "api_in_city", "in_corridor": "in_corridor",
         "corridor_distance_m": "api_corridor_distance"}
"""Fact -> UI string naming it on the HTML page."""


def _rows(atlas: Atlas, answer: Answer, out_crs: InputCRS, lang: Lang) -> dict[str, list[dict]]:
    """Each group's hits as table rows for the HTML page (labels in ``lang``, links keep it)."""
    def row(hit: Hit) -> dict:
        e, town = hit.entity, atlas.entity(hit.entity.town) if hit.entity.town else None
        return {**summary(hit, out_crs), "url": f"{profile_url(e)}?lang={lang}",
                "layer_label": label("Layer", e.layer.value, lang),
                "kind_label": label("Kind", e.props["kind"], lang),
                "town_name": field(town.props, "name", lang)[0] if town else ""}
    return {name: [row(hit) for hit in hits] for name, hits in answer.groups.items()}


def _fact(value, lang: Lang) -> str:
    """A fact's value on the page: yes/no in ``lang``, — for none, numbers as they are."""
    if isinstance(value, bool):
        return t("api_yes" if value else "api_no", lang)
    return "—" if value is None else json.dumps(value, ensure_ascii=False)


def respond(request: Request, answer: Answer, out: Output, settings: Settings,
            lang: Lang = "zh") -> Response:
    """Write ``answer`` in the format the request asked for (HTML in ``lang``)."""
    if out.format is Format.geojson:
        return JSONResponse(to_geojson(answer, out.out_crs), media_type=GEOJSON)
    if out.format is Format.html:
        atlas = request.app.state.live.current()
        body = to_json(answer, out.out_crs)
        facts = [(t(FACTS[k], lang) if k in FACTS else k, k, _fact(v, lang))
                 for k, v in answer.facts.items()]
        return templates.TemplateResponse(request, "api/answer.html", {
            "lang": lang, "answer": answer, "map": answer_map(answer, settings),
            "query": {k: json.dumps(v, ensure_ascii=False) for k, v in body["query"].items()},
            "facts": facts, "rows": _rows(atlas, answer, out.out_crs, lang),
            "groups": {name: t(f"api_group_{name}", lang) for name in answer.groups},
            "switch": str(request_url(request).include_query_params(lang="zh" if lang == "en" else "en")),
            "links": {f.value: str(request_url(request).include_query_params(f=f.value))
                      for f in (Format.json, Format.geojson)}})
    return JSONResponse(to_json(answer, out.out_crs))


@router.get("/locate", summary="What contains a point, and the nearest platforms",
            responses=answers(Located, 422))
def locate(request: Request, atlas: AtlasDep, settings: SettingsDep, point: PointDep,
           out: OutputDep, lang: LangParam = "zh") -> Response:
    """Town, zones, parks and corridor band at a point (edges count as inside), whether it is in
    the city, the distance to the corridor, and the nearest platforms and incubators.

    A point in the sea off the coast is answered: ``in_city`` false, ``town`` null."""
    lon, lat = point.wgs.x, point.wgs.y
    found = atlas.locate(lon, lat)
    near = atlas.nearest(lon, lat, LOCATE_NEAREST, POINT_LAYERS)
    answer = Answer(
        title=f"{t('api_locate', lang)} ({lon:.5f}, {lat:.5f})", query=point.echo(),
        facts={"in_city": found.in_city, "in_corridor": found.in_corridor,
               "corridor_distance_m": metres(found.corridor_distance_m)},
        groups={"town": [Hit(atlas.entities[found.town], 0.0)] if found.town else [],
                "zones": [Hit(atlas.entities[z], 0.0) for z in found.zones],
                "parks": [Hit(atlas.entities[p], 0.0) for p in found.parks],
                "nearest": [Hit(e, d) for e, d in near]},
        singular=("town",), shape=point.wgs)
    return respond(request, answer, out, settings, lang)


@router.get("/nearest", summary="The k nearest entities to a point",
            responses=answers(Results, 422))
def nearest(request: Request, atlas: AtlasDep, settings: SettingsDep, point: PointDep,
            pick: PointSelection, out: OutputDep,
            k: Annotated[int, Query(ge=1, le=MAX_K, description="How many (1…100)")] = DEFAULT_K,
            lang: LangParam = "zh") -> Response:
    """The ``k`` nearest entities of the chosen layers (kind/industry filters optional), with
    the distance in metres from the point to each (0 inside an area)."""
    found = atlas.nearest(point.wgs.x, point.wgs.y, k, pick.layers, pick.keep(atlas))
    answer = Answer(title=t("api_nearest", lang).format(k=k),
                    query={**point.echo(), **pick.echo(), "k": k},
                    groups={"results": [Hit(e, d) for e, d in found]}, shape=point.wgs)
    return respond(request, answer, out, settings, lang)


@router.get("/within", summary="Entities within a radius, a box or a polygon",
            responses=answers(Results, 422))
def within(request: Request, atlas: AtlasDep, settings: SettingsDep, area: AreaDep,
           pick: AnySelection, out: OutputDep, lang: LangParam = "zh") -> Response:
    """Entities within ``radius_m`` of a point, or touching a ``bbox`` or WKT ``polygon`` (plus an
    optional ``radius_m`` margin), nearest first with distances in metres."""
    found = [Hit(e, d) for e, d in atlas.within(area.geometry, pick.layers, area.radius_m)
             if pick.matches(e)]
    answer = Answer(title=t("api_within", lang), query={**area.echo, **pick.echo()},
                    groups={"results": found}, shape=area.geometry, radius_m=area.radius_m)
    return respond(request, answer, out, settings, lang)


@router.get("/hierarchy/{entity_id}", summary="An entity, its ancestors and its children",
            responses=answers(Family, 404))
def hierarchy(request: Request, atlas: AtlasDep, settings: SettingsDep,
              entity_id: Annotated[str, Path(max_length=100,
                                             description="Entity id, e.g. sanchuang-park")],
              out: OutputDep, lang: LangParam = "zh") -> Response:
    """The entity, its ancestors nearest first (platform → park → zone → corridor), and the
    entities whose parent it is."""
    entity = atlas.entity(entity_id)
    if entity is None:
        raise ApiError(404, f"id: no entity with id {entity_id!r}; find ids with "
                            "/api/search?q=<name>", title="Not found")
    title = f"{t('api_hierarchy', lang)} · {field(entity.props, 'name', lang)[0]}"
    answer = Answer(title=title, query={"id": entity_id}, singular=("entity",),
                    groups={"entity": [Hit(entity)],
                            "ancestors": [Hit(e) for e in atlas.ancestors(entity_id)],
                            "children": [Hit(e) for e in atlas.children(entity_id)]})
    return respond(request, answer, out, settings, lang)


@router.get("/search", summary="Entities by Chinese, pinyin (full or initials) or English name",
            responses=answers(Results))
def search(request: Request, atlas: AtlasDep, settings: SettingsDep,
           q: Annotated[str, Query(min_length=1, max_length=100,
                                   description="Name: 三创, sanchuang, scy or Sanchuang")],
           out: OutputDep,
           limit: Annotated[int, Query(ge=1, le=MAX_SEARCH, description="At most this many")
                            ] = DEFAULT_SEARCH,
           lang: LangParam = "zh") -> Response:
    """Entities matching ``q`` by name, alias, industry, kind or area, best first (see atlas/search.py)."""
    if not normalise(q):
        raise ApiError(400, "q: has no letters or digits to search for; give a Chinese, pinyin "
                            "or English name")
    answer = Answer(title=f"{t('api_search', lang)} “{q}”", query={"q": q, "limit": limit},
                    groups={"results": [Hit(e) for e in atlas.search(q, limit)]})
    return respond(request, answer, out, settings, lang)
