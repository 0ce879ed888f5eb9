"""Where next (MCLP): the exact solver against brute force, the greedy report, and the shipped atlas."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from atlas.analysis import AnalysisInputError, coverage, facilities, siting
from atlas.analysis.demand import AREA, Demand
from atlas.analysis.facilities import Facility, FacilitySet, Scenario
from atlas.crs import METRIC_CRS, WGS84
from atlas.vocab import Label, Layer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pulp")  # PuLP 4.0 notices

TO_WGS84 = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def reach(demand_xy: np.ndarray, sites_xy: np.ndarray, radius: float) -> np.ndarray:
    """(n_demand, n_sites) booleans: demand point within ``radius`` of the site."""
    return np.linalg.norm(demand_xy[:, None, :] - sites_xy[None, :, :], axis=2) <= radius


def covered_weight(demand_xy, weights, sites_xy, radius) -> float:
    if len(sites_xy) == 0:
        return 0.0
    return float(weights[reach(demand_xy, sites_xy, radius).any(axis=1)].sum())


def instance(seed: int, n_demand: int = 36, n_candidates: int = 9):
    """Random demand (integer weights) and candidates in a 10 km square."""
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, 10_000, size=(n_demand, 2))
    weights = rng.integers(1, 20, size=n_demand).astype(float)
    candidates = rng.uniform(0, 10_000, size=(n_candidates, 2))
    return demand_xy, weights, candidates


def brute_force(demand_xy, weights, candidates, radius, p) -> float:
    return max(covered_weight(demand_xy, weights, candidates[list(c)], radius)
               for c in itertools.combinations(range(len(candidates)), p))


# ------------------------------------------------------------------ solve and greedy_order
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("p", [2, 3])
def test_solve_finds_the_brute_force_optimum(seed, p):
    demand_xy, weights, candidates = instance(seed)
    radius = 2_500.0
    chosen, status = siting.solve(demand_xy, weights, candidates, radius, p)
    assert status == "Optimal"
    assert len(chosen) == len(set(chosen)) == p
    assert all(0 <= j < len(candidates) for j in chosen)
    best = brute_force(demand_xy, weights, candidates, radius, p)
    # a poor choice is possible: the instance is not trivially saturated
    worst = min(covered_weight(demand_xy, weights, candidates[list(c)], radius)
                for c in itertools.combinations(range(len(candidates)), p))
    assert worst < best < weights.sum()
    assert covered_weight(demand_xy, weights, candidates[chosen], radius) == best


def test_solve_on_a_designed_instance_picks_the_heavy_clusters():
    """Three clusters 5 km apart weighing 10, 30 and 20; one candidate at each (plus decoys)."""
    centres = np.array([[0.0, 0.0], [5_000.0, 0.0], [0.0, 5_000.0]])
    offsets = np.array([[0, 0], [100, 0], [0, 100], [-100, 0], [0, -100]], dtype=float)
    demand_xy = np.vstack([c + offsets for c in centres])
    weights = np.repeat([2.0, 6.0, 4.0], len(offsets))
    candidates = np.vstack([centres, [[2_500.0, 2_500.0], [10_000.0, 10_000.0]]])
    chosen, _ = siting.solve(demand_xy, weights, candidates, 1_000.0, 2)
    assert sorted(chosen) == [1, 2]


@pytest.mark.parametrize("seed", [1, 4])
def test_greedy_order_gains_add_up_to_the_covered_weight(seed):
    demand_xy, weights, candidates = instance(seed)
    radius = 2_500.0
    sites = candidates[:4]
    order = siting.greedy_order(demand_xy, weights, sites, radius)
    assert sorted(j for j, _ in order) == [0, 1, 2, 3]
    gains = [g for _, g in order]
    assert sum(gains) == pytest.approx(covered_weight(demand_xy, weights, sites, radius))
    assert gains == sorted(gains, reverse=True)
    # each gain is what that site adds to the ones before it
    for k, (j, gain) in enumerate(order):
        before = sites[[i for i, _ in order[:k]]]
        after = sites[[i for i, _ in order[:k + 1]]]
        assert gain == pytest.approx(covered_weight(demand_xy, weights, after, radius)
                                     - covered_weight(demand_xy, weights, before, radius))
    # the first site is the single best one
    assert gains[0] == max(covered_weight(demand_xy, weights, sites[[j]], radius)
                           for j in range(len(sites)))


def test_greedy_order_does_not_change_the_weights_it_is_given():
    demand_xy, weights, candidates = instance(5)
    kept = weights.copy()
    siting.greedy_order(demand_xy, weights, candidates[:3], 2_500.0)
    assert np.array_equal(weights, kept)


# ------------------------------------------------------------------ where_next on the shipped atlas
@pytest.fixture(scope="module")
def next_two(shipped, carriers):
    return siting.where_next(shipped, carriers.geometries, AREA, 3_000.0, 2)


def test_where_next_adds_coverage_with_non_increasing_gains(shipped, next_two):
    s = next_two
    assert s.status == "Optimal" and s.p == 2 and len(s.sites) == 2
    assert s.demand_total == pytest.approx(shipped.city.area / 1e6, rel=1e-9)
    assert 0 < s.covered_before < s.covered_after <= s.demand_total
    gains = [site.gain for site in s.sites]
    assert all(g > 0 for g in gains)
    assert gains == sorted(gains, reverse=True)
    assert s.covered_after == pytest.approx(s.covered_before + sum(gains))
    assert [site.cumulative for site in s.sites] == pytest.approx(
        list(s.covered_before + np.cumsum(gains)))
    assert s.candidates > s.p and s.demand_cells > 0


def test_where_next_sites_lie_inside_the_city(shipped, next_two):
    for site in next_two.sites:
        assert shipped.city.intersects(shapely.Point(site.x, site.y)), site


def test_adding_the_suggested_sites_raises_the_exact_coverage(shipped, carriers, next_two):
    before = coverage.analyse(shipped, carriers, 3_000.0).row("city").covered_km2
    lonlat = tuple(TO_WGS84.transform(site.x, site.y) for site in next_two.sites)
    # the round trip lands back on the suggested metric positions
    for (lon, lat), site in zip(lonlat, next_two.sites):
        assert shipped.to_metric_point(lon, lat).distance(shapely.Point(site.x, site.y)) < 0.01
    more = facilities.apply(shipped, carriers, Scenario(add=lonlat))
    after = coverage.analyse(shipped, more, 3_000.0).row("city").covered_km2
    assert after > before
    # the gain on 1 km cells is close to the exact gain (cell counting is coarse)
    gained = next_two.covered_after - next_two.covered_before
    assert after - before == pytest.approx(gained, rel=0.25)
    # and each site alone adds coverage
    for ll in lonlat:
        one = facilities.apply(shipped, carriers, Scenario(add=(ll,)))
        assert coverage.analyse(shipped, one, 3_000.0).row("city").covered_km2 > before


def test_where_next_with_point_demand_picks_the_heaviest_clusters(shipped):
    """Weighted demand points at three town anchors far apart; candidates at those anchors."""
    towns = shipped.metric[Layer.towns]
    anchors = np.array([[p.x, p.y] for p in towns.geometry.representative_point()])
    # three anchors pairwise more than 6 km apart
    picked = [0]
    for i in range(1, len(anchors)):
        if all(np.linalg.norm(anchors[i] - anchors[j]) > 6_000 for j in picked):
            picked.append(i)
        if len(picked) == 3:
            break
    assert len(picked) == 3
    xy = anchors[picked]
    demand = Demand("points", xy=np.repeat(xy, 4, axis=0),
                    weights=np.repeat([10.0, 30.0, 20.0], 4))
    s = siting.where_next(shipped, [], demand, 1_000.0, 2, candidates_xy=xy)
    assert s.demand_total == pytest.approx(240.0)
    assert s.covered_before == 0
    assert [site.gain for site in s.sites] == [120.0, 80.0]
    assert [(site.x, site.y) for site in s.sites] == [tuple(xy[1]), tuple(xy[2])]
    assert s.covered_after == 200.0


def test_where_next_with_everything_covered_suggests_nothing(shipped):
    minx, miny, maxx, maxy = shipped.city.bounds  # 28 km × 43 km: corners and centre reach all
    around = [shapely.Point(x, y) for x in (minx, maxx) for y in (miny, maxy)]
    around.append(shapely.Point((minx + maxx) / 2, (miny + maxy) / 2))
    s = siting.where_next(shipped, around, AREA, 20_000.0, 1)
    assert s.sites == () and s.covered_after == s.covered_before == pytest.approx(s.demand_total)


def test_where_next_counts_demand_within_the_radius_of_an_existing_site_as_covered(shipped):
    """A demand point 2 995 m from an existing facility (radius 3 000 m) is already covered —
    as ``coverage.analyse`` says — so where_next must not count it as open demand."""
    cells, _ = siting.grid(shipped.city, siting.DEFAULT_DEMAND_CELL_M)
    inside = shapely.contains_xy(shipped.city, cells[:, 0], cells[:, 1])
    centre = cells[inside][len(cells[inside]) // 2]
    theta = math.pi / 32  # between two vertices of a 32-gon, on a vertex of the 64-gon
    existing = shapely.Point(centre - 2_995.0 * np.array([math.cos(theta), math.sin(theta)]))
    demand = Demand("points", xy=np.array([centre]), weights=np.array([5.0]))
    assert existing.distance(shapely.Point(centre)) == pytest.approx(2_995.0)
    one = FacilitySet((Facility("x", Label("现有", "existing"), existing),))
    exact = coverage.analyse(shipped, one, 3_000.0, demand)
    assert exact.row("city").demand_covered == 5.0
    far = np.array([centre + [20_000.0, 0.0], centre + [0.0, 20_000.0]])
    s = siting.where_next(shipped, [existing], demand, 3_000.0, 1, candidates_xy=far)
    assert s.covered_before == 5.0


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("kwargs, message", [
    ({"p": 0}, "p: 0"),
    ({"p": siting.MAX_P + 1}, "p:"),
    ({"p": 3, "candidates_xy": np.array([[655_000.0, 2_730_000.0], [657_000.0, 2_730_000.0]])},
     "only 2 candidate"),
    ({"radius_m": 50.0}, "radius_m"),
    ({"radius_m": 50_000.0}, "radius_m"),
    ({"candidates_xy": np.zeros((siting.MAX_CANDIDATES + 1, 2))}, "candidates"),
])
def test_where_next_refuses_bad_input(shipped, kwargs, message):
    args = {"existing": [], "demand": AREA, "radius_m": 3_000.0, "p": 2, **kwargs}
    with pytest.raises(AnalysisInputError, match=message):
        siting.where_next(shipped, **args)
