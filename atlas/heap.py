"""The C heap of a server process (glibc's malloc; elsewhere every function here does nothing).

Two habits of glibc cost a Python server memory it does not use:

* it keeps what was freed: loading 100 000 features frees hundreds of megabytes of parsed
  files, which :func:`release_freed_memory` hands back to the operating system; and serving
  leaves freed holes in the heap (30 MB at 100 000 features after the first requests), which
  a server hands back every few seconds (:func:`keep_releasing`);
* it gives each thread that meets contention its own arena (up to 8 per core), each keeping its
  own freed memory: uvicorn's thread pool grew a server at 100 000 features by about 40 MB
  under load.  :func:`limit_arenas` caps them (like ``MALLOC_ARENA_MAX``), which costs
  nothing measurable here: the GIL already serialises most of the work.

And one habit of orjson: the bytes it returns keep the buffer they were written into (up to
16 kB for a 1 kB feature), so whatever is kept for long is kept as :func:`own_size` copies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
import time
from functools import cache

M_ARENA_MAX = -8
"""mallopt's parameter for the most arenas (malloc.h)."""
ARENAS = 2
"""Arenas a server keeps: the main one and one its threads share."""
RELEASE_EVERY_S = 5.0
"""How often a server hands freed memory back (a release with nothing to do: 0.05 ms)."""


@cache
def _libc() -> ctypes.CDLL | None:
    """glibc, or None (another C library: its allocator decides)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def release_freed_memory() -> None:
    """Hand the heap's freed pages back to the operating system (``malloc_trim``)."""
    if libc := _libc():
        libc.malloc_trim(0)


@cache
def keep_releasing(every_s: float = RELEASE_EVERY_S) -> None:
    """From now on, :func:`release_freed_memory` every ``every_s`` seconds in a daemon thread
    (one per process, however often this is called)."""
    def release() -> None:
        while True:
            time.sleep(every_s)
            release_freed_memory()

    threading.Thread(target=release, name="atlas-heap", daemon=True).start()


def limit_arenas(arenas: int = ARENAS) -> None:
    """Let the process's threads share at most ``arenas`` heaps (``mallopt``), from now on."""
    if libc := _libc():
        libc.mallopt(M_ARENA_MAX, arenas)


def own_size(data: bytes) -> bytes:
    """``data`` in a bytes object of its own size (orjson's keep their whole write buffer)."""
    return bytes(memoryview(data))
