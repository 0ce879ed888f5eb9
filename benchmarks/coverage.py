"""Coverage at scale: 1,000,000 weighted demand points × 1,000 facilities (``make bench``).

The atlas's way (:func:`atlas.analysis.coverage.analyse`): dissolve the catchments once,
then a prepared point-in-polygon test for every point (GEOS, vectorised), per unit.  Beside
it in the same run, two naive baselines for the city-wide figure: the brute-force distance
from every point to every facility (NumPy, in chunks) and a Python loop (timed on a sample
and scaled up).  Prints seconds; asserts nothing.
"""

from __future__ import annotations

import os
import time

import numpy as np
import shapely

from atlas.analysis import coverage
from atlas.analysis.demand import Demand
from atlas.analysis.facilities import Facility, FacilitySet
from atlas.vocab import Label

RADIUS_M = 1_000.0


def random_points_in(area, n: int, rng) -> np.ndarray:
    """``n`` uniform random metric points inside ``area``."""
    minx, miny, maxx, maxy = area.bounds
    found = np.empty((0, 2))
    shapely.prepare(area)
    while len(found) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(n, 2))
        found = np.vstack([found, xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]])
    return found[:n]


def brute_force(points: np.ndarray, facilities: np.ndarray, radius: float, chunk: int = 20_000
                ) -> np.ndarray:
    """Baseline: every point's distance to every facility, chunk by chunk."""
    covered = np.zeros(len(points), dtype=bool)
    for start in range(0, len(points), chunk):
        part = points[start:start + chunk]
        d2 = ((part[:, None, :] - facilities[None, :, :]) ** 2).sum(axis=2)
        covered[start:start + chunk] = (d2 <= radius * radius).any(axis=1)
    return covered


def python_loop(points: np.ndarray, facilities: np.ndarray, radius: float) -> np.ndarray:
    """Baseline: a Python loop over points and facilities."""
    r2 = radius * radius
    return np.array([any((x - fx) ** 2 + (y - fy) ** 2 <= r2 for fx, fy in facilities)
                     for x, y in points])


def run(atlas) -> None:
    n_points = int(os.environ.get("BENCH_DEMAND", "1000000"))
    n_fac = int(os.environ.get("BENCH_FACILITIES", "1000"))
    rng = np.random.default_rng(7)
    points = random_points_in(atlas.city, n_points, rng)
    fac_xy = random_points_in(atlas.city, n_fac, rng)
    facilities = FacilitySet(tuple(Facility(f"f{i}", Label("设施", "facility"), shapely.Point(x, y))
                                   for i, (x, y) in enumerate(fac_xy)))
    demand = Demand("points", xy=points, weights=np.ones(len(points)))
    print(f"\ncoverage: {n_points:,} demand points × {n_fac:,} facilities, radius {RADIUS_M:.0f} m")

    start = time.perf_counter()
    result = coverage.analyse(atlas, facilities, RADIUS_M, demand)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    city = coverage.covered_points(points, result.catchment)
    city_only = time.perf_counter() - start

    start = time.perf_counter()
    naive = brute_force(points, fac_xy, RADIUS_M)
    brute = time.perf_counter() - start
    sample = min(2_000, n_points)
    start = time.perf_counter()
    loop = python_loop(points[:sample], fac_xy, RADIUS_M)
    looped = (time.perf_counter() - start) * n_points / sample

    agree = (city == naive).mean() * 100
    print(f"{'what':<58}{'seconds':>10}")
    print(f"{'atlas: every unit (city, 19 towns, zones, band) + overlap':<58}{ours:>10.2f}")
    print(f"{'atlas: city-wide share only (catchment ready)':<58}{city_only:>10.2f}")
    print(f"{'baseline: NumPy brute force, all point-facility pairs':<58}{brute:>10.2f}")
    print(f"{'baseline: Python loop (scaled from ' + format(sample, ',') + ' points)':<58}"
          f"{looped:>10.1f}")
    print(f"city covered: atlas {result.row('city').covered_pct:.2f} % of demand; brute force "
          f"{naive.mean() * 100:.2f} %; points agreeing {agree:.3f} % (64-gon vs true circle); "
          f"loop sample agrees: {bool((loop == naive[:sample]).all())}")
