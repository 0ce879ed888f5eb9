"""The default storage: one ``<layer>.geojson`` file per layer in a folder.

Writes never lose data:

- a transaction holds an exclusive ``flock`` on ``.atlas/lock`` (so writers in several
  processes take turns) and readers of a whole snapshot hold it shared;
- a commit is first appended to ``.atlas/history.jsonl`` (one JSON line, fsync'd) with every
  changed feature's before and after, then each changed layer file is replaced atomically
  (temp file, fsync, rename, fsync of the folder), then ``.atlas/version`` is bumped;
- on the next transaction (or load), a commit whose line is complete but whose files were not
  all written — a crash in between — is redone from its line; a half-written line (a crash
  while appending, so never acknowledged) is cut off.

The ``.atlas`` folder is made on the first write; a read-only deployment never needs it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

import orjson

from atlas.enquiries.model import Enquiry
from atlas.storage import Change, Commit, Correction, apply_changes, changed_layers
from atlas.vocab import Layer


class StorageError(Exception):
    """A layer is missing or is not readable JSON."""


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` all or nothing: temp file, fsync, rename, fsync folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _dump(collection: dict) -> str:
    return json.dumps(collection, ensure_ascii=False, indent=1) + "\n"


def now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class GeoJSONStorage:
    """Layers as UTF-8 GeoJSON files in ``folder``; history and corrections in ``folder/.atlas``."""

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.meta = self.folder / ".atlas"

    def path(self, layer: Layer) -> Path:
        return self.folder / f"{Layer(layer).value}.geojson"

    # ------------------------------------------------------------------ reading
    def read_layer(self, layer: Layer) -> dict:
        path = self.path(layer)
        try:
            return orjson.loads(path.read_bytes())  # C: ~4x json.loads on big layers
        except FileNotFoundError as exc:
            raise StorageError(f"{path}: layer file is missing") from exc
        except IsADirectoryError as exc:
            raise StorageError(f"{path}: is a folder, not a layer file") from exc
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise StorageError(f"{path}: not valid UTF-8 JSON ({exc})") from exc

    def read_all(self) -> dict[Layer, dict]:
        """Every layer as one consistent snapshot (no commit half-applied)."""
        with self._locked(fcntl.LOCK_SH, create=False):
            return {layer: self.read_layer(layer) for layer in Layer}

    def version(self) -> str:
        digest = hashlib.sha256()
        version_file = self.meta / "version"
        digest.update(version_file.read_bytes() if version_file.exists() else b"0")
        for layer in Layer:  # hand edits of the files count too
            try:
                stat = self.path(layer).stat()
                digest.update(f"{layer.value}:{stat.st_mtime_ns}:{stat.st_size}".encode())
            except OSError:
                digest.update(f"{layer.value}:missing".encode())
        return digest.hexdigest()[:12]

    # ------------------------------------------------------------------ writing
    @contextmanager
    def _locked(self, mode: int, create: bool = True) -> Iterator[None]:
        lock = self.meta / "lock"
        if not lock.exists() and not create:
            yield  # no writer has ever run here: nothing to wait for
            return
        self.meta.mkdir(exist_ok=True)
        with open(lock, "a+b") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def transaction(self) -> Iterator[_FileTransaction]:
        with self._locked(fcntl.LOCK_EX):
            self._recover()
            yield _FileTransaction(self)

    def _write_commit(self, commit: Commit) -> None:
        for layer in changed_layers(list(commit.changes)):
            mine = [c for c in commit.changes if c.layer == layer]
            atomic_write(self.path(layer), _dump(apply_changes(self.read_layer(layer), mine)))
        atomic_write(self.meta / "version", f"{commit.number}\n")

    def _recover(self) -> None:
        """Cut a half-written last history line; redo a complete last commit not yet in the
        files; remove temporary files a killed writer left (none is being written: we hold the lock)."""
        for stale in (*self.folder.glob(".*.tmp"), *self.meta.glob(".*.tmp")):
            stale.unlink(missing_ok=True)
        path = self.meta / "history.jsonl"
        if not path.exists():
            return
        data = path.read_bytes()
        if data and not data.endswith(b"\n"):  # crashed while appending: never acknowledged
            keep = data.rfind(b"\n") + 1
            with open(path, "r+b") as handle:
                handle.truncate(keep)
                os.fsync(handle.fileno())
            data = data[:keep]
        last = self._last_commit(data)
        if last is not None and not self._applied(last):
            self._write_commit(last)

    def _applied(self, commit: Commit) -> bool:
        for layer in changed_layers(list(commit.changes)):
            features = {f.get("id"): f for f in self.read_layer(layer).get("features", [])}
            for change in commit.changes:
                if change.layer == layer and features.get(change.id) != change.after:
                    return False
        return True

    @staticmethod
    def _last_commit(data: bytes) -> Commit | None:
        lines = data.rstrip(b"\n").rsplit(b"\n", 1)
        return Commit.from_json(json.loads(lines[-1])) if lines[-1] else None

    def _append(self, commit: Commit) -> None:
        line = json.dumps(commit.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
        with open(self.meta / "history.jsonl", "ab") as handle:
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())

    # ------------------------------------------------------------------ history
    def _commits(self) -> list[Commit]:
        path = self.meta / "history.jsonl"
        if not path.exists():
            return []
        lines = path.read_bytes().split(b"\n")
        return [Commit.from_json(json.loads(line)) for line in lines[:-1] if line]

    def history(self, entity_id: str | None = None, limit: int = 100) -> list[Commit]:
        commits = [c for c in reversed(self._commits())
                   if entity_id is None or any(ch.id == entity_id for ch in c.changes)]
        return commits[:limit]

    def commit_by_number(self, number: int) -> Commit | None:
        return next((c for c in self._commits() if c.number == number), None)

    # ------------------------------------------------------------------ corrections
    def _corrections_path(self) -> Path:
        return self.meta / "corrections.json"

    def corrections(self, status: str | None = None) -> list[Correction]:
        path = self._corrections_path()
        items = ([Correction(**c) for c in json.loads(path.read_text(encoding="utf-8"))]
                 if path.exists() else [])
        return [c for c in reversed(items) if status is None or c.status == status]

    def _save_corrections(self, items: list[Correction]) -> None:
        atomic_write(self._corrections_path(),
                     json.dumps([asdict(c) for c in items], ensure_ascii=False, indent=1) + "\n")

    def add_correction(self, correction: Correction) -> Correction:
        with self._locked(fcntl.LOCK_EX):
            items = list(reversed(self.corrections()))
            stored = replace(correction, number=max((c.number for c in items), default=0) + 1)
            self._save_corrections([*items, stored])
            return stored

    def update_correction(self, correction: Correction) -> None:
        with self._locked(fcntl.LOCK_EX):
            items = [correction if c.number == correction.number else c
                     for c in reversed(self.corrections())]
            self._save_corrections(items)

    # ------------------------------------------------------------------ enquiries
    # .atlas/enquiries.json: {"next": the next number (never reused), "enquiries": [oldest first]}
    def _enquiries_path(self) -> Path:
        return self.meta / "enquiries.json"

    def _read_enquiries(self) -> tuple[int, list[Enquiry]]:
        path = self._enquiries_path()
        if not path.exists():
            return 1, []
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["next"], [Enquiry(**e) for e in data["enquiries"]]

    def _save_enquiries(self, next_number: int, items: list[Enquiry]) -> None:
        atomic_write(self._enquiries_path(), json.dumps(
            {"next": next_number, "enquiries": [e.model_dump() for e in items]},
            ensure_ascii=False, indent=1) + "\n")

    def enquiries(self, status: str | None = None) -> list[Enquiry]:
        """Enquiries, newest first (only those with ``status`` when given)."""
        return [e for e in reversed(self._read_enquiries()[1]) if status is None or e.status == status]

    def add_enquiry(self, enquiry: Enquiry) -> Enquiry:
        """Store a new enquiry, numbered here (numbers are never reused, even after a purge)."""
        with self._locked(fcntl.LOCK_EX):
            number, items = self._read_enquiries()
            stored = enquiry.model_copy(update={"number": number})
            self._save_enquiries(number + 1, [*items, stored])
            return stored

    def update_enquiry(self, enquiry: Enquiry) -> bool:
        """Replace the enquiry with the same number; False if there is none (purged, deleted)."""
        with self._locked(fcntl.LOCK_EX):
            number, items = self._read_enquiries()
            if not any(e.number == enquiry.number for e in items):
                return False
            self._save_enquiries(number, [enquiry if e.number == enquiry.number else e for e in items])
            return True

    def delete_enquiry(self, number: int) -> bool:
        """Delete one enquiry (its sender asked); False if there is none."""
        with self._locked(fcntl.LOCK_EX):
            next_number, items = self._read_enquiries()
            kept = [e for e in items if e.number != number]
            if len(kept) == len(items):
                return False
            self._save_enquiries(next_number, kept)
            return True

    def delete_enquiries_before(self, time: str) -> int:
        """Delete the enquiries sent before ``time`` (ISO 8601); how many."""
        if not self._enquiries_path().exists():
            return 0
        limit = dt.datetime.fromisoformat(time)
        with self._locked(fcntl.LOCK_EX):
            number, items = self._read_enquiries()
            kept = [e for e in items if dt.datetime.fromisoformat(e.time) >= limit]
            if len(kept) < len(items):
                self._save_enquiries(number, kept)
            return len(items) - len(kept)

    # ------------------------------------------------------------------ usage statistics
    # .atlas/usage.json: {"days": {"2026-01-31": {"view": {"<entity id>": 3}, "filter": …}}}
    def _usage_path(self) -> Path:
        return self.meta / "usage.json"

    def _read_usage(self) -> dict[str, dict[str, dict[str, int]]]:
        path = self._usage_path()
        return json.loads(path.read_text(encoding="utf-8"))["days"] if path.exists() else {}

    def add_usage(self, counts: list[tuple[str, str, str, int]]) -> None:
        """Add ``(day, kind, key, count)`` counts to the stored ones (several processes add
        theirs; nothing is overwritten)."""
        if not counts:
            return
        with self._locked(fcntl.LOCK_EX):
            days = self._read_usage()
            for day, kind, key, n in counts:
                by_key = days.setdefault(day, {}).setdefault(kind, {})
                by_key[key] = by_key.get(key, 0) + n
            atomic_write(self._usage_path(), json.dumps(
                {"days": dict(sorted(days.items()))}, ensure_ascii=False, indent=1) + "\n")

    def usage(self, since: str) -> list[tuple[str, str, str, int]]:
        """The stored ``(day, kind, key, count)`` counts of ``since`` (YYYY-MM-DD) and later."""
        return [(day, kind, key, n) for day, kinds in sorted(self._read_usage().items())
                if day >= since for kind, by_key in kinds.items() for key, n in by_key.items()]

    def delete_usage_before(self, day: str) -> int:
        """Delete the counts of the days before ``day`` (YYYY-MM-DD); how many days."""
        if not self._usage_path().exists():
            return 0
        with self._locked(fcntl.LOCK_EX):
            days = self._read_usage()
            kept = {d: kinds for d, kinds in days.items() if d >= day}
            if len(kept) < len(days):
                atomic_write(self._usage_path(), json.dumps(
                    {"days": dict(sorted(kept.items()))}, ensure_ascii=False, indent=1) + "\n")
            return len(days) - len(kept)


class _FileTransaction:
    """Inside :meth:`GeoJSONStorage.transaction`: the lock is held."""

    def __init__(self, storage: GeoJSONStorage):
        self.storage = storage
        self.done = False

    def read_layer(self, layer: Layer) -> dict:
        return self.storage.read_layer(layer)

    def commit(self, changes: list[Change], author: str, message: str,
               undoes: int | None = None) -> Commit:
        if self.done:
            raise RuntimeError("one commit per transaction")
        self.done = True
        last = self.storage._last_commit((self.storage.meta / "history.jsonl").read_bytes()
                                         if (self.storage.meta / "history.jsonl").exists() else b"")
        commit = Commit((last.number if last else 0) + 1, author, now(), message, tuple(changes),
                        undoes)
        self.storage._append(commit)  # first the intent, durable; then the files
        self.storage._write_commit(commit)
        return commit
