"""The OpenAPI 3.0 definition of the OGC part, built by hand from the layers and their models.

FastAPI's own document is OpenAPI 3.1 and inlines parameters; GDAL and QGIS read
the page size from ``components/parameters/limit`` and the property filters from
``paths./collections/{id}/items.get.parameters``, so this document spells each
collection's paths out with its queryables.
"""

from __future__ import annotations

from typing import Any

from atlas.engine import Atlas
from atlas.ogc.media import GEOJSON, HTML, JSON, OPENAPI, SCHEMA
from atlas.ogc.params import LIMIT_DEFAULT, LIMIT_MAX, NEXT_LIMIT_MIN
from atlas.ogc.queryables import queryables
from atlas.ogc.resources import DESCRIPTION, TITLE
from atlas.ogc.representation import NOTE, served_properties
from atlas.ogc.schema import to_openapi30
from atlas.vocab import Layer

PLAIN = "text/plain"
OFFSET_MAX = 10**18 - 1
"""The largest offset :func:`atlas.ogc.params.parse_int` reads (18 digits)."""

PARAMETERS: dict[str, dict[str, Any]] = {
    "f": {"name": "f", "in": "query", "required": False, "style": "form", "explode": False,
          "description": "Response format; without it the Accept header decides (JSON by default)",
          "schema": {"type": "string", "enum": ["json", "html"], "default": "json"}},
    "bbox": {"name": "bbox", "in": "query", "required": False, "style": "form", "explode": False,
             "description": "minLon,minLat,maxLon,maxLat in CRS84; features intersecting it",
             "schema": {"type": "array", "minItems": 4, "maxItems": 4,
                        "items": {"type": "number", "minimum": -180, "maximum": 180}}},
    "limit": {"name": "limit", "in": "query", "required": False, "style": "form", "explode": False,
              "description": f"Page size; values above {LIMIT_MAX} are reduced to {LIMIT_MAX}. "
                             f"The next link of a JSON page asks for at least "
                             f"{NEXT_LIMIT_MIN}",
              "schema": {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX,
                         "default": LIMIT_DEFAULT}},
    "offset": {"name": "offset", "in": "query", "required": False, "style": "form",
               "explode": False, "description": "Features to skip (prefer following next links)",
               "schema": {"type": "integer", "minimum": 0, "maximum": OFFSET_MAX, "default": 0}},
    "featureId": {"name": "featureId", "in": "path", "required": True,
                  "description": "Feature id (the entity's slug)", "schema": {"type": "string"}},
}


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _ok(*media_types: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"schema": schema or {"type": "object"}}
    return {"description": "Success",
            "content": {media: (body if media != HTML else {"schema": {"type": "string"}})
                        for media in media_types}}


def _operation(operation_id: str, summary: str, ok: dict[str, Any],
               parameters: list[dict[str, Any]], tag: str = "server",
               may_be_missing: bool = False) -> dict[str, Any]:
    responses = {"200": ok, "304": _ref("responses", "NotModified"),
                 "400": _ref("responses", "InvalidParameter")}
    if may_be_missing:
        responses["404"] = _ref("responses", "NotFound")
    responses |= {"414": _ref("responses", "URITooLong"),
                  "431": _ref("responses", "HeadersTooLarge")}
    return {"get": {"operationId": operation_id, "summary": summary, "tags": [tag],
                    "parameters": parameters, "responses": responses}}


def _filter_parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A Part 1 property filter as QGIS finds them: form style, not exploded, typed."""
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": False,
            "description": schema.get("description") or schema.get("title") or f"{name} equals",
            "schema": to_openapi30({k: v for k, v in schema.items()
                                    if k not in ("title", "description")})}


def _collection_paths(atlas: Atlas, layer: Layer) -> dict[str, Any]:
    name = tag = layer.value
    f = _ref("parameters", "f")
    filters = [_filter_parameter(q.name, q.schema) for q in queryables(atlas, layer).values()]
    items = _ref("schemas", f"{name}FeatureCollection")
    return {
        f"/collections/{name}": _operation(
            f"describe_{name}", f"{layer.label.en}: collection", _ok(JSON, HTML), [f], tag),
        f"/collections/{name}/queryables": _operation(
            f"queryables_{name}", f"{layer.label.en}: queryable properties", _ok(SCHEMA, HTML),
            [f], tag),
        f"/collections/{name}/schema": _operation(
            f"schema_{name}", f"{layer.label.en}: schema of the features (Part 5)",
            _ok(SCHEMA), [f], tag),
        f"/collections/{name}/schema/feature": _operation(
            f"feature_schema_{name}", f"{layer.label.en}: JSON Schema of one GeoJSON feature",
            _ok(SCHEMA), [f], tag),
        f"/collections/{name}/items": _operation(
            f"items_{name}", f"{layer.label.en}: features", _ok(GEOJSON, HTML, schema=items),
            [_ref("parameters", p) for p in ("bbox", "limit", "offset", "f")] + filters, tag),
        f"/collections/{name}/items/{{featureId}}": _operation(
            f"item_{name}", f"{layer.label.en}: one feature",
            _ok(GEOJSON, HTML, schema=_ref("schemas", f"{name}Feature")),
            [_ref("parameters", "featureId"), f], tag, may_be_missing=True),
    }


def _layer_schemas(layer: Layer) -> dict[str, Any]:
    name = layer.value
    feature = {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {"type": "object", "description": "GeoJSON geometry, CRS84 lon/lat"},
        "properties": _ref("schemas", f"{name}Properties"),
        "links": {"type": "array", "items": _ref("schemas", "link")}}}
    collection = {"type": "object", "required": ["type", "features"], "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": _ref("schemas", f"{name}Feature")},
        "numberMatched": {"type": "integer", "minimum": 0},
        "numberReturned": {"type": "integer", "minimum": 0},
        "links": {"type": "array", "items": _ref("schemas", "link")}}}
    served = {"type": "object", "description": NOTE,
              "properties": {name: {**schema, "nullable": True} for name, schema
                             in to_openapi30(served_properties(layer)).items()}}
    return {f"{name}Properties": {**served, "additionalProperties": True},
            f"{name}Feature": feature, f"{name}FeatureCollection": collection}


def _exception(description: str, plain: str = "") -> dict[str, Any]:
    """An OGC exception as JSON, or the HTML page of a request that asked for HTML (and, when
    ``plain`` says when, as ``text/plain``)."""
    content = {JSON: {"schema": _ref("schemas", "exception")}, HTML: {"schema": {"type": "string"}}}
    if plain:
        content[PLAIN] = {"schema": {"type": "string"}}
        description = f"{description}; as text/plain: {plain}"
    return {"description": description, "content": content}


def _plain(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PLAIN: {"schema": {"type": "string"}}}}


def openapi(atlas: Atlas, base: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document for the OGC resources under ``base``.

    Built once per atlas (so per data version) without ``servers``, which is added per call:
    ``base`` may follow the request's ``Host``, so it must not be part of a cache key."""
    doc = atlas.cached(("ogc_openapi", version), lambda: _openapi(atlas, version))
    return {"openapi": doc["openapi"], "info": doc["info"], "servers": [{"url": base}], **doc}


def _openapi(atlas: Atlas, version: str) -> dict[str, Any]:
    f = _ref("parameters", "f")
    paths = {
        "/": _operation("landing_page", "Landing page", _ok(JSON, HTML), [f]),
        "/conformance": _operation("conformance", "Conformance classes", _ok(JSON, HTML), [f]),
        "/api": _operation("api", "This API definition", _ok(OPENAPI, HTML), [f]),
        "/collections": _operation("collections", "The collections", _ok(JSON, HTML), [f]),
    }
    schemas: dict[str, Any] = {
        "link": {"type": "object", "required": ["href", "rel", "type"], "properties": {
            "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
            "title": {"type": "string"}}},
        "exception": {"type": "object", "required": ["code", "description"], "properties": {
            "code": {"type": "string"}, "description": {"type": "string"}}},
    }
    for layer in Layer:
        paths.update(_collection_paths(atlas, layer))
        schemas.update(_layer_schemas(layer))
    return {
        "openapi": "3.0.3",
        "info": {"title": TITLE, "description": DESCRIPTION, "version": version,
                 "license": {"name": "MIT"}},
        "tags": [{"name": "server"},
                 *({"name": layer.value, "description": layer.label.en} for layer in Layer)],
        "paths": paths,
        "components": {
            "parameters": PARAMETERS,
            "schemas": schemas,
            "responses": {
                "NotModified": {"description": "Not modified: `If-None-Match` named the current "
                                               "ETag (the data version)"},
                "InvalidParameter": _exception("Invalid parameter value (OGC exception)",
                                               "a host name this server is not configured for"),
                "NotFound": _exception("No such collection or feature"),
                "URITooLong": _plain("The URL (path and query) is longer than the server takes"),
                "HeadersTooLarge": _plain("The request headers are larger than the server takes"),
            },
        },
    }
