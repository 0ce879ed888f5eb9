"""Storage: the only code that reads or writes the layers' bytes (or rows).

Everything else asks a :class:`Storage` for a layer as a GeoJSON FeatureCollection (a dict).
Writes go through a :class:`Transaction`: exclusive across processes and machines, all or
nothing, and recorded in the history as one :class:`Commit` (who, when, what, before/after).
Two implementations: :mod:`atlas.storage.geojson` (files in ``data/geo/``, the default) and
:mod:`atlas.storage.postgis` (PostgreSQL + PostGIS, for several servers sharing one database).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Protocol

from atlas.enquiries.model import Enquiry
from atlas.vocab import Layer


@dataclass(frozen=True)
class Change:
    """One feature written or deleted: ``before`` None = created, ``after`` None = deleted."""

    layer: Layer
    id: str
    before: dict | None
    after: dict | None

    def to_json(self) -> dict:
        return {"layer": Layer(self.layer).value, "id": self.id, "before": self.before,
                "after": self.after}

    @classmethod
    def from_json(cls, data: dict) -> Change:
        return cls(Layer(data["layer"]), data["id"], data["before"], data["after"])


@dataclass(frozen=True)
class Commit:
    """One recorded write: numbered from 1, in order, never rewritten."""

    number: int
    author: str
    time: str
    """UTC, ISO 8601."""
    message: str
    changes: tuple[Change, ...]
    undoes: int | None = None
    """The commit this one reverts, if it is an undo."""

    def to_json(self) -> dict:
        data = asdict(self)
        data["changes"] = [c.to_json() for c in self.changes]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Commit:
        return cls(data["number"], data["author"], data["time"], data["message"],
                   tuple(Change.from_json(c) for c in data["changes"]), data.get("undoes"))


@dataclass(frozen=True)
class Correction:
    """A correction reported by the public, waiting for an editor (``status`` pending,
    accepted or rejected)."""

    number: int
    entity_id: str
    time: str
    message: str
    lon: float | None = None
    lat: float | None = None
    contact: str = ""
    status: str = "pending"
    decided_by: str = ""
    decided_at: str = ""
    commit: int | None = None
    """The commit that applied it, when accepted."""
    extra: dict = field(default_factory=dict)


class Transaction(Protocol):
    """An exclusive write session (see :meth:`Storage.transaction`)."""

    def read_layer(self, layer: Layer) -> dict:
        """The layer as it is now, inside the transaction."""

    def commit(self, changes: list[Change], author: str, message: str,
               undoes: int | None = None) -> Commit:
        """Write ``changes`` and record them as the next commit (once per transaction)."""


class Storage(Protocol):
    """Read layers; write them in transactions; keep the history and the public's corrections."""

    def read_layer(self, layer: Layer) -> dict:
        """The layer as an RFC 7946 FeatureCollection."""

    def read_all(self) -> dict[Layer, dict]:
        """Every layer as one consistent snapshot (never a commit half-applied)."""

    def version(self) -> str:
        """A short string that changes whenever any layer changes (by any process)."""

    def transaction(self) -> AbstractContextManager[Transaction]:
        """An exclusive write session, across processes: nothing is written unless
        :meth:`Transaction.commit` is called and the block ends without an exception."""

    def history(self, entity_id: str | None = None, limit: int = 100) -> list[Commit]:
        """Commits touching ``entity_id`` (all when None), newest first."""

    def commit_by_number(self, number: int) -> Commit | None:
        """One commit, or None."""

    def add_correction(self, correction: Correction) -> Correction:
        """Store a new correction (its number is assigned here)."""

    def corrections(self, status: str | None = None) -> list[Correction]:
        """Corrections, newest first (only those with ``status`` when given)."""

    def update_correction(self, correction: Correction) -> None:
        """Replace a correction (same number) — an editor's decision."""

    def add_enquiry(self, enquiry: Enquiry) -> Enquiry:
        """Store an investor's enquiry (its number is assigned here, never reused)."""

    def enquiries(self, status: str | None = None) -> list[Enquiry]:
        """Enquiries, newest first (only those with ``status`` when given)."""

    def update_enquiry(self, enquiry: Enquiry) -> bool:
        """Replace an enquiry (same number) — staff's status, assignee, notes; False if gone."""

    def delete_enquiry(self, number: int) -> bool:
        """Delete one enquiry; False if there is none."""

    def delete_enquiries_before(self, time: str) -> int:
        """Delete the enquiries sent before ``time`` (ISO 8601) — the retention purge; how many."""

    def add_usage(self, counts: list[tuple[str, str, str, int]]) -> None:
        """Add ``(day, kind, key, count)`` usage counts to the stored ones."""

    def usage(self, since: str) -> list[tuple[str, str, str, int]]:
        """The usage counts of the days from ``since`` (YYYY-MM-DD) on."""

    def delete_usage_before(self, day: str) -> int:
        """Delete the usage counts of the days before ``day``; how many days."""


def etag(feature: dict | None) -> str:
    """A feature's entity tag: a hash of its canonical JSON (quoted, as HTTP wants it)."""
    text = json.dumps(feature, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:20] + '"'


def apply_changes(collection: dict, changes: list[Change]) -> dict:
    """``collection`` with ``changes`` to its layer applied (replaced in place, new ones at the
    end, deleted ones removed); the input is not modified."""
    after = {c.id: c.after for c in changes}
    features = []
    for feature in collection.get("features", []):
        fid = feature.get("id", feature.get("properties", {}).get("id"))
        if fid in after:
            if after[fid] is not None:
                features.append(after.pop(fid))
            else:
                after.pop(fid)
        else:
            features.append(feature)
    features.extend(f for f in after.values() if f is not None)
    return {**collection, "features": features}


def changed_layers(changes: list[Change]) -> Iterator[Layer]:
    """The layers ``changes`` touch, each once, in layer order."""
    touched = {Layer(c.layer) for c in changes}
    return (layer for layer in Layer if layer in touched)
