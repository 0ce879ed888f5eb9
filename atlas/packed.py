"""A feature's validated properties packed as compact JSON bytes: what an entity keeps in memory.

Validation fills every field of a layer's model (44 for an incubator, most of them empty); as a
dict that costs about 2.6 kB per feature, which at 100 000 features is most of the server's
memory.  Packed, only the fields that differ from the model's defaults remain, as JSON (a few
hundred bytes: about 480 for the benchmarks' synthetic incubators, citation included).  :func:`unpack` gives the whole dict back, every field in
the model's order, as a new dict each call (a few microseconds), so nobody can change another
reader's copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import orjson
from pydantic_core import PydanticUndefined

from atlas.model import LAYER_MODELS
from atlas.vocab import Layer


@cache
def _defaults(layer: Layer) -> dict:
    """Every field of ``layer``'s model with its default as JSON; None for required fields."""
    model = LAYER_MODELS[layer]
    values = {}
    for name, info in model.model_fields.items():
        default = info.get_default(call_default_factory=True)
        values[name] = None if default is PydanticUndefined else default
    return orjson.loads(orjson.dumps(values))


@cache
def _fresh(layer: Layer) -> dict:
    """The defaults that are containers (``[]``, ``{}``), each as JSON, to parse afresh."""
    return {k: orjson.dumps(v) for k, v in _defaults(layer).items() if isinstance(v, (list, dict))}


def pack(layer: Layer, props: dict) -> bytes:
    """``props`` (as validation writes them: every field, JSON values) without the fields
    that hold their default, as JSON bytes."""
    defaults = _defaults(layer)
    packed = orjson.dumps({k: v for k, v in props.items() if k not in defaults or v != defaults[k]})
    return bytes(memoryview(packed))  # a copy of its size: orjson's own keeps a 4 kB buffer


def unpack(layer: Layer, packed: bytes) -> dict:
    """The properties :func:`pack` was given: every field of the layer's model, in order."""
    given = orjson.loads(packed)
    props = _defaults(layer).copy()
    for name, default in _fresh(layer).items():  # no two readers share a list
        if name not in given:
            props[name] = [] if default == b"[]" else orjson.loads(default)
    props.update(given)
    return props


def columns(layer: Layer, packed: Sequence[bytes], names: Sequence[str]) -> dict[str, list]:
    """The values of the fields ``names`` of many packed features, a list per field in the
    features' order: defaults where left out, lists as tuples, and equal values one shared
    object (at 100 000 features, a kind or status string per feature would cost megabytes)."""
    defaults = _defaults(layer)
    fields = [(name, defaults[name]) for name in names]
    shared: dict = {}

    def one(value):
        value = tuple(value) if type(value) is list else value
        return shared.setdefault((type(value), value), value)  # 1, 1.0 and True stay apart

    rows = [[one(given.get(name, default)) for name, default in fields]
            for given in map(orjson.loads, packed)]
    return {name: [row[i] for row in rows] for i, (name, _) in enumerate(fields)}
