"""How feature properties are written for desktop GIS (QGIS, GDAL, ArcGIS) and their schema.

Desktop GIS read OGC items through GDAL's GeoJSON reader, which types each field
from the values it meets first.  Three of our stored shapes mislead it:

* an empty list (``[]``) first makes the field ``String(JSON)``; QGIS then reads
  *every* value of that field as NULL and cannot save the layer to any file.
  Served here as ``null`` instead, a list field is typed ``StringList`` from its
  first non-empty value, and an empty list stays empty (QGIS shows NULL);
* a list of objects (``citations``, ``policies``, ``fact_sources``) is JSON whatever comes
  first.  Each is served as two lists of readable lines, ``<name>_zh`` and ``<name>_en``;
  ``fact_sources_*`` list every source of a park's or incubator's facts (its own
  ``facts_source_*`` too), each with the facts it gives and as of when;
* a whole number (``established``, ``firms``) makes an ``Integer`` field, whose NULLs
  QGIS (3.22, OAPIF provider) saves to every file format as 0: a park with no known year
  would be saved as opened in year 0.  Served as a number with a decimal point (2018.0,
  typed ``Real``, whose NULLs QGIS keeps), and typed ``number`` in the schema.

The JSON Schema of what is served (:func:`served_properties`) follows the same rules,
so clients that type fields from a schema (GDAL's ``describedBy`` link, OGC API –
Features Part 5 ``schema``) see the same fields as clients that type from data.
``/api`` keeps the stored shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from atlas.engine import Atlas
from atlas.fact_text import fact_source_lines, policy_line
from atlas.ogc.schema import non_null, properties_schema
from atlas.provenance import citation_line
from atlas.vocab import LISTED_LAYERS, Layer

LANGS = ("zh", "en")
TEXT_LINES_OF: dict[str, tuple[str, Callable[[Mapping[str, Any], str], list[str]]]] = {
    "citations": ("Sources, one line each",
                  lambda props, lang: [citation_line(c, lang) for c in props["citations"] or ()]),
    "policies": ("Policies that apply, one line each: title, issuer, date, link",
                 lambda props, lang: [policy_line(p, lang) for p in props["policies"] or ()]),
    "fact_sources": ("Where each fact is from: the facts, the source, as of when, link",
                     fact_source_lines),
}
"""Lists of objects -> what their ``<name>_zh`` / ``<name>_en`` lines say, and how to write
the lines of a feature's properties in a language."""


def _whole_numbers() -> frozenset[str]:
    """The properties of any layer that hold a whole number (JSON Schema ``integer``)."""
    return frozenset(name for layer in Layer
                     for name, schema in properties_schema(layer)["properties"].items()
                     if non_null(schema).get("type") == "integer")


WHOLE_NUMBERS = _whole_numbers()
"""Properties served as numbers with a decimal point (see the module's notes)."""


def gis_properties(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` as served to GIS clients: empty lists as ``null``, lists of objects as text
    lines (:data:`TEXT_LINES_OF`), whole numbers with a decimal point."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if key in WHOLE_NUMBERS and value is not None:
            out[key] = float(value)
        elif key in TEXT_LINES_OF:
            lines = TEXT_LINES_OF[key][1]
            for lang in LANGS:
                out[f"{key}_{lang}"] = lines(props, lang) or None
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
        if name in TEXT_LINES_OF:
            for lang in LANGS:
                title = f"{TEXT_LINES_OF[name][0]} ({lang})"
                properties[f"{name}_{lang}"] = {**TEXT_LINES, "title": title}
        else:
            properties[name] = {k: v for k, v in non_null(schema).items() if k != "default"}
            if name in WHOLE_NUMBERS:
                properties[name]["type"] = "number"
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
