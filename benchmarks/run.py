"""`make bench`: measure the atlas's hot paths against a naive baseline in the same run.

Prints median milliseconds per call; nothing here asserts a timing.  Each row
pairs what the atlas does with the obvious alternative it replaced, on the
shipped data and on a synthetic atlas whose incubators layer holds 20,000
points (``BENCH_N`` to change it):

* page: the cached Folium shell vs. building a Folium map on every request;
* nearest / within: the engine's vectorised metric queries on spatial indexes
  vs. a Python loop over every feature;
* OGC items (first page, deep offset, bbox) and one item: the served page vs. the naive way
  (sort every id, filter every geometry, build each feature); the served features are kept
  written as JSON, so the page of 1 000 is also measured on pages never served before;
* the atlas page's data without a filter: the counts, the list's head and (beyond 10 000
  matches) the server's clusters of the city view, vs. every matched feature as JSON (what
  the page received before it clustered on the server);
* filter: no baseline.

Before the rows, a fresh server process is started twice on each data set — once validating
the data, once from the validated snapshot the first start wrote (:mod:`atlas.snapshot`) —
with the seconds to import, load and warm the caches, the resident memory after loading and
after warming, and from those the memory per feature.

The atlas's ``GET`` rows include the HTTP round trip through the test client; the baselines
are the bare computation, so on tiny data they look faster than they are.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import Point

import coverage as coverage_bench
from atlas import snapshot
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
    """Baseline: every id sorted and (for a bbox) every geometry tested, on each request, and
    each feature of the page built from its properties."""
    frame = atlas.frames[Layer.incubators]
    mask = frame.intersects(shapely.box(*bbox)).to_numpy() if bbox else np.ones(len(frame), bool)
    ids = np.sort(frame.index.to_numpy(dtype=str)[mask])[offset:offset + limit]
    page = {"type": "FeatureCollection", "features": [atlas.entities[i].feature() for i in ids]}
    return json.dumps(page, ensure_ascii=False).encode()


def one_item(atlas, feature_id: str) -> bytes:
    """Baseline: find the feature by looking at every incubator's id, then write it."""
    found = next(i for i in atlas.frames[Layer.incubators].index.tolist() if i == feature_id)
    return json.dumps(atlas.entities[found].feature(), ensure_ascii=False).encode()


def every_feature(atlas) -> bytes:
    """Every listed entity as the map's GeoJSON feature, serialised."""
    return orjson.dumps([build_map_feature(atlas, e, "zh") for e in listed_in_order(atlas)])


def measure(label: str, settings: Settings, repeat: int) -> list[tuple[str, float, float | None]]:
    client = TestClient(create_app(settings))
    atlas = client.app.state.live.current()
    for thread in threading.enumerate():  # steady state: the caches built at load are ready
        if thread.name == "atlas-warm":
            thread.join()
    circle = Point(LON, LAT).buffer(0.01)

    def page_uncached():
        map_shell.cache_clear()
        client.get("/")

    n = sum(len(f) for f in atlas.frames.values())
    print(f"\n{label}: {n} features, data version {atlas.version}")
    items = "/ogc/collections/incubators/items"
    deep = len(atlas.frames[Layer.incubators]) // 2
    first = atlas.frames[Layer.incubators].index[0]
    box = (LON - 0.005, LAT - 0.005, LON + 0.005, LAT + 0.005)
    # pages whose features were not written yet (at scale)
    fresh = itertools.cycle(range(1000, len(atlas.frames[Layer.incubators]), 1000) or [0])
    return [
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
        ("… limit=1000, never served before", median_ms(lambda: client.get(
            f"{items}?limit=1000&offset={next(fresh)}"), repeat),
         median_ms(lambda: naive_page(atlas, 0, 1000), repeat)),
        ("GET items offset=n/2 limit=100", median_ms(
            lambda: client.get(f"{items}?offset={deep}&limit=100"), repeat),
         median_ms(lambda: naive_page(atlas, deep, 100), repeat)),
        ("GET items bbox≈1 km² limit=100", median_ms(
            lambda: client.get(f"{items}?bbox={','.join(map(str, box))}&limit=100"), repeat),
         median_ms(lambda: naive_page(atlas, 0, 100, box), repeat)),
        ("GET one item", median_ms(lambda: client.get(f"{items}/{first}"), repeat),
         median_ms(lambda: one_item(atlas, first), repeat)),
    ]


def report(rows) -> None:
    print(f"{'what':<32}{'atlas ms':>10}{'baseline ms':>13}{'speed-up':>10}")
    for name, ours, base in rows:
        extra = f"{base:>13.2f}{base / ours:>9.1f}x" if base else f"{'-':>13}{'-':>10}"
        print(f"{name:<32}{ours:>10.2f}{extra}")


STARTUP = """
import json, sys, threading, time
started = time.perf_counter()
from atlas.config import Settings
from atlas.web.app import create_app
imported = time.perf_counter()
app = create_app(Settings(data_dir=sys.argv[1], tiles="none"))
loaded = time.perf_counter()
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) / 1024 for l in status if l.startswith("VmRSS"))
after_load = rss()
for thread in threading.enumerate():
    if thread.name == "atlas-warm":
        thread.join()
print(json.dumps({"import": imported - started, "load": loaded - imported, "warm":
                  time.perf_counter() - loaded, "rss_load": after_load, "rss_warm": rss()}))
"""
"""A server process's start, as `make run` would do it: import, load, and the caches built in
the background; seconds and resident memory (MiB)."""


def startup(folder: Path) -> dict:
    """:data:`STARTUP` in a fresh Python process on the layers in ``folder``."""
    out = subprocess.run([sys.executable, "-c", STARTUP, str(folder)], check=True,
                         capture_output=True, text=True, cwd=Path(__file__).parent.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_startup(label: str, folder: Path, features: int, shipped: dict | None) -> dict:
    """Start a server process on ``folder`` twice: once validating the data (its snapshot
    removed first) and once from the validated snapshot the first start wrote."""
    shutil.rmtree(snapshot.folder(Settings(data_dir=folder)), ignore_errors=True)
    cold, again = startup(folder), startup(folder)
    print(f"\nstartup, {label} ({features:,} features), a fresh process each")
    print(f"{'start':<28}{'import s':>9}{'load s':>8}{'total s':>8}{'warm s':>8}"
          f"{'RSS loaded':>11}{'RSS warm':>9}")
    for name, run in (("validating the data", cold), ("from the validated snapshot", again)):
        print(f"{name:<28}{run['import']:>9.2f}{run['load']:>8.2f}"
              f"{run['import'] + run['load']:>8.2f}{run['warm']:>8.2f}"
              f"{run['rss_load']:>11.0f}{run['rss_warm']:>9.0f}")
    if shipped:
        per = (again["rss_warm"] - shipped["rss_warm"]) * 2**20 / max(features - shipped["n"], 1)
        print(f"memory per feature (RSS warm, beyond the shipped data's): {per:,.0f} bytes")
    return {**again, "n": features}


def main() -> None:
    shipped_dir = Settings().data_dir
    shipped = report_startup("shipped data", shipped_dir, count_features(shipped_dir), None)
    report(measure("shipped data", Settings(tiles="none"), repeat=50))
    coverage_bench.run(create_app(Settings(tiles="none")).state.live.current())
    n = int(os.environ.get("BENCH_N", "20000"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "geo"
        write_synthetic_data(folder, n)
        report_startup(f"synthetic: {n} incubators", folder, count_features(folder), shipped)
        report(measure(f"synthetic: {n} incubators", Settings(data_dir=folder, tiles="none"),
                       repeat=10))


def count_features(folder: Path) -> int:
    """How many features the layers in ``folder`` hold."""
    return sum(len(orjson.loads(path.read_bytes())["features"]) for path in folder.glob("*.geojson"))


if __name__ == "__main__":
    main()
