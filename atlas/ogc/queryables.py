"""The properties each collection can be filtered on with ``?name=value``.

Stored scalar properties (``kind``, ``status``, ``level``, ``precision``) match by
equality.  ``industry`` matches a feature whose ``industries`` list contains the
value.  For the carriers (parks, platforms, incubators) the engine's derived
context is queryable too: ``town`` (the town the feature lies in) and ``zone``
(a zone it lies in, or — for parks — the zone it is linked to).  Those two are
also written into the features' properties, as ``town`` and ``zones``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np

from atlas.engine import Atlas
from atlas.ogc.schema import non_null, property_schema
from atlas.vocab import LISTED_LAYERS, LAYER_KINDS, Kind, Layer

Matcher = Callable[[Atlas, gpd.GeoDataFrame, str], np.ndarray]
"""(atlas, layer frame, value) -> boolean mask over the frame's rows."""


@dataclass(frozen=True)
class Queryable:
    """One filterable property: its name, JSON Schema and how a value selects rows."""

    name: str
    schema: dict[str, Any]
    match: Matcher

    def allowed(self) -> list[str]:
        """The values a filter on this property may take."""
        return list(self.schema.get("enum", []))


def _equals(column: str) -> Matcher:
    def match(atlas: Atlas, frame: gpd.GeoDataFrame, value: str) -> np.ndarray:
        if column not in frame:
            return np.zeros(len(frame), dtype=bool)
        return frame[column].to_numpy(dtype=object) == value
    return match


def _contains(column: str) -> Matcher:
    def match(atlas: Atlas, frame: gpd.GeoDataFrame, value: str) -> np.ndarray:
        cells = frame[column] if column in frame else [None] * len(frame)
        return np.fromiter((isinstance(c, tuple) and value in c for c in cells), bool, len(frame))
    return match


def _in_town(atlas: Atlas, frame: gpd.GeoDataFrame, value: str) -> np.ndarray:
    return np.fromiter((atlas.entities[i].town == value for i in frame.index), bool, len(frame))


def _in_zone(atlas: Atlas, frame: gpd.GeoDataFrame, value: str) -> np.ndarray:
    return np.fromiter((value in atlas.entities[i].zones for i in frame.index), bool, len(frame))


def _ids(atlas: Atlas, layer: Layer, title: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "enum": sorted(atlas.frames[layer].index)}


def queryables(atlas: Atlas, layer: Layer) -> dict[str, Queryable]:
    """The queryable properties of ``layer``, by parameter name (built once per atlas)."""
    return atlas.cached(("ogc_queryables", layer), lambda: _queryables(atlas, layer))


DESCRIPTIONS = {
    "kind": "What the feature is",
    "status": "Operating, under construction or planned",
    "level": "Level it is recognised at",
    "precision": "How sure the position is",
    "industry": "Matches features whose industries include it",
}
"""What each stored queryable means, for clients that show it (QGIS, the HTML page)."""


def _described(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "description": DESCRIPTIONS[name]}


def _queryables(atlas: Atlas, layer: Layer) -> dict[str, Queryable]:
    kind = {**non_null(property_schema(layer, "kind")),
            "enum": [k.value for k in Kind if k in LAYER_KINDS[layer]]}
    found = [
        Queryable("kind", _described("kind", kind), _equals("kind")),
        *(Queryable(name, _described(name, non_null(property_schema(layer, name))), _equals(name))
          for name in ("status", "level", "precision")),
        Queryable("industry", _described("industry", property_schema(layer, "industries")["items"]),
                  _contains("industries")),
    ]
    if layer in LISTED_LAYERS:
        found += [
            Queryable("town", _ids(atlas, Layer.towns, "Town or subdistrict the feature lies in"),
                      _in_town),
            Queryable("zone", _ids(atlas, Layer.zones, "Zone the feature lies in or belongs to"),
                      _in_zone),
        ]
    return {q.name: q for q in found}


def context(atlas: Atlas, layer: Layer, feature_id: str) -> dict[str, Any]:
    """The derived properties written into a feature of ``layer`` (empty outside the carriers)."""
    if layer not in LISTED_LAYERS:
        return {}
    entity = atlas.entities[feature_id]
    return {"town": entity.town, "zones": list(entity.zones)}


def queryables_document(atlas: Atlas, layer: Layer, url: str) -> dict[str, Any]:
    """The Part 3 queryables resource: a JSON Schema of the filterable properties."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": f"{layer.label.zh} {layer.label.en}",
        "properties": {q.name: q.schema for q in queryables(atlas, layer).values()},
        "additionalProperties": False,
    }
