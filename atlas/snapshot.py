"""The validated data of one version, kept on disk so a restart need not validate it again.

Validating 100 000 features takes seconds (parsing, the models, the checks); reading back what
validation produced — each feature's packed properties (:mod:`atlas.packed`) and its geometry
as WKB — takes a fraction of a second.  A snapshot is written after a version passes
validation and read when the same version is loaded again, by this or another process.

It is found by a key that changes with anything that could change validation's answer: the
storage's version (every write and every hand edit of a file moves it), the settings
validation uses, and the atlas's own code and plan files.  Anything that does not match, or
cannot be read, is ignored and the data is validated as usual; a snapshot is only a cache.
Only the newest snapshot is kept.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from functools import cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from atlas.config import REPO_ROOT, Settings
from atlas.vocab import Layer

log = logging.getLogger("atlas")

Checked = dict[Layer, list[tuple[bytes, BaseGeometry]]]
"""Per layer, each feature's packed properties and geometry (validation's ``Report.checked``)."""

SUFFIX = ".snapshot.npz"


def folder(settings: Settings) -> Path:
    """Where snapshots are kept: beside the data, in its ``.atlas`` folder."""
    return settings.data_dir / ".atlas" / "snapshots"


@cache
def _code_fingerprint() -> str:
    """A hash of the code and plan files validation and packing depend on."""
    digest = hashlib.sha256()
    for path in sorted([*(REPO_ROOT / "atlas").rglob("*.py"), *(REPO_ROOT / "data" / "plan").glob("*"),
                        *(REPO_ROOT / "data" / "research").glob("*")]):
        if path.is_file():
            digest.update(path.relative_to(REPO_ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def key(version: str, settings: Settings) -> str:
    """The snapshot key of the storage's ``version`` under ``settings``."""
    digest = hashlib.sha256()
    digest.update(f"{version}|{settings.database_url}|{settings.corridor_width_m!r}|"
                  f"{settings.coast_tolerance_m!r}|{_code_fingerprint()}".encode())
    return digest.hexdigest()[:24]


def read(settings: Settings, snapshot_key: str) -> Checked | None:
    """The snapshot with that key, or None (none, or unreadable: then validate)."""
    path = folder(settings) / f"{snapshot_key}{SUFFIX}"
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return {layer: _unjoin(arrays, layer) for layer in Layer}
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: validate instead
        log.warning("snapshot %s not used: %s", path, exc)
        return None


def write(settings: Settings, snapshot_key: str, checked: Checked) -> None:
    """Keep ``checked`` under ``snapshot_key`` (atomically), and drop older snapshots.  A folder
    that cannot be written (read-only data) only costs the next start its validation."""
    where = folder(settings)
    try:
        where.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for layer, features in checked.items():
            arrays.update(_joined(f"{layer.value}_props", [packed for packed, _ in features]))
            arrays.update(_joined(f"{layer.value}_wkb",
                                  list(shapely.to_wkb([g for _, g in features]))))
        handle, temporary = tempfile.mkstemp(dir=where, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, where / f"{snapshot_key}{SUFFIX}")
        for old in where.glob(f"*{SUFFIX}"):
            if old.name != f"{snapshot_key}{SUFFIX}":
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("snapshot not written to %s: %s", where, exc)


def _joined(name: str, items: list[bytes]) -> dict[str, np.ndarray]:
    """Byte strings as one byte array and their end offsets."""
    ends = np.cumsum([len(b) for b in items], dtype=np.int64)
    return {name: np.frombuffer(b"".join(items), np.uint8), f"{name}_ends": ends}


def _split(arrays, name: str) -> list[bytes]:
    data, ends = arrays[name].tobytes(), arrays[f"{name}_ends"].tolist()
    return [data[start:end] for start, end in zip([0, *ends[:-1]], ends)]


def _unjoin(arrays, layer: Layer) -> list[tuple[bytes, BaseGeometry]]:
    props = _split(arrays, f"{layer.value}_props")
    geoms = shapely.from_wkb(_split(arrays, f"{layer.value}_wkb")) if props else []
    return list(zip(props, geoms))
