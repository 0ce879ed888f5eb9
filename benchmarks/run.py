"""`make bench`: measure the atlas's hot paths against a naive baseline in the same run.

Prints median milliseconds per call; nothing here asserts a timing.  Each row
pairs what the atlas does with the obvious alternative it replaced, on the
shipped data and on a synthetic atlas whose incubators layer holds 20,000
points (``BENCH_N`` to change it):

* page: the cached Folium shell vs. building a Folium map on every request;
* nearest / within: the engine's vectorised metric queries on spatial indexes
  vs. a Python loop over every feature;
* filter, OGC page, load: no baseline, reported so regressions show.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from shapely.geometry import Point

import coverage as coverage_bench
from atlas.config import Settings
from atlas.maps.render import map_shell
from atlas.testing import write_synthetic_data
from atlas.vocab import POINT_LAYERS
from atlas.web.app import create_app

LON, LAT = 118.5330, 24.7660


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def loop_nearest(atlas, k: int):
    """Baseline: distance to every point feature in a Python loop, then sort."""
    point = atlas.to_metric_point(LON, LAT)
    pairs = [(geom.distance(point), fid) for layer in POINT_LAYERS
             for fid, geom in atlas.metric[layer].geometry.items()]
    return sorted(pairs)[:k]


def loop_within(atlas, radius_m: float):
    """Baseline: test every point feature's distance in a Python loop."""
    point = atlas.to_metric_point(LON, LAT)
    return [fid for layer in POINT_LAYERS for fid, geom in atlas.metric[layer].geometry.items()
            if geom.distance(point) <= radius_m]


def measure(label: str, settings: Settings, repeat: int) -> list[tuple[str, float, float | None]]:
    start = time.perf_counter()
    app = create_app(settings)
    load_ms = (time.perf_counter() - start) * 1000
    client = TestClient(app)
    atlas = app.state.live.current()
    circle = Point(LON, LAT).buffer(0.01)

    def page_uncached():
        map_shell.cache_clear()
        client.get("/")

    n = sum(len(f) for f in atlas.frames.values())
    print(f"\n{label}: {n} features, data version {atlas.version}")
    return [
        ("load + validate + index", load_ms, None),
        ("GET / (atlas page)", median_ms(lambda: client.get("/"), repeat),
         median_ms(page_uncached, repeat)),
        ("nearest k=5", median_ms(lambda: atlas.nearest(LON, LAT, 5), repeat),
         median_ms(lambda: loop_nearest(atlas, 5), repeat)),
        ("within 1 km", median_ms(lambda: atlas.within(Point(LON, LAT), POINT_LAYERS, 1000), repeat),
         median_ms(lambda: loop_within(atlas, 1000), repeat)),
        ("within polygon", median_ms(lambda: atlas.within(circle, POINT_LAYERS), repeat), None),
        ("GET /api/entities?industry=…", median_ms(
            lambda: client.get("/api/entities?industry=integrated_circuits&zone=kechuang-new-zone"),
            repeat), None),
        ("GET /ogc/…/items?limit=1000", median_ms(
            lambda: client.get("/ogc/collections/incubators/items?limit=1000"), repeat), None),
    ]


def report(rows) -> None:
    print(f"{'what':<32}{'atlas ms':>10}{'baseline ms':>13}{'speed-up':>10}")
    for name, ours, base in rows:
        extra = f"{base:>13.2f}{base / ours:>9.1f}x" if base else f"{'-':>13}{'-':>10}"
        print(f"{name:<32}{ours:>10.2f}{extra}")


def main() -> None:
    report(measure("shipped data", Settings(tiles="none"), repeat=50))
    coverage_bench.run(create_app(Settings(tiles="none")).state.live.current())
    n = int(os.environ.get("BENCH_N", "20000"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "geo"
        write_synthetic_data(folder, n)
        report(measure(f"synthetic: {n} incubators", Settings(data_dir=folder, tiles="none"),
                       repeat=10))


if __name__ == "__main__":
    main()
