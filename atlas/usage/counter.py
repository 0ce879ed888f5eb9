"""Counts in memory, written to the storage in batches (adding to what is stored).

A :class:`UsageCounter` holds the counts not yet written, keyed ``(day, kind, key)``; at most
:data:`MAX_PENDING` keys (a flood of distinct searches cannot grow it without bound: beyond,
counts go to the key :data:`OTHER` of their kind).  :meth:`UsageCounter.flush` hands them to
``storage.add_usage`` — which adds, so several processes never overwrite each other — and
drops the days older than :data:`KEEP_DAYS`.  If the write fails the counts are kept for the
next flush.  Counts of the last minute before a crash are lost: statistics, not records.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable

from atlas.storage import Storage

KINDS = ("view", "filter", "zero")
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
"""Days are China Standard Time days (no daylight saving), as staff count them."""

FLUSH_SECONDS = 60.0
"""Counts are written at most this long after they were made (when the next request comes)."""

MAX_PENDING = 5000
"""Distinct (day, kind, key) counts held in memory at most between two flushes."""

KEEP_DAYS = 400
"""Days of counts kept in the storage (a year, and a month to compare it with)."""

MAX_QUERY = 40
"""Characters of a search kept (after normalising)."""

MAX_KEY = 200
"""Characters of an entity id or a filter value kept."""

OTHER = "…"
"""The key that takes the counts beyond :data:`MAX_PENDING`."""

_EMAIL = re.compile(r"\S@\S")
_DIGIT = re.compile(r"\d")


def today(now: dt.datetime | None = None) -> str:
    """The day (YYYY-MM-DD, China Standard Time) of ``now`` (default: now)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).date().isoformat()


def normalise_query(query: str) -> str | None:
    """A search as counted: NFKC, lower-case, white space collapsed, at most :data:`MAX_QUERY`
    characters; None if it is empty or looks like personal data (an e-mail address, or seven
    digits or more: a phone, an ID card or a licence number)."""
    text = " ".join(unicodedata.normalize("NFKC", query).lower().split())
    if not text or _EMAIL.search(text) or len(_DIGIT.findall(text)) >= 7:
        return None
    return text[:MAX_QUERY].strip()


class UsageCounter:
    """Counts of one process, written to ``storage`` by :meth:`flush`."""

    def __init__(self, storage: Storage, flush_seconds: float = FLUSH_SECONDS,
                 max_pending: int = MAX_PENDING, clock: Callable[[], float] = time.monotonic):
        self.storage, self.flush_seconds, self.max_pending = storage, flush_seconds, max_pending
        self.clock = clock
        self._pending: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._last_flush = clock()

    def count(self, kind: str, key: str, day: str | None = None) -> None:
        """Count ``key`` of ``kind`` once (on ``day``, default today)."""
        if kind not in KINDS:
            raise ValueError(f"kind: one of {', '.join(KINDS)}")
        entry = (day or today(), kind, key[:MAX_KEY])
        with self._lock:
            if entry not in self._pending and len(self._pending) >= self.max_pending:
                entry = (entry[0], kind, OTHER)
            self._pending[entry] += 1

    def pending(self) -> dict[tuple[str, str, str], int]:
        """The counts not yet written (a copy)."""
        with self._lock:
            return dict(self._pending)

    def due(self) -> bool:
        """Whether counts are waiting and the last flush is :attr:`flush_seconds` old."""
        return bool(self._pending) and self.clock() - self._last_flush >= self.flush_seconds

    def flush(self) -> int:
        """Add the pending counts to the storage and drop the days older than
        :data:`KEEP_DAYS`; how many counts were written.  One flush at a time; if the write
        fails the counts stay pending (and the error is raised)."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, Counter()
                self._last_flush = self.clock()
            if not batch:
                return 0
            try:
                self.storage.add_usage([(day, kind, key, n) for (day, kind, key), n in
                                        sorted(batch.items())])
            except BaseException:
                with self._lock:
                    self._pending.update(batch)
                raise
            oldest = (dt.datetime.now(CHINA) - dt.timedelta(days=KEEP_DAYS)).date()
            self.storage.delete_usage_before(oldest.isoformat())
            return len(batch)
