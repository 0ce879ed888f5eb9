"""Failed-login limits: a sliding window per (client IP, name) and per IP, in bounded memory.

At most ``per_name`` failures per (IP, name) and ``per_ip`` per IP within ``window`` seconds;
beyond that a login is refused (429, ``Retry-After``) without checking the password.  Keys
live in an LRU of at most ``max_keys`` entries, so a flood of names cannot exhaust memory.
Names are compared case-folded, so changing case does not buy more attempts.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class LoginLimiter:
    """Counts failed logins and says when the next attempt is allowed."""

    def __init__(self, per_name: int = 5, per_ip: int = 20, window: float = 300.0,
                 max_keys: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.per_name, self.per_ip, self.window = per_name, per_ip, window
        self.max_keys, self.clock = max_keys, clock
        self._failures: OrderedDict[tuple, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(ip: str, name: str) -> tuple[tuple, tuple]:
        return ("ip", ip), ("name", ip, name.strip().casefold()[:64])

    def _recent(self, key: tuple, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        self._failures.move_to_end(key)
        return times

    def retry_after(self, ip: str, name: str) -> int:
        """Seconds until a login for ``name`` from ``ip`` may be tried; 0 if it may be now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key, limit in zip(self._keys(ip, name), (self.per_ip, self.per_name)):
                times = self._recent(key, now)
                if times is not None and len(times) >= limit:
                    wait = max(wait, times[-limit] + self.window - now)
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def failed(self, ip: str, name: str) -> None:
        """Count a failed login."""
        now = self.clock()
        with self._lock:
            for key in self._keys(ip, name):
                times = self._recent(key, now)
                if times is None:
                    times = self._failures[key] = deque(maxlen=max(self.per_ip, self.per_name))
                times.append(now)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)

    def succeeded(self, ip: str, name: str) -> None:
        """Forget the (IP, name) failures after a good login (the IP's count stays)."""
        with self._lock:
            self._failures.pop(self._keys(ip, name)[1], None)

    def __len__(self) -> int:
        return len(self._failures)
