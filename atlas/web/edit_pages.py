"""Editing in the browser: the edit form with its map, and the history pages (editors only).

``/edit/{id}`` edits any feature of any layer, ``/edit/new?layer=…`` adds one; the page's script
(``static/js/edit.js``) writes through the write API (``atlas/web/edit_api.py``: PUT/DELETE with
``If-Match``), so the browser follows the same rules as every other client.  The form is built
from the layer's property model (:mod:`atlas.model`), the choices and labels from the
vocabularies (:mod:`atlas.vocab`): a field added to a model shows up here by itself.

Positions pasted as text or as an Amap / Tencent / Baidu share link are read on the server
(:func:`parse_position`, ``GET /edit/locate``); the datum shift is :mod:`atlas.crs`'s, never
re-done in the browser.  ``/history`` and ``/history/{id}`` show who changed what, when, with a
before/after diff of properties and geometry and an "undo" per commit.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import numpy as np
import shapely
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from atlas.auth.csrf import csrf_token
from atlas.auth.deps import EditorDep, session_user
from atlas.crs import METRIC_CRS, WGS84, InputCRS, from_wgs84, geometry_from_wgs84, to_wgs84
from atlas.edit.service import current_features
from atlas.engine import Entity
from atlas.maps.assets import GEOMAN_CSS, GEOMAN_JS
from atlas.maps.render import map_shell
from atlas.model import LAYER_MODELS, LINKS
from atlas.provenance import citation_text, plan_ref_label, plan_sections
from atlas.storage import Commit, etag
from atlas.vocab import (INDUSTRY_GROUP, LABELS, LAYER_GEOMETRY, LAYER_KINDS,
                         Industry, IndustryGroup, Kind, Layer)
from atlas.web.browse import map_feature, profile_url
from atlas.web.deps import AtlasDep
from atlas.web.errors import ApiError
from atlas.web.i18n import UI, Lang, field as text_field, label, t
from atlas.web.pages import PROFILE_LAYERS, LangQuery, error_page, not_found
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))
"""Commit times are stored in UTC and shown in China Standard Time (no daylight saving)."""

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


# ---------------------------------------------------------------------------- pasted positions

@dataclass(frozen=True)
class Pasted:
    """A position read from pasted text: lon/lat in ``crs``, and what it was read from."""

    lon: float
    lat: float
    crs: InputCRS
    source: str
    """"text", "amap", "tencent" or "baidu"."""


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_AMAP_HOSTS = ("amap.com", "gaode.com", "autonavi.com")
_AMAP_PARAMS = ("position", "location", "lnglat", "to", "dest", "center", "q")
_TENCENT_PARAMS = ("marker", "coord", "tocoord", "center", "location")
_BAIDU_PARAMS = ("location", "latlng", "destination", "center", "position")
_BAIDU_COORD_TYPES = {"bd09ll": InputCRS.bd09, "bd09": InputCRS.bd09, "gcj02": InputCRS.gcj02,
                      "gcj02ll": InputCRS.gcj02, "wgs84": InputCRS.wgs84, "wgs84ll": InputCRS.wgs84}


def _pair(text: str, lat_first: bool) -> tuple[float, float] | None:
    """The first two numbers in ``text`` as (lon, lat).  In China a longitude is above 60° and a
    latitude below, so a pair in the "wrong" order is put right whatever the source's habit."""
    numbers = [float(n) for n in _NUMBER.findall(text)]
    if len(numbers) < 2:
        return None
    a, b = numbers[0], numbers[1]
    if abs(a) > 60 >= abs(b):
        return a, b
    if abs(b) > 60 >= abs(a):
        return b, a
    return (b, a) if lat_first else (a, b)


def _from_params(params: dict[str, list[str]], names: tuple[str, ...], lat_first: bool,
                 strip=lambda v: v) -> tuple[float, float] | None:
    for name in names:
        for value in params.get(name, []):
            found = _pair(strip(value), lat_first)
            if found:
                return found
    lon, lat = params.get("lng") or params.get("lon"), params.get("lat")
    if lon and lat:
        return _pair(f"{lon[0]},{lat[0]}", False)
    return None


def parse_position(text: str, crs: InputCRS = InputCRS.wgs84) -> Pasted:
    """Read a position from what an editor pasted: ``lon, lat`` (or ``lat, lon``) in ``crs``, or
    a share link of Amap (GCJ-02; ``uri.amap.com/marker?position=lon,lat``,
    ``amap.com/…?p=id,lat,lon,…``), Tencent (GCJ-02; ``marker=coord:lat,lon``) or Baidu
    (BD-09 unless its ``coord_type`` says otherwise; ``location=lat,lon``).  A link's datum
    wins over ``crs``.  Raises ValueError with a message that says what to paste instead."""
    text = text.strip()
    if not text:
        raise ValueError("paste coordinates (lon, lat) or a map share link")
    if re.match(r"^(https?://|[\w-]+(\.[\w-]+)+/)", text):
        url = urlsplit(text if "://" in text else "https://" + text)
        host = (url.hostname or "").lower()
        params = {k.lower(): v for k, v in parse_qs(url.query + "&" + url.fragment.split("?")[-1]).items()}
        if host.endswith(_AMAP_HOSTS):
            if host.startswith("surl.") or not params:
                raise ValueError("this Amap link has no coordinates (a short link): open it, then "
                                 "use 分享 → 复制链接 on the place, or paste its coordinates")
            if "p" in params:  # www.amap.com/…?p=<poi id>,lat,lon,name,address
                head, _, rest = params["p"][0].partition(",")
                found = _pair(params["p"][0] if _NUMBER.fullmatch(head) else rest, lat_first=True)
            else:
                found = _from_params(params, _AMAP_PARAMS, lat_first=False)
            source, datum = "amap", InputCRS.gcj02
        elif host.endswith("qq.com"):
            found = _from_params(params, _TENCENT_PARAMS, lat_first=True,
                                 strip=lambda v: v.split("coord:", 1)[-1])
            source, datum = "tencent", InputCRS.gcj02
        elif host.endswith("baidu.com"):
            coord_type = (params.get("coord_type") or ["bd09ll"])[0].lower()
            if coord_type not in _BAIDU_COORD_TYPES:
                raise ValueError(f"this Baidu link uses coord_type={coord_type} (Mercator metres); "
                                 "share the place again as a marker link, or paste lon, lat")
            found = _from_params(params, _BAIDU_PARAMS, lat_first=True,
                                 strip=lambda v: v.replace("latlng:", ""))
            source, datum = "baidu", _BAIDU_COORD_TYPES[coord_type]
        else:
            found = _from_params(params, ("position", "location", "ll", "q"), lat_first=True)
            source, datum = "link", crs
        if found is None:
            raise ValueError("no coordinates found in this link: paste lon, lat instead")
    else:
        found = _pair(unquote(text), lat_first=False)
        if found is None or len(_NUMBER.findall(text)) != 2:
            raise ValueError("paste two numbers, longitude and latitude (e.g. 118.58, 24.78)")
        source, datum = "text", crs
    lon, lat = found
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        raise ValueError(f"{lon}, {lat} is not in China; check the numbers and their order")
    return Pasted(lon, lat, datum, source)


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


# ---------------------------------------------------------------------------- the form

@dataclass
class FormField:
    """One input of the edit form: its property ``name``, the widget (see edit.html), the JS
    value type (``data-type`` in edit.js) and, for choices, (value, label) options."""

    name: str
    widget: str
    type: str
    required: bool
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("edit_sec_names", ("name_zh", "name_en", "aliases")),
    ("edit_sec_class", ("kind", "status", "level", "torch_grade", "industries")),
    ("edit_sec_text", ("description_zh", "description_en", "plan_refs")),
    ("edit_sec_position", ("precision", "position_note_zh", "position_note_en", "seat_lon", "seat_lat")),
    ("edit_sec_sources", ("citations", "as_of")),
    ("edit_sec_people", ("operator_zh", "operator_en", "partners_zh", "partners_en")),
    ("edit_sec_links", ("zone", "host_park", "nodes", "pivots", "stated_area_ha", "size_m2")),
]
"""How the form groups the fields (a field of no section goes to the last one)."""

TEXTAREAS = frozenset({"description_zh", "description_en", "position_note_zh", "position_note_en"})


def _unwrap(annotation) -> tuple[Any, bool, bool]:
    """(base type, is a list, may be None) of a model field's annotation."""
    nullable = is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        elif origin is list:
            is_list, annotation = True, typing.get_args(annotation)[0]
        else:
            return annotation, is_list, nullable


def _choices(enum_cls: type[enum.Enum], lang: Lang, only=None) -> list[tuple[str, str]]:
    return [(m.value, label(enum_cls.__name__, m.value, lang)) for m in enum_cls
            if only is None or m in only]


def _entity_choices(atlas, layers: tuple[Layer, ...], lang: Lang, skip: str | None
                    ) -> list[tuple[str, list[tuple[str, str]]]]:
    groups = []
    for layer in layers:
        ids = [i for i in atlas.frames[layer].index if i != skip]
        groups.append((label("Layer", layer.value, lang),
                       [(i, f"{text_field(atlas.entities[i].props, 'name', lang)[0]} ({i})") for i in ids]))
    return groups


def form_fields(atlas, layer: Layer, props: dict, lang: Lang, entity_id: str | None
                ) -> list[FormField]:
    """Every field of ``layer``'s model but the id, as form inputs holding ``props``' values."""
    fields = []
    for name, info in LAYER_MODELS[layer].model_fields.items():
        if name == "id":
            continue
        base, is_list, nullable = _unwrap(info.annotation)
        value = props.get(name, None if info.is_required() else info.get_default(call_default_factory=True))
        links = LINKS.get((layer, name))
        f = FormField(name, "text", "text", info.is_required() and not nullable, value)
        if links:
            groups = _entity_choices(atlas, links, lang, entity_id)
            if is_list:
                f.widget, f.type, f.groups = "checks", "checks", groups
            else:
                f.widget, f.type, f.groups = "select", "select", groups
        elif name == "industries":
            f.widget, f.type = "checks", "checks"
            f.groups = [(label("IndustryGroup", g.value, lang),
                         [(i.value, label("Industry", i.value, lang)) for i in Industry
                          if INDUSTRY_GROUP[i] is g]) for g in IndustryGroup]
        elif name == "plan_refs":
            f.widget, f.type = "checks", "checks"
            f.groups = [("", [(ref, plan_ref_label(ref, lang)) for ref in plan_sections()])]
        elif isinstance(base, type) and issubclass(base, BaseModel):
            f.widget, f.type = "citations", "citations"
        elif isinstance(base, type) and issubclass(base, enum.Enum):
            only = LAYER_KINDS[layer] if base is Kind else None
            f.options = _choices(base, lang, only)
            f.widget, f.type = ("checks", "checks") if is_list else ("select", "select")
            if is_list:
                f.groups = [("", f.options)]
        elif is_list:
            f.widget, f.type = "lines", "lines"
        elif base is dt.date:
            f.widget, f.type = "date", "date"
            f.value = str(value) if value else dt.date.today().isoformat()
        elif base in (float, int):
            f.widget, f.type = "number", "number"
        elif name in TEXTAREAS:
            f.widget, f.type = "textarea", "text"
        if f.type == "text" and nullable:
            f.type = "nullable-text"
        _keep_unlisted(f)
        fields.append(f)
    return fields


def _keep_unlisted(f: FormField) -> None:
    """Offer a stored value the choices lack (a link to an id since removed, a plan section not
    in the list) marked with ⚠, so that saving the form never drops it unseen."""
    if f.widget not in ("select", "checks") or f.value in (None, "", []):
        return
    listed = {v for v, _ in f.options} | {v for _, opts in f.groups for v, _ in opts}
    values = f.value if isinstance(f.value, list) else [f.value]
    missing = [str(v) for v in values if v not in listed]
    if missing:
        f.groups = [*f.groups, ("⚠", [(v, f"{v} ⚠") for v in missing])]


def form_sections(fields: list[FormField]) -> list[tuple[str, list[FormField]]]:
    by_name = {f.name: f for f in fields}
    placed = {n for _, names in SECTIONS for n in names}
    sections = [(key, [by_name[n] for n in names if n in by_name]) for key, names in SECTIONS]
    sections[-1][1].extend(f for f in fields if f.name not in placed)
    return [(key, fs) for key, fs in sections if fs]


def field_label(name: str, lang: Lang) -> str:
    """A property's label in ``lang`` (the property name itself when it has none)."""
    key = f"edit_f_{name}"
    return t(key, lang) if key in UI else name


def profile_link(entity: Entity | None) -> str | None:
    """The public profile of ``entity`` (None for layers without one, like the boundary)."""
    if entity is None or entity.layer not in (*PROFILE_LAYERS, Layer.corridor):
        return None
    return profile_url(entity)


def geometry_kind(layer: Layer) -> str:
    """"point", "line" or "polygon": how the map edits the layer's geometry."""
    types_ = LAYER_GEOMETRY[layer]
    return "point" if "Point" in types_ else "line" if "LineString" in types_ else "polygon"


EDIT_JS_TEXT = ("edit_saved", "edit_created", "edit_deleted", "edit_undo", "edit_undone",
                "edit_conflict", "edit_reload", "edit_invalid", "edit_login_again", "edit_forbidden_js",
                "edit_failed", "edit_id_taken", "edit_no_geometry", "edit_profile_link",
                "edit_map_link", "edit_history_link", "edit_confirm_delete", "edit_saving",
                "edit_paste_placed", "edit_other_feature", "edit_id_bad", "edit_need_citation")


def edit_js_text(lang: Lang) -> dict[str, str]:
    return {key.removeprefix("edit_"): t(key, lang) for key in EDIT_JS_TEXT}


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
        "profile": profile_link(entity), "citation_fields": CITATION_FIELDS,
        "crs_choices": CRS_CHOICES, "field_label": field_label,
    })


CITATION_FIELDS = ("publisher_zh", "publisher_en", "title_zh", "title_en", "date", "url")
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


# ---------------------------------------------------------------------------- history

@dataclass
class PropDiff:
    name: str
    before: str | None
    after: str | None


@dataclass
class GeomDiff:
    summary: list[str]
    svg: str


@dataclass
class ChangeView:
    layer: str
    id: str
    action: str
    """create, update or delete."""
    name: str
    props: list[PropDiff]
    geometry: GeomDiff | None
    exists: bool


@dataclass
class CommitView:
    number: int
    author: str
    time: str
    message: str
    undoes: int | None
    undone_by: int | None
    undoable: bool
    why_not: str
    changes: list[ChangeView]


ENUM_FIELDS = {"kind": "Kind", "status": "Status", "level": "Level", "precision": "Precision",
               "torch_grade": "TorchGrade", "industries": "Industry"}


def show_value(name: str, value, lang: Lang) -> str | None:
    """A property value as text for the diff: labels for vocabulary values, citations as lines."""
    if value is None or value == [] or value == "":
        return None
    enum_name = ENUM_FIELDS.get(name)
    if name == "citations" and isinstance(value, list):
        return "\n".join(citation_text(c, lang) + (f" {c.get('url')}" if c.get("url") else "")
                         for c in value if isinstance(c, dict))
    if enum_name and isinstance(value, list):
        return "、".join(label(enum_name, v, lang) for v in value) if lang == "zh" else \
            ", ".join(label(enum_name, v, lang) for v in value)
    if enum_name and isinstance(value, str) and value in LABELS[enum_name]:
        return f"{label(enum_name, value, lang)} ({value})"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def prop_diff(before: dict | None, after: dict | None, lang: Lang) -> list[PropDiff]:
    """The properties that differ, in model order (then any others)."""
    b, a = (before or {}).get("properties") or {}, (after or {}).get("properties") or {}
    order = {n: i for i, n in enumerate(LAYER_MODELS[Layer.incubators].model_fields)}
    for model in LAYER_MODELS.values():
        for n in model.model_fields:
            order.setdefault(n, len(order))
    names = sorted(set(b) | set(a), key=lambda n: (order.get(n, 999), n))
    out = []
    for name in names:
        if b.get(name) == a.get(name):
            continue
        shown_b, shown_a = show_value(name, b.get(name), lang), show_value(name, a.get(name), lang)
        if shown_b is None and shown_a is None:
            continue  # absent vs empty: the same to a reader
        out.append(PropDiff(name, shown_b, shown_a))
    return out


_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def _metric(geom: BaseGeometry) -> BaseGeometry:
    """A WGS-84 geometry in metres (UTM 50N), for distances and areas."""
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def _fmt_m(metres: float, lang: Lang) -> str:
    return f"{metres:,.0f} {t('metres', lang)}" if metres >= 1 else f"{metres:.2f} {t('metres', lang)}"


def geometry_diff(before: dict | None, after: dict | None, lang: Lang) -> GeomDiff | None:
    """What happened to the geometry, in words (moved so far, area from → to, vertices) and as
    a small SVG sketch: before dashed grey, after in the accent colour."""
    gb = (before or {}).get("geometry")
    ga = (after or {}).get("geometry")
    if gb == ga:
        return None
    shapes = {}
    for key, raw in (("before", gb), ("after", ga)):
        try:
            shapes[key] = _metric(shape(raw)) if raw else None
        except Exception:  # a stored geometry that cannot be read: say so, do not fail the page
            shapes[key] = None
    mb, ma = shapes["before"], shapes["after"]
    summary = []
    if mb is not None and ma is not None:
        if ma.geom_type == "Point" and mb.geom_type == "Point":
            summary.append(t("edit_geom_moved", lang).format(d=_fmt_m(mb.distance(ma), lang)))
        else:
            summary.append(t("edit_geom_shifted", lang).format(
                d=_fmt_m(mb.centroid.distance(ma.centroid), lang),
                h=_fmt_m(mb.hausdorff_distance(ma), lang)))
            if ma.area or mb.area:
                summary.append(t("edit_geom_area", lang).format(b=f"{mb.area / 1e4:,.2f}",
                                                                a=f"{ma.area / 1e4:,.2f}"))
            if ma.length and ma.geom_type.endswith("LineString"):
                summary.append(t("edit_geom_length", lang).format(b=_fmt_m(mb.length, lang),
                                                                  a=_fmt_m(ma.length, lang)))
        nb, na = shapely.get_num_coordinates(mb), shapely.get_num_coordinates(ma)
        if nb != na or ma.geom_type != mb.geom_type:
            summary.append(t("edit_geom_vertices", lang).format(tb=mb.geom_type, b=nb, ta=ma.geom_type, a=na))
    for key, raw in (("before", gb), ("after", ga)):
        if raw and raw.get("type") == "Point" and raw.get("coordinates"):
            lon, lat = raw["coordinates"][:2]
            summary.append(f"{t('edit_' + key, lang)}: {lon:.6f}, {lat:.6f} (WGS-84)")
    return GeomDiff(summary, sketch(mb, ma))


def sketch(before: BaseGeometry | None, after: BaseGeometry | None, width: int = 180,
           height: int = 120) -> str:
    """An inline SVG of two metric geometries (north up), scaled to fit; numbers only, so safe."""
    present = [g for g in (before, after) if g is not None and not g.is_empty]
    if not present:
        return ""
    minx, miny, maxx, maxy = shapely.GeometryCollection(present).bounds
    span = max(maxx - minx, maxy - miny, 60.0) * 1.15
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    scale = min(width, height) / span

    def xy(x, y):
        return f"{width / 2 + (x - cx) * scale:.1f},{height / 2 - (y - cy) * scale:.1f}"

    def draw(g: BaseGeometry, cls: str) -> str:
        parts = []
        for part in getattr(g, "geoms", [g]):
            if part.geom_type == "Point":
                x, y = xy(part.x, part.y).split(",")
                parts.append(f'<circle class="{cls}" cx="{x}" cy="{y}" r="5"/>')
            elif part.geom_type == "LineString":
                parts.append(f'<polyline class="{cls}" points="{" ".join(xy(*c[:2]) for c in part.coords)}"/>')
            elif part.geom_type == "Polygon":
                d = " ".join("M" + " L".join(xy(*c[:2]) for c in ring.coords) + " Z"
                             for ring in (part.exterior, *part.interiors))
                parts.append(f'<path class="{cls}" d="{d}" fill-rule="evenodd"/>')
        return "".join(parts)

    body = (draw(before, "geom-before") if before is not None else "") + \
        (draw(after, "geom-after") if after is not None else "")
    if before is not None and after is not None and before.geom_type == after.geom_type == "Point":
        (x1, y1), (x2, y2) = xy(before.x, before.y).split(","), xy(after.x, after.y).split(",")
        body = f'<line class="geom-move" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>' + body
    scale_m = 10 ** math.floor(math.log10(max(span / 3, 1)))
    bar = scale_m * scale
    return (f'<svg class="geom-sketch" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-hidden="true">{body}'
            f'<line class="geom-scale" x1="6" y1="{height - 6}" x2="{6 + bar:.1f}" y2="{height - 6}"/>'
            f'<text class="geom-scale-text" x="6" y="{height - 9}">{scale_m:,.0f} m</text></svg>')


def _display_name(change_before: dict | None, change_after: dict | None, lang: Lang) -> str:
    for f in (change_after, change_before):
        if f and f.get("properties"):
            return text_field(f["properties"], "name", lang)[0] or f.get("id", "")
    return ""


def commit_views(commits: list[Commit], current: dict[str, tuple[Layer, dict]], undone: dict[int, int],
                 lang: Lang) -> list[CommitView]:
    """Commits as the history pages show them: diffs, and whether "undo" can work now (every
    feature it wrote is still as it left it, and it has not been undone already)."""
    views = []
    for c in commits:
        changes, undoable = [], True
        for ch in c.changes:
            now = current.get(ch.id, (None, None))[1]
            if etag(now) != etag(ch.after):
                undoable = False
            action = "create" if ch.before is None else "delete" if ch.after is None else "update"
            changes.append(ChangeView(Layer(ch.layer).value, ch.id, action,
                                      _display_name(ch.before, ch.after, lang),
                                      prop_diff(ch.before, ch.after, lang),
                                      geometry_diff(ch.before, ch.after, lang), now is not None))
        undone_by = undone.get(c.number)
        why_not = ""
        if undone_by:
            why_not = t("edit_already_undone", lang).format(n=undone_by)
        elif not undoable:
            why_not = t("edit_changed_since", lang)
        views.append(CommitView(c.number, c.author, _local_time(c.time), c.message, c.undoes,
                                undone_by, not why_not, why_not, changes))
    return views


def _local_time(iso: str) -> str:
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)"


def _undone_map(storage) -> dict[int, int]:
    """Commit number -> the commit that undid it."""
    return {c.undoes: c.number for c in storage.history(None, 100000) if c.undoes}


def _history_page(request: Request, lang: Lang, user, commits: list[Commit], entity_id: str | None,
                  entity: Entity | None, limit: int) -> HTMLResponse:
    storage = request.app.state.storage
    current = current_features(storage.read_layer)
    views = commit_views(commits, current, _undone_map(storage), lang)
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
