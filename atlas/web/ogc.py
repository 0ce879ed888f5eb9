"""OGC API – Features under ``/ogc``: a thin FastAPI adapter over :mod:`atlas.ogc`.

Each route reads its query parameters from the raw query string, asks the core
for a document and answers it as JSON or as an HTML page (``templates/ogc``).
An :class:`~atlas.ogc.OGCError` raised anywhere in a route is answered by
:class:`OGCRoute` with the OGC exception body, so the app's global
problem+json handlers never see it.  The routes stay out of FastAPI's own
``/openapi.json``: the OGC definition is ``/ogc/api`` (OpenAPI 3.0).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from atlas.ogc import OGCError
from atlas.ogc.items import feature, feature_collection
from atlas.ogc.links import Params
from atlas.ogc.media import GEOJSON, JSON, OPENAPI, SCHEMA, Format, negotiate
from atlas.ogc.openapi import openapi
from atlas.ogc.params import parse_items_query, single
from atlas.ogc.queryables import queryables, queryables_document
from atlas.ogc.resources import TITLE, collection, collections, conformance, find_layer, landing
from atlas.web.deps import AtlasDep
from atlas.web.templating import templates

VARY = {"Vary": "Accept"}


class OGCRoute(APIRoute):
    """A route that turns :class:`OGCError` into its OGC exception response."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The default handler, wrapped to answer OGC errors itself."""
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except OGCError as exc:
                return JSONResponse(exc.body(), status_code=exc.status, media_type=JSON,
                                    headers=VARY)

        return guarded


router = APIRouter(prefix="/ogc", route_class=OGCRoute, include_in_schema=False)


def _request(request: Request) -> tuple[str, Params, Format]:
    """(OGC root URL, query parameters, negotiated format) of a request."""
    params = request.query_params.multi_items()
    fmt = negotiate(single(params, "f"), request.headers.get("accept"))
    return str(request.url_for("ogc_landing")), params, fmt


def _answer(request: Request, fmt: Format, doc: dict[str, Any], media_type: str,
            page: str, **context: Any) -> Response:
    """``doc`` as ``media_type`` JSON, or rendered with ``templates/ogc/<page>.html``."""
    if fmt is Format.html:
        base = str(request.url_for("ogc_landing"))
        return templates.TemplateResponse(request, f"ogc/{page}.html",
                                          {"doc": doc, "base": base, "site": TITLE, **context},
                                          headers=VARY)
    return JSONResponse(doc, media_type=media_type, headers=VARY)


@router.get("", name="ogc_landing")
def landing_page(request: Request) -> Response:
    """The landing page."""
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
    return _answer(request, fmt, collection(atlas, layer, base, fmt), JSON, "collection")


@router.get("/collections/{collection_id}/queryables")
def queryables_page(request: Request, atlas: AtlasDep, collection_id: str) -> Response:
    """The collection's queryable properties (JSON Schema)."""
    base, _, fmt = _request(request)
    layer = find_layer(collection_id)
    url = f"{base}/collections/{layer.value}/queryables"
    return _answer(request, fmt, queryables_document(atlas, layer, url), SCHEMA, "queryables",
                   layer=layer)


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
    return _answer(request, fmt, feature(atlas, layer, feature_id, base, fmt), GEOJSON, "item",
                   layer=layer)
