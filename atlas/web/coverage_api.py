"""The planners' JSON API under ``/api/coverage``: coverage, what-if, where next, demand
points, the industry matrix, the plan's targets, densities and the zones compared.

Every answer is JSON by default; ``f=csv`` or ``f=xlsx`` downloads its main table, and
``f=geojson`` (coverage, where next) its layers.  Errors are problem+json 400s that say
what to fix, and unknown parameters are refused, as everywhere under ``/api``.
"""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from shapely.geometry import Point, mapping

from atlas.analysis import AnalysisInputError
from atlas.analysis import density as dens
from atlas.analysis import industry as ind
from atlas.analysis import siting
from atlas.analysis import targets as tgt
from atlas.analysis.demand import parse_points
from atlas.exports import planning as planning_tables
from atlas.exports.tables import Table, to_csv, to_xlsx
from atlas.ogc.media import GEOJSON
from atlas.web.coverage_request import CoverageDep, answer, layers, parse_lonlat
from atlas.web.deps import AtlasDep
from atlas.web.errors import ApiError
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import (BINARY, CSV, JSON, STRING, Coverage, FeatureCollection, Siting,
                               Tables, responses)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

router = APIRouter(prefix="/api/coverage", tags=["planning"],
                   default_response_class=Response, dependencies=[Depends(reject_unknown_params)])


def tables_answer(model: type[BaseModel], geojson: bool = False, etag: bool = True) -> dict:
    """The ``responses=`` of an analysis: ``model`` as JSON, its main table as CSV or XLSX
    (``f``), and its layers as GeoJSON when it has them."""
    body = {JSON: model, CSV: STRING, XLSX: BINARY}
    about = "JSON (default); `f=csv` or `f=xlsx`: the main table as a download"
    if geojson:
        body[GEOJSON], about = FeatureCollection, about + "; `f=geojson`: the layers"
    return responses(body, etag=etag, description=about)


class TableFormat(StrEnum):
    """Answers that are tables: JSON, or the main table as CSV or XLSX."""

    json = "json"
    csv = "csv"
    xlsx = "xlsx"


LayerFormat = StrEnum("LayerFormat", [*(f.value for f in TableFormat), "geojson"])
"""Answers with layers too: the table formats plus GeoJSON."""


def download(table: Table, fmt: str) -> Response:
    """A table as a CSV or XLSX attachment named after it."""
    if fmt == "csv":
        return Response(to_csv(table), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="jinjiang-{table.name}.csv"'})
    return Response(to_xlsx(table), media_type=XLSX, headers={
        "Content-Disposition": f'attachment; filename="jinjiang-{table.name}.xlsx"'})


def table_json(table: Table) -> dict:
    """A table for JSON answers: title, columns (bilingual), rows, source."""
    return {"name": table.name, "title": list(table.title),
            "columns": [{"key": c.key, "label": list(c.label)} for c in table.columns],
            "rows": table.json_rows(), "source": list(table.source) if table.source else None}


def respond(tables: list[Table], fmt: str, extra: dict) -> Response:
    if fmt in ("csv", "xlsx"):
        return download(tables[0], fmt)
    return JSONResponse({**extra, "tables": [table_json(t) for t in tables]})


@router.get("", summary="Coverage of the city, towns, zones and corridor band (what-if aware)",
            responses=tables_answer(Coverage, geojson=True))
def coverage(atlas: AtlasDep, req: CoverageDep,
             f: Annotated[LayerFormat, Query(description="json, csv, xlsx or geojson")
                          ] = LayerFormat.json) -> Response:
    """% covered within ``radius_m`` of the filtered facilities, per unit, with gaps and
    overlaps; with what-if parameters, today's figures beside the scenario's."""
    ans = answer(atlas, req)
    if f is LayerFormat.geojson:
        return JSONResponse(layers(atlas, ans), media_type=GEOJSON, headers={
            "Content-Disposition": 'attachment; filename="jinjiang-coverage.geojson"'})
    return respond(ans.tables(atlas), f.value, {"query": req.echo, **ans.summary()})


@router.post("/demand", summary="Coverage of uploaded demand points (CSV lon,lat[,weight][,crs])",
             responses=tables_answer(Coverage, etag=False))
async def coverage_of_points(atlas: AtlasDep, req: CoverageDep,
                             file: Annotated[UploadFile, File(description=(
                                 "CSV with lon, lat and optional weight and crs (wgs84, gcj02, "
                                 "bd09) columns"))],
                             f: Annotated[TableFormat, Query()] = TableFormat.json) -> Response:
    """The share of the uploaded demand each town, zone and the corridor band has covered."""
    demand = await read_demand_upload(atlas, file)
    ans = answer(atlas, req, demand)
    return respond(ans.tables(atlas), f.value, {"query": req.echo, **ans.summary()})


async def read_demand_upload(atlas, file: UploadFile):
    """The uploaded CSV as demand points (400 for oversize, non-UTF-8 or bad rows)."""
    raw = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        raise ApiError(400, f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB; aggregate the "
                            "points first")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")  # what Excel in China saves "CSV" as
        except UnicodeDecodeError:
            raise ApiError(400, "file: not UTF-8 or GB18030 text; save it as CSV UTF-8") from None
    try:
        return parse_points(text, atlas)
    except AnalysisInputError as exc:
        raise ApiError(400, str(exc)) from None


@router.get("/next", summary="Where next: p new sites that add the most coverage (MCLP)",
            responses=tables_answer(Siting, geojson=True))
def where_next(atlas: AtlasDep, req: CoverageDep,
               p: Annotated[int, Query(ge=1, le=siting.MAX_P, description="New sites (1…10)")] = 3,
               candidate: Annotated[list[str], Query(description=(
                   "Candidate site lon,lat (repeatable; default: a 1 km grid over the city)"))] = [],
               f: Annotated[LayerFormat, Query()] = LayerFormat.json) -> Response:
    """Maximal covering location: the existing (filtered, what-if applied) facilities held fixed,
    choose ``p`` candidates maximising newly covered demand; each site's gain in greedy order."""
    ans = answer(atlas, req)
    given = [parse_lonlat(c, "candidate", req.crs) for c in candidate]
    candidates = atlas.to_metric_xy(*zip(*given)) if given else None
    try:
        result = siting.where_next(atlas, ans.current.geometries, ans.result.demand,
                                   req.radius_m, p, candidates)
    except AnalysisInputError as exc:
        raise ApiError(400, str(exc)) from None
    table = planning_tables.siting_table(atlas, result)
    if f is LayerFormat.geojson:
        return JSONResponse({"type": "FeatureCollection", "features": [
            {"type": "Feature", "id": f"site-{row['rank']}",
             "geometry": mapping(Point(row["lon"], row["lat"])), "properties": row}
            for row in table.rows]}, media_type=GEOJSON)
    return respond([table], f.value, {
        "query": {**req.echo, "p": p, "candidate": candidate}, "status": result.status,
        "demand_total": round(result.demand_total, 3),
        "covered_before": round(result.covered_before, 3),
        "covered_after": round(result.covered_after, 3), "candidates": result.candidates})


class By(StrEnum):
    zone = "zone"
    town = "town"


@router.get("/industries", summary="一产业一平台: industries × zones or towns",
            responses=tables_answer(Tables))
def industries(atlas: AtlasDep, by: Annotated[By, Query(description="zone or town")] = By.zone,
               f: Annotated[TableFormat, Query()] = TableFormat.json) -> Response:
    """Operating and planned platforms and incubators serving each of the plan's industries in
    each zone (or town); industries with none are flagged; each cell has its atlas link."""
    table = planning_tables.industry_table(atlas, ind.matrix(atlas, by.value))
    return respond([table], f.value, {"by": by.value, "links": table.links})


@router.get("/targets", summary="The plan's targets (表1-1) with the atlas's live counts",
            responses=tables_answer(Tables))
def targets(atlas: AtlasDep, f: Annotated[TableFormat, Query()] = TableFormat.json) -> Response:
    """Each indicator's 2020 value and 2025 target; where the atlas can count it, its count
    and list, saying when the atlas holds fewer records than the plan reported."""
    table = planning_tables.targets_table(atlas, target_tallies(atlas))
    return respond([table], f.value, {"links": table.links})


def target_tallies(atlas) -> list[tuple]:
    """(indicator, tally or None) for every indicator of 表1-1."""
    found, _ = tgt.indicators()
    return [(i, tgt.tally(atlas, i)) for i in found]


@router.get("/density", summary="Carriers per km² per town, zone and corridor band",
            responses=tables_answer(Tables))
def density(atlas: AtlasDep, f: Annotated[TableFormat, Query()] = TableFormat.json) -> Response:
    """Platforms, incubators and parks and their density per km² for every unit."""
    return respond([planning_tables.density_table(dens.densities(atlas))], f.value, {})


@router.get("/zones", summary="The two zones side by side", responses=tables_answer(Tables))
def zones(atlas: AtlasDep, req: CoverageDep,
          f: Annotated[TableFormat, Query()] = TableFormat.json) -> Response:
    """Area, coverage (by the filtered facilities at ``radius_m``) and counts by layer, kind,
    level, industry and status for each zone."""
    table = planning_tables.zones_table(dens.compare_zones(atlas), answer(atlas, req).result)
    return respond([table], f.value, {"query": req.echo})
