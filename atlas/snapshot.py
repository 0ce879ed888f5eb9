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

Beside it lives the pinyin of every run of Chinese characters the search index last met
(:func:`read_pinyin`), so a restart builds the search index without loading pypinyin's
dictionaries (58 MB of memory for the life of the process).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path

import numpy as np
import orjson
import shapely
from shapely.geometry.base import BaseGeometry

from atlas.config import REPO_ROOT, Settings
from atlas.membership import Membership
from atlas.vocab import Layer

log = logging.getLogger("atlas")

Checked = dict[Layer, list[tuple[bytes, BaseGeometry]]]
"""Per layer, each feature's packed properties and geometry (validation's ``Report.checked``)."""

SUFFIX = ".snapshot.npz"
PINYIN_FILE = "pinyin.json"


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


@dataclass(frozen=True)
class Snapshot:
    """What a load of one version produced."""

    checked: Checked
    dictionaries: dict[Layer, bytes]
    """Per layer, the dictionary its packed properties were squeezed with (:mod:`atlas.packed`)."""
    columns: dict[Layer, dict[str, list]] | None = None
    """Each layer's frame columns (``atlas.engine.FRAME_FIELDS``), in feature order (None:
    fresh from validation, not built yet)."""
    members: dict[Layer, list[Membership | None]] | None = None
    """Each feature's membership, in feature order (None: it has none), with ``columns``."""


def read(settings: Settings, snapshot_key: str) -> Snapshot | None:
    """The snapshot with that key, or None (none, or unreadable: then validate)."""
    path = folder(settings) / f"{snapshot_key}{SUFFIX}"
    try:
        with np.load(path, allow_pickle=False) as arrays:
            checked = {layer: _unjoin(arrays, layer) for layer in Layer}
            dictionaries = {layer: arrays[f"{layer.value}_dictionary"].tobytes() for layer in Layer}
            names = orjson.loads(arrays["built"].tobytes())
            return Snapshot(checked, dictionaries,
                            {layer: {n: _decoded(arrays, f"{layer.value}_{n}")
                                     for n in names[layer.value]} for layer in Layer},
                            {layer: _memberships(arrays, layer) for layer in Layer})
    except FileNotFoundError:
        return None
    except Exception as exc:  # a truncated or foreign file: validate instead
        log.warning("snapshot %s not used: %s", path, exc)
        return None


def write(settings: Settings, snapshot_key: str, snapshot: Snapshot) -> None:
    """Keep ``snapshot`` (built: with its columns and members) under ``snapshot_key``
    (atomically), and drop older snapshots.  A folder that cannot be written (read-only data)
    only costs the next start its work."""
    where = folder(settings)
    try:
        where.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for layer, features in snapshot.checked.items():
            arrays.update(_joined(f"{layer.value}_props", [packed for packed, _ in features]))
            arrays.update(_joined(f"{layer.value}_wkb",
                                  list(shapely.to_wkb([g for _, g in features]))))
            arrays[f"{layer.value}_dictionary"] = np.frombuffer(snapshot.dictionaries[layer],
                                                                np.uint8)
        for layer, columns in snapshot.columns.items():
            for name, values in columns.items():
                arrays.update(_encoded(f"{layer.value}_{name}", values))
            arrays.update(_encoded(f"{layer.value}_members", [
                None if m is None else (m.town, m.zones, m.parks, m.in_corridor, m.located)
                for m in snapshot.members[layer]]))
        arrays["built"] = np.frombuffer(orjson.dumps(
            {layer.value: list(columns) for layer, columns in snapshot.columns.items()}), np.uint8)
        handle, temporary = tempfile.mkstemp(dir=where, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, **arrays)
        os.replace(temporary, where / f"{snapshot_key}{SUFFIX}")
        for old in where.glob(f"*{SUFFIX}"):
            if old.name != f"{snapshot_key}{SUFFIX}":
                old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("snapshot not written to %s: %s", where, exc)


def read_pinyin(settings: Settings) -> dict[str, list[str]]:
    """The runs of Chinese characters converted before, with their syllables (empty when none
    were kept, or by another version of pypinyin)."""
    try:
        kept = json.loads((folder(settings) / PINYIN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(kept, dict) or kept.get("pypinyin") != package_version("pypinyin"):
        return {}
    return kept.get("runs") or {}


def write_pinyin(settings: Settings, runs: dict[str, list[str]]) -> None:
    """Keep ``runs`` (atomically) for the next build of the search index."""
    where = folder(settings)
    try:
        where.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=where, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"pypinyin": package_version("pypinyin"), "runs": runs}, out,
                      ensure_ascii=False)
        os.replace(temporary, where / PINYIN_FILE)
    except OSError as exc:
        log.warning("pinyin not kept in %s: %s", where, exc)


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


def _encoded(name: str, values: list) -> dict[str, np.ndarray]:
    """A column as its distinct values (JSON; a missing float, NaN, as null) and a code per row."""
    codes: dict = {}
    numbers = np.fromiter((codes.setdefault(
        None if isinstance(v, float) and v != v else v, len(codes)) for v in values),
        np.int32, len(values))
    return {f"{name}_codes": numbers,
            f"{name}_values": np.frombuffer(orjson.dumps(list(codes)), np.uint8)}


def _decoded(arrays, name: str) -> list:
    """A column :func:`_encoded` wrote: lists back as tuples, equal values one object."""
    values = [tuple(v) if isinstance(v, list) else v
              for v in orjson.loads(arrays[f"{name}_values"].tobytes())]
    distinct = np.empty(len(values), dtype=object)
    distinct[:] = values
    return distinct[arrays[f"{name}_codes"]].tolist()


def _memberships(arrays, layer: Layer) -> list[Membership | None]:
    """A layer's memberships: one object per distinct membership, as the engine shares them."""
    name = f"{layer.value}_members"
    distinct = [None if row is None else Membership(row[0], tuple(row[1]), tuple(row[2]), *row[3:])
                for row in orjson.loads(arrays[f"{name}_values"].tobytes())]
    return [distinct[code] for code in arrays[f"{name}_codes"].tolist()]
