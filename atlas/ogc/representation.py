"""How feature properties are written for desktop GIS (QGIS, GDAL, ArcGIS) and their schema.

Desktop GIS read OGC items through GDAL's GeoJSON reader, which types each field
from the values it meets first.  Two of our stored shapes mislead it:

* an empty list (``[]``) first makes the field ``String(JSON)``; QGIS then reads
  *every* value of that field as NULL and cannot save the layer to any file.
  Served here as ``null`` instead, a list field is typed ``StringList`` from its
  first non-empty value, and an empty list stays empty (QGIS shows NULL);
* a list of objects (``citations``) is JSON whatever comes first.  Served here as
  two lists of readable lines, ``citations_zh`` and ``citations_en``.

The JSON Schema of what is served (:func:`served_properties`) follows the same rules,
so clients that type fields from a schema (GDAL's ``describedBy`` link, OGC API –
Features Part 5 ``schema``) see the same fields as clients that type from data.
``/api`` keeps the stored shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from atlas.engine import Atlas
from atlas.ogc.schema import non_null, properties_schema
from atlas.provenance import citation_text
from atlas.vocab import LISTED_LAYERS, Layer

CITATION_FIELDS = {"citations_zh": "zh", "citations_en": "en"}
"""The served fields that replace ``citations``, and their language."""


def citation_line(citation: Mapping[str, Any], lang: str) -> str:
    """One citation as a readable line in ``lang``, with its URL when it has one."""
    text = citation_text(citation, lang)
    return f"{text} {citation['url']}" if citation.get("url") else text


def gis_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` as served to GIS clients: empty lists as ``null``, citations as text lines."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key == "citations":
            for name, lang in CITATION_FIELDS.items():
                out[name] = [citation_line(c, lang) for c in value or ()] or None
        elif isinstance(value, list) and not value:
            out[key] = None
        else:
            out[key] = value
    return out


TEXT_LINES = {"type": "array", "items": {"type": "string"}}
CONTEXT = {
    "town": {"type": "string", "title": "Town or subdistrict the feature lies in (derived)"},
    "zones": {**TEXT_LINES, "title": "Zones the feature lies in or belongs to (derived)"},
}
"""Derived properties written into the carriers' features (see :mod:`atlas.ogc.queryables`)."""


@cache
def served_properties(layer: Layer) -> dict[str, dict[str, Any]]:
    """JSON Schema of each property of ``layer`` as :func:`gis_properties` writes it.

    One plain ``type`` each (no ``null`` alternative: GDAL and QGIS read ``type`` and nothing
    else); any property may be ``null`` or absent, which the documents say."""
    properties: dict[str, dict[str, Any]] = {}
    for name, schema in properties_schema(layer)["properties"].items():
        if name == "citations":
            for field, lang in CITATION_FIELDS.items():
                properties[field] = {**TEXT_LINES, "title": f"Sources, one line each ({lang})"}
        else:
            properties[name] = {k: v for k, v in non_null(schema).items() if k != "default"}
    if layer in LISTED_LAYERS:
        properties.update(CONTEXT)
    return properties


GEOMETRY_FORMATS = {"Point": "geometry-point", "MultiPoint": "geometry-multipoint",
                    "LineString": "geometry-linestring",
                    "MultiLineString": "geometry-multilinestring",
                    "Polygon": "geometry-polygon", "MultiPolygon": "geometry-multipolygon"}
"""GeoJSON geometry type -> Part 5 ``format`` of the primary geometry."""
NOTE = "Any property may be null or absent; lists are never empty (an empty list is null)."


def _geometry_format(atlas: Atlas, layer: Layer) -> str:
    types = set(atlas.frames[layer].geom_type.dropna())
    return GEOMETRY_FORMATS.get(types.pop(), "geometry-any") if len(types) == 1 else "geometry-any"


def _document(layer: Layer, url: str, **body: Any) -> dict[str, Any]:
    """A JSON Schema document about ``layer``'s features, served at ``url``."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": url,
            "type": "object", "title": f"{layer.label.zh} {layer.label.en}", "description": NOTE,
            **body}


def _properties_but_id(layer: Layer) -> dict[str, dict[str, Any]]:
    return {name: schema for name, schema in served_properties(layer).items() if name != "id"}


def schema_document(atlas: Atlas, layer: Layer, url: str) -> dict[str, Any]:
    """The collection's schema as OGC API – Features Part 5 has it: every property a feature
    carries, typed, with the id and the geometry marked by ``x-ogc-role``."""
    return _document(layer, url, properties={
        "id": {"type": "string", "title": "Id", "x-ogc-role": "id"},
        "geometry": {"format": _geometry_format(atlas, layer), "x-ogc-role": "primary-geometry"},
        **_properties_but_id(layer)})


def feature_schema_document(atlas: Atlas, layer: Layer, url: str) -> dict[str, Any]:
    """The JSON Schema of one GeoJSON Feature of the collection, as GDAL's OAPIF driver reads
    it from the collection's ``describedBy`` link to type fields before it sees data (GDAL
    takes ``id`` from the data, so the properties leave it out)."""
    return _document(layer, url, required=["type", "geometry", "properties"], properties={
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": {"type": "object", "format": _geometry_format(atlas, layer)},
        "properties": {"type": "object", "properties": _properties_but_id(layer)}})
