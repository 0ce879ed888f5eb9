"""JSON schemas of feature properties, read from the layer models (:mod:`atlas.model`).

Pydantic writes JSON Schema 2020-12 with ``$defs`` references; the OGC documents
want self-contained schemas, and OpenAPI 3.0 wants ``nullable`` instead of a
``{"type": "null"}`` alternative.  These helpers do those two rewrites.

Only the fields' own descriptions (``Field(description=...)``, written for users of
the data) are kept: pydantic also turns class docstrings (of the enums and nested
models) into descriptions, and those are developer text (Sphinx roles and all).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from atlas.model import LAYER_MODELS
from atlas.vocab import Layer


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``#/$defs/...`` reference replaced by its definition."""
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        rest = {k: v for k, v in node.items() if k != "$ref"}
        definition = {k: v for k, v in defs[ref.removeprefix("#/$defs/")].items()
                      if k != "description"}  # a class docstring
        return _inline({**definition, **rest}, defs)
    return {key: _inline(value, defs) for key, value in node.items()}


@cache
def _properties(layer: Layer) -> dict[str, Any]:
    schema = LAYER_MODELS[layer].model_json_schema(mode="serialization")
    schema.pop("description", None)  # the model's docstring
    return _inline(schema, schema.get("$defs", {}))


def properties_schema(layer: Layer) -> dict[str, Any]:
    """The self-contained JSON Schema (2020-12) of a layer's feature properties."""
    schema = _properties(layer)
    return {key: value for key, value in schema.items() if key != "$defs"}


def property_schema(layer: Layer, name: str) -> dict[str, Any]:
    """The JSON Schema of one property of a layer's features (``KeyError`` if it has none)."""
    return _properties(layer)["properties"][name]


def non_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its ``null`` alternative (what a query parameter value may be)."""
    options = schema.get("anyOf")
    if not options:
        return schema
    kept = [option for option in options if option.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "default")}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}


def to_openapi30(schema: Any) -> Any:
    """A JSON Schema rewritten for OpenAPI 3.0: ``anyOf [X, null]`` becomes ``X`` + ``nullable``."""
    if isinstance(schema, list):
        return [to_openapi30(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    options = schema.get("anyOf")
    if options and any(option.get("type") == "null" for option in options):
        return {**to_openapi30(non_null(schema)), "nullable": True}
    return {key: to_openapi30(value) for key, value in schema.items()
            if key not in ("$schema", "$id")}
