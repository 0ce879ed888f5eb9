"""The planner's coverage request: parameters in, analyses out — shared by ``/api/coverage``
and the ``/planning`` page, so both always show the same numbers.

Parameters: the atlas's facility filter (``layer``, ``kind``, ``level``, ``industry``,
``zone``, ``town``, ``status``, ``q``), ``radius_m``, ``radii`` (a sensitivity list),
what-if ``add=lon,lat`` / ``move=id:lon,lat`` / ``close=id`` (repeatable; coordinates in
``crs``), and ``demand`` (area or population).
"""

import math
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated

import shapely
from fastapi import Depends, Query
from shapely.geometry import mapping

from atlas.analysis import AnalysisInputError
from atlas.analysis import coverage as cov
from atlas.analysis import facilities as fac
from atlas.analysis.demand import AREA, Demand, read_population
from atlas.crs import InputCRS, geometry_from_wgs84, to_wgs84
from atlas.engine import Atlas
from atlas.exports import planning as planning_tables
from atlas.exports.tables import Table
from atlas.filters import EntityFilter
from atlas.web.browse import FilterDep
from atlas.web.errors import ApiError

MAX_RADII = 6
GEOMETRY_TOLERANCE_M = 5.0
"""Drawn catchment, gap and overlap outlines are simplified by this much (tables are exact)."""


class DemandKind(StrEnum):
    area = "area"
    population = "population"


@dataclass(frozen=True)
class CoverageRequest:
    """A validated coverage request."""

    selection: EntityFilter
    radius_m: float
    radii: tuple[float, ...]
    scenario: fac.Scenario
    demand: DemandKind
    crs: InputCRS
    echo: dict


def parse_lonlat(text: str, param: str, crs: InputCRS) -> tuple[float, float]:
    try:
        lon, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise ApiError(400, f"{param}: {text!r} is not lon,lat (two numbers, e.g. "
                            "118.55,24.75)") from None
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise ApiError(400, f"{param}: {text!r} holds a value that is not a finite number")
    if not (117 < lon < 120 and 23 < lat < 26):
        hint = " — looks like lat,lon swapped; give the longitude first" if 117 < lat < 120 else ""
        raise ApiError(400, f"{param}: ({lon:g}, {lat:g}) is not in Jinjiang{hint}; "
                            "give lon about 118.5 and lat about 24.7")
    return to_wgs84(lon, lat, crs)


def coverage_request(
    selection: FilterDep,
    radius_m: Annotated[float, Query(allow_inf_nan=False, description=(
        f"Catchment radius in metres ({cov.MIN_RADIUS_M:.0f}…{cov.MAX_RADIUS_M:.0f}); parks are "
        "measured from their edge"))] = cov.DEFAULT_RADIUS_M,
    radii: Annotated[str, Query(max_length=100, description=(
        f"Sensitivity: up to {MAX_RADII} comma-separated radii, e.g. 1000,2000,3000,5000"))] = "",
    add: Annotated[list[str], Query(description="What-if site to add: lon,lat (repeatable)")] = [],
    move: Annotated[list[str], Query(description="What-if move: id:lon,lat (repeatable)")] = [],
    close: Annotated[list[str], Query(description="What-if closure: facility id (repeatable)")] = [],
    crs: Annotated[InputCRS, Query(description="Datum of add/move coordinates")] = InputCRS.wgs84,
    demand: Annotated[DemandKind, Query(description="What coverage weighs: area (default) or "
                                                    "population (needs a population table)")
                      ] = DemandKind.area,
) -> CoverageRequest:
    """Validate a coverage request (every problem is a 400 that says what to fix)."""
    try:
        cov.check_radius(radius_m)
        parsed = [float(r) for r in radii.split(",") if r.strip()] if radii else []
        for r in parsed:
            cov.check_radius(r)
    except ValueError as exc:
        detail = str(exc) if isinstance(exc, AnalysisInputError) else \
            f"radii: {radii!r} must be comma-separated numbers of metres, e.g. 1000,2000,3000"
        raise ApiError(400, detail.replace("radius_m:", "radius_m/radii:")) from None
    if len(parsed) > MAX_RADII:
        raise ApiError(400, f"radii: {len(parsed)} radii; give at most {MAX_RADII}")
    if len(add) + len(move) + len(close) > fac.MAX_SITES:
        raise ApiError(400, f"add/move/close: at most {fac.MAX_SITES} what-if changes at once")
    moves = []
    for item in move:
        fid, sep, where = item.partition(":")
        if not sep or not fid:
            raise ApiError(400, f"move: {item!r} is not id:lon,lat (e.g. "
                                "sanchuang-incubator:118.56,24.78)")
        moves.append((fid, *parse_lonlat(where, "move", crs)))
    if both := sorted(set(close) & {m[0] for m in moves}):
        raise ApiError(400, f"move/close: {', '.join(both)} is both moved and closed; give one")
    scenario = fac.Scenario(tuple(parse_lonlat(a, "add", crs) for a in add), tuple(moves),
                            tuple(close))
    echo = {"radius_m": radius_m, "radii": parsed, "add": add, "move": move, "close": close,
            "crs": crs.value, "demand": demand.value}
    return CoverageRequest(selection, radius_m, tuple(parsed), scenario, demand, crs, echo)


CoverageDep = Annotated[CoverageRequest, Depends(coverage_request)]


def load_demand(atlas: Atlas, kind: DemandKind) -> Demand:
    """The Demand for ``kind``; population needs the configured table (400 if there is none)."""
    if kind is DemandKind.area:
        return AREA
    path = atlas.settings.population_file
    if not path.is_file():
        raise ApiError(400, "demand=population: no per-town population table is configured. "
                            "Put a CSV of town,population[,source] (e.g. from the 2020 census "
                            f"bulletin of Jinjiang) at {path.name} or set ATLAS_POPULATION_FILE, "
                            "or upload demand points instead")
    try:
        return atlas.cached(("population", str(path)), lambda: read_population(path, atlas))
    except AnalysisInputError as exc:
        raise ApiError(400, f"demand=population: {exc}") from None


@dataclass(frozen=True)
class CoverageAnswer:
    """Everything a coverage request produces."""

    request: CoverageRequest
    base: fac.FacilitySet
    current: fac.FacilitySet
    result: cov.Coverage
    baseline: cov.Coverage | None
    sensitivity: dict[float, cov.Coverage]

    def tables(self, atlas: Atlas) -> list[Table]:
        """The coverage table, then the sensitivity table (if asked), then the facilities."""
        found = [planning_tables.coverage_table(self.result, self.baseline)]
        if self.sensitivity:
            found.append(planning_tables.sensitivity_table(self.sensitivity))
        found.append(planning_tables.facilities_table(atlas, self.current))
        return found

    def summary(self) -> dict:
        """Headline numbers for the JSON answer."""
        city = self.result.row("city")
        body = {"facilities": len(self.current.facilities),
                "unplaced": [e.id for e in self.base.unplaced],
                "city_covered_pct": round(city.covered_pct, 2),
                "demand": {"kind": self.result.demand.kind, "unit": list(self.result.demand.unit),
                           "source": self.result.demand.source}}
        if self.baseline is not None:
            body["city_baseline_pct"] = round(self.baseline.row("city").covered_pct, 2)
        return body


def answer(atlas: Atlas, request: CoverageRequest, demand: Demand | None = None) -> CoverageAnswer:
    """Run the request: today's coverage, the what-if scenario beside it, the sensitivity."""
    if demand is not None:  # an upload weighs this answer, whatever the query said
        request = replace(request, echo={**request.echo, "demand": demand.kind})
    demand = demand or load_demand(atlas, request.demand)
    base = fac.select(atlas, request.selection)
    try:
        current = fac.apply(atlas, base, request.scenario)
        result = cov.analyse(atlas, current, request.radius_m, demand)
        baseline = cov.analyse(atlas, base, request.radius_m, demand) if request.scenario else None
        sensitivity = cov.sensitivity(atlas, current, list(request.radii), demand) \
            if request.radii else {}
    except AnalysisInputError as exc:
        raise ApiError(400, str(exc)) from None
    return CoverageAnswer(request, base, current, result, baseline, sensitivity)


def layers(atlas: Atlas, ans: CoverageAnswer, datum: InputCRS = InputCRS.wgs84) -> dict:
    """Catchment, gaps, overlap (and today's catchment beside a what-if) and the facilities as a
    GeoJSON FeatureCollection on ``datum`` (WGS-84 unless drawn on a shifted basemap)."""
    def feature(role: str, geometry, props: dict | None = None) -> dict:
        wgs = geometry_from_wgs84(atlas.to_wgs84(geometry), datum)
        return {"type": "Feature", "id": (props or {}).get("id", role),
                "geometry": mapping(wgs), "properties": {"role": role, **(props or {})}}

    def simple(geometry):
        return shapely.simplify(geometry, GEOMETRY_TOLERANCE_M)

    res = ans.result
    features = [feature("catchment", simple(res.catchment), {"radius_m": res.radius_m}),
                feature("gap", simple(res.gaps)), feature("overlap", simple(res.overlap))]
    if ans.baseline is not None:
        features.append(feature("baseline_catchment", simple(ans.baseline.catchment)))
    for f in ans.current.facilities:
        features.append(feature("facility", f.geometry, {
            "id": f.id, "name_zh": f.name.zh, "name_en": f.name.en, "state": f.state,
            "via_host": f.via_host}))
    return {"type": "FeatureCollection", "features": features}
