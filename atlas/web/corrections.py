"""Public corrections: anyone may say "this is wrong" (no account); editors accept or reject.

- ``POST /api/corrections`` — public: an entity id, what is wrong (≤ 2 000 characters), an
  optional contact (≤ 200) and an optional proposed position (lon/lat, WGS-84 unless ``crs``
  says gcj02 or bd09, inside the city by the rule validation uses).  JSON or a form body.
  No account and no cookie are involved, so no CSRF token is asked for; spam is kept down by
  a per-client rate limit (:data:`CLIENT_LIMITS`, bounded LRU memory), a limit over all
  clients (:data:`ALL_CLIENTS_LIMITS`) and a honeypot field (:data:`HONEYPOT`) that people
  never see and bots fill: such a report is answered 202 and dropped, so the bot learns
  nothing.  201 with the correction's number; 400 naming each bad field; 429 + Retry-After.
  A browser posting the form without script gets an HTML thank-you (or error) page.
- ``GET /edit/corrections`` — the moderation queue (editors): pending reports first, with the
  proposed positions on a map, then the decided ones.
- ``POST /api/corrections/{number}/accept`` — editors.  A proposed position for a point
  entity moves the point through :func:`atlas.edit.service.apply` (validated, recorded as a
  commit by ``"<editor> (correction #n)"``, credited in ``/api/history``), and the correction
  keeps the commit number; otherwise (no position, an area or a line, or ``move: false``)
  it is only marked accepted and the answer links to the edit page ``/edit/{id}``.
- ``POST /api/corrections/{number}/reject`` — editors; an optional reason is kept.
- ``GET /api/corrections`` and ``GET /api/corrections/{number}`` — editors: the queue as JSON
  (contacts are personal data: never public).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import math
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Annotated
from urllib.parse import parse_qs

import shapely
from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from atlas.auth.csrf import csrf_token
from atlas.auth.deps import EditorDep, current_user
from atlas.crs import InputCRS, from_wgs84, to_wgs84
from atlas.edit.service import EditError, Op, apply
from atlas.engine import Atlas
from atlas.maps.render import map_shell
from atlas.storage import Correction, etag
from atlas.vocab import POINT_LAYERS, Layer, Precision
from atlas.web.browse import profile_url
from atlas.web.edit_api import COORDINATE_DIGITS, commit_summary, edit_problem
from atlas.web.errors import PROBLEM_JSON, ApiError, asks_for_html
from atlas.web.i18n import Lang, field, t
from atlas.web.pages import LangQuery
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import HTML, JSON, STRING, CorrectionList, Decided, Received, answer, responses
from atlas.web.schemas import Correction as CorrectionAnswer
from atlas.web.templating import templates

log = logging.getLogger("atlas")

router = APIRouter(tags=["corrections"])

MAX_MESSAGE = 2000
MAX_CONTACT = 200
MAX_REASON = 500
MAX_BODY = 16 * 1024
"""Bytes of a report's body read at most (2 000 characters of Chinese are 6 000 bytes)."""

HONEYPOT = "website"
"""A form field hidden from people (off-screen, not focusable, no autofill): only bots fill it."""

CLIENT_LIMITS: tuple[tuple[int, float], ...] = ((5, 600.0), (50, 86400.0))
"""(reports, seconds): at most 5 per 10 minutes and 50 per day from one client."""

ALL_CLIENTS_LIMITS: tuple[tuple[int, float], ...] = ((200, 3600.0),)
"""At most 200 reports an hour from everyone together (a flood from many addresses)."""

MAX_CLIENTS = 10_000
"""Clients remembered by the rate limit (least recently seen forgotten first)."""

STATUSES = ("pending", "accepted", "rejected")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


# ---------------------------------------------------------------------------- rate limit
class RateLimiter:
    """Sliding-window limits per key, in bounded memory.

    Each key keeps only its newest ``max(limit)`` report times (enough to decide every
    window); at most ``max_keys`` keys are kept, the least recently used dropped first.
    """

    def __init__(self, limits: tuple[tuple[int, float], ...] = CLIENT_LIMITS,
                 max_keys: int = MAX_CLIENTS, clock: Callable[[], float] = time.monotonic):
        self.limits, self.max_keys, self.clock = tuple(limits), max_keys, clock
        self.keep = max(n for n, _ in self.limits)
        self.horizon = max(w for _, w in self.limits)
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may report again; 0 if it may now."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                return 0
            for limit, window in self.limits:
                recent = [t for t in hits if t > now - window]
                if len(recent) >= limit:
                    wait = max(wait, recent[-limit] + window - now)
        return max(1, math.ceil(wait)) if wait > 0 else 0

    def hit(self, key: str) -> None:
        """Count one report by ``key``."""
        now = self.clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque(maxlen=self.keep)
            hits.append(now)
            self._hits.move_to_end(key)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(self._hits) > 64 and next(iter(self._hits.values()))[-1] <= now - self.horizon:
                self._forget_old(now)

    def _forget_old(self, now: float) -> None:
        """Drop keys whose newest report is older than every window (oldest-used first)."""
        while self._hits:
            key, hits = next(iter(self._hits.items()))
            if hits[-1] > now - self.horizon:
                break
            del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)


_limiter_lock = threading.Lock()


def limiters(app) -> tuple[RateLimiter, RateLimiter]:
    """The app's (per client, all clients) limiters, made on first use."""
    state = app.state
    pair = getattr(state, "correction_limiters", None)
    if pair is None:
        with _limiter_lock:
            pair = getattr(state, "correction_limiters", None)
            if pair is None:
                pair = state.correction_limiters = (RateLimiter(CLIENT_LIMITS),
                                                    RateLimiter(ALL_CLIENTS_LIMITS))
    return pair


def client_key(request: Request) -> str:
    """Whom a report counts against: the client's IP address (behind a proxy, run uvicorn with
    ``--proxy-headers --forwarded-allow-ips`` so it is the reader's, not the proxy's); an IPv6
    address by its /64, which one household or phone usually holds whole."""
    host = request.client.host if request.client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# ---------------------------------------------------------------------------- reports
class ReportError(Exception):
    """A report refused: each problem as (field, code, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__("; ".join(m for _, _, m in problems))
        self.problems = problems


async def read_body(request: Request) -> dict[str, object]:
    """The report's fields from a JSON object, a urlencoded form or a multipart form."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, f"body: at most {MAX_BODY} bytes", "Request too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise ApiError(413, f"body: at most {MAX_BODY} bytes", "Request too large")
        chunks.append(chunk)
    body = b"".join(chunks)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        request._body = body  # Starlette's own cache: request.form() parses these bytes
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "body: not UTF-8 text") from exc
    if kind == "application/x-www-form-urlencoded":
        return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    if kind in ("application/json", "") or kind.endswith("+json"):
        try:
            data = json.loads(text or "null")
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ApiError(400, f"body: not valid JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise ApiError(400, 'body: a JSON object {"entity": …, "message": …, "lon": …, '
                                '"lat": …, "contact": …}')
        return data
    raise ApiError(415, "body: send JSON (application/json) or a form "
                        "(application/x-www-form-urlencoded or multipart/form-data)",
                   "Unsupported media type")


def _text(data: dict, name: str, problems: list) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        problems.append((name, "not_text", f"{name}: must be text"))
        return ""
    return _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()


def _number(data: dict, name: str, problems: list) -> float | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except (TypeError, ValueError):
        problems.append((name, "bad_number", f"{name}: must be a number in decimal degrees "
                                             f"(got {str(value)[:40]!r})"))
        return None
    if not math.isfinite(number):
        problems.append((name, "bad_number", f"{name}: must be a finite number"))
        return None
    return number


def allowed_area(atlas: Atlas):
    """Where a proposed position may lie: the city outline widened by the coast tolerance,
    the rule ``atlas validate`` applies to every feature (metric CRS, prepared; once per atlas)."""
    def build():
        area = atlas.city.buffer(atlas.settings.coast_tolerance_m)
        shapely.prepare(area)
        return area
    return atlas.cached(("corrections", "allowed_area"), build)


def check_report(atlas: Atlas, data: dict) -> Correction:
    """The report as an unnumbered :class:`Correction`, or :class:`ReportError` with every
    problem found (a field, a code the page translates, and a message in English)."""
    problems: list[tuple[str, str, str]] = []
    entity_id = _text(data, "entity", problems) or _text(data, "entity_id", problems)
    entity = atlas.entity(entity_id) if entity_id else None
    if not entity_id:
        problems.append(("entity", "required", "entity: the id of the entity that is wrong"))
    elif entity is None or entity.layer == Layer.boundary:
        problems.append(("entity", "unknown_entity",
                         f"entity: no entity with id {entity_id[:80]!r} in the atlas"))
    message = _text(data, "message", problems)
    if not message:
        problems.append(("message", "required", "message: say what is wrong"))
    elif len(message) > MAX_MESSAGE:
        problems.append(("message", "too_long", f"message: at most {MAX_MESSAGE} characters "
                                                f"(this one has {len(message)})"))
    contact = " ".join(_text(data, "contact", problems).split())
    if len(contact) > MAX_CONTACT:
        problems.append(("contact", "too_long", f"contact: at most {MAX_CONTACT} characters "
                                                f"(this one has {len(contact)})"))
    lon, lat = _number(data, "lon", problems), _number(data, "lat", problems)
    crs_name = _text(data, "crs", problems) or InputCRS.wgs84.value
    if crs_name not in InputCRS.__members__:
        problems.append(("crs", "bad_crs", f"crs: one of {', '.join(InputCRS)} (got {crs_name[:20]!r})"))
    elif (lon is None) != (lat is None):
        if not any(p[0] in ("lon", "lat") for p in problems):
            problems.append(("lon" if lon is None else "lat", "incomplete_position",
                             "lon/lat: give both, or neither"))
    elif lon is not None:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(("lon", "outside_city", f"lon/lat: ({lon}, {lat}) is not a position "
                                                    "on Earth; check the lon/lat order"))
        else:
            lon, lat = to_wgs84(lon, lat, InputCRS(crs_name))
            if not allowed_area(atlas).contains(atlas.to_metric_point(lon, lat)):
                tolerance = atlas.settings.coast_tolerance_m
                problems.append(("lon", "outside_city",
                                 f"lon/lat: ({lon:.6f}, {lat:.6f}) lies outside Jinjiang (more than "
                                 f"{tolerance:.0f} m beyond the city outline); check the position "
                                 "and the lon/lat order"))
            lon, lat = round(lon, COORDINATE_DIGITS), round(lat, COORDINATE_DIGITS)
    if problems:
        raise ReportError(problems)
    lang = "en" if data.get("lang") == "en" else "zh"
    return Correction(number=0, entity_id=entity.id, time=_now(), message=message,
                      lon=lon, lat=lat, contact=contact,
                      extra={"lang": lang, "layer": entity.layer.value})


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _limited(request: Request, wait: int, lang: Lang) -> Response:
    detail = (f"Too many corrections from your address: please try again in {wait} s "
              "(or write to the atlas team).")
    headers = {"Retry-After": str(wait)}
    if asks_for_html(request):
        return templates.TemplateResponse(request, "corrections/thanks.html",
                                          {"lang": lang, "status": 429, "wait": wait},
                                          status_code=429, headers=headers)
    return JSONResponse({"type": "about:blank", "title": "Too many requests", "status": 429,
                         "detail": detail, "retry_after": wait},
                        status_code=429, media_type=PROBLEM_JSON, headers=headers)


@router.post("/api/corrections", status_code=201, summary="Report a correction (public, rate-limited)",
             response_class=Response, dependencies=[Depends(reject_unknown_params)],
             responses=responses(
                 {JSON: Received, HTML: STRING}, 413, 415, 429, status=201,
                 description="Stored for the editors: its number (a form gets a thank-you page)",
                 more={202: answer("Received and dropped unseen (a bot's report)",
                                   {JSON: Received, HTML: STRING})}),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object", "required": ["entity", "message"],
                     "properties": {"entity": {"type": "string"},
                                    "message": {"type": "string", "maxLength": MAX_MESSAGE},
                                    "contact": {"type": "string", "maxLength": MAX_CONTACT},
                                    "lon": {"type": "number"}, "lat": {"type": "number"},
                                    "crs": {"type": "string", "enum": [c.value for c in InputCRS]},
                                    "lang": {"type": "string", "enum": ["zh", "en"]}}}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}})
async def report_correction(request: Request, query_lang: LangQuery) -> Response:
    """Store a report for the editors; answers 201 ``{"number": n, "status": "pending"}``."""
    per_client, everyone = limiters(request.app)
    key = client_key(request)
    lang: Lang = query_lang
    wait = max(per_client.retry_after(key), everyone.retry_after("*"))
    if wait:
        return _limited(request, wait, lang)
    data = await read_body(request)
    lang = "en" if data.get("lang") == "en" else lang
    if str(data.get(HONEYPOT) or "").strip():
        per_client.hit(key)  # a bot: counted, answered as if received, never stored
        log.info("correction dropped: honeypot filled (client %s)", key)
        return _received(request, lang, None, None, status=202)
    atlas = request.app.state.live.current()
    try:
        correction = check_report(atlas, data)
    except ReportError as exc:
        if asks_for_html(request):
            raise ApiError(400, str(exc)) from exc
        return JSONResponse({"type": "about:blank", "title": "Correction not accepted",
                             "status": 400, "detail": str(exc),
                             "errors": [{"field": f, "code": c, "message": m}
                                        for f, c, m in exc.problems]},
                            status_code=400, media_type=PROBLEM_JSON)
    per_client.hit(key)
    everyone.hit("*")
    stored = await run_in_threadpool(request.app.state.storage.add_correction, correction)
    log.info("correction #%s reported for %s", stored.number, stored.entity_id)
    return _received(request, lang, stored, atlas.entity(stored.entity_id), status=201)


def _received(request: Request, lang: Lang, stored: Correction | None, entity,
              status: int) -> Response:
    if asks_for_html(request):
        return templates.TemplateResponse(request, "corrections/thanks.html", {
            "lang": lang, "status": status, "number": stored.number if stored else None,
            "back": f"{profile_url(entity)}?lang={lang}" if entity else f"/?lang={lang}"},
            status_code=status)
    if stored is None:
        return JSONResponse({"status": "received"}, status_code=status)
    return JSONResponse({"number": stored.number, "status": stored.status,
                         "entity": stored.entity_id, "time": stored.time},
                        status_code=status, headers={"Location": f"/api/corrections/{stored.number}"})


# ---------------------------------------------------------------------------- moderation
POSITION_NOTE = ("位置依据公众更正第 {n} 号（在地图上标注），经编辑审核采纳。",
                 "Position as marked on the map in public correction #{n}, accepted by an editor.")
"""The position note of a point moved by a correction (its precision becomes approximate)."""

_decide = threading.Lock()
"""One decision at a time in this process, so one correction is never applied twice."""


def correction_json(c: Correction, atlas: Atlas) -> dict:
    """A correction for editors, with its entity's names and links."""
    entity = atlas.entity(c.entity_id)
    return {**asdict(c), "entity_name_zh": entity.props["name_zh"] if entity else None,
            "entity_name_en": entity.props["name_en"] if entity else None,
            "layer": entity.layer.value if entity else c.extra.get("layer"),
            "profile": profile_url(entity) if entity else None,
            "edit_url": f"/edit/{c.entity_id}",
            "movable": bool(entity and c.lon is not None and entity.layer in POINT_LAYERS
                            and entity.geometry.geom_type == "Point")}


def _find(storage, number: int) -> Correction:
    found = next((c for c in storage.corrections() if c.number == number), None)
    if found is None:
        raise ApiError(404, f"no correction #{number}", "Not found")
    return found


def _pending(storage, number: int) -> Correction:
    found = _find(storage, number)
    if found.status != "pending":
        raise ApiError(409, f"correction #{number} was {found.status} already by "
                            f"{found.decided_by or 'someone'} at {found.decided_at}", "Conflict")
    return found


@router.get("/api/corrections", summary="Reported corrections, newest first (editors)",
            dependencies=[Depends(reject_unknown_params)],
            responses=responses({JSON: CorrectionList}, 401, 403))
def list_corrections(request: Request, user: EditorDep,
                     status: Annotated[str | None, Query(pattern="^(pending|accepted|rejected)$")] = None
                     ) -> dict:
    atlas = request.app.state.live.current()
    return {"corrections": [correction_json(c, atlas)
                            for c in request.app.state.storage.corrections(status)]}


@router.get("/api/corrections/{number}", summary="One reported correction (editors)",
            dependencies=[Depends(reject_unknown_params)],
            responses=responses({JSON: CorrectionAnswer}, 401, 403, 404))
def get_correction(request: Request, user: EditorDep, number: int) -> dict:
    return correction_json(_find(request.app.state.storage, number),
                           request.app.state.live.current())


def moved_feature(feature: dict, correction: Correction) -> dict:
    """``feature`` at the correction's position: precision approximate, with a position note
    saying where the position came from (the editor refines both on the edit page)."""
    n = correction.number
    props = {**feature["properties"], "precision": Precision.approximate.value,
             "position_note_zh": POSITION_NOTE[0].format(n=n),
             "position_note_en": POSITION_NOTE[1].format(n=n)}
    return {**feature, "geometry": {"type": "Point", "coordinates": [correction.lon, correction.lat]},
            "properties": props}


@router.post("/api/corrections/{number}/accept", summary="Accept a correction (editors)",
             response_class=Response, dependencies=[Depends(reject_unknown_params)],
             responses=responses({JSON: Decided}, 401, 403, 404, 409, 412, 422,
                                 html_errors=(400, 401, 403, 404, 409)))
def accept_correction(request: Request, user: EditorDep, number: int,
                      body: Annotated[dict | None, Body(description='{"move": false} to accept '
                                                        "without moving the point")] = None
                      ) -> JSONResponse:
    """With a proposed position for a point: move it (one commit, credited to the correction);
    otherwise mark it accepted and link to the edit page, where the editor makes the change."""
    storage, settings, live = (request.app.state.storage, request.app.state.settings,
                               request.app.state.live)
    move = (body or {}).get("move", True) is not False
    with _decide:
        correction = _pending(storage, number)
        atlas = live.current()
        entity = atlas.entity(correction.entity_id)
        if entity is None:
            raise ApiError(409, f"correction #{number}: entity {correction.entity_id!r} no longer "
                                "exists; reject the correction", "Conflict")
        commit = None
        if move and correction_json(correction, atlas)["movable"]:
            feature = next((f for f in storage.read_layer(entity.layer)["features"]
                            if f.get("id") == entity.id), None)
            if feature is None:
                raise ApiError(409, f"{entity.id}: not in the stored data any more", "Conflict")
            op = Op(entity.layer, entity.id, moved_feature(feature, correction), if_match=etag(feature))
            try:
                commit = apply(storage, settings, [op], f"{user.name} (correction #{number})",
                               f"correction #{number}: {correction.message[:80]}")
            except EditError as exc:
                return edit_problem(exc)
            live.reload()
        decided = replace(correction, status="accepted", decided_by=user.name, decided_at=_now(),
                          commit=commit.number if commit else None)
        storage.update_correction(decided)
    log.info("correction #%s accepted by %s (commit %s)", number, user.name, decided.commit)
    answer = correction_json(decided, live.current())
    answer["applied"] = commit_summary(commit) if commit else None
    return JSONResponse(answer)


@router.post("/api/corrections/{number}/reject", summary="Reject a correction (editors)",
             response_class=Response, dependencies=[Depends(reject_unknown_params)],
             responses=responses({JSON: CorrectionAnswer}, 401, 403, 404, 409))
def reject_correction(request: Request, user: EditorDep, number: int,
                      body: Annotated[dict | None, Body(description='{"reason": "…"} (optional)')] = None
                      ) -> JSONResponse:
    storage = request.app.state.storage
    reason = (body or {}).get("reason") or ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise ApiError(400, f"reason: text of at most {MAX_REASON} characters")
    with _decide:
        correction = _pending(storage, number)
        extra = {**correction.extra, "reason": reason.strip()} if reason.strip() else correction.extra
        decided = replace(correction, status="rejected", decided_by=user.name, decided_at=_now(),
                          extra=extra)
        storage.update_correction(decided)
    log.info("correction #%s rejected by %s", number, user.name)
    return JSONResponse(correction_json(decided, request.app.state.live.current()))


def _queue_feature(atlas: Atlas, c: Correction, lang: Lang) -> dict | None:
    """A pending correction for the queue's map: the proposed position and the entity's
    current one (points; an area's label point), on the basemap's datum."""
    if c.lon is None:
        return None
    datum = InputCRS(atlas.settings.tiles_datum)
    entity = atlas.entity(c.entity_id)
    current = None
    if entity is not None:
        where = entity.geometry if entity.geometry.geom_type == "Point" \
            else entity.geometry.representative_point()
        current = list(from_wgs84(where.x, where.y, datum))
    name = field(entity.props, "name", lang)[0] if entity else c.entity_id
    return {"number": c.number, "name": name, "proposed": list(from_wgs84(c.lon, c.lat, datum)),
            "current": current}


@router.get("/edit/corrections", response_class=HTMLResponse, include_in_schema=False)
def queue_page(request: Request) -> Response:
    """The moderation queue (editors; others are sent to log in)."""
    lang: Lang = "en" if request.query_params.get("lang") == "en" else "zh"
    user = current_user(request)
    if user is None:
        return RedirectResponse(f"/login?lang={lang}&next=/edit/corrections%3Flang%3D{lang}",
                                status_code=303)
    if not user.has_role("editor"):
        raise ApiError(403, f"{user.name} is {user.role}; the corrections queue needs an editor",
                       "Forbidden")
    atlas = request.app.state.live.current()
    items = request.app.state.storage.corrections()
    pending = [c for c in items if c.status == "pending"]
    decided = [c for c in items if c.status != "pending"]
    entities = {c.entity_id: atlas.entity(c.entity_id) for c in items}
    distances = {}
    for c in pending:
        e = entities[c.entity_id]
        if e is not None and c.lon is not None:
            distances[c.number] = float(atlas.to_metric(e.geometry).distance(
                atlas.to_metric_point(c.lon, c.lat)))
    movable = {c.number: correction_json(c, atlas)["movable"] for c in pending}
    return templates.TemplateResponse(request, "corrections/queue.html", {
        "lang": lang, "user": user, "pending": pending, "decided": decided,
        "entities": entities, "distances": distances, "movable": movable,
        "csrf": csrf_token(request), "shell": map_shell(atlas.settings),
        "queue_config": {"map": map_shell(atlas.settings).name, "lang": lang,
                         "items": [f for c in pending if (f := _queue_feature(atlas, c, lang))],
                         "text": queue_text(lang)},
    })


QUEUE_TEXT = {"proposed": "corr_proposed", "current": "corr_current_position",
              "accepted": "corr_status_accepted", "rejected": "corr_status_rejected",
              "failed": "corr_action_failed", "commit": "corr_commit", "editPage": "corr_edit_page",
              "by": "corr_by"}
"""Name in the queue script's text -> UI key."""


def queue_text(lang: Lang) -> dict[str, str]:
    return {name: t(key, lang) for name, key in QUEUE_TEXT.items()}
