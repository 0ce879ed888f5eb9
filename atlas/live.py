"""The atlas a server answers from, kept current with its storage.

Every request asks :meth:`LiveAtlas.current`; at most every ``check_every`` seconds that
compares the storage's version (one small read) with the loaded one and, when another
process or a person editing the files has changed the data, loads it again.  A write in this
process calls :meth:`LiveAtlas.reload` at once.  Every derived cache lives on the
:class:`~atlas.engine.Atlas` object, so a new version never serves an old answer; the ones
the atlas page and the search need first are built in the background as soon as a version
is loaded (:func:`warm`), so the first visitor does not wait for them.
"""

from __future__ import annotations

import logging
import threading
import time

from atlas.config import Settings
from atlas.engine import Atlas, collection_paused
from atlas.filters import facet_index
from atlas.heap import keep_releasing, limit_arenas, release_freed_memory
from atlas.maps.clustering import point_table
from atlas.storage import Storage

log = logging.getLogger("atlas")


class LiveAtlas:
    """The loaded atlas of ``storage``, reloaded when its version moves."""

    def __init__(self, storage: Storage, settings: Settings, check_every: float = 0.5):
        self.storage, self.settings, self.check_every = storage, settings, check_every
        self._lock = threading.Lock()
        limit_arenas()  # before the server's threads start
        keep_releasing()
        self._atlas = Atlas.load(storage, settings)  # raises InvalidDataError: refuse to start
        release_freed_memory()
        self._checked = time.monotonic()
        start_warming(self._atlas)

    def current(self) -> Atlas:
        """The atlas for the storage's current version (checked at most every ``check_every`` s)."""
        if time.monotonic() - self._checked >= self.check_every:
            self._checked = time.monotonic()
            if self.storage.version() != self._atlas.version:
                self.reload()
        return self._atlas

    def reload(self) -> Atlas:
        """Load the data again now (after a write); on data that fails validation — e.g. a
        file being edited by hand — keep answering from the last good version and log why."""
        with self._lock:
            version = self.storage.version()
            if version == self._atlas.version:
                return self._atlas
            try:
                self._atlas = Atlas.load(self.storage, self.settings)
                release_freed_memory()
                start_warming(self._atlas)
            except Exception as exc:  # invalid or half-edited data: never take the server down
                log.error("data version %s not loaded, still serving %s:\n%s", version,
                          self._atlas.version, exc)
            return self._atlas


def warm(atlas: Atlas) -> None:
    """Build what the atlas page's first requests and the first search would otherwise wait
    for: the facet index, the map's point table and the search index (100 000 features:
    about 2 s)."""
    with collection_paused():
        facet_index(atlas)
        point_table(atlas)
        atlas.search_index()
    release_freed_memory()


def start_warming(atlas: Atlas) -> None:
    """Run :func:`warm` in a daemon thread (a request needing a structure first builds it
    itself; both builds give the same value)."""
    threading.Thread(target=warm, args=(atlas,), name="atlas-warm", daemon=True).start()
