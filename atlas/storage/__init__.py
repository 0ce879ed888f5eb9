"""Storage: the only code that reads or writes the layers' bytes.

Everything else asks a :class:`Storage` for a layer as a GeoJSON
FeatureCollection (a dict), so a PostGIS implementation can sit behind the
same interface later.
"""

from __future__ import annotations

from typing import Protocol

from atlas.vocab import Layer


class Storage(Protocol):
    """Read and (atomically) write the atlas's layers."""

    def read_layer(self, layer: Layer) -> dict:
        """The layer as an RFC 7946 FeatureCollection."""

    def write_layer(self, layer: Layer, collection: dict) -> None:
        """Replace the layer, all or nothing."""

    def version(self) -> str:
        """A short hash that changes whenever any layer changes."""
