"""Importing a spreadsheet or GIS file into a layer (editors only): ``POST /api/import`` and
the page ``/edit/import``.

``mode=dry-run`` (the default) reads and checks the file and writes nothing; ``mode=apply``
writes it as one commit, or refuses with 409 and the same report when any row is rejected.
The reading, per-row checks and the write are :mod:`atlas.edit.imports`'s.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from atlas.auth.deps import EditorDep
from atlas.crs import InputCRS
from atlas.edit.imports import (ENCODINGS, GIS_SUFFIXES, MAX_UPLOAD_BYTES, TABLE_SUFFIXES,
                                ImportFileError, run_import)
from atlas.vocab import Layer
from atlas.web.edit_pages import editor_or_redirect
from atlas.web.errors import ApiError, problem
from atlas.web.i18n import label
from atlas.web.pages import LangQuery
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import JSON, PROBLEM_JSON, ImportReport, Problem, answer, responses
from atlas.web.templating import templates

router = APIRouter(tags=["edit"])

MULTIPART_OVERHEAD = 64 * 1024
"""Room for the multipart envelope around the file when checking Content-Length."""


class ImportMode(StrEnum):
    dry_run = "dry-run"
    apply = "apply"


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": (
        "CSV (UTF-8), XLSX, GeoJSON, GeoPackage, zipped Shapefile or KML, at most "
        f"{MAX_UPLOAD_BYTES // 2**20} MB")}}}}}}}


async def _upload(request: Request) -> tuple[bytes, str]:
    """The uploaded file's bytes and name (413 when too large, before reading it if possible)."""
    too_large = ApiError(413, f"file: larger than {MAX_UPLOAD_BYTES // 2**20} MB; split it",
                         "Payload too large")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD:
        raise too_large
    try:
        form = await request.form(max_files=1, max_fields=10)
    except (HTTPException, MultiPartException) as exc:  # a malformed multipart body
        why = getattr(exc, "detail", None) or getattr(exc, "message", "")
        raise ApiError(400, f"body: a multipart/form-data upload with the field 'file' ({why})") from None
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(400, "file: missing; upload the file as the multipart field 'file'")
    data = await upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise too_large
    return data, upload.filename or ""


@router.post("/api/import", summary="Import a CSV, XLSX, GeoJSON, GeoPackage, zipped Shapefile "
             "or KML into a layer: dry run, or apply as one commit (editors)",
             openapi_extra=UPLOAD_BODY, dependencies=[Depends(reject_unknown_params)],
             response_class=Response,
             responses=responses({JSON: ImportReport}, 401, 403, 413, 415, 422,
                                 html_errors=(400, 401, 403, 413),
                                 description="The report: rows added, changed, unchanged and "
                                             "rejected (a dry run writes nothing)",
                                 more={409: answer("Nothing was written: with mode=apply, some "
                                                   "rows are rejected (the report says which); "
                                                   "or the data changed meanwhile (problem)",
                                                   {JSON: ImportReport, PROBLEM_JSON: Problem})}))
async def import_file(
        request: Request, user: EditorDep,
        layer: Annotated[Layer, Query(description="The layer the rows go into")],
        mode: Annotated[ImportMode, Query(description="dry-run: check and report, write "
                                                      "nothing; apply: write it all as one "
                                                      "commit, refused (409) if any row is "
                                                      "rejected")] = ImportMode.dry_run,
        crs: Annotated[str | None, Query(max_length=20, description=(
            "What the coordinates are: wgs84, gcj02 or bd09 (tables' lon/lat and wkt; a "
            "per-row crs column wins); for a GIS file that declares no CRS, or to correct the "
            "one it declares, also EPSG:<code>"))] = None,
        encoding: Annotated[str | None, Query(max_length=20, description=(
            f"A CSV's text encoding when it is not UTF-8: {', '.join(ENCODINGS)}"))] = None,
) -> Response:
    """Each row is created or updated by its id; the report lists the ids added, changed and
    unchanged, and each rejected row with its number (the spreadsheet's row, header = 1; a GIS
    file's feature number) and the reason."""
    data, filename = await _upload(request)
    try:
        report = await run_in_threadpool(
            run_import, request.app.state.storage, request.app.state.settings, layer, data,
            filename, crs=crs, encoding=encoding, dry_run=mode is ImportMode.dry_run,
            author=user.name)
    except ImportFileError as exc:
        return problem(exc.status, "Import refused", exc.detail)
    if report.applied:
        request.app.state.live.reload()
    refused = mode is ImportMode.apply and bool(report.rejected)
    return JSONResponse(report.to_json(), status_code=409 if refused else 200)


@router.get("/edit/import", response_class=HTMLResponse, include_in_schema=False)
def import_page(request: Request, lang: LangQuery) -> Response:
    """The import form: file, layer and datum; "check" shows the dry run's report, "import"
    applies it when no row is rejected."""
    user = editor_or_redirect(request, lang)
    if isinstance(user, Response):
        return user
    layers = [(l.value, label("Layer", l.value, lang)) for l in Layer]
    return templates.TemplateResponse(request, "edit/import.html", {
        "lang": lang, "user": user, "layers": layers,
        "selected": request.query_params.get("layer", Layer.incubators.value),
        "datums": [c.value for c in InputCRS], "encodings": ENCODINGS,
        "accept": ",".join([*TABLE_SUFFIXES, *GIS_SUFFIXES]),
        "max_mb": MAX_UPLOAD_BYTES // 2**20,
    }, headers={"Cache-Control": "no-store"})
