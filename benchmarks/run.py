"""`make bench`: measure the atlas's hot paths against a naive baseline in the same run.

Prints median milliseconds per call; nothing here asserts a timing.  Each row
pairs what the atlas does with the obvious alternative it replaced, on the
shipped data and on a synthetic atlas whose incubators layer holds 20,000
points (``BENCH_N`` to change it):

* page: the cached Folium shell vs. building a Folium map on every request;
* nearest / within: the engine's vectorised metric queries on spatial indexes
  vs. a Python loop over every feature;
* OGC items (first page, deep offset, bbox) and one item: the served page vs. the naive way
  (sort every id, filter every geometry, build the page from the GeoDataFrame);
* the atlas page's data without a filter: the counts, the list's head and (beyond 10 000
  matches) the server's clusters of the city view, vs. every matched feature as JSON (what
  the page received before it clustered on the server);
* filter and load: no baseline; the load row also gives the process's RSS after loading
  (``VmRSS``), so memory per feature shows.

The atlas's ``GET`` rows include the HTTP round trip through the test client; the baselines
are the bare computation, so on tiny data they look faster than they are.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import Point

import coverage as coverage_bench
from atlas.config import Settings
from atlas.filters import listed_in_order
from atlas.maps.render import map_shell
from atlas.testing import write_synthetic_data
from atlas.vocab import POINT_LAYERS, Layer
from atlas.web.app import create_app
from atlas.web.browse import build_map_feature

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


def naive_page(atlas, offset: int, limit: int, bbox: tuple[float, ...] | None = None) -> bytes:
    """Baseline: every id sorted and (for a bbox) every geometry tested, on each request."""
    frame = atlas.frames[Layer.incubators]
    mask = frame.intersects(shapely.box(*bbox)).to_numpy() if bbox else np.ones(len(frame), bool)
    ids = np.sort(frame.index.to_numpy(dtype=str)[mask])[offset:offset + limit]
    page = frame.loc[ids].to_geo_dict(na="null", drop_id=False)
    return json.dumps(page, ensure_ascii=False).encode()


def every_feature(atlas) -> bytes:
    """Every listed entity as the map's GeoJSON feature, serialised."""
    return orjson.dumps([build_map_feature(atlas, e, "zh") for e in listed_in_order(atlas)])


def rss_mb() -> int:
    """This process's resident memory now, in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))


def measure(label: str, settings: Settings, repeat: int) -> list[tuple[str, float, float | None]]:
    before = rss_mb()
    start = time.perf_counter()
    app = create_app(settings)
    load_ms = (time.perf_counter() - start) * 1000
    gc.collect()
    grown = rss_mb() - before
    client = TestClient(app)
    atlas = app.state.live.current()
    circle = Point(LON, LAT).buffer(0.01)

    def page_uncached():
        map_shell.cache_clear()
        client.get("/")

    n = sum(len(f) for f in atlas.frames.values())
    print(f"\n{label}: {n} features, data version {atlas.version}; RSS grew {grown} MB "
          f"while loading ({grown * 2**20 // max(n, 1)} bytes per feature), now {rss_mb()} MB")
    items = "/ogc/collections/incubators/items"
    deep = len(atlas.frames[Layer.incubators]) // 2
    first = atlas.frames[Layer.incubators].index[0]
    box = (LON - 0.005, LAT - 0.005, LON + 0.005, LAT + 0.005)
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
        ("GET /api/entities (no filter)", median_ms(lambda: client.get("/api/entities"), repeat),
         median_ms(lambda: every_feature(atlas), repeat)),
        ("GET /api/clusters (city, z11)", median_ms(lambda: client.get(
            "/api/clusters?bbox=118.38,24.50,118.72,24.92&zoom=11"), repeat), None),
        ("GET /ogc/…/items?limit=100", median_ms(lambda: client.get(f"{items}?limit=100"), repeat),
         median_ms(lambda: naive_page(atlas, 0, 100), repeat)),
        ("GET /ogc/…/items?limit=1000", median_ms(lambda: client.get(f"{items}?limit=1000"),
                                                   repeat),
         median_ms(lambda: naive_page(atlas, 0, 1000), repeat)),
        ("GET items offset=n/2 limit=100", median_ms(
            lambda: client.get(f"{items}?offset={deep}&limit=100"), repeat),
         median_ms(lambda: naive_page(atlas, deep, 100), repeat)),
        ("GET items bbox≈1 km² limit=100", median_ms(
            lambda: client.get(f"{items}?bbox={','.join(map(str, box))}&limit=100"), repeat),
         median_ms(lambda: naive_page(atlas, 0, 100, box), repeat)),
        ("GET one item", median_ms(lambda: client.get(f"{items}/{first}"), repeat),
         median_ms(lambda: json.dumps(atlas.frames[Layer.incubators].loc[[first]].to_geo_dict(
             na="null", drop_id=False)), repeat)),
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
