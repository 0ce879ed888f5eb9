"""Investors' enquiries: anyone may leave one (no account); staff answer them from an inbox.

- ``POST /api/enquiries`` — public: name, organisation (optional), contact (a phone number or an
  e-mail address), need, ``consent`` (must be true), and where it was sent from: ``entity`` (a
  profile's entity id) or ``link`` (an atlas path, such as a site-finder result's shareable
  link).  JSON or a form body; the profile's form (``templates/enquiries/_form.html``) works
  without script and gets an HTML thank-you page.  Kept down as corrections are
  (:mod:`atlas.web.corrections`): a per-client rate limit in bounded memory — the address is
  only a key there, never stored —, a limit over all clients, and a honeypot field (202,
  dropped).  201 with the enquiry's number; 400 naming each bad field; 429 + Retry-After.
- ``GET /edit/enquiries`` — the staff inbox (editors and admins): filter by status, change the
  status, the assignee (a staff user) and the notes (forms that work without script), delete
  one on its sender's request, download as CSV or XLSX (``/edit/enquiries.csv|xlsx``).
  Without credentials: 401 (a page with the login link for browsers); a user without the
  editor role: 403.
- ``GET /api/enquiries`` (``?status=``), ``GET|PATCH|DELETE /api/enquiries/{number}`` — the
  same for scripts (editors).

Every answer holding personal data is ``Cache-Control: no-store``.  Enquiries are deleted
:func:`~atlas.enquiries.retention.retention_days` after they were sent: the purge runs on
every write and every look at the inbox (:mod:`atlas.enquiries.retention`).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from enum import StrEnum
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from atlas.auth.deps import EditorDep, current_user, user_store
from atlas.engine import Atlas
from atlas.enquiries.export import enquiry_table, local_time, sent_from
from atlas.enquiries.model import (MAX_NOTES, STATUSES, Enquiry, EnquiryError, check_form,
                                   clean_text, one_line)
from atlas.enquiries.retention import purge_expired, retention_days
from atlas.exports.naming import content_disposition, export_filename
from atlas.exports.office import XLSX_MEDIA_TYPE
from atlas.exports.tables import to_csv, to_xlsx
from atlas.vocab import Layer
from atlas.web.browse import profile_url
from atlas.web.corrections import HONEYPOT, RateLimiter, client_key, read_body
from atlas.web.errors import PROBLEM_JSON, ApiError, asks_for_html
from atlas.web.i18n import Lang
from atlas.web.pages import LangQuery
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import (BINARY, CSV, HTML, JSON, STRING, XLSX, EnquiryAnswer, EnquiryList,
                               Received, answer, responses)
from atlas.web.templating import templates

log = logging.getLogger("atlas")

router = APIRouter(tags=["enquiries"], default_response_class=Response)

CLIENT_LIMITS: tuple[tuple[int, float], ...] = ((5, 600.0), (20, 86400.0))
"""(enquiries, seconds): at most 5 per 10 minutes and 20 per day from one client."""

ALL_CLIENTS_LIMITS: tuple[tuple[int, float], ...] = ((200, 3600.0),)
"""At most 200 enquiries an hour from everyone together."""

NO_STORE = {"Cache-Control": "no-store"}
"""On every answer that holds personal data: no browser or proxy keeps a copy."""

StatusQuery = Annotated[str | None, Query(pattern="^(new|in_progress|answered|closed)$",
                                          description="Only enquiries with this status")]

_limiter_lock = threading.Lock()


def enquiry_days(request: Request) -> int:
    """Days the app keeps an enquiry (for the consent text of ``templates/enquiries/_form.html``)."""
    return retention_days(request.app.state.settings)


templates.env.globals["enquiry_days"] = enquiry_days


def limiters(app) -> tuple[RateLimiter, RateLimiter]:
    """The app's (per client, all clients) enquiry limiters, made on first use."""
    pair = getattr(app.state, "enquiry_limiters", None)
    if pair is None:
        with _limiter_lock:
            pair = getattr(app.state, "enquiry_limiters", None)
            if pair is None:
                pair = app.state.enquiry_limiters = (RateLimiter(CLIENT_LIMITS),
                                                     RateLimiter(ALL_CLIENTS_LIMITS))
    return pair


def _lang(request: Request, data: dict | None = None) -> Lang:
    chosen = (data or {}).get("lang") or request.query_params.get("lang")
    return "en" if chosen == "en" else "zh"


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------- the public form
def check_enquiry(atlas: Atlas, data: dict) -> Enquiry:
    """The enquiry ``data`` asks for, unnumbered, or :class:`EnquiryError` naming every bad
    field (the form's checks, then: the entity exists, or a link is given)."""
    problems: list[tuple[str, str, str]] = []
    try:
        form = check_form(data)
    except EnquiryError as exc:
        problems, form = exc.problems, None
    entity_id = one_line(data.get("entity"))
    if isinstance(entity_id, str) and entity_id:
        entity = atlas.entity(entity_id)
        if entity is None or entity.layer == Layer.boundary:
            problems.append(("entity", "unknown_entity",
                             f"entity: no entity with id {entity_id[:80]!r} in the atlas"))
    elif not one_line(data.get("link")) and not any(f in ("entity", "link") for f, _, _ in problems):
        problems.append(("entity", "no_source", "entity or link: say where the enquiry is sent "
                                                "from (an entity's id, or an atlas link)"))
    if problems:
        raise EnquiryError(problems)
    return Enquiry(time=_now(), name=form.name, organisation=form.organisation,
                   contact=form.contact, need=form.need, entity_id=form.entity,
                   link=form.link, lang=form.lang)


def _answer_page(request: Request, lang: Lang, status: int, **context) -> Response:
    """The HTML answer to the form posted without script (thanks, errors, too many)."""
    headers = {**NO_STORE, **({"Retry-After": str(context["wait"])} if "wait" in context else {})}
    context.setdefault("back", f"/?lang={lang}")
    return templates.TemplateResponse(request, "enquiries/thanks.html", {
        "lang": lang, "status": status, "days": retention_days(request.app.state.settings),
        **context}, status_code=status, headers=headers)


def _back(atlas: Atlas, data: dict, lang: Lang) -> str:
    """Where the thank-you page links back to: the profile, or the link it came from."""
    entity = atlas.entity(str(data.get("entity") or ""))
    if entity is not None and entity.layer != Layer.boundary:
        return f"{profile_url(entity)}?lang={lang}"
    link = one_line(data.get("link"))
    if isinstance(link, str) and link.startswith("/") and not link.startswith("//") \
            and "\\" not in link:
        return link
    return f"/?lang={lang}"


@router.post("/api/enquiries", status_code=201,
             summary="Leave an enquiry (public, rate-limited; personal data kept for a limited time)",
             dependencies=[Depends(reject_unknown_params)],
             responses=responses(
                 {JSON: Received, HTML: STRING}, 413, 415, 429, status=201,
                 description="Stored for staff: its number (a form gets a thank-you page)",
                 more={202: answer("Received and dropped unseen (a bot's enquiry)",
                                   {JSON: Received, HTML: STRING})}),
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {
                     "type": "object", "required": ["name", "contact", "need", "consent"],
                     "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
                                    "organisation": {"type": "string", "maxLength": 200},
                                    "contact": {"type": "string", "minLength": 1, "maxLength": 200,
                                                "description": "A phone number or an e-mail address"},
                                    "need": {"type": "string", "minLength": 1, "maxLength": 2000},
                                    "entity": {"type": "string", "description": "The entity's id"},
                                    "link": {"type": "string", "maxLength": 500,
                                             "description": "Or the atlas path it was sent from"},
                                    "consent": {"type": "boolean", "const": True},
                                    "lang": {"type": "string", "enum": ["zh", "en"]}}}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}})
async def leave_enquiry(request: Request, query_lang: LangQuery) -> Response:
    """Store an enquiry for staff; answers 201 ``{"number": n, "status": "new", "time": …}``."""
    per_client, everyone = limiters(request.app)
    key = client_key(request)  # a key in memory only: never stored
    lang: Lang = query_lang
    wait = max(per_client.retry_after(key), everyone.retry_after("*"))
    if wait:
        if asks_for_html(request):
            return _answer_page(request, lang, 429, wait=wait)
        return JSONResponse({"type": "about:blank", "title": "Too many requests", "status": 429,
                             "detail": f"Too many enquiries from your address: please try again "
                                       f"in {wait} s.", "retry_after": wait},
                            status_code=429, media_type=PROBLEM_JSON,
                            headers={"Retry-After": str(wait)})
    data = await read_body(request)
    lang = _lang(request, data)
    atlas = request.app.state.live.current()
    if str(data.get(HONEYPOT) or "").strip():
        per_client.hit(key)  # a bot: counted, answered as if received, never stored
        log.info("enquiry dropped: honeypot filled")
        if asks_for_html(request):
            return _answer_page(request, lang, 202, back=_back(atlas, data, lang))
        return JSONResponse({"status": "received"}, status_code=202)
    try:
        enquiry = check_enquiry(atlas, data)
    except EnquiryError as exc:
        if asks_for_html(request):
            return _answer_page(request, lang, 400, problems=exc.problems,
                                back=_back(atlas, data, lang))
        return JSONResponse({"type": "about:blank", "title": "Enquiry not accepted", "status": 400,
                             "detail": str(exc), "errors": [{"field": f, "code": c, "message": m}
                                                            for f, c, m in exc.problems]},
                            status_code=400, media_type=PROBLEM_JSON)
    per_client.hit(key)
    everyone.hit("*")
    storage, settings = request.app.state.storage, request.app.state.settings

    def store() -> Enquiry:
        purge_expired(storage, settings)
        return storage.add_enquiry(enquiry)

    stored = await run_in_threadpool(store)
    log.info("enquiry #%s received (%s)", stored.number, stored.entity_id or "link")
    if asks_for_html(request):
        return _answer_page(request, lang, 201, number=stored.number,
                            back=_back(atlas, data, lang))
    return JSONResponse({"number": stored.number, "status": stored.status, "time": stored.time},
                        status_code=201, headers={"Location": f"/api/enquiries/{stored.number}"})


# ---------------------------------------------------------------------------- staff: reading
def enquiry_json(atlas: Atlas, e: Enquiry) -> dict:
    """An enquiry for staff, with the names and profile of the entity it was sent from."""
    entity = atlas.entity(e.entity_id) if e.entity_id else None
    return {**e.model_dump(), "entity_name_zh": entity.props["name_zh"] if entity else None,
            "entity_name_en": entity.props["name_en"] if entity else None,
            "profile": profile_url(entity) if entity else None,
            "sent_from": sent_from(atlas, e)}


def _current(request: Request, status: str | None = None) -> list[Enquiry]:
    """The enquiries now, after purging the expired ones."""
    storage = request.app.state.storage
    purge_expired(storage, request.app.state.settings)
    return storage.enquiries(status)


def _find(request: Request, number: int) -> Enquiry:
    found = next((e for e in _current(request) if e.number == number), None)
    if found is None:
        raise ApiError(404, f"no enquiry #{number} (never sent, deleted, or past the "
                            f"{retention_days(request.app.state.settings)} days it is kept)",
                       "Not found")
    return found


@router.get("/api/enquiries", summary="Enquiries, newest first (editors)",
            dependencies=[Depends(reject_unknown_params)],
            responses=responses({JSON: EnquiryList}, 401, 403))
def list_enquiries(request: Request, user: EditorDep, status: StatusQuery = None) -> JSONResponse:
    atlas = request.app.state.live.current()
    return JSONResponse({"enquiries": [enquiry_json(atlas, e) for e in _current(request, status)],
                         "retention_days": retention_days(request.app.state.settings)},
                        headers=NO_STORE)


@router.get("/api/enquiries/{number}", summary="One enquiry (editors)",
            dependencies=[Depends(reject_unknown_params)],
            responses=responses({JSON: EnquiryAnswer}, 401, 403, 404))
def get_enquiry(request: Request, user: EditorDep, number: int) -> JSONResponse:
    return JSONResponse(enquiry_json(request.app.state.live.current(), _find(request, number)),
                        headers=NO_STORE)


# ---------------------------------------------------------------------------- staff: writing
def change(request: Request, user, number: int, data: dict) -> Enquiry:
    """The enquiry with the ``status``, ``assignee`` (a staff user's name, "" for nobody) and
    ``notes`` given in ``data`` (each optional), stored; 400 naming a bad one, 404 if gone.
    An assignee who has since lost their account may stay, but nobody new can be assigned."""
    current = _find(request, number)
    problems = []
    status = data.get("status")
    if status is not None and status not in STATUSES:
        problems.append(f"status: one of {', '.join(STATUSES)} (got {str(status)[:20]!r})")
    assignee = one_line(data.get("assignee"))
    if assignee is not None:
        if not isinstance(assignee, str):
            problems.append("assignee: a staff user's name")
        elif assignee and assignee != current.assignee and not (
                (staff := user_store(request.app).get(assignee)) and staff.has_role("editor")):
            problems.append(f"assignee: {assignee[:64]!r} is not a staff user "
                            "(one with the editor or admin role)")
    notes = clean_text(data.get("notes"))
    if notes is not None and (not isinstance(notes, str) or len(notes) > MAX_NOTES):
        problems.append(f"notes: text of at most {MAX_NOTES} characters")
    if problems:
        raise ApiError(400, "; ".join(problems))
    updates = {name: value for name, value in
               (("status", status), ("assignee", assignee), ("notes", notes)) if value is not None}
    changed = current.model_copy(update={**updates, "updated_by": user.name, "updated_at": _now()})
    if not request.app.state.storage.update_enquiry(changed):
        raise ApiError(404, f"no enquiry #{number}: it was deleted meanwhile", "Not found")
    log.info("enquiry #%s updated by %s", number, user.name)
    return changed


def remove(request: Request, user, number: int) -> None:
    """Delete an enquiry now (its sender asked); 404 if it is gone already."""
    if not request.app.state.storage.delete_enquiry(number):
        raise ApiError(404, f"no enquiry #{number}", "Not found")
    log.info("enquiry #%s deleted by %s", number, user.name)


@router.patch("/api/enquiries/{number}",
              summary="Change an enquiry's status, assignee or notes (editors)",
              dependencies=[Depends(reject_unknown_params)],
              responses=responses({JSON: EnquiryAnswer}, 401, 403, 404),
              openapi_extra={"requestBody": {"content": {"application/json": {"schema": {
                  "properties": {"status": {"enum": [*STATUSES, None]},
                                 "assignee": {"type": ["string", "null"], "description":
                                              'A staff user\'s name ("" for nobody)'},
                                 "notes": {"type": ["string", "null"],
                                           "description": f"At most {MAX_NOTES} characters"}}
              }}}}})
def patch_enquiry(request: Request, user: EditorDep, number: int,
                  body: Annotated[dict, Body(description='Each member optional (absent or null: '
                                                         'unchanged): {"status": "in_progress", '
                                                         '"assignee": "lin", "notes": "…"}')]
                  ) -> JSONResponse:
    changed = change(request, user, number, body)
    return JSONResponse(enquiry_json(request.app.state.live.current(), changed), headers=NO_STORE)


@router.delete("/api/enquiries/{number}", status_code=204, summary="Delete an enquiry (editors)",
               dependencies=[Depends(reject_unknown_params)],
               responses=responses({}, 401, 403, 404, status=204, description="Deleted"))
def delete_enquiry(request: Request, user: EditorDep, number: int) -> Response:
    remove(request, user, number)
    return Response(status_code=204)


# ---------------------------------------------------------------------------- the inbox page
def staff_or_refusal(request: Request, what: str):
    """The requesting staff user, or the answer to send instead: 401 without credentials (for
    a browser, a page linking to the login), 403 for a user without the editor role."""
    lang = _lang(request)
    user = current_user(request)
    if user is None:
        if not asks_for_html(request):
            raise ApiError(401, f"{what} is for staff: log in at /login or send "
                                "'Authorization: Bearer <token>'", "Unauthorized")
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return templates.TemplateResponse(request, "enquiries/login_needed.html", {
            "lang": lang, "login": f"/login?lang={lang}&next={quote(here, safe='')}"},
            status_code=401, headers=NO_STORE)
    if not user.has_role("editor"):
        raise ApiError(403, f"{user.name} is {user.role}; {what} needs an editor", "Forbidden")
    return user


@router.get("/edit/enquiries", response_class=HTMLResponse, include_in_schema=False)
def inbox_page(request: Request, status: StatusQuery = None) -> Response:
    """The staff inbox: enquiries newest first, filtered by status, each with its form."""
    user = staff_or_refusal(request, "the enquiries inbox")
    if isinstance(user, Response):
        return user
    lang = _lang(request)
    atlas = request.app.state.live.current()
    everything = _current(request)
    shown = [e for e in everything if status is None or e.status == status]
    counts = {s: sum(e.status == s for e in everything) for s in STATUSES}
    entities = {e.entity_id: atlas.entity(e.entity_id) for e in shown if e.entity_id}
    staff = sorted(u.name for u in user_store(request.app).users() if u.has_role("editor"))
    return templates.TemplateResponse(request, "enquiries/inbox.html", {
        "lang": lang, "user": user, "enquiries": shown, "status": status, "counts": counts,
        "total": len(everything), "statuses": STATUSES, "entities": entities, "staff": staff,
        "local_time": local_time, "days": retention_days(request.app.state.settings)}, headers=NO_STORE)


def _form_fields(form) -> dict:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/edit/enquiries/{number}", include_in_schema=False)
async def inbox_change(request: Request, user: EditorDep, number: int) -> Response:
    """The inbox row's form (session + CSRF token): change, then back to the inbox."""
    data = _form_fields(await request.form())
    await run_in_threadpool(change, request, user, number, data)
    return _back_to_inbox(data, f"#enquiry-{number}")


@router.post("/edit/enquiries/{number}/delete", include_in_schema=False)
async def inbox_delete(request: Request, user: EditorDep, number: int) -> Response:
    """The inbox row's delete form (its "confirm" box must be ticked)."""
    data = _form_fields(await request.form())
    if data.get("confirm") != "yes":
        raise ApiError(400, "confirm: tick the box to delete the enquiry")
    await run_in_threadpool(remove, request, user, number)
    return _back_to_inbox(data, "")


def _back_to_inbox(data: dict, anchor: str) -> RedirectResponse:
    lang = "en" if data.get("lang") == "en" else "zh"
    shown = data.get("shown") if data.get("shown") in STATUSES else None
    query = f"?lang={lang}" + (f"&status={shown}" if shown else "")
    return RedirectResponse(f"/edit/enquiries{query}{anchor}", status_code=303, headers=NO_STORE)


class ExportFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@router.get("/edit/enquiries.{fmt}", summary="The enquiries as CSV or XLSX (editors)",
            dependencies=[Depends(reject_unknown_params)],
            responses=responses({CSV: STRING, XLSX: BINARY}, 401, 403,
                                description="An attachment: UTF-8 CSV with BOM, or XLSX"))
def export_enquiries(request: Request, user: EditorDep, fmt: ExportFormat,
                     status: StatusQuery = None) -> Response:
    """The inbox (``status`` filtered) as a spreadsheet: UTF-8 CSV with BOM, or XLSX."""
    table = enquiry_table(request.app.state.live.current(), _current(request, status), status)
    name = export_filename("enquiries", status or "", [], fmt.value)
    headers = {**NO_STORE, "Content-Disposition": content_disposition(name)}
    if fmt is ExportFormat.csv:
        return Response(to_csv(table), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(to_xlsx(table), media_type=XLSX_MEDIA_TYPE, headers=headers)
