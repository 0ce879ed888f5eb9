"""The default storage: one ``<layer>.geojson`` file per layer in a folder."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from atlas.vocab import Layer


class StorageError(Exception):
    """A layer is missing or is not readable JSON."""


class GeoJSONStorage:
    """Layers as UTF-8 GeoJSON files in ``folder``; writes replace files atomically."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def path(self, layer: Layer) -> Path:
        return self.folder / f"{Layer(layer).value}.geojson"

    def read_layer(self, layer: Layer) -> dict:
        path = self.path(layer)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise StorageError(f"{path}: layer file is missing") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StorageError(f"{path}: not valid UTF-8 JSON ({exc})") from exc

    def write_layer(self, layer: Layer, collection: dict) -> None:
        path = self.path(layer)
        text = json.dumps(collection, ensure_ascii=False, indent=1) + "\n"
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def version(self) -> str:
        digest = hashlib.sha256()
        for layer in Layer:
            path = self.path(layer)
            digest.update(layer.value.encode())
            digest.update(path.read_bytes() if path.exists() else b"<missing>")
        return digest.hexdigest()[:12]
