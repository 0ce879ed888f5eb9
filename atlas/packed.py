"""A feature's validated properties packed as compact bytes: what an entity keeps in memory.

Validation fills every field of a layer's model (44 for an incubator, most of them empty); as a
dict that costs about 2.6 kB per feature, which at 100 000 features is most of the server's
memory.  Packed (:func:`pack`), only the fields that differ from the model's defaults remain,
as JSON: a few hundred bytes (about 480 for the benchmarks' synthetic incubators, citation
included).  Features of one layer repeat each other (keys, publishers, position notes), so
:func:`squeeze` then deflates each one against a dictionary of the layer's own features (zlib's
preset dictionary): a few dozen bytes each.  :func:`unpack` gives the whole dict back, every
field in the model's order, as a new dict each call (a few microseconds), so nobody can change
another reader's copy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import cache

import orjson
from pydantic_core import PydanticUndefined

from atlas.heap import own_size
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
    return own_size(orjson.dumps({k: v for k, v in props.items()
                                  if k not in defaults or v != defaults[k]}))


DICTIONARY_BYTES = 32 * 1024
"""The most a preset dictionary can hold (zlib's window)."""
DICTIONARY_SAMPLE = 256
"""How many of a layer's features, evenly spread, its dictionary is made of."""


def squeeze(packed: Sequence[bytes]) -> tuple[bytes, list[bytes]]:
    """A layer's :func:`pack` outputs deflated against a dictionary made of the layer's own
    features: (the dictionary, each feature deflated).  :func:`unpack` reads them with it."""
    step = max(1, len(packed) // DICTIONARY_SAMPLE)
    dictionary = b"".join(packed[::step])[-DICTIONARY_BYTES:]  # zlib: the likeliest last
    primed = zlib.compressobj(6, zlib.DEFLATED, -15, 4, zlib.Z_DEFAULT_STRATEGY, dictionary)

    def one(item: bytes) -> bytes:
        deflate = primed.copy()  # a copy of the primed state: 8 µs, not 50 to prime again
        return deflate.compress(item) + deflate.flush()

    return dictionary, list(map(one, packed))


def _inflated(packed: bytes, dictionary: bytes | None) -> bytes:
    """The JSON of ``packed``: deflated against ``dictionary`` (:func:`squeeze`), or as is."""
    return packed if dictionary is None else zlib.decompressobj(-15, dictionary).decompress(packed)


def unpack(layer: Layer, packed: bytes, dictionary: bytes | None = None) -> dict:
    """The properties :func:`pack` was given: every field of the layer's model, in order
    (``dictionary``: the one :func:`squeeze` deflated ``packed`` with)."""
    given = orjson.loads(_inflated(packed, dictionary))
    props = _defaults(layer).copy()
    for name, default in _fresh(layer).items():  # no two readers share a list
        if name not in given:
            props[name] = [] if default == b"[]" else orjson.loads(default)
    props.update(given)
    return props


def columns(layer: Layer, packed: Sequence[bytes], names: Sequence[str],
            dictionary: bytes | None = None) -> dict[str, list]:
    """The values of the fields ``names`` of many packed features (of one layer, deflated with
    ``dictionary`` if given), a list per field in the features' order: defaults where left out,
    lists as tuples, and equal values one shared object (at 100 000 features, a kind or status
    string per feature would cost megabytes)."""
    defaults = _defaults(layer)
    fields = [(name, defaults[name]) for name in names]
    shared: dict = {}

    def one(value):
        value = tuple(value) if type(value) is list else value
        return shared.setdefault((type(value), value), value)  # 1, 1.0 and True stay apart

    rows = [[one(given.get(name, default)) for name, default in fields]
            for given in (orjson.loads(_inflated(p, dictionary)) for p in packed)]
    return {name: [row[i] for row in rows] for i, (name, _) in enumerate(fields)}
