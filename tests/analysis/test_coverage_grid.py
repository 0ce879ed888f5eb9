"""Exact coverage areas on the shipped atlas against an independent dense-grid estimate.

The estimate never touches the catchment polygons: a grid point is covered when its true
distance (``shapely.distance``) to the nearest facility geometry is at most the radius, and it
counts for a unit when it lies inside the unit.  Each unit gets its own grid, 100 m apart or
finer so that every unit has at least ~40 000 points, and the two must agree within 1 % of
the unit's area.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from atlas.analysis import coverage
from atlas.analysis.facilities import FacilitySet
from atlas.analysis.units import Unit, units
from atlas.vocab import Layer

RADIUS = 3_000.0
MAX_STEP = 100.0
MIN_POINTS = 40_000
TOLERANCE = 0.01  # of the unit's area


def grid_estimate(unit: Unit, reach_from: BaseGeometry, radius: float) -> tuple[float, float]:
    """(covered km², unit km²) counted on a square grid over ``unit``."""
    minx, miny, maxx, maxy = unit.geometry.bounds
    step = min(MAX_STEP, float(np.sqrt(unit.geometry.area / MIN_POINTS)))
    xs = np.arange(minx + step / 2, maxx, step)
    ys = np.arange(miny + step / 2, maxy, step)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    shapely.prepare(unit.geometry)
    inside = shapely.contains_xy(unit.geometry, gx, gy)
    gx, gy = gx[inside], gy[inside]
    near = shapely.distance(shapely.points(gx, gy), reach_from) <= radius
    cell = step * step / 1e6
    return near.sum() * cell, inside.sum() * cell


def sampled_units(atlas) -> list[Unit]:
    """The city, several towns, both zones and the corridor band."""
    chosen = {"city", "qingyang", "meiling", "anhai", "jinjing", "yinglin", "xibin",
              "corridor-band", *atlas.metric[Layer.zones].index}
    found = [u for u in units(atlas) if u.id in chosen]
    assert {u.id for u in found} == chosen, "the shipped data lost a unit these tests sample"
    return found


def check(atlas, facility_set: FacilitySet, radius: float) -> list[tuple[str, float, float]]:
    result = coverage.analyse(atlas, facility_set, radius)
    reach_from = shapely.union_all(facility_set.geometries)
    compared = []
    for unit in sampled_units(atlas):
        estimate, grid_area = grid_estimate(unit, reach_from, radius)
        exact = result.row(unit.id).covered_km2
        # the grid also measures the unit itself: a sanity check of the estimator
        assert grid_area == pytest.approx(unit.area_km2, rel=0, abs=TOLERANCE * unit.area_km2)
        assert exact == pytest.approx(estimate, rel=0, abs=TOLERANCE * unit.area_km2), unit.id
        compared.append((unit.id, exact, estimate))
    return compared


def test_platforms_and_incubators_at_3_km(shipped, carriers):
    assert len(carriers.facilities) >= 10
    compared = check(shipped, carriers, RADIUS)
    # not a vacuous comparison: the city is partly covered, partly not
    city = next(c for c in compared if c[0] == "city")
    assert 0.1 * shapely.area(shipped.city) / 1e6 < city[1] < 0.9 * shapely.area(shipped.city) / 1e6


def test_parks_measured_from_their_edge_at_3_km(shipped, parks):
    assert all(f.geometry.geom_type in ("Polygon", "MultiPolygon") for f in parks.facilities)
    check(shipped, parks, RADIUS)
    # a park's catchment reaches further than one drawn from its centroid would
    result = coverage.analyse(shipped, parks, RADIUS)
    centroids = FacilitySet(tuple(
        type(f)(f.id, f.name, f.geometry.centroid) for f in parks.facilities))
    assert result.row("city").covered_km2 > \
        coverage.analyse(shipped, centroids, RADIUS).row("city").covered_km2


def test_platforms_and_incubators_at_1_km(shipped, carriers):
    check(shipped, carriers, 1_000.0)


def test_overlap_against_a_grid_count_of_points_reached_twice(shipped, carriers):
    """The overlap is the part of the city two or more catchments reach (true distances)."""
    result = coverage.analyse(shipped, carriers, RADIUS)
    city = next(u for u in units(shipped) if u.id == "city")
    minx, miny, maxx, maxy = city.geometry.bounds
    step = MAX_STEP
    gx, gy = (a.ravel() for a in np.meshgrid(np.arange(minx + step / 2, maxx, step),
                                             np.arange(miny + step / 2, maxy, step)))
    inside = shapely.contains_xy(city.geometry, gx, gy)
    points = shapely.points(gx[inside], gy[inside])
    tree = shapely.STRtree(carriers.geometries)
    which, _ = tree.query(points, predicate="dwithin", distance=RADIUS)
    reached = np.bincount(which, minlength=len(points))
    estimate = (reached >= 2).sum() * step * step / 1e6
    assert result.row("city").overlap_km2 == pytest.approx(
        estimate, rel=0, abs=TOLERANCE * city.area_km2)
    # and the covered share by the same count
    assert result.row("city").covered_km2 == pytest.approx(
        (reached >= 1).sum() * step * step / 1e6, rel=0, abs=TOLERANCE * city.area_km2)
