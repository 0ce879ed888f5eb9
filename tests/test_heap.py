"""The C heap of a server process (atlas/heap.py): freed memory really goes back to the
operating system, the release thread starts once, and what is kept is kept at its own size."""

from __future__ import annotations

import threading
import tracemalloc

import orjson
import pytest

from atlas import heap

pytestmark = pytest.mark.skipif(heap._libc() is None, reason="glibc's allocator only")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6


def test_freed_memory_goes_back_to_the_system() -> None:
    blocks = [bytes(100_000) + bytes([i % 256]) for i in range(1500)]  # 150 MB in the heap
    last = blocks[-1]  # still in use, above the rest: glibc cannot trim the top by itself
    del blocks
    before = rss_mb()
    heap.release_freed_memory()
    assert rss_mb() < before - 100, (before, rss_mb())
    assert last[-1] == 1499 % 256


def test_the_release_thread_starts_once() -> None:
    heap.keep_releasing()
    heap.keep_releasing()
    assert [t.name for t in threading.enumerate()].count("atlas-heap") == 1


def test_kept_bytes_have_their_own_size() -> None:
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        written = orjson.dumps({"type": "Feature", "properties": {"name": "x" * 1200}})
        after_write = tracemalloc.get_traced_memory()[0]
        kept = heap.own_size(written)
        after_copy = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept == written
    print(f"orjson's bytes: {after_write - start} B allocated for {len(written)} B")
    assert after_copy - after_write <= len(written) + 128  # a bytes header and rounding
