"""The write API: features with ETags, history and undo (editors only; see atlas/auth).

Every write goes through :func:`atlas.edit.service.apply` — validated by the rules of
``atlas validate``, atomic, serialised across processes and recorded as a numbered commit —
then the server's atlas is reloaded, so pages, ``/api`` and ``/ogc`` answer from the new data.
"""

from __future__ import annotations

from typing import Annotated

import shapely
from fastapi import APIRouter, Body, Depends, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from shapely.geometry import shape

from atlas.auth.deps import EditorDep
from atlas.crs import InputCRS, geometry_to_wgs84
from atlas.edit.service import EditError, Op, apply, undo
from atlas.storage import Commit, etag
from atlas.vocab import Layer
from atlas.web.deps import AtlasDep
from atlas.web.errors import PROBLEM_JSON, ApiError
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import JSON, CommitSummary, History, StoredFeature, answer, responses

router = APIRouter(prefix="/api", tags=["edit"], default_response_class=Response,
                   dependencies=[Depends(reject_unknown_params)])

REFUSED_BY_ERROR_PAGE = (400, 401, 403, 404)
"""The refusals that are the HTML error page when asked for; a refused write is always
problem+json (:func:`edit_problem`)."""


def writes(*errors: int) -> dict:
    """The ``responses=`` of a write: the commit, or why not."""
    return responses({JSON: CommitSummary}, 401, 403, 404, *errors,
                     description="Written: the commit (`ETag`: the feature's new version)",
                     html_errors=REFUSED_BY_ERROR_PAGE)

COORDINATE_DIGITS = 7
"""Decimal places kept of a written lon/lat (about 1 cm)."""


def edit_problem(exc: EditError) -> JSONResponse:
    """A refused write as problem+json; a 422 lists each problem with its feature and field."""
    body = {"type": "about:blank", "title": "Write refused", "status": exc.status, "detail": exc.detail}
    if exc.problems:
        body["errors"] = [{"id": p.feature_id, "field": (p.message.split(":", 1)[0].split() or [""])[0],
                           "message": p.message, "code": p.code} for p in exc.problems]
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON)


def commit_summary(commit: Commit) -> dict:
    """A commit as JSON for clients: number, author, time, message, and each change's ETag."""
    return {"commit": commit.number, "author": commit.author, "time": commit.time,
            "message": commit.message, "undoes": commit.undoes,
            "changes": [{"layer": c.layer.value, "id": c.id,
                         "action": "create" if c.before is None else "delete" if c.after is None else "update",
                         "etag": etag(c.after) if c.after is not None else None}
                        for c in commit.changes]}


def normalise_feature(layer: Layer, entity_id: str, body: dict, crs: InputCRS) -> dict:
    """The body as a stored feature: WGS-84 geometry (converted from ``crs``, rounded to about
    1 cm, rings oriented as RFC 7946 wants), the path's id on the feature and in its properties."""
    if not isinstance(body, dict) or body.get("type") != "Feature":
        raise ApiError(400, "body: a GeoJSON Feature ({\"type\": \"Feature\", \"geometry\": …, "
                            "\"properties\": …})")
    props = body.get("properties")
    if not isinstance(props, dict):
        raise ApiError(400, "properties: an object of the feature's fields")
    try:
        geom = shape(body.get("geometry") or {})
    except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
        raise ApiError(400, f"geometry: not a GeoJSON geometry ({exc})") from exc
    geom = shapely.set_precision(geometry_to_wgs84(geom, crs), 10 ** -COORDINATE_DIGITS)
    geom = shapely.orient_polygons(geom)  # RFC 7946: exterior rings counter-clockwise
    return {"type": "Feature", "id": entity_id, "geometry": shapely.geometry.mapping(geom),
            "properties": {**props, "id": entity_id}}


def _write(request: Request, ops: list[Op], user, message: str) -> JSONResponse:
    storage, settings = request.app.state.storage, request.app.state.settings
    try:
        commit = apply(storage, settings, ops, user.name, message)
    except EditError as exc:
        return edit_problem(exc)
    request.app.state.live.reload()
    created = any(c.before is None for c in commit.changes)
    last = commit.changes[-1]
    headers = {"ETag": etag(last.after)} if last.after is not None else {}
    return JSONResponse(commit_summary(commit), status_code=201 if created else 200, headers=headers)


@router.get("/features/{entity_id}", summary="One stored feature with its ETag (for editing)",
            responses=responses({JSON: StoredFeature}, 404, description="The feature as stored "
                                "(`ETag`: its version, for `If-Match`)"))
def read_feature(atlas: AtlasDep, request: Request, entity_id: str) -> JSONResponse:
    stored = request.app.state.storage
    entity = atlas.entity(entity_id)
    if entity is None:
        raise ApiError(404, f"no entity with id {entity_id!r}", "Not found")
    feature = next((f for f in stored.read_layer(entity.layer)["features"] if f.get("id") == entity_id),
                   None)
    if feature is None:
        raise ApiError(404, f"no entity with id {entity_id!r}", "Not found")
    return JSONResponse({**feature, "layer": entity.layer.value}, headers={"ETag": etag(feature)})


@router.put("/features/{layer}/{entity_id}", summary="Create or replace a feature (If-Match: its ETag)",
            responses=writes(409, 412, 422) | {201: answer("Created: the commit",
                                                            {JSON: CommitSummary})})
def put_feature(request: Request, user: EditorDep, layer: Layer, entity_id: str,
                body: Annotated[dict, Body(description="A GeoJSON Feature")],
                crs: Annotated[InputCRS, Query(description="Datum of the body's coordinates")] = InputCRS.wgs84,
                message: Annotated[str, Query(max_length=500)] = "",
                if_match: Annotated[str | None, Header()] = None,
                if_none_match: Annotated[str | None, Header(description="`*`: create only, "
                                                          "never replace")] = None) -> JSONResponse:
    feature = normalise_feature(layer, entity_id, body, crs)
    op = Op(layer, entity_id, feature, if_match=if_match, create=if_none_match == "*")
    return _write(request, [op], user, message or f"edit {entity_id}")


@router.delete("/features/{layer}/{entity_id}", summary="Delete a feature (recoverable: undo its commit)",
               responses=writes(409, 412, 422))
def delete_feature(request: Request, user: EditorDep, layer: Layer, entity_id: str,
                   message: Annotated[str, Query(max_length=500)] = "",
                   if_match: Annotated[str | None, Header()] = None) -> JSONResponse:
    return _write(request, [Op(layer, entity_id, None, if_match=if_match)], user,
                  message or f"delete {entity_id}")


@router.get("/history", summary="Commits, newest first (editors)",
            responses=responses({JSON: History}, 401, 403), response_class=JSONResponse)
def history(request: Request, user: EditorDep,
            entity: Annotated[str | None, Query(max_length=64)] = None,
            limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict:
    commits = request.app.state.storage.history(entity, limit)
    return {"commits": [c.to_json() for c in commits]}


@router.post("/history/{number}/undo", summary="Revert a commit with a new commit (editors)",
             responses=writes(409, 422))
def undo_commit(request: Request, user: EditorDep, number: int) -> JSONResponse:
    storage, settings = request.app.state.storage, request.app.state.settings
    try:
        commit = undo(storage, settings, number, user.name)
    except EditError as exc:
        return edit_problem(exc)
    request.app.state.live.reload()
    return JSONResponse(commit_summary(commit))
