"""Editing in the browser: the edit form with its map, and the history pages (editors only).

``/edit/{id}`` edits any feature of any layer, ``/edit/new?layer=…`` adds one; the page's script
(``static/js/edit.js``) writes through the write API (``atlas/web/edit_api.py``: PUT/DELETE with
``If-Match``), so the browser follows the same rules as every other client.  The form is built
from the layer's property model (:mod:`atlas.model`), the choices and labels from the
vocabularies (:mod:`atlas.vocab`): a field added to a model shows up here by itself.

Positions pasted as text or as an Amap / Tencent / Baidu share link are read on the server
(:mod:`atlas.edit.paste`, ``GET /edit/locate``); the datum shift is :mod:`atlas.crs`'s, never
re-done in the browser.  The form is built in :mod:`atlas.web.edit_forms`, the history diffs
in :mod:`atlas.web.history_views`.  ``/history`` and ``/history/{id}`` show who changed what, when, with a
before/after diff of properties and geometry and an "undo" per commit.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

import shapely
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from shapely.geometry import shape

from atlas.auth.csrf import csrf_token
from atlas.auth.deps import EditorDep, session_user
from atlas.crs import InputCRS, from_wgs84, geometry_from_wgs84, to_wgs84
from atlas.edit.paste import parse_position
from atlas.edit.service import current_features
from atlas.engine import Entity
from atlas.maps.assets import GEOMAN_CSS, GEOMAN_JS
from atlas.maps.render import map_shell
from atlas.storage import Commit, etag
from atlas.vocab import Layer
from atlas.web.browse import map_feature
from atlas.web.deps import AtlasDep
from atlas.web.edit_forms import (edit_js_text, field_label, form_fields, form_sections,
                                   geometry_kind, profile_link)
from atlas.web.errors import ApiError
from atlas.web.history_views import commit_views, undone_map
from atlas.web.i18n import Lang, field as text_field, t
from atlas.web.pages import PROFILE_LAYERS, LangQuery, error_page, not_found
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)


HISTORY_LIMIT = 50


# ---------------------------------------------------------------------------- access

def _next_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def editor_or_redirect(request: Request, lang: Lang):
    """The logged-in editor, or the response to send instead: anonymous visitors go to
    ``/login?next=…`` (and come back here), users without the editor role get a 403 page."""
    user = session_user(request)
    if user is None:
        return RedirectResponse(f"/login?next={quote(_next_url(request), safe='')}", status_code=303)
    if not user.has_role("editor"):
        return error_page(request, 403, t("edit_forbidden", lang).format(name=user.name, role=user.role))
    return user


@router.get("/edit/locate")
def locate(user: EditorDep, request: Request,
           text: Annotated[str, Query(max_length=2000)],
           crs: Annotated[InputCRS, Query()] = InputCRS.wgs84) -> dict:
    """A pasted position as the editor's map needs it: as given (lon, lat, datum), in WGS-84,
    and on the basemap's datum (where to put the marker)."""
    try:
        pasted = parse_position(text, crs)
    except ValueError as exc:
        raise ApiError(422, str(exc), "Position not understood") from exc
    lon, lat = to_wgs84(pasted.lon, pasted.lat, pasted.crs)
    shown = from_wgs84(lon, lat, request.app.state.settings.tiles_datum)
    return {"lon": pasted.lon, "lat": pasted.lat, "crs": pasted.crs.value, "source": pasted.source,
            "wgs84": [lon, lat], "display": list(shown)}


@router.get("/edit/check-id")
def check_id(user: EditorDep, atlas: AtlasDep, id: Annotated[str, Query(max_length=200)]) -> dict:
    """Whether ``id`` may name a new feature: well-formed, not used in any layer, and not the
    name of a page under ``/edit/`` (whose route would shadow its edit page).  A 200 either
    way, so the browser logs no failed request."""
    entity = atlas.entity(id)
    return {"id": id, "valid": bool(SLUG.fullmatch(id)) and id not in RESERVED,
            "taken": entity is not None or id in RESERVED,
            "layer": entity.layer.value if entity else None}


SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
"""What :data:`atlas.model.Slug` accepts."""
RESERVED = frozenset({"new", "locate", "check-id", "import", "corrections"})
"""The fixed pages under ``/edit/`` (here, atlas/web/import_api.py, atlas/web/corrections.py):
an entity with one of these ids could not be edited at ``/edit/{id}``."""


def _stored_feature(request: Request, layer: Layer, entity_id: str) -> dict | None:
    return next((f for f in request.app.state.storage.read_layer(layer).get("features", [])
                 if f.get("id") == entity_id), None)


def _context_features(atlas, layer: Layer, entity_id: str | None, lang: Lang) -> list[dict]:
    """What the editor's map draws faintly for orientation: the city, the zones and parks, and
    the other features of the same layer."""
    wanted = [Layer.boundary, Layer.zones, Layer.parks]
    if layer not in wanted:
        wanted.append(layer)
    return [map_feature(atlas, e, lang) for e in atlas.entities.values()
            if e.layer in wanted and e.id != entity_id
            and (e.props.get("precision") != "placeholder" or e.layer == layer)]


def _edit_page(request: Request, atlas, lang: Lang, layer: Layer, feature: dict | None,
               user) -> HTMLResponse:
    entity_id = feature["id"] if feature else None
    props = (feature or {}).get("properties") or {}
    datum = InputCRS(atlas.settings.tiles_datum)
    display = None
    if feature and feature.get("geometry"):
        display = shapely.geometry.mapping(geometry_from_wgs84(shape(feature["geometry"]), datum))
    entity = atlas.entity(entity_id) if entity_id else None
    fields = form_fields(atlas, layer, props, lang, entity_id)
    shell = map_shell(atlas.settings, zoom=14)
    config = {
        "map": shell.name, "lang": lang, "mode": "edit" if feature else "new", "layer": layer.value,
        "id": entity_id, "geometry": geometry_kind(layer), "etag": etag(feature) if feature else None,
        "stored": feature, "display": display, "datum": datum.value,
        "context": _context_features(atlas, layer, entity_id, lang),
        "kindColours": templates.env.globals["kind_colours"],
        "areaStyles": templates.env.globals["area_styles"],
        "profileLayers": [l.value for l in (*PROFILE_LAYERS, Layer.corridor)],
        "text": edit_js_text(lang), "csrf": csrf_token(request),
    }
    name = text_field(props, "name", lang)[0] if props else ""
    return templates.TemplateResponse(request, "edit/edit.html", {
        "lang": lang, "user": user, "layer": layer, "entity_id": entity_id, "entity": entity,
        "name": name, "sections": form_sections(fields), "props": props, "config": config,
        "shell": shell, "geoman_js": [u for _, u in GEOMAN_JS], "geoman_css": [u for _, u in GEOMAN_CSS],
        "profile": profile_link(entity),
        "crs_choices": CRS_CHOICES, "field_label": field_label,
    })


CRS_CHOICES = (("wgs84", "WGS-84 (GPS)"), ("gcj02", "GCJ-02（高德/腾讯 Amap/Tencent）"),
               ("bd09", "BD-09（百度 Baidu）"))


@router.get("/edit/new", response_class=HTMLResponse)
def new_feature_page(request: Request, atlas: AtlasDep, lang: LangQuery,
                     layer: Annotated[str, Query(max_length=32)] = "") -> Response:
    """Add a feature to ``layer`` (without a layer: the choice of layers)."""
    user = editor_or_redirect(request, lang)
    if isinstance(user, Response):
        return user
    if layer not in {l.value for l in Layer}:
        return templates.TemplateResponse(request, "edit/choose_layer.html", {
            "lang": lang, "user": user, "layers": list(Layer), "asked": layer})
    return _edit_page(request, atlas, lang, Layer(layer), None, user)


@router.get("/edit/{entity_id}", response_class=HTMLResponse)
def edit_feature_page(request: Request, atlas: AtlasDep, lang: LangQuery, entity_id: str) -> Response:
    """Edit one feature of any layer (editors; anonymous visitors are sent to log in)."""
    user = editor_or_redirect(request, lang)
    if isinstance(user, Response):
        return user
    entity = atlas.entity(entity_id)
    if entity is None:
        return not_found(request, lang)
    feature = _stored_feature(request, entity.layer, entity_id)
    if feature is None:
        return not_found(request, lang)
    return _edit_page(request, atlas, lang, entity.layer, feature, user)


def _history_page(request: Request, lang: Lang, user, commits: list[Commit], entity_id: str | None,
                  entity: Entity | None, limit: int) -> HTMLResponse:
    storage = request.app.state.storage
    current = current_features(storage.read_layer)
    views = commit_views(commits, current, undone_map(storage), lang)
    name = ""
    if entity is not None:
        name = text_field(entity.props, "name", lang)[0]
    elif views:
        name = next((ch.name for v in views for ch in v.changes if ch.id == entity_id), "")
    return templates.TemplateResponse(request, "edit/history.html", {
        "lang": lang, "user": user, "commits": views, "entity_id": entity_id, "entity": entity,
        "name": name, "limit": limit, "layers": list(Layer),
        "profile": profile_link(entity), "undone_notice": request.query_params.get("undone", ""),
        "config": {"lang": lang, "text": edit_js_text(lang), "csrf": csrf_token(request)},
        "field_label": field_label,
    })


@router.get("/history", response_class=HTMLResponse)
def recent_history(request: Request, lang: LangQuery,
                   limit: Annotated[int, Query(ge=1, le=1000)] = HISTORY_LIMIT) -> Response:
    """The latest commits, newest first (editors)."""
    user = editor_or_redirect(request, lang)
    if isinstance(user, Response):
        return user
    commits = request.app.state.storage.history(None, limit)
    return _history_page(request, lang, user, commits, None, None, limit)


@router.get("/history/{entity_id}", response_class=HTMLResponse)
def entity_history(request: Request, atlas: AtlasDep, lang: LangQuery, entity_id: str,
                   limit: Annotated[int, Query(ge=1, le=1000)] = HISTORY_LIMIT) -> Response:
    """Every commit that touched one entity, newest first (it may have been deleted since)."""
    user = editor_or_redirect(request, lang)
    if isinstance(user, Response):
        return user
    commits = request.app.state.storage.history(entity_id, limit)
    entity = atlas.entity(entity_id)
    if entity is None and not commits:
        return not_found(request, lang)
    return _history_page(request, lang, user, commits, entity_id, entity, limit)
