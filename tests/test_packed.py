"""Packed properties (atlas/packed.py): what an entity keeps in memory gives back exactly what
validation wrote, for every feature of every shipped layer."""

from __future__ import annotations

import pytest

from atlas.config import Settings
from atlas.engine import Atlas
from atlas.model import LAYER_MODELS
from atlas.packed import pack, unpack
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
    assert len(e.packed) < len(str(props))
    assert b"space_lab_m2" not in e.packed and props["space_lab_m2"] is None
    props["industries"].append("changed")
    props["aliases"].append("changed")
    assert "changed" not in e.props["industries"] and "changed" not in e.props["aliases"]
    assert unpack(e.layer, pack(e.layer, props))["aliases"][-1] == "changed"
