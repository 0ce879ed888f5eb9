"""The landing page, conformance declaration and collection documents."""

from __future__ import annotations

from typing import Any

from atlas.engine import Atlas
from atlas.ogc.errors import not_found
from atlas.ogc.links import link
from atlas.ogc.media import GEOJSON, HTML, JSON, OPENAPI, SCHEMA, Format
from atlas.vocab import Layer

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA_REL = "http://www.opengis.net/def/rel/ogc/1.0/schema"
DESCRIBED_BY_REL = "describedBy"
"""Spelt as GDAL's OAPIF driver looks for it (relation names are case-insensitive anyway)."""

CONFORMANCE: tuple[str, ...] = (
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/landing-page",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
)
"""Declared classes. No CQL2 or Part 3 ``filter``: QGIS would then send filters we cannot run."""

TITLE = "晋江科创地图 Jinjiang Innovation Atlas"
DESCRIPTION = ("The layers of Jinjiang's 14th Five-Year S&T plan (一廊两区多平台) as "
               "OGC API – Features collections, in WGS-84 (CRS84) lon/lat.")


def self_links(url: str, fmt: Format, json_type: str = JSON) -> list[dict[str, str]]:
    """``self`` and ``alternate`` links of a resource offered as ``json_type`` and HTML."""
    types = {Format.json: json_type, Format.html: HTML}
    return [link(f"{url}?f={f.value}", "self" if f is fmt else "alternate", types[f])
            for f in Format]


def landing(base: str, fmt: Format) -> dict[str, Any]:
    """The landing page: the links clients (QGIS, GDAL, OWSLib) start from."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "links": [
            *self_links(base, fmt),
            link(f"{base}/api?f=json", "service-desc", OPENAPI, "API definition (OpenAPI 3.0)"),
            link(f"{base}/api?f=html", "service-doc", HTML, "API documentation"),
            link(f"{base}/conformance?f=json", "conformance", JSON, "Conformance classes"),
            link(f"{base}/collections?f=json", "data", JSON, "Collections"),
        ],
    }


def conformance(base: str, fmt: Format) -> dict[str, Any]:
    """The conformance declaration."""
    return {"conformsTo": list(CONFORMANCE), "links": self_links(f"{base}/conformance", fmt)}


def collection(atlas: Atlas, layer: Layer, base: str, fmt: Format | None = None) -> dict[str, Any]:
    """One collection's description (``fmt``: the format it is served in, if it is the document)."""
    url = f"{base}/collections/{layer.value}"
    min_x, min_y, max_x, max_y = (float(v) for v in atlas.frames[layer].total_bounds)
    return {
        "id": layer.value,
        "title": f"{layer.label.zh} {layer.label.en}",
        "description": f"{layer.label.en} ({len(atlas.frames[layer])} features)",
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [[min_x, min_y, max_x, max_y]], "crs": CRS84}},
        "links": [
            *self_links(url, fmt or Format.json),
            link(f"{url}/items?f=json", "items", GEOJSON, "Features as GeoJSON"),
            link(f"{url}/items?f=html", "items", HTML, "Features as HTML"),
            link(f"{url}/queryables?f=json", QUERYABLES_REL, SCHEMA, "Queryable properties"),
            link(f"{url}/schema", SCHEMA_REL, SCHEMA, "Schema of the features' properties"),
            link(f"{url}/schema/feature", DESCRIBED_BY_REL, SCHEMA,
                 "JSON Schema of one GeoJSON feature"),
        ],
    }


def collections(atlas: Atlas, base: str, fmt: Format) -> dict[str, Any]:
    """The list of collections, one per layer."""
    return {
        "collections": [collection(atlas, layer, base) for layer in Layer],
        "links": self_links(f"{base}/collections", fmt),
    }


def find_layer(collection_id: str) -> Layer:
    """The layer named ``collection_id``; 404 ``NotFound`` if there is none."""
    try:
        return Layer(collection_id)
    except ValueError:
        known = ", ".join(layer.value for layer in Layer)
        raise not_found(f"no collection {collection_id!r}; collections are {known}") from None
