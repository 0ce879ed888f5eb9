"""Reading every layer from a storage in one go."""

from __future__ import annotations

from atlas.storage import Storage
from atlas.vocab import Layer


def read_collections(storage: Storage) -> dict[Layer, dict]:
    """All layers as FeatureCollections, keyed by layer, as one consistent snapshot."""
    return storage.read_all()
