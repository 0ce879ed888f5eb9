"""OGC API – Features under ``/ogc``: a thin FastAPI adapter over :mod:`atlas.ogc`.

Each route reads its query parameters from the raw query string, asks the core
for a document and answers it as JSON or as an HTML page (``templates/ogc``).
An :class:`~atlas.ogc.OGCError` raised anywhere in a route is answered by
:class:`OGCRoute` with the OGC exception body, so the app's global
problem+json handlers never see it; a request that asked for HTML gets the OGC
error page (``templates/ogc/error.html``) with the same status and description.
The routes stay out of FastAPI's own ``/openapi.json``: the OGC definition is
``/ogc/api`` (OpenAPI 3.0).

The HTML pages take ``lang`` (zh, the default, or en) like the atlas's pages: UI
strings come from :mod:`atlas.web.i18n`, names are Chinese with the English beside,
and every link to another HTML page keeps ``lang``.  The JSON documents do not
change with ``lang`` (unknown parameters are ignored, see :mod:`atlas.ogc.params`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import Any, get_args
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from atlas.engine import Atlas
from atlas.model import LAYER_MODELS, LINKS
from atlas.ogc import OGCError
from atlas.ogc.items import feature, feature_collection
from atlas.ogc.links import Params
from atlas.ogc.media import GEOJSON, HTML, JSON, OPENAPI, SCHEMA, Format, negotiate
from atlas.ogc.openapi import openapi
from atlas.ogc.params import parse_items_query, single
from atlas.ogc.queryables import context, queryables, queryables_document
from atlas.ogc.representation import feature_schema_document, schema_document
from atlas.ogc.resources import (DESCRIBED_BY_REL, QUERYABLES_REL, SCHEMA_REL, TITLE,
                                 collection, collections, conformance, find_layer, landing)
from atlas.provenance import citation_text, plan_ref_label
from atlas.vocab import LabelledEnum, Layer
from atlas.web.deps import AtlasDep
from atlas.web.hosts import base_url, request_url
from atlas.web.i18n import UI, Lang, field, label, t
from atlas.web.pages import page_lang
from atlas.web.responses import FastJSONResponse
from atlas.web.templating import templates

VARY = {"Vary": "Accept"}
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]")
"""A Chinese character."""
LINK_TITLES = {("items", GEOJSON): "ogc_items_json", ("items", HTML): "ogc_items_html",
               (QUERYABLES_REL, SCHEMA): "ogc_queryables", (SCHEMA_REL, SCHEMA): "ogc_schema",
               (DESCRIBED_BY_REL, SCHEMA): "ogc_feature_schema",
               ("service-desc", OPENAPI): "ogc_api_json", ("service-doc", HTML): "ogc_api",
               ("conformance", JSON): "ogc_conformance_classes",
               ("data", JSON): "ogc_collections", ("next", HTML): "ogc_next",
               ("prev", HTML): "ogc_prev"}
"""(rel, type) of a link -> the UI string titling it on the HTML pages."""


class OGCRoute(APIRoute):
    """A route that turns :class:`OGCError` into its OGC exception response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The default handler, wrapped to answer OGC errors itself."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except OGCError as exc:
                if _wants_html(request):
                    return _page(request, "error", {"links": []}, status_code=exc.status,
                                 error=exc)
                return JSONResponse(exc.body(), status_code=exc.status, media_type=JSON,
                                    headers=VARY)

        return guarded


router = APIRouter(prefix="/ogc", route_class=OGCRoute, include_in_schema=False)


def _request(request: Request) -> tuple[str, Params, Format]:
    """(OGC root URL, query parameters, negotiated format) of a request."""
    params = request.query_params.multi_items()
    fmt = negotiate(single(params, "f"), request.headers.get("accept"))
    return _root(request), params, fmt


def _root(request: Request) -> str:
    """The OGC landing page's URL, under the atlas's :func:`~atlas.web.hosts.base_url`."""
    return base_url(request) + request.app.url_path_for("ogc_landing")


def _wants_html(request: Request) -> bool:
    """Whether the request asked for HTML (False when its ``f`` is itself the error)."""
    try:
        return _request(request)[2] is Format.html
    except OGCError:
        return False


def _lang(request: Request) -> Lang:
    """The language of an HTML page: ``?lang=en`` for English, Chinese otherwise."""
    return page_lang(request.query_params.get("lang", "zh"))


def with_lang(href: str, lang: Lang) -> str:
    """``href`` with ``lang`` set (left as it is for Chinese, the default)."""
    if lang != "en":
        return href
    parts = urlsplit(href)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    return urlunsplit(parts._replace(query=urlencode([*query, ("lang", lang)])))


def _page(request: Request, page: str, doc: dict[str, Any], status_code: int = 200,
          **context: Any) -> Response:
    """``templates/ogc/<page>.html`` for ``doc``, in the language of ``?lang=``."""
    lang = _lang(request)

    def here(href: str) -> str:
        """A link to another HTML page, keeping the language."""
        return with_lang(href, lang)

    def link_title(link: dict[str, str]) -> str:
        key = LINK_TITLES.get((link["rel"], link["type"]))
        return t(key, lang) if key else link.get("title") or link["rel"]

    switch = str(request_url(request).include_query_params(lang="zh" if lang == "en" else "en"))
    return templates.TemplateResponse(request, f"ogc/{page}.html", {
        "doc": doc, "base": _root(request), "site": TITLE, "lang": lang,
        "here": here, "link_title": link_title, "switch": switch, "ui": UI, **context},
        status_code=status_code, headers=VARY)


def _answer(request: Request, fmt: Format, doc: dict[str, Any], media_type: str,
            page: str, **context: Any) -> Response:
    """``doc`` as ``media_type`` JSON, or rendered with ``templates/ogc/<page>.html``."""
    if fmt is Format.html:
        return _page(request, page, doc, **context)
    return FastJSONResponse(doc, media_type=media_type, headers=VARY)


@router.get("", name="ogc_landing")
@router.get("/", name="ogc_landing_slash")
def landing_page(request: Request) -> Response:
    """The landing page, also at ``/ogc/``: the OpenAPI document's ``/`` under its server URL."""
    base, _, fmt = _request(request)
    return _answer(request, fmt, landing(base, fmt), JSON, "landing")


@router.get("/conformance")
def conformance_page(request: Request) -> Response:
    """The conformance declaration."""
    base, _, fmt = _request(request)
    return _answer(request, fmt, conformance(base, fmt), JSON, "conformance")


@router.get("/api")
def api_page(request: Request, atlas: AtlasDep) -> Response:
    """The OpenAPI 3.0 definition (``service-desc``) or its HTML rendering (``service-doc``)."""
    base, _, fmt = _request(request)
    doc = openapi(atlas, base, request.app.version)
    return _answer(request, fmt, doc, OPENAPI, "api")


@router.get("/collections")
def collections_page(request: Request, atlas: AtlasDep) -> Response:
    """All collections."""
    base, _, fmt = _request(request)
    return _answer(request, fmt, collections(atlas, base, fmt), JSON, "collections")


@router.get("/collections/{collection_id}")
def collection_page(request: Request, atlas: AtlasDep, collection_id: str) -> Response:
    """One collection."""
    base, _, fmt = _request(request)
    layer = find_layer(collection_id)
    return _answer(request, fmt, collection(atlas, layer, base, fmt), JSON, "collection",
                   layer=layer, count=len(atlas.frames[layer]))


@router.get("/collections/{collection_id}/queryables")
def queryables_page(request: Request, atlas: AtlasDep, collection_id: str) -> Response:
    """The collection's queryable properties (JSON Schema)."""
    base, _, fmt = _request(request)
    layer = find_layer(collection_id)
    url = f"{base}/collections/{layer.value}/queryables"
    doc = queryables_document(atlas, layer, url)
    return _answer(request, fmt, doc, SCHEMA, "queryables", layer=layer,
                   values=_queryable_values(atlas, layer, doc, request) if fmt is Format.html
                   else {})


@router.get("/collections/{collection_id}/schema")
def schema_page(request: Request, atlas: AtlasDep, collection_id: str) -> Response:
    """The schema of the collection's features (Part 5; JSON only)."""
    base, _, _ = _request(request)
    layer = find_layer(collection_id)
    doc = schema_document(atlas, layer, f"{base}/collections/{layer.value}/schema")
    return JSONResponse(doc, media_type=SCHEMA, headers=VARY)


@router.get("/collections/{collection_id}/schema/feature")
def feature_schema_page(request: Request, atlas: AtlasDep, collection_id: str) -> Response:
    """The JSON Schema of one GeoJSON feature of the collection (GDAL's ``describedBy``)."""
    base, _, _ = _request(request)
    layer = find_layer(collection_id)
    doc = feature_schema_document(atlas, layer,
                                  f"{base}/collections/{layer.value}/schema/feature")
    return JSONResponse(doc, media_type=SCHEMA, headers=VARY)


@router.get("/collections/{collection_id}/items")
def items_page(request: Request, atlas: AtlasDep, collection_id: str) -> Response:
    """A page of the collection's features, filtered by bbox and queryable properties."""
    base, params, fmt = _request(request)
    layer = find_layer(collection_id)
    found = queryables(atlas, layer)
    query = parse_items_query(params, found)
    doc = feature_collection(atlas, layer, query, found, base, params, fmt)
    return _answer(request, fmt, doc, GEOJSON, "items", layer=layer, query=query)


@router.get("/collections/{collection_id}/items/{feature_id}")
def item_page(request: Request, atlas: AtlasDep, collection_id: str, feature_id: str) -> Response:
    """One feature."""
    base, _, fmt = _request(request)
    layer = find_layer(collection_id)
    doc = feature(atlas, layer, feature_id, base, fmt)
    stored = {**atlas.entities[feature_id].props, **context(atlas, layer, feature_id)}
    rows = _property_rows(atlas, layer, stored, base, request) if fmt is Format.html else []
    return _answer(request, fmt, doc, GEOJSON, "item", layer=layer, rows=rows)


# ------------------------------------------------------------------ HTML helpers
def _vocabulary(layer: Layer, name: str) -> str | None:
    """The vocabulary (a key of ``LABELS``) a stored property's values come from, if any."""
    info = LAYER_MODELS[layer].model_fields.get(name)
    todo = [info.annotation] if info is not None else []
    while todo:
        kind = todo.pop()
        if isinstance(kind, type) and issubclass(kind, LabelledEnum):
            return kind.__name__
        todo += get_args(kind)
    return None


def _queryable_values(atlas: Atlas, layer: Layer, doc: dict[str, Any],
                      request: Request) -> dict[str, list[tuple[str, str]]]:
    """(value, label in the page language) of each queryable's allowed values."""
    lang = _lang(request)
    vocab = {n: _vocabulary(layer, "industries" if n == "industry" else n)
             for n in doc["properties"]}

    def show(name: str, value: str) -> str:
        if name in ("town", "zone") and (entity := atlas.entity(value)) is not None:
            return field(entity.props, "name", lang)[0]
        return label(vocab[name], value, lang) if vocab.get(name) else ""

    return {name: [(v, show(name, v)) for v in schema.get("enum", [])]
            for name, schema in doc["properties"].items()}


def _property_rows(atlas: Atlas, layer: Layer, props: dict[str, Any], base: str,
                   request: Request) -> list[dict[str, Any]]:
    """A feature's properties as rows for ``ogc/item.html``: ``{"names", "cells", "block"}``.

    A cell is ``{"lang", "pieces"}``, its pieces (``{"text", "href", "code", "hreflang"}``) side
    by side; cells are separated by semicolons, or one paragraph each when ``block``.  A
    ``<x>_zh``/``<x>_en`` pair is one block row, the page language first and each marked with
    its ``lang``; vocabulary values show their label in the page language beside the code,
    plan sections their title, citations one readable line linked to the source; ids of
    linked entities link to their HTML page; nothing is shown as escaped JSON.  Aliases are
    search names in either script: the English page lists those in Latin letters and links
    the Chinese ones to the Chinese page (the JSON has them all).
    """
    lang = _lang(request)
    links = {name for (lay, name) in LINKS if lay == layer} | {"town", "zones"}

    def piece(text: Any, href: str | None = None, code: bool = False,
              hreflang: str | None = None) -> dict[str, Any]:
        return {"text": "" if text is None else str(text), "href": href, "code": code,
                "hreflang": hreflang}

    def item(*pieces: dict[str, Any], in_lang: str | None = None) -> dict[str, Any]:
        return {"lang": in_lang, "pieces": list(pieces)}

    def items(name: str, value: Any) -> list[dict[str, Any]]:
        """The cells showing ``value`` of property ``name``."""
        if value is None or value == [] or value == "" or value == {}:
            return []
        if isinstance(value, list):
            return [found for entry in value for found in items(name, entry)]
        if name == "citations" and isinstance(value, dict):
            return [item(piece(citation_text(value, lang), href=value.get("url")))]
        if isinstance(value, dict):
            return [item(piece(key, code=True), *(p for found in items(key, entry)
                                                  for p in found["pieces"]))
                    for key, entry in value.items()]
        if name in links and (entity := atlas.entity(str(value))) is not None:
            url = f"{base}/collections/{entity.layer.value}/items/{entity.id}?f=html"
            return [item(piece(value, href=with_lang(url, lang), code=True),
                         piece(field(entity.props, "name", lang)[0]))]
        if name == "plan_refs":
            return [item(piece(plan_ref_label(str(value), lang)))]
        if isinstance(value, str) and (vocab := _vocabulary(layer, name)):
            return [item(piece(value, code=True), piece(label(vocab, value, lang)))]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return [item(piece(value, href=value))]
        return [item(piece(value))]

    def joined(found: list[dict[str, Any]], in_lang: str) -> dict[str, Any] | None:
        """Items of one language as one marked item (None when there are none)."""
        pieces = [p for i, it in enumerate(found)
                  for p in ([piece("; ")] if i else []) + it["pieces"]]
        return item(*pieces, in_lang=in_lang) if pieces else None

    rows = []
    for name, value in props.items():
        stem = name.removesuffix("_zh").removesuffix("_en")
        if name.endswith("_en") and f"{stem}_zh" in props:
            continue  # shown with its Chinese
        if name.endswith("_zh") and f"{stem}_en" in props:
            zh = joined(items(stem, value), "zh-CN")
            en = joined(items(stem, props[f"{stem}_en"]), "en")
            shown = [it for it in ((en, zh) if lang == "en" else (zh, en)) if it]
            if lang == "en" and zh and not en:
                shown.append(item(piece(t("missing_en", lang))))
            rows.append({"names": [name, f"{stem}_en"], "block": True,
                         "cells": shown or [item(piece("—"))]})
            continue
        cells = items(name, value)
        if name == "aliases" and lang == "en":
            chinese = [c for c in cells if CJK.search(c["pieces"][0]["text"])]
            cells = [c for c in cells if c not in chinese]
            if chinese:
                zh_page = str(request_url(request).include_query_params(lang="zh"))
                cells.append(item(piece(t("ogc_more_in_zh", lang).format(n=len(chinese)),
                                        href=zh_page, hreflang="zh")))
        rows.append({"names": [name], "block": False, "cells": cells or [item(piece("—"))]})
    return rows
