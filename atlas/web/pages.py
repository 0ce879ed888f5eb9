"""HTML pages: the atlas, entity profiles, health, and the not-found page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from atlas.config import REPO_ROOT
from atlas.engine import Entity
from atlas.filters import FACETS
from atlas.maps.render import map_shell
from atlas.model import LAYER_MODELS
from atlas.promotion.chains import chains_of, load_chains, stage_label
from atlas.promotion.navigate import navigate_links
from atlas.promotion.travel import getting_there
from atlas.vocab import (INDUSTRY_GROUP, LISTED_LAYERS, POINT_LAYERS, Industry, IndustryGroup, Kind,
                         Layer, Level, Precision, Status)
from atlas.web.browse import display, map_feature
from atlas.web.deps import AtlasDep
from atlas.web.facts import facts, has_facts
from atlas.web.hosts import request_url
from atlas.membership import OUTSIDE, UNKNOWN
from atlas.web.i18n import Lang, field, js_text, label, t
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)

PROFILE_LAYERS = (Layer.platforms, Layer.parks, Layer.incubators, Layer.enterprises, Layer.zones,
                  Layer.towns)
"""Layers with a profile page at ``/<layer>/<id>`` (the corridor's is ``/corridor``)."""


def page_lang(lang: Annotated[str, Query(description="zh (default) or en")] = "zh") -> Lang:
    """The page language; anything but ``en`` shows Chinese (a page never fails on ``lang``)."""
    return "en" if lang == "en" else "zh"


LangQuery = Annotated[Lang, Depends(page_lang)]


def facet_options(atlas, lang: Lang) -> dict[str, list[tuple[str, str]]]:
    """(value, label) choices for each facet of the filter form (built once per language)."""
    return atlas.cached(("facet_options", lang), lambda: _facet_options(atlas, lang))


def _facet_options(atlas, lang: Lang) -> dict[str, list[tuple[str, str]]]:
    kinds = sorted({e.props["kind"] for e in atlas.entities.values() if e.layer in LISTED_LAYERS},
                   key=list(Kind).index)

    def name(entity_id: str) -> str:
        return field(atlas.entities[entity_id].props, "name", lang)[0]

    return {
        "layer": [(l.value, label("Layer", l.value, lang)) for l in LISTED_LAYERS],
        "kind": [(k, label("Kind", k, lang)) for k in kinds],
        "level": [(v.value, label("Level", v.value, lang)) for v in Level],
        "industry": [(v.value, label("Industry", v.value, lang)) for v in Industry],
        "stage": [(s.id, stage_label(s.id, lang)) for c in load_chains() for s in c.stages],
        "zone": [*((z, name(z)) for z in atlas.frames[Layer.zones].index),
                 (OUTSIDE, t("no_zone", lang)), (UNKNOWN, t("position_unknown", lang))],
        "town": [*((z, name(z)) for z in atlas.frames[Layer.towns].index),
                 (UNKNOWN, t("position_unknown", lang))],
        "status": [(v.value, label("Status", v.value, lang)) for v in Status],
    }


def option_groups(lang: Lang) -> dict[str, list[tuple[str, list[tuple[str, str]]]]]:
    """Facets whose choices come in <optgroup>s: industries under the plan's four groups
    (chapter 四), chain stages under their chains."""
    name = (lambda x: x.name_en) if lang == "en" else (lambda x: x.name_zh)
    return {
        "industry": [(label("IndustryGroup", group.value, lang),
                      [(i.value, label("Industry", i.value, lang)) for i in Industry
                       if INDUSTRY_GROUP[i] is group])
                     for group in IndustryGroup],
        "stage": [(name(c), [(s.id, name(s)) for s in c.stages]) for c in load_chains()],
    }


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """Browsers ask for it on every page, including the API's and OGC's HTML."""
    return FileResponse(REPO_ROOT / "static" / "favicon.svg", media_type="image/svg+xml")


@router.get("/healthz")
def healthz(atlas: AtlasDep) -> dict:
    """Liveness and the data version."""
    return {"status": "ok", "data_version": atlas.version,
            "features": {layer.value: len(frame) for layer, frame in atlas.frames.items()}}


@router.get("/", response_class=HTMLResponse)
def index(request: Request, atlas: AtlasDep, lang: LangQuery) -> HTMLResponse:
    """The atlas: map, filters, list and counts (the browser loads data for the URL's filters)."""
    selected = {f: request.query_params.getlist(f) for f in FACETS}
    return templates.TemplateResponse(request, "index.html", {
        "lang": lang, "atlas": atlas, "shell": map_shell(atlas.settings),
        "options": facet_options(atlas, lang), "option_groups": option_groups(lang),
        "selected": selected, "js_text": js_text,
        "q": request.query_params.get("q", ""),
    })


def _profile(request: Request, atlas, entity: Entity | None, lang: Lang) -> HTMLResponse:
    if entity is None:
        return not_found(request, lang)
    ancestors = atlas.ancestors(entity.id)
    members = [e for e in atlas.members(entity.id) if e.layer in LISTED_LAYERS]
    skip = {entity.id, *(e.id for e in members)}
    nearby = [] if entity.props["precision"] == Precision.placeholder else [  # no position, no "near"
        (e, d) for e, d in atlas.nearest_to(entity.geometry, len(skip) + 30)
        if e.id not in skip and e.props["precision"] != Precision.placeholder][:6]
    return templates.TemplateResponse(request, "profile.html", {
        "lang": lang, "e": entity, "d": display(entity, lang), "atlas": atlas,
        "shell": map_shell(atlas.settings, zoom=14), "ancestors": ancestors,
        "children": atlas.children(entity.id), "nearby": nearby,
        "peers": _peers(atlas, entity, lang),
        "chains": chains_of(entity),
        "facts": facts(entity.props, lang) if has_facts(LAYER_MODELS[entity.layer]) else None,
        "members": members, "members_link": _members_link(entity, lang),
        "map_link": f"/?sel={entity.id}&lang={lang}",
        "page_url": str(request_url(request).replace(query=f"lang={lang}")),
        "today": dt.date.today().isoformat(), "js_text": js_text,
        "feature": map_feature(atlas, entity, lang),
        "member_features": [map_feature(atlas, m, lang) for m in members
                            if m.props["precision"] != Precision.placeholder],
        "context": [map_feature(atlas, a, lang) for a in ancestors],
        "travel": getting_there(entity), "navigate": navigate_links(entity),
    })


def _peers(atlas, entity: Entity, lang: Lang, limit: int = 12) -> list[tuple[Entity, str]]:
    """Platforms and incubators sharing industries with ``entity``, most shared first, with
    the shared industries' labels."""
    mine = entity.props.get("industries") or []
    if not mine:
        return []
    ranked = []
    for e in atlas.entities.values():
        if e.layer not in POINT_LAYERS or e.id == entity.id:
            continue
        shared = [i for i in mine if i in (e.props.get("industries") or ())]
        if shared:
            ranked.append((-len(shared), e.id, e, shared))
    ranked.sort(key=lambda r: r[:2])
    sep = ", " if lang == "en" else "、"
    return [(e, sep.join(label("Industry", i, lang) for i in shared))
            for _, _, e, shared in ranked[:limit]]


def _members_link(entity: Entity, lang: Lang) -> str | None:
    """The atlas filter listing exactly an area's members (same rule, same count)."""
    facet = {Layer.zones: "zone", Layer.towns: "town"}.get(entity.layer)
    return f"/?{facet}={entity.id}&lang={lang}" if facet else None


@router.get("/corridor", response_class=HTMLResponse)
def corridor_profile(request: Request, atlas: AtlasDep, lang: LangQuery) -> HTMLResponse:
    ids = list(atlas.frames[Layer.corridor].index)
    return _profile(request, atlas, atlas.entity(ids[0]) if ids else None, lang)


def _layer_profile(layer: Layer):
    def profile(request: Request, atlas: AtlasDep, entity_id: str,
                lang: LangQuery) -> HTMLResponse:
        entity = atlas.entity(entity_id)
        return _profile(request, atlas, entity if entity and entity.layer == layer else None, lang)
    profile.__doc__ = f"Profile page of a feature of {layer.value}; 404 page for unknown ids."
    return profile


for _layer in PROFILE_LAYERS:
    router.add_api_route(f"/{_layer.value}/{{entity_id}}", _layer_profile(_layer),
                         response_class=HTMLResponse, methods=["GET"])


def not_found(request: Request, lang: Lang | None = None) -> HTMLResponse:
    """The HTML 404 page (language from ``?lang=`` unless given)."""
    lang = lang or page_lang(request.query_params.get("lang", "zh"))
    return templates.TemplateResponse(request, "404.html", {"lang": lang}, status_code=404)


def error_page(request: Request, status: int, detail: str) -> HTMLResponse:
    """An HTML page for a client error on a page, with the message that says what to fix."""
    lang = page_lang(request.query_params.get("lang", "zh"))
    return templates.TemplateResponse(request, "error.html", {"lang": lang, "status": status,
                                                              "detail": detail},
                                      status_code=status)
