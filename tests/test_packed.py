"""Packed properties (atlas/packed.py): what an entity keeps in memory gives back exactly what
validation wrote, for every feature of every shipped layer."""

from __future__ import annotations

import orjson
import pytest
import shapely

from atlas.config import Settings
from atlas.engine import Atlas
from atlas.model import LAYER_MODELS
from atlas.packed import pack, squeeze, unpack
from atlas.testing import synthetic_incubators
from atlas.storage import Storage
from atlas.vocab import Layer


@pytest.fixture
def atlas(storage: Storage, settings: Settings) -> Atlas:
    return Atlas.load(storage, settings)


@pytest.mark.parametrize("layer", list(Layer), ids=lambda layer: layer.value)
def test_every_feature_unpacks_to_what_its_model_writes(atlas: Atlas, layer: Layer) -> None:
    entities = [e for e in atlas.entities.values() if e.layer == layer]
    assert entities
    for e in entities:
        written = LAYER_MODELS[layer].model_validate(e.props).model_dump(mode="json")
        assert e.props == written
        assert list(e.props) == list(written)  # field order too: exports and OGC keep it


def test_defaults_are_left_out_and_come_back_fresh(atlas: Atlas) -> None:
    e = atlas.entity("sanchuang-incubator")
    props = e.props
    plain = pack(e.layer, props)
    assert len(plain) < len(orjson.dumps(props)) and unpack(e.layer, plain) == props
    assert b"space_lab_m2" not in plain and props["space_lab_m2"] is None
    props["industries"].append("changed")
    props["aliases"].append("changed")
    assert "changed" not in e.props["industries"] and "changed" not in e.props["aliases"]
    assert unpack(e.layer, pack(e.layer, props))["aliases"][-1] == "changed"


def test_a_layer_is_squeezed_against_a_dictionary_of_its_own_features(atlas: Atlas) -> None:
    for layer in Layer:
        entities = [e for e in atlas.entities.values() if e.layer == layer]
        plain = [pack(layer, e.props) for e in entities]
        assert all(e.dictionary is not None for e in entities)
        assert sum(len(e.packed) for e in entities) < sum(map(len, plain)), layer


def test_squeezing_many_like_features_keeps_each_one_exactly(atlas: Atlas) -> None:
    layer = Layer.incubators
    city = shapely.union_all(atlas.frames[Layer.boundary].geometry.array)
    features = synthetic_incubators(city, 3000)
    model = LAYER_MODELS[layer]
    plain = [pack(layer, model.model_validate(f["properties"]).model_dump(mode="json"))
             for f in features]
    dictionary, squeezed = squeeze(plain)
    assert len(dictionary) <= 32 * 1024
    assert sum(map(len, squeezed)) * 5 < sum(map(len, plain))  # synthetic: ~20×; real: less
    for i in range(0, len(plain), 7):
        assert unpack(layer, squeezed[i], dictionary) == unpack(layer, plain[i])
    assert squeeze([]) == (b"", [])
