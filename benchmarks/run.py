"""`make bench`: measure the atlas's hot paths against a naive baseline in the same run.

Prints a table of median milliseconds per call; nothing here asserts a timing.
Each row pairs what the atlas does with the obvious alternative it replaced:

* page: the cached Folium shell vs. building a Folium map on every request;
* nearest: the engine's vectorised metric distances vs. a Python loop over features;
* filter: /api/entities for a facet filter (no baseline: it is what the page calls).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from fastapi.testclient import TestClient

from atlas.config import Settings
from atlas.maps.render import map_shell
from atlas.vocab import POINT_LAYERS
from atlas.web.app import create_app


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    settings = Settings(tiles="none")
    app = create_app(settings)
    client = TestClient(app)
    atlas = app.state.atlas
    lon, lat = 118.5330, 24.7660

    def page_uncached():
        map_shell.cache_clear()
        client.get("/")

    def nearest_loop():
        point = atlas.to_metric_point(lon, lat)
        pairs = [(geom.distance(point), fid) for layer in POINT_LAYERS
                 for fid, geom in atlas.metric[layer].geometry.items()]
        return sorted(pairs)[:5]

    rows = [
        ("GET / (atlas page)", median_ms(lambda: client.get("/"), 50), median_ms(page_uncached, 50)),
        ("nearest k=5", median_ms(lambda: atlas.nearest(lon, lat, 5), 200), median_ms(nearest_loop, 200)),
        ("GET /api/entities?industry=…", median_ms(lambda: client.get("/api/entities?industry=integrated_circuits"), 100), None),
        ("GET /platforms/{id} (profile)", median_ms(lambda: client.get("/platforms/clfi-jinjiang"), 50), None),
    ]
    print(f"data version {atlas.version}; {sum(len(f) for f in atlas.frames.values())} features")
    print(f"{'what':<34}{'atlas ms':>10}{'baseline ms':>13}{'speed-up':>10}")
    for name, ours, base in rows:
        extra = f"{base:>13.2f}{base / ours:>9.1f}x" if base else f"{'-':>13}{'-':>10}"
        print(f"{name:<34}{ours:>10.2f}{extra}")


if __name__ == "__main__":
    main()
