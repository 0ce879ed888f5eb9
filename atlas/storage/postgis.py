"""Layers in PostgreSQL + PostGIS, for several servers (processes, machines) sharing one database.

Behaves as :class:`atlas.storage.geojson.GeoJSONStorage` does — same dicts, same ETags, same
commit numbers, same history — with the database doing the hard parts:

- each feature is stored as the exact JSON text the atlas wrote (a ``json`` column keeps the
  text as is), so it reads back as the same dict, key order and float spelling included;
  ``properties`` (jsonb) and ``geom`` (PostGIS geometry, GIST-indexed) are generated from it
  for SQL queries and are never read back (schema: ``migrations/versions/0001_initial.py``);
- a transaction is a database transaction holding ``pg_advisory_xact_lock(WRITE_LOCK)``, so
  writers on any machine take turns, and either all of a commit is written or none of it;
- ``version()`` reads one row of ``meta`` (a token changed by a trigger in every transaction
  that writes ``features``/``layers`` — hand edits in psql too — and by every commit);
- a layer or all layers are read with one SELECT each: one statement sees one snapshot, so a
  commit is never seen half-applied.

Connections come from a small pool (``pool_size`` kept idle, more opened when needed);
a pooled connection the server dropped is replaced once, transparently.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from functools import partial
from typing import TypeVar

import psycopg
import psycopg.conninfo
from psycopg import errors, pq
from psycopg.types.json import Json

from atlas.enquiries.model import Enquiry
from atlas.storage import Change, Commit, Correction, changed_layers
from atlas.storage.geojson import StorageError
from atlas.vocab import Layer

# Advisory lock keys: "atlas" in ASCII (0x61746c6173) followed by one byte per purpose.
WRITE_LOCK = 0x61746C617301
CORRECTIONS_LOCK = 0x61746C617302
MIGRATE_LOCK = 0x61746C617303  # taken by migrations/env.py while migrating

T = TypeVar("T")

_dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
_NO_SCHEMA = "the database has no atlas schema: run `atlas db init`, then `atlas db load`"

_READ_LAYERS = """
    SELECT l.layer, l.collection,
           coalesce((SELECT json_agg(f.feature ORDER BY f.position)
                       FROM features f WHERE f.layer = l.layer), '[]'::json)
      FROM layers l
"""


def _json(value: object) -> Json:
    return Json(value, dumps=_dumps)


def _fid(feature: dict) -> object:
    """The id :func:`atlas.storage.apply_changes` matches a feature by."""
    return feature.get("id", feature.get("properties", {}).get("id"))


def _canonical(feature: dict | None) -> str:
    return json.dumps(feature, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _iso(time: dt.datetime) -> str:
    return time.astimezone(dt.UTC).isoformat()


class _Pool:
    """A few idle connections kept for reuse, one borrower at a time each (thread safe)."""

    def __init__(self, url: str, size: int):
        self.url = url
        self.size = size
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._inherited: list[psycopg.Connection] = []
        given = psycopg.conninfo.conninfo_to_dict(url)
        self._defaults = {key: value for key, value in
                          {"application_name": "jinjiang-atlas", "connect_timeout": 10}.items()
                          if key not in given}

    def take(self) -> tuple[psycopg.Connection, bool]:
        """A connection in autocommit mode, and whether it was reused (may be stale)."""
        with self._lock:
            if os.getpid() != self._pid:  # forked: the parent's sockets are not ours to use,
                self._inherited += self._idle  # nor to close (that would end its sessions)
                self._idle, self._pid = [], os.getpid()
            while self._idle:
                conn = self._idle.pop()
                if not conn.closed:
                    return conn, True
        return psycopg.connect(self.url, autocommit=True, **self._defaults), False

    def give(self, conn: psycopg.Connection) -> None:
        healthy = (not conn.closed and not conn.broken
                   and conn.info.transaction_status == pq.TransactionStatus.IDLE)
        with self._lock:
            if os.getpid() != self._pid:  # taken before a fork: the parent's, leave it open
                self._inherited.append(conn)
                return
            if healthy and len(self._idle) < self.size:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class PostGISStorage:
    """The atlas in the PostgreSQL database at ``url`` (``postgresql://…``, any libpq URL)."""

    def __init__(self, url: str, pool_size: int = 4):
        self.url = url
        self._pool = _Pool(url, pool_size)

    def close(self) -> None:
        """Close the idle pooled connections (the storage stays usable)."""
        self._pool.close()

    # ------------------------------------------------------------------ connections
    def _run(self, work: Callable[[psycopg.Connection], T], keep: bool = False) -> T:
        """``work(conn)`` on a pooled connection; retried once on a fresh one if the pooled
        one turns out dead (the server restarted, a proxy dropped it). With ``keep`` the
        caller gets the connection as the result and gives it back itself."""
        for attempt in (1, 2):
            conn, reused = self._pool.take()
            try:
                result = work(conn)
            except psycopg.OperationalError:
                if conn.broken or conn.closed:
                    conn.close()
                    if reused and attempt == 1:
                        continue
                else:
                    self._pool.give(conn)
                raise
            except errors.UndefinedTable as exc:
                self._pool.give(conn)
                raise StorageError(_NO_SCHEMA) from exc
            except BaseException:
                self._pool.give(conn)
                raise
            if not keep:
                self._pool.give(conn)
            return result
        raise AssertionError("unreachable")

    @contextmanager
    def _locked(self, key: int) -> Iterator[psycopg.Connection]:
        """A transaction holding the advisory lock ``key``: committed if the block ends
        normally, rolled back otherwise (and by the server if this process dies)."""
        conn = self._run(partial(self._begin, key=key), keep=True)
        ok = False
        try:
            yield conn
            ok = True
        except errors.UndefinedTable as exc:
            raise StorageError(_NO_SCHEMA) from exc
        finally:
            try:
                if ok:
                    conn.execute("COMMIT")
                elif not conn.closed and not conn.broken:
                    try:
                        conn.execute("ROLLBACK")
                    except psycopg.Error:
                        conn.close()
            finally:
                self._pool.give(conn)

    @staticmethod
    def _begin(conn: psycopg.Connection, key: int) -> psycopg.Connection:
        try:
            conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({int(key)})")
        except BaseException:
            if not conn.closed and not conn.broken:
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    conn.close()
            raise
        return conn

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _read_layer(conn: psycopg.Connection, layer: Layer) -> dict:
        row = conn.execute(_READ_LAYERS + " WHERE l.layer = %s",
                           (Layer(layer).value,)).fetchone()
        if row is None:
            raise StorageError(f"layer {Layer(layer).value}: not in the database "
                               f"(run `atlas db load`)")
        return {**row[1], "features": row[2]}

    def read_layer(self, layer: Layer) -> dict:
        return self._run(lambda conn: self._read_layer(conn, layer))

    def read_all(self) -> dict[Layer, dict]:
        """Every layer from one SELECT: one snapshot, never a commit half-applied."""
        rows = self._run(lambda conn: conn.execute(_READ_LAYERS).fetchall())
        found = {name: {**collection, "features": features}
                 for name, collection, features in rows}
        missing = [layer.value for layer in Layer if layer.value not in found]
        if missing:
            raise StorageError(f"layer {missing[0]}: not in the database (run `atlas db load`)")
        return {layer: found[layer.value] for layer in Layer}

    def version(self) -> str:
        row = self._run(lambda conn: conn.execute(
            "SELECT value FROM meta WHERE key = 'version'").fetchone())
        if row is None:
            raise StorageError(_NO_SCHEMA)
        return row[0]

    # ------------------------------------------------------------------ writing
    @contextmanager
    def transaction(self) -> Iterator[_PgTransaction]:
        with self._locked(WRITE_LOCK) as conn:
            yield _PgTransaction(conn)

    def load(self, collections: dict[Layer, dict], author: str, message: str) -> Commit:
        """Replace every layer with ``collections`` (as read from the files: same order, same
        members), recorded as one commit whose changes are the features that differ."""
        with self.transaction() as tx:
            return tx.replace_all(collections, author, message)

    # ------------------------------------------------------------------ history
    @staticmethod
    def _commit(row: tuple) -> Commit:
        number, author, time, message, undoes, changes = row
        return Commit(number, author, _iso(time), message,
                      tuple(Change.from_json(c) for c in changes), undoes)

    _COMMIT_COLUMNS = "number, author, time, message, undoes, changes"

    def history(self, entity_id: str | None = None, limit: int = 100) -> list[Commit]:
        where = "" if entity_id is None else " WHERE entity_ids @> ARRAY[%(id)s]::text[]"
        sql = f"SELECT {self._COMMIT_COLUMNS} FROM commits{where} ORDER BY number DESC"
        if limit >= 0:
            sql += " LIMIT %(limit)s"
        rows = self._run(lambda conn: conn.execute(
            sql, {"id": entity_id, "limit": limit}).fetchall())
        commits = [self._commit(row) for row in rows]
        return commits if limit >= 0 else commits[:limit]  # a negative limit slices, as a list does

    def commit_by_number(self, number: int) -> Commit | None:
        if not isinstance(number, int) or not -(2**63) <= number < 2**63:
            return None  # (the files answer None for any number they do not hold)
        row = self._run(lambda conn: conn.execute(
            f"SELECT {self._COMMIT_COLUMNS} FROM commits WHERE number = %s",
            (number,)).fetchone())
        return self._commit(row) if row else None

    # ------------------------------------------------------------------ corrections
    _CORRECTION_COLUMNS = ("number, entity_id, time, message, lon, lat, contact, status, "
                           "decided_by, decided_at, commit, extra")

    def corrections(self, status: str | None = None) -> list[Correction]:
        where = "" if status is None else " WHERE status = %s"
        rows = self._run(lambda conn: conn.execute(
            f"SELECT {self._CORRECTION_COLUMNS} FROM corrections{where} ORDER BY number DESC",
            () if status is None else (status,)).fetchall())
        return [Correction(*row) for row in rows]

    @staticmethod
    def _correction_values(correction: Correction) -> dict:
        values = asdict(correction)
        values["extra"] = _json(values["extra"])
        return values

    def add_correction(self, correction: Correction) -> Correction:
        with self._locked(CORRECTIONS_LOCK) as conn:
            number = conn.execute(
                "SELECT coalesce(max(number), 0) + 1 FROM corrections").fetchone()[0]
            stored = replace(correction, number=number)
            conn.execute(
                f"INSERT INTO corrections ({self._CORRECTION_COLUMNS}) VALUES "
                "(%(number)s, %(entity_id)s, %(time)s, %(message)s, %(lon)s, %(lat)s, "
                "%(contact)s, %(status)s, %(decided_by)s, %(decided_at)s, %(commit)s, "
                "%(extra)s)", self._correction_values(stored))
            return stored

    def update_correction(self, correction: Correction) -> None:
        with self._locked(CORRECTIONS_LOCK) as conn:
            conn.execute(
                "UPDATE corrections SET entity_id = %(entity_id)s, time = %(time)s, "
                "message = %(message)s, lon = %(lon)s, lat = %(lat)s, contact = %(contact)s, "
                "status = %(status)s, decided_by = %(decided_by)s, "
                "decided_at = %(decided_at)s, commit = %(commit)s, extra = %(extra)s "
                "WHERE number = %(number)s", self._correction_values(correction))

    # ------------------------------------------------------------------ enquiries
    # (schema: migrations/versions/0002_enquiries_usage.py; numbers from an identity column,
    # never reused; times are timestamptz, read back as the ISO text the files keep)
    _ENQUIRY_FIELDS = ("time", "name", "organisation", "contact", "need", "entity_id", "link",
                       "lang", "consent", "status", "assignee", "notes", "updated_by", "updated_at")

    @classmethod
    def _enquiry(cls, row: tuple) -> Enquiry:
        values = dict(zip(("number", *cls._ENQUIRY_FIELDS), row))
        values["time"] = _iso(values["time"])
        values["updated_at"] = _iso(values["updated_at"]) if values["updated_at"] else ""
        return Enquiry(**values)

    @staticmethod
    def _enquiry_values(enquiry: Enquiry) -> dict:
        values = enquiry.model_dump()
        values["time"] = dt.datetime.fromisoformat(values["time"])
        values["updated_at"] = dt.datetime.fromisoformat(values["updated_at"]) \
            if values["updated_at"] else None
        return values

    def enquiries(self, status: str | None = None) -> list[Enquiry]:
        """Enquiries, newest first (only those with ``status`` when given)."""
        where = "" if status is None else " WHERE status = %s"
        rows = self._run(lambda conn: conn.execute(
            f"SELECT number, {', '.join(self._ENQUIRY_FIELDS)} FROM enquiries{where} "
            "ORDER BY number DESC", () if status is None else (status,)).fetchall())
        return [self._enquiry(row) for row in rows]

    def add_enquiry(self, enquiry: Enquiry) -> Enquiry:
        """Store a new enquiry, numbered here (numbers are never reused, even after a purge)."""
        columns = ", ".join(self._ENQUIRY_FIELDS)
        params = ", ".join(f"%({name})s" for name in self._ENQUIRY_FIELDS)
        row = self._run(lambda conn: conn.execute(
            f"INSERT INTO enquiries ({columns}) VALUES ({params}) RETURNING number",
            self._enquiry_values(enquiry)).fetchone())
        return enquiry.model_copy(update={"number": row[0]})

    def update_enquiry(self, enquiry: Enquiry) -> bool:
        """Replace the enquiry with the same number; False if there is none (purged, deleted)."""
        assignments = ", ".join(f"{name} = %({name})s" for name in self._ENQUIRY_FIELDS)
        changed = self._run(lambda conn: conn.execute(
            f"UPDATE enquiries SET {assignments} WHERE number = %(number)s",
            self._enquiry_values(enquiry)).rowcount)
        return changed > 0

    def delete_enquiry(self, number: int) -> bool:
        """Delete one enquiry (its sender asked); False if there is none."""
        if not -(2**63) <= number < 2**63:
            return False
        return self._run(lambda conn: conn.execute(
            "DELETE FROM enquiries WHERE number = %s", (number,)).rowcount) > 0

    def delete_enquiries_before(self, time: str) -> int:
        """Delete the enquiries sent before ``time`` (ISO 8601); how many."""
        return self._run(lambda conn: conn.execute(
            "DELETE FROM enquiries WHERE time < %s", (dt.datetime.fromisoformat(time),)).rowcount)

    # ------------------------------------------------------------------ usage statistics
    def add_usage(self, counts: list[tuple[str, str, str, int]]) -> None:
        """Add ``(day, kind, key, count)`` counts to the stored ones (several servers add
        theirs; one transaction, nothing overwritten)."""
        if not counts:
            return

        def add(conn: psycopg.Connection) -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO usage_counts (day, kind, key, count) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT (day, kind, key) DO UPDATE "
                    "SET count = usage_counts.count + EXCLUDED.count",
                    [(dt.date.fromisoformat(day), kind, key, n) for day, kind, key, n in counts])
        self._run(add)

    def usage(self, since: str) -> list[tuple[str, str, str, int]]:
        """The stored ``(day, kind, key, count)`` counts of ``since`` (YYYY-MM-DD) and later."""
        rows = self._run(lambda conn: conn.execute(
            "SELECT day, kind, key, count FROM usage_counts WHERE day >= %s "
            "ORDER BY day, kind, key", (dt.date.fromisoformat(since),)).fetchall())
        return [(day.isoformat(), kind, key, n) for day, kind, key, n in rows]

    def delete_usage_before(self, day: str) -> int:
        """Delete the counts of the days before ``day`` (YYYY-MM-DD); how many days."""
        return self._run(lambda conn: conn.execute(
            "WITH gone AS (DELETE FROM usage_counts WHERE day < %s RETURNING day) "
            "SELECT count(DISTINCT day) FROM gone", (dt.date.fromisoformat(day),)).fetchone()[0])


class _PgTransaction:
    """Inside :meth:`PostGISStorage.transaction`: a database transaction holding the write lock."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.done = False

    def read_layer(self, layer: Layer) -> dict:
        return PostGISStorage._read_layer(self.conn, layer)

    def _record(self, changes: list[Change], author: str, message: str,
                undoes: int | None) -> Commit:
        if self.done:
            raise RuntimeError("one commit per transaction")
        self.done = True
        number, time = self.conn.execute(
            "SELECT coalesce(max(number), 0) + 1, date_trunc('second', statement_timestamp()) "
            "FROM commits").fetchone()
        commit = Commit(number, author, _iso(time), message, tuple(changes), undoes)
        self.conn.execute(
            "INSERT INTO commits (number, author, time, message, undoes, entity_ids, changes) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (number, author, time, message, undoes, [c.id for c in changes],
             _json([c.to_json() for c in changes])))
        # the triggers on features/layers bump it too, but a commit of no changes writes none
        self.conn.execute("UPDATE meta SET value = substr(md5(random()::text || "
                          "clock_timestamp()::text), 1, 12) WHERE key = 'version'; "
                          "SELECT set_config('atlas.version_bumped', 'yes', true)")
        return commit

    def commit(self, changes: list[Change], author: str, message: str,
               undoes: int | None = None) -> Commit:
        commit = self._record(changes, author, message, undoes)
        for layer in changed_layers(changes):
            self._apply(layer, [c for c in changes if c.layer == layer])
        return commit

    def _apply(self, layer: Layer, changes: list[Change]) -> None:
        """What :func:`atlas.storage.apply_changes` does to the file, row by row: a feature
        replaced in place (the first with its id), deleted, or added at the end."""
        name = Layer(layer).value
        if self.conn.execute("SELECT 1 FROM layers WHERE layer = %s", (name,)).fetchone() is None:
            raise StorageError(f"layer {name}: not in the database (run `atlas db load`)")
        for fid, feature in {c.id: c.after for c in changes}.items():
            row = self.conn.execute(
                "SELECT position FROM features WHERE layer = %s AND id = %s "
                "ORDER BY position LIMIT 1", (name, fid)).fetchone()
            if row is not None and feature is None:
                self.conn.execute("DELETE FROM features WHERE layer = %s AND position = %s",
                                  (name, row[0]))
            elif row is not None:
                self.conn.execute("UPDATE features SET feature = %s "
                                  "WHERE layer = %s AND position = %s",
                                  (_json(feature), name, row[0]))
            elif feature is not None:
                self.conn.execute(
                    "INSERT INTO features (layer, position, feature) VALUES (%s, "
                    "(SELECT coalesce(max(position), -1) + 1 FROM features WHERE layer = %s), %s)",
                    (name, name, _json(feature)))

    def replace_all(self, collections: dict[Layer, dict], author: str, message: str) -> Commit:
        """Every layer replaced by ``collections``; the commit records the features that differ."""
        current = {name: {**collection, "features": features}
                   for name, collection, features in self.conn.execute(_READ_LAYERS).fetchall()}
        changes = []
        for layer in Layer:
            before = {_fid(f): f for f in current.get(layer.value, {}).get("features", [])}
            after = {_fid(f): f for f in collections[layer].get("features", [])}
            for fid in [*after, *(k for k in before if k not in after)]:
                old, new = before.get(fid), after.get(fid)
                if isinstance(fid, str) and _canonical(old) != _canonical(new):
                    changes.append(Change(layer, fid, old, new))
        commit = self._record(changes, author, message, None)
        self.conn.execute("DELETE FROM layers")  # and, cascading, the features
        with self.conn.cursor() as cur:
            cur.executemany("INSERT INTO layers (layer, collection) VALUES (%s, %s)",
                            [(layer.value, _json({**collections[layer], "features": []}))
                             for layer in Layer])
            with cur.copy("COPY features (layer, position, feature) FROM STDIN") as copy:
                for layer in Layer:
                    for i, feature in enumerate(collections[layer].get("features", [])):
                        copy.write_row((layer.value, i, _dumps(feature)))
        return commit
