"""What a coverage analysis weighs: land area (default), town population, or demand points.

* ``area`` — every square metre of land counts the same.
* ``population`` — each town's resident population spread uniformly over its (approximate)
  area; available when a per-town population table is configured
  (``ATLAS_POPULATION_FILE``, a CSV of ``town,population``; see the README for the source).
* ``points`` — weighted demand points a planner uploads (CSV: ``lon,lat[,weight][,crs]``).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from atlas.analysis import AnalysisInputError
from atlas.crs import InputCRS, to_wgs84
from atlas.engine import Atlas
from atlas.vocab import Layer

MAX_POINTS = 200_000
"""Most demand points one upload may carry."""
NEAR_DEGREES = 0.2
"""Demand points must lie within the city's bounding box grown by this much."""


@dataclass(frozen=True)
class Demand:
    """What coverage is weighed by. ``population`` maps town id -> residents; ``xy`` are metric
    demand points with their ``weights``."""

    kind: str = "area"
    population: dict[str, float] | None = None
    xy: np.ndarray | None = None
    weights: np.ndarray | None = None
    source: str = ""

    @property
    def unit(self) -> tuple[str, str]:
        """How a quantity of this demand is labelled (zh, en)."""
        return {"area": ("平方公里", "km²"), "population": ("人", "people"),
                "points": ("需求权重", "demand weight")}[self.kind]


AREA = Demand()


def read_population(path: Path, atlas: Atlas) -> Demand:
    """A per-town population table (CSV ``town,population[,source]``) as a Demand.

    Raises :class:`AnalysisInputError` naming the row for unknown towns or bad numbers.
    """
    towns = set(atlas.frames[Layer.towns].index)
    people: dict[str, float] = {}
    sources = set()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row_no, row in enumerate(csv.DictReader(handle), start=2):
            town, value = (row.get("town") or "").strip(), (row.get("population") or "").strip()
            if town not in towns:
                raise AnalysisInputError(f"{path.name} row {row_no}: unknown town {town!r}")
            try:
                people[town] = float(value)
            except ValueError:
                people[town] = math.nan
            if not math.isfinite(people[town]) or people[town] < 0:
                raise AnalysisInputError(f"{path.name} row {row_no}: population {value!r} is "
                                         "not a number of people (finite, not negative)")
            if row.get("source"):
                sources.add(row["source"].strip())
    if missing := sorted(towns - set(people)):
        raise AnalysisInputError(f"{path.name}: no population for {', '.join(missing)}; every "
                                 "town needs one or the weighting would be wrong")
    return Demand("population", population=people, source="; ".join(sorted(sources)))


def parse_points(text: str, atlas: Atlas, default_crs: InputCRS = InputCRS.wgs84) -> Demand:
    """Demand points from CSV text with columns ``lon``, ``lat`` and optionally ``weight``
    (default 1) and ``crs`` (wgs84, gcj02 or bd09; default ``default_crs``).

    Raises :class:`AnalysisInputError` with the row number and what is wrong with it.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    if not {"lon", "lat"} <= columns:
        raise AnalysisInputError("demand CSV: the header must name lon and lat (optionally "
                                 f"weight and crs); got {', '.join(sorted(columns)) or 'nothing'}")
    west, south, east, north = atlas.frames[Layer.boundary].total_bounds + \
        np.array([-NEAR_DEGREES, -NEAR_DEGREES, NEAR_DEGREES, NEAR_DEGREES])
    xs, ys, ws = [], [], []
    for raw in reader:
        row_no = reader.line_num
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
               if isinstance(v, str)}
        if len(xs) >= MAX_POINTS:
            raise AnalysisInputError(f"demand CSV: more than {MAX_POINTS:,} points; aggregate "
                                     "them (e.g. to a 100 m grid with a weight column) first")
        try:
            lon, lat = float(row["lon"]), float(row["lat"])
            weight = float(row.get("weight") or 1)
        except (KeyError, ValueError):
            raise AnalysisInputError(f"demand CSV row {row_no}: lon, lat and weight must be "
                                     f"numbers (got {row.get('lon')!r}, {row.get('lat')!r}, "
                                     f"{row.get('weight')!r})") from None
        if not all(map(math.isfinite, (lon, lat, weight))) or weight < 0:
            raise AnalysisInputError(f"demand CSV row {row_no}: values must be finite and the "
                                     "weight not negative")
        try:
            crs = InputCRS(row.get("crs") or default_crs)
        except ValueError:
            raise AnalysisInputError(f"demand CSV row {row_no}: crs {row.get('crs')!r} is not "
                                     "one of wgs84, gcj02, bd09") from None
        if not (west < lon < east and south < lat < north):
            hint = " (lat/lon swapped?)" if west < lat < east else ""
            raise AnalysisInputError(f"demand CSV row {row_no}: ({lon}, {lat}) is not near "
                                     f"Jinjiang{hint}; give lon about 118.5 and lat about 24.7")
        lon, lat = to_wgs84(lon, lat, crs)
        xs.append(lon)
        ys.append(lat)
        ws.append(weight)
    if not xs:
        raise AnalysisInputError("demand CSV: no rows under the header")
    return Demand("points", xy=atlas.to_metric_xy(xs, ys), weights=np.asarray(ws, dtype=float),
                  source=f"{len(xs):,} uploaded points")
