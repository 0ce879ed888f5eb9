"""Query parameters of the spatial API: typed, validated and converted to WGS-84.

Coordinates come as ``lon``/``lat``, ``bbox`` or a WKT ``polygon`` in the datum
named by ``crs`` (wgs84, gcj02 or bd09) and leave this module as WGS-84
geometry.  Every problem is an :class:`~atlas.web.errors.ApiError` whose detail
names the parameter and says what to fix: out-of-range or swapped lon/lat
(400), places farther than :data:`COVERAGE_M` from the city outline (422),
malformed bbox or polygon, unknown layers or kinds, and parameters the endpoint
does not take (a typo such as ``radius=`` is refused, not silently ignored).

No ``from __future__ import annotations`` here: FastAPI evaluates the parameter
annotations, and :func:`selection` builds some inside a closure.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, get_origin

import shapely
from fastapi import Depends, Query, Request
from fastapi.dependencies.utils import get_flat_params
from fastapi.params import Query as QueryParam
from fastapi.routing import APIRoute
from shapely.errors import ShapelyError
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from atlas.crs import InputCRS, geometry_to_wgs84
from atlas.engine import Atlas, Entity
from atlas.filters import EntityFilter
from atlas.queries import lonlat
from atlas.vocab import LAYER_KINDS, POINT_LAYERS, Industry, Kind, Layer
from atlas.web.deps import AtlasDep
from atlas.web.errors import ApiError

DEFAULT_K, MAX_K = 5, 100
DEFAULT_RADIUS_M, MAX_RADIUS_M = 1_000.0, 50_000.0
COVERAGE_M = 20_000.0
"""How far beyond the city outline a query may reach; farther places are refused with 422."""
CLIP_DEGREES = 1.0
"""Query areas are clipped to the city's bounding box grown by this much (no distance changes)."""
MAX_VERTICES = 1_000
MAX_POLYGON_CHARS = 10_000
"""Longer query strings would not get through uvicorn's 16 KiB request-line limit anyway."""
POLYGON_EXAMPLE = "POLYGON((118.55 24.75, 118.57 24.75, 118.57 24.77, 118.55 24.75))"


class QueryLayer(StrEnum):
    """Layers the spatial queries search."""

    platforms = "platforms"
    incubators = "incubators"
    parks = "parks"
    zones = "zones"


QUERY_LAYERS: tuple[Layer, ...] = tuple(Layer(q.value) for q in QueryLayer)


class Format(StrEnum):
    """Answer formats."""

    json = "json"
    geojson = "geojson"
    html = "html"


# ------------------------------------------------------------ strictness
def _declared(route: APIRoute) -> dict[str, bool]:
    """The route's query parameters -> whether each is repeatable (a list)."""
    return {f.alias: get_origin(f.field_info.annotation) is list
            for f in get_flat_params(route.dependant) if isinstance(f.field_info, QueryParam)}


def reject_unknown_params(request: Request) -> None:
    """Refuse query parameters the endpoint does not take, or scalar ones given twice."""
    declared = _declared(request.scope["route"])
    if unknown := sorted(set(request.query_params) - set(declared)):
        raise ApiError(400, f"unknown parameter(s) {', '.join(unknown)}; this endpoint takes "
                            f"{', '.join(sorted(declared))}")
    if repeated := sorted(k for k in set(request.query_params) if not declared[k]
                          and len(request.query_params.getlist(k)) > 1):
        raise ApiError(400, f"{', '.join(repeated)}: given more than once; give it once")


# ------------------------------------------------------------ output
@dataclass(frozen=True)
class Output:
    """How to write the answer."""

    format: Format
    out_crs: InputCRS


def output_options(
    f: Annotated[Format, Query(description="Answer format: json (default), geojson "
                                           "(FeatureCollection) or html (a map)")] = Format.json,
    out_crs: Annotated[InputCRS, Query(description="Datum of the output coordinates: wgs84 "
                                                   "(default), gcj02 or bd09")] = InputCRS.wgs84,
) -> Output:
    """The ``f`` and ``out_crs`` parameters every endpoint takes."""
    return Output(f, out_crs)


OutputDep = Annotated[Output, Depends(output_options)]

# ------------------------------------------------------------ coordinates
CrsQuery = Annotated[InputCRS, Query(description="Datum of the coordinates you give: wgs84 (GPS, "
                                                 "OSM), gcj02 (Amap, Tencent) or bd09 (Baidu)")]
LON_DOC = "Longitude (x) in `crs`, e.g. 118.55"
LAT_DOC = "Latitude (y) in `crs`, e.g. 24.76"


def _city_bounds(atlas: Atlas) -> tuple[float, float, float, float]:
    return tuple(atlas.frames[Layer.boundary].total_bounds)


def _covered(atlas: Atlas, given: BaseGeometry, crs: InputCRS) -> BaseGeometry | None:
    """``given`` (in ``crs``) clipped near the city and converted to WGS-84, or None when it
    stays beyond :data:`COVERAGE_M`.

    Clipping comes first: the datum shift is under 0.01° here, and the GCJ-02/BD-09
    formulas are undefined far away (at the poles they fail outright).
    """
    west, south, east, north = _city_bounds(atlas)
    frame = shapely.box(west - CLIP_DEGREES, south - CLIP_DEGREES,
                        east + CLIP_DEGREES, north + CLIP_DEGREES)
    clipped = given if frame.contains(given) else given.intersection(frame)
    if clipped.is_empty:
        return None
    wgs = geometry_to_wgs84(clipped, crs)
    return wgs if atlas.city.distance(atlas.to_metric(wgs)) <= COVERAGE_M else None


def _range_problem(geom: BaseGeometry) -> str | None:
    for x, y in shapely.get_coordinates(geom):
        if not -180 <= x <= 180:
            return f"longitude {x:g} is outside -180…180"
        if not -90 <= y <= 90:
            return f"latitude {y:g} is outside -90…90"
    return None


def _show(geom: BaseGeometry) -> str:
    if isinstance(geom, Point):
        return f"({geom.x:g}, {geom.y:g})"
    return "({:g}, {:g}, {:g}, {:g})".format(*geom.bounds)


def checked_geometry(atlas: Atlas, given: BaseGeometry, crs: InputCRS, param: str) -> BaseGeometry:
    """``given`` (lon/lat in ``crs``) as WGS-84, clipped to the atlas's surroundings.

    Raises 400 for out-of-range or swapped coordinates and 422 for places
    farther than :data:`COVERAGE_M` beyond the city outline.
    """
    if _range_problem(given) is None and (wgs := _covered(atlas, given, crs)):
        return wgs
    swapped = shapely.transform(given, lambda xy: xy[:, ::-1])
    if _range_problem(swapped) is None and _covered(atlas, swapped, crs):
        raise ApiError(400, f"{param}: {_show(given)} looks like lat/lon swapped: give the "
                            "longitude first (x, about 118.5 in Jinjiang), then the latitude "
                            "(y, about 24.7)")
    if problem := _range_problem(given):
        raise ApiError(400, f"{param}: {problem}")
    west, south, east, north = _city_bounds(atlas)
    raise ApiError(422, f"{param}: {_show(given)} ({crs.value}) is outside the area the atlas "
                        f"covers: Jinjiang (lon {west:.2f}…{east:.2f}, lat {south:.2f}…{north:.2f}) "
                        f"and up to {COVERAGE_M / 1000:.0f} km beyond its outline; check the "
                        "numbers and crs", title="Outside the atlas")


@dataclass(frozen=True)
class QueryPoint:
    """A query point as given, and as WGS-84."""

    lon: float
    lat: float
    crs: InputCRS
    wgs: Point

    def echo(self) -> dict:
        """The point for the answer's ``query``: as given, with the WGS-84 position used."""
        return {"lon": self.lon, "lat": self.lat, "crs": self.crs.value,
                "point_wgs84": lonlat(self.wgs.x, self.wgs.y)}


def query_point(atlas: AtlasDep,
                lon: Annotated[float, Query(description=LON_DOC, allow_inf_nan=False)],
                lat: Annotated[float, Query(description=LAT_DOC, allow_inf_nan=False)],
                crs: CrsQuery = InputCRS.wgs84) -> QueryPoint:
    """A required lon/lat point, validated and converted to WGS-84."""
    return QueryPoint(lon, lat, crs, checked_geometry(atlas, Point(lon, lat), crs, "lon/lat"))


PointDep = Annotated[QueryPoint, Depends(query_point)]


# ------------------------------------------------------------ areas
def parse_bbox(text: str) -> BaseGeometry:
    """``minlon,minlat,maxlon,maxlat`` as a box (not yet converted or range-checked)."""
    parts = text.split(",")
    if len(parts) != 4:
        raise ApiError(400, f"bbox: give 4 comma-separated numbers minlon,minlat,maxlon,maxlat "
                            f"(got {len(parts)} value(s))")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise ApiError(400, f"bbox: {text!r} holds something that is not a number; "
                            "give minlon,minlat,maxlon,maxlat") from None
    if not all(math.isfinite(v) for v in values):
        raise ApiError(400, f"bbox: {text!r} holds a value that is not a finite number")
    min_lon, min_lat, max_lon, max_lat = values
    if min_lon >= max_lon or min_lat >= max_lat:
        raise ApiError(400, f"bbox: minlon must be less than maxlon and minlat less than maxlat "
                            f"(got {text!r}); the order is minlon,minlat,maxlon,maxlat")
    return shapely.box(*values)


def parse_polygon(text: str) -> BaseGeometry:
    """A WKT POLYGON or MULTIPOLYGON (lon lat order), checked for validity."""
    try:
        geom = shapely.from_wkt(text)
    except ShapelyError as exc:
        raise ApiError(400, f"polygon: not readable WKT ({exc}); "
                            f"give e.g. {POLYGON_EXAMPLE}") from None
    if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        got = "nothing" if geom is None else geom.geom_type
        raise ApiError(400, f"polygon: give a non-empty WKT POLYGON or MULTIPOLYGON (got {got}); "
                            f"e.g. {POLYGON_EXAMPLE}")
    geom = shapely.force_2d(geom)
    coords = shapely.get_coordinates(geom)
    if len(coords) > MAX_VERTICES:
        raise ApiError(400, f"polygon: {len(coords)} vertices; at most {MAX_VERTICES} are accepted")
    if not all(math.isfinite(v) for v in coords.flat):
        raise ApiError(400, "polygon: every coordinate must be a finite number")
    if not geom.is_valid:
        raise ApiError(400, f"polygon: not a valid polygon ({explain_validity(geom)}); "
                            "rings must be closed and must not cross themselves")
    return geom


@dataclass(frozen=True)
class QueryArea:
    """Where ``within`` looks: a WGS-84 geometry and a distance around it."""

    geometry: BaseGeometry
    radius_m: float
    echo: dict


def query_area(
    atlas: AtlasDep,
    lon: Annotated[float | None, Query(description=LON_DOC + " (point form)",
                                       allow_inf_nan=False)] = None,
    lat: Annotated[float | None, Query(description=LAT_DOC + " (point form)",
                                       allow_inf_nan=False)] = None,
    radius_m: Annotated[float | None, Query(
        gt=0, le=MAX_RADIUS_M, allow_inf_nan=False,
        description=f"Search radius in metres (point form: default {DEFAULT_RADIUS_M:.0f}; "
                    "bbox/polygon form: a margin around the area, default 0)")] = None,
    bbox: Annotated[str | None, Query(max_length=200, description=(
        "Box form: minlon,minlat,maxlon,maxlat in `crs`"))] = None,
    polygon: Annotated[str | None, Query(max_length=MAX_POLYGON_CHARS, description=(
        f"Polygon form: WKT POLYGON or MULTIPOLYGON, lon lat order, in `crs`; a point on the edge "
        f"counts as inside. E.g. {POLYGON_EXAMPLE}"))] = None,
    crs: CrsQuery = InputCRS.wgs84,
) -> QueryArea:
    """Exactly one of lon+lat, bbox or polygon, validated and converted to WGS-84."""
    forms = [name for name, given in (("lon/lat", lon is not None or lat is not None),
                                      ("bbox", bbox is not None), ("polygon", polygon is not None))
             if given]
    if len(forms) != 1:
        got = f" (got {' and '.join(forms)})" if forms else ""
        raise ApiError(400, "lon/lat, bbox, polygon: give exactly one of lon and lat, bbox, "
                            f"or polygon{got}")
    if forms == ["lon/lat"]:
        if lon is None or lat is None:
            missing = "lat" if lat is None else "lon"
            raise ApiError(400, f"lon/lat: give both lon and lat ({missing} is missing)")
        point = query_point(atlas, lon, lat, crs)
        radius = radius_m or DEFAULT_RADIUS_M
        return QueryArea(point.wgs, radius, {**point.echo(), "radius_m": radius})
    param, text = ("bbox", bbox) if bbox is not None else ("polygon", polygon)
    shape = parse_bbox(text) if param == "bbox" else parse_polygon(text)
    wgs = checked_geometry(atlas, shape, crs, param)
    margin = radius_m or 0.0
    return QueryArea(wgs, margin, {param: text, "crs": crs.value, "radius_m": margin,
                                   "geometry_wgs84": mapping(wgs)})


AreaDep = Annotated[QueryArea, Depends(query_area)]


# ------------------------------------------------------------ what to look for
@dataclass(frozen=True)
class Selection:
    """Which layers to search and which kind/industry to keep."""

    layers: tuple[Layer, ...]
    facets: EntityFilter

    def matches(self, entity: Entity) -> bool:
        """Whether ``entity`` is in the selected layers and passes the kind/industry filter."""
        return entity.layer in self.layers and self.facets.matches(entity)

    def keep(self, atlas: Atlas) -> set[str] | None:
        """Ids that pass the kind/industry filter (None when there is no filter)."""
        if not (self.facets.kind or self.facets.industry):
            return None
        return {eid for eid, e in atlas.entities.items() if self.matches(e)}

    def echo(self) -> dict:
        """The selection for the answer's ``query``."""
        return {"layer": [l.value for l in self.layers],
                "kind": self.facets.kind[0] if self.facets.kind else None,
                "industry": self.facets.industry[0] if self.facets.industry else None}


def _layers_for(chosen: tuple[Layer, ...], kind: Kind | None,
                default: tuple[Layer, ...]) -> tuple[Layer, ...]:
    """The layers chosen (or ``default``); with a kind, only the layers that have that kind."""
    if kind is None:
        return chosen or default
    candidates = chosen or QUERY_LAYERS
    if matching := tuple(l for l in candidates if kind in LAYER_KINDS[l]):
        return matching
    allowed = sorted({k.value for l in candidates for k in LAYER_KINDS[l]})
    names = ", ".join(l.value for l in candidates)
    raise ApiError(400, f"kind: '{kind.value}' does not occur in layer(s) {names}; "
                        f"use one of {', '.join(allowed)}")


def selection(default: tuple[Layer, ...]) -> Callable[..., Selection]:
    """A dependency reading ``layer`` (``default`` when absent), ``kind`` and ``industry``."""
    names = " + ".join(l.value for l in default)

    def select(
        layer: Annotated[list[QueryLayer], Query(description=(
            f"Layer(s) to search, repeatable (default {names}; with only `kind`, the layer "
            "that has that kind)"))] = [],  # noqa: B006 (FastAPI copies defaults)
        kind: Annotated[Kind | None, Query(description="Only entities of this kind")] = None,
        industry: Annotated[Industry | None, Query(description="Only entities in this industry")
                            ] = None,
    ) -> Selection:
        chosen = tuple(dict.fromkeys(Layer(q.value) for q in layer))
        facets = EntityFilter(kind=(kind.value,) if kind else (),
                              industry=(industry.value,) if industry else ())
        return Selection(_layers_for(chosen, kind, default), facets)

    return select


PointSelection = Annotated[Selection, Depends(selection(POINT_LAYERS))]
AnySelection = Annotated[Selection, Depends(selection(QUERY_LAYERS))]
