"""Coverage: catchments, the share of each unit covered, gaps and overlaps — exact polygons.

A facility's catchment is everything within ``radius_m`` of it, measured in EPSG:32650 from
its geometry (a point, or a park's edge).  Catchments are dissolved and clipped to the
city; a unit's covered share is the area (or demand) of the unit inside the union; the gap is
the part of the city no catchment reaches; the overlap is what two or more catchments reach.
Buffers use 64 segments per circle (area within 0.2 % of a true disc).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from atlas.analysis import AnalysisInputError
from atlas.analysis.demand import AREA, Demand
from atlas.analysis.facilities import FacilitySet
from atlas.analysis.units import Unit, units
from atlas.engine import Atlas
from atlas.vocab import Layer

QUAD_SEGS = 16
"""Segments per quarter circle in catchment buffers."""
MIN_RADIUS_M, MAX_RADIUS_M = 100.0, 20_000.0
DEFAULT_RADIUS_M = 3_000.0
EMPTY = shapely.Polygon()


@dataclass(frozen=True)
class UnitCoverage:
    """How much of one unit the catchments reach."""

    unit: Unit
    covered_km2: float
    overlap_km2: float
    demand: float
    """The unit's total demand (km² for area demand)."""
    demand_covered: float

    @property
    def covered_pct(self) -> float:
        """Share of the unit's demand covered, in percent (0 for a unit with no demand)."""
        return 100.0 * self.demand_covered / self.demand if self.demand > 0 else 0.0

    @property
    def gap_km2(self) -> float:
        return self.unit.area_km2 - self.covered_km2


@dataclass(frozen=True)
class Coverage:
    """One coverage analysis at one radius."""

    radius_m: float
    facilities: FacilitySet
    demand: Demand
    catchment: BaseGeometry
    overlap: BaseGeometry
    gaps: BaseGeometry
    rows: tuple[UnitCoverage, ...]

    def row(self, unit_id: str) -> UnitCoverage:
        return next(r for r in self.rows if r.unit.id == unit_id)


def check_radius(radius_m: float) -> float:
    """``radius_m`` if it is a usable catchment radius, else :class:`AnalysisInputError`."""
    if not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        raise AnalysisInputError(f"radius_m: {radius_m:g} is outside {MIN_RADIUS_M:,.0f}…"
                                 f"{MAX_RADIUS_M:,.0f} m; a catchment is a walk, ride or drive "
                                 "from a facility, e.g. 3000")
    return radius_m


def buffers(geometries: list[BaseGeometry], radius_m: float) -> np.ndarray:
    """Each geometry's catchment polygon (metric)."""
    return shapely.buffer(np.asarray(geometries, dtype=object), radius_m, quad_segs=QUAD_SEGS)


def overlap_of(catchments: np.ndarray) -> BaseGeometry:
    """The area reached by two or more of ``catchments`` (union of pairwise intersections)."""
    if len(catchments) < 2:
        return EMPTY
    tree = shapely.STRtree(catchments)
    left, right = tree.query(catchments, predicate="intersects")
    pairs = left < right
    if not pairs.any():
        return EMPTY
    return shapely.union_all(shapely.intersection(catchments[left[pairs]],
                                                  catchments[right[pairs]]))


def covered_points(xy: np.ndarray, catchment: BaseGeometry) -> np.ndarray:
    """Whether each metric point (an (n, 2) array) lies in ``catchment`` (edges count)."""
    if catchment.is_empty or len(xy) == 0:
        return np.zeros(len(xy), dtype=bool)
    shapely.prepare(catchment)
    return shapely.intersects_xy(catchment, xy[:, 0], xy[:, 1])


def analyse(atlas: Atlas, facilities: FacilitySet, radius_m: float = DEFAULT_RADIUS_M,
            demand: Demand = AREA) -> Coverage:
    """Coverage of every unit (city, towns, zones, corridor band) by ``facilities``."""
    check_radius(radius_m)
    city = atlas.city
    reach = buffers(facilities.geometries, radius_m)
    catchment = shapely.intersection(shapely.union_all(reach), city) if len(reach) else EMPTY
    overlap = shapely.intersection(overlap_of(reach), city)
    weigh = _weigher(atlas, demand, catchment)
    rows = []
    for u in units(atlas):
        covered = shapely.intersection(u.geometry, catchment).area / 1e6
        rows.append(UnitCoverage(u, covered, shapely.intersection(u.geometry, overlap).area / 1e6,
                                 *weigh(u, covered)))
    return Coverage(radius_m, facilities, demand, catchment, overlap,
                    shapely.difference(city, catchment), tuple(rows))


def _weigher(atlas: Atlas, demand: Demand, catchment: BaseGeometry):
    """A function: (unit, its covered km²) -> (its demand, its covered demand)."""
    if demand.kind == "area":
        return lambda u, covered_km2: (u.area_km2, covered_km2)
    if demand.kind == "population":
        towns = atlas.metric[Layer.towns]
        density = {t: demand.population[t] / towns.geometry[t].area for t in towns.index}

        def people(u: Unit, _covered_km2: float) -> tuple[float, float]:
            total = covered = 0.0
            for t in towns.index:
                part = shapely.intersection(u.geometry, towns.geometry[t])
                if part.is_empty:
                    continue
                total += density[t] * part.area
                covered += density[t] * shapely.intersection(part, catchment).area
            return total, covered
        return people
    if demand.kind == "points":
        hit = covered_points(demand.xy, catchment)

        def weight(u: Unit, _covered_km2: float) -> tuple[float, float]:
            inside = covered_points(demand.xy, u.geometry)
            return float(demand.weights[inside].sum()), float(demand.weights[inside & hit].sum())
        return weight
    raise AnalysisInputError(f"demand: unknown kind {demand.kind!r}")


def sensitivity(atlas: Atlas, facilities: FacilitySet, radii: list[float],
                demand: Demand = AREA) -> dict[float, Coverage]:
    """Coverage at each radius (for a radius × unit table)."""
    return {r: analyse(atlas, facilities, r, demand) for r in sorted(set(radii))}
