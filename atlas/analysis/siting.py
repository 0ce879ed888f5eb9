"""Where next: choose ``p`` new sites that add the most coverage — a maximal covering location
problem (MCLP, Church & ReVelle 1974) solved exactly by PySAL ``spopt`` with PuLP's bundled
CBC solver.

Demand is a grid of cells over the city (cell centre stands for the cell), weighed by land
area, town population or uploaded demand points; cells the existing facilities already
reach are held fixed (they add nothing), so the solver spends the ``p`` sites on the gaps.
Candidates are a grid over the city or the planner's own points.  The chosen sites are
reported in the order a greedy pass over them adds coverage, with each one's gain.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from atlas.analysis import AnalysisInputError
from atlas.analysis.coverage import buffers, check_radius, covered_points
from atlas.analysis.demand import Demand
from atlas.engine import Atlas
from atlas.vocab import Layer

MAX_P = 10
MAX_CANDIDATES = 2_000
DEFAULT_DEMAND_CELL_M = 1_000.0
DEFAULT_CANDIDATE_CELL_M = 1_000.0
SOLVER_SECONDS = 60


@dataclass(frozen=True)
class Site:
    """A chosen site: metric position and the demand it adds in the greedy order."""

    x: float
    y: float
    gain: float
    cumulative: float


@dataclass(frozen=True)
class Siting:
    """An MCLP answer."""

    p: int
    radius_m: float
    sites: tuple[Site, ...]
    demand_total: float
    covered_before: float
    covered_after: float
    candidates: int
    demand_cells: int
    status: str
    """The solver's status: ``Optimal`` when proven best."""


def grid(area: BaseGeometry, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Centres of ``cell_m`` square cells that overlap ``area``, and each cell's area inside it."""
    minx, miny, maxx, maxy = area.bounds
    xs = np.arange(minx + cell_m / 2, maxx + cell_m / 2, cell_m)
    ys = np.arange(miny + cell_m / 2, maxy + cell_m / 2, cell_m)
    cx, cy = (a.ravel() for a in np.meshgrid(xs, ys))
    cells = shapely.box(cx - cell_m / 2, cy - cell_m / 2, cx + cell_m / 2, cy + cell_m / 2)
    shapely.prepare(area)
    touching = shapely.intersects(area, cells)
    inside = shapely.area(shapely.intersection(cells[touching], area))
    return np.column_stack([cx[touching], cy[touching]]), inside


def demand_cells(atlas: Atlas, demand: Demand, cell_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Grid cell centres over the city and each cell's demand (km², people or weight)."""
    if demand.kind == "area":
        xy, land = grid(atlas.city, cell_m)
        return xy, land / 1e6
    if demand.kind == "population":
        xy, _ = grid(atlas.city, cell_m)
        towns = atlas.metric[Layer.towns]
        weights = np.zeros(len(xy))
        half = cell_m / 2
        cells = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
        for t in towns.index:
            density = demand.population[t] / towns.geometry[t].area
            weights += density * shapely.area(shapely.intersection(
                shapely.intersection(cells, towns.geometry[t]), atlas.city))
        return xy, weights
    # points: each point's weight goes to the cell that holds it
    origin = np.array(atlas.city.bounds[:2])
    cell = np.floor((demand.xy - origin) / cell_m).astype(np.int64)
    occupied, which = np.unique(cell, axis=0, return_inverse=True)
    return origin + (occupied + 0.5) * cell_m, np.bincount(which.ravel(), weights=demand.weights)


def solve(demand_xy: np.ndarray, weights: np.ndarray, candidates_xy: np.ndarray,
          radius_m: float, p: int) -> tuple[list[int], str]:
    """Indices of the ``p`` candidates covering the most weight (exact MCLP via spopt + CBC)."""
    import pulp  # imported here: spopt and PuLP take seconds to import
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    cost = cdist(demand_xy, candidates_xy)
    with warnings.catch_warnings():  # spopt 0.7 builds its model with PuLP's older API
        warnings.simplefilter("ignore", DeprecationWarning)
        model = MCLP.from_cost_matrix(cost, weights, service_radius=radius_m, p_facilities=p,
                                      name="where-next")
        model = model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=SOLVER_SECONDS))
    chosen = [j for j, var in enumerate(model.fac_vars) if (var.value() or 0) > 0.5]
    return chosen, pulp.LpStatus[model.problem.status]


def greedy_order(demand_xy: np.ndarray, weights: np.ndarray, sites_xy: np.ndarray,
                 radius_m: float) -> list[tuple[int, float]]:
    """The sites in the order each adds the most still-uncovered weight, with that gain."""
    reach = np.linalg.norm(demand_xy[:, None, :] - sites_xy[None, :, :], axis=2) <= radius_m
    left = weights.copy()
    order, remaining = [], list(range(len(sites_xy)))
    while remaining:
        gains = [float(left[reach[:, j]].sum()) for j in remaining]
        best = remaining[int(np.argmax(gains))]
        order.append((best, max(gains)))
        left[reach[:, best]] = 0
        remaining.remove(best)
    return order


def _reaches_any(candidates_xy: np.ndarray, demand_xy: np.ndarray, radius_m: float) -> np.ndarray:
    """Whether each candidate lies within ``radius_m`` of at least one demand cell."""
    tree = shapely.STRtree(shapely.points(demand_xy))
    hits, _ = tree.query(shapely.points(candidates_xy), predicate="dwithin", distance=radius_m)
    mask = np.zeros(len(candidates_xy), dtype=bool)
    mask[hits] = True
    return mask


def where_next(atlas: Atlas, existing: list[BaseGeometry], demand: Demand, radius_m: float,
               p: int, candidates_xy: np.ndarray | None = None,
               demand_cell_m: float = DEFAULT_DEMAND_CELL_M,
               candidate_cell_m: float = DEFAULT_CANDIDATE_CELL_M) -> Siting:
    """``p`` new sites maximising newly covered demand, existing facilities held fixed.

    ``candidates_xy`` are metric candidate points; None means a ``candidate_cell_m`` grid over
    the city.  Raises :class:`AnalysisInputError` for p out of range or too few candidates.
    """
    check_radius(radius_m)
    if not 1 <= p <= MAX_P:
        raise AnalysisInputError(f"p: {p} new sites; choose 1…{MAX_P}")
    if candidates_xy is None:  # grid cells whose centre is on land in the city
        candidates_xy, _ = grid(atlas.city, candidate_cell_m)
        candidates_xy = candidates_xy[shapely.contains_xy(atlas.city, *candidates_xy.T)]
    if len(candidates_xy) > MAX_CANDIDATES:
        raise AnalysisInputError(f"candidates: {len(candidates_xy):,} is more than "
                                 f"{MAX_CANDIDATES:,}; use a coarser grid or fewer points")
    if p > len(candidates_xy):
        raise AnalysisInputError(f"p: {p} new sites but only {len(candidates_xy)} candidate(s); "
                                 "give more candidates or a smaller p")
    xy, weights = demand_cells(atlas, demand, demand_cell_m)
    total = float(weights.sum())
    reached = shapely.union_all(buffers(existing, radius_m)) if existing else shapely.Polygon()
    already = covered_points(xy, reached)
    before = float(weights[already].sum())
    open_xy, open_w = xy[~already & (weights > 0)], weights[~already & (weights > 0)]
    if len(open_xy) == 0:
        return Siting(p, radius_m, (), total, before, before, len(candidates_xy), 0, "Optimal")
    useful = candidates_xy[_reaches_any(candidates_xy, open_xy, radius_m)]
    if len(useful) < p:  # fewer useful candidates than sites: the rest would add nothing
        useful = candidates_xy
    chosen, status = solve(open_xy, open_w, useful, radius_m, p)
    sites, cumulative = [], before
    for j, gain in greedy_order(open_xy, open_w, useful[chosen], radius_m):
        cumulative += gain
        x, y = useful[chosen][j]
        sites.append(Site(float(x), float(y), gain, cumulative))
    return Siting(p, radius_m, tuple(sites), total, before, cumulative, len(candidates_xy),
                  len(open_xy), status)
