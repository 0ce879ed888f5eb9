"""HTTP semantics the routes do not handle themselves (RFC 9110 / 9111).

* :class:`HeadAsGet` — ``HEAD`` on every ``GET`` route: the request runs as a ``GET`` and the
  body is dropped, so the status and headers (``Content-Length`` included) are the GET's.
* :class:`NegotiatedGZip` — Starlette's gzip, chosen by the q-values of ``Accept-Encoding``
  (``gzip;q=0`` means no gzip), not by a substring test.
* :class:`ConditionalGet` — a weak ``ETag`` on the public data answers (``/api`` reads, ``/ogc``,
  ``/export``), keyed by the data version and everything else the answer depends on, and
  ``304 Not Modified`` when ``If-None-Match`` names it.  ``Cache-Control: no-cache``: a cache
  may keep the answer but must ask again every time, because an edit can change the data at
  any moment and an editor must see it at once; the question costs a 304 without a body.
* :func:`allowed_methods` — the ``Allow`` header of a 405.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware, GZipResponder, IdentityResponder
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.live import LiveAtlas

QVALUE = re.compile(r"0(\.\d{0,3})?|1(\.0{0,3})?")
"""RFC 9110 §12.4.2; anything else (``q=2``, ``q=nan``) makes the entry unacceptable."""


def qualities(header: str | None) -> dict[str, float]:
    """The q-value of each token (lower-cased) listed in an Accept-style header; a token
    without ``q`` has 1, a malformed ``q`` 0, a token listed twice its higher value."""
    listed: dict[str, float] = {}
    for entry in (header or "").split(","):
        token, *params = entry.split(";")
        token = token.strip().lower()
        if not token:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if QVALUE.fullmatch(value) else 0.0
        listed[token] = max(listed.get(token, 0.0), q)
    return listed


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether gzip is acceptable: ``gzip`` (or its alias ``x-gzip``) listed with q > 0, or
    not listed and ``*`` with q > 0.  No header means identity, as browsers always send one."""
    codings = qualities(accept_encoding)
    for name in ("gzip", "x-gzip", "*"):
        if name in codings:
            return codings[name] > 0
    return False


class NegotiatedGZip(GZipMiddleware):
    """Starlette's :class:`GZipMiddleware` (same sizes, same excluded types, ``Vary``), with
    the choice made by :func:`accepts_gzip`."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        responder: ASGIApp
        if accepts_gzip(Headers(scope=scope).get("accept-encoding")):
            responder = GZipResponder(self.app, self.minimum_size, compresslevel=self.compresslevel,
                                      thread_minimum_size=self.thread_minimum_size,
                                      exclude_content_types=self.exclude_content_types)
        else:
            responder = IdentityResponder(self.app, self.minimum_size,
                                          exclude_content_types=self.exclude_content_types)
        await responder(scope, receive, send)


class HeadAsGet:
    """Answer ``HEAD`` as the same ``GET`` without its body (add it outermost, so the routes,
    the static files, CORS, gzip and the ETags all see a GET and set the same headers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def headers_only(message: Message) -> None:
            nonlocal finished
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] in ("http.response.body", "http.response.pathsend") and not finished:
                finished = True  # the rest of a streamed body is dropped as it comes
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        # a copy: the server keeps seeing HEAD, so it sends no body and no chunked framing
        await self.app({**scope, "method": "GET"}, receive, headers_only)


DATA_PATHS = ("/api/entities", "/api/clusters", "/api/layers", "/api/locate", "/api/nearest",
              "/api/within", "/api/hierarchy", "/api/search", "/api/coverage", "/ogc", "/export")
"""Public data answers that get an ETag: they depend on the data, the request line and
the headers in :func:`data_etag`, never on who asks.  Not ``/api/features`` (the edit API
has per-feature ETags for ``If-Match``), nor the editors' ``/api/history``,
``/api/corrections`` and ``/api/import``, nor the pages (per-user headers, CSP nonces)."""

CACHE_CONTROL = "no-cache"
CACHE_CONTROL_WITH_COOKIE = "private, no-cache"
"""For an answer that refreshes a signed-in user's session cookie: no shared cache may keep it."""
VARY = "Accept"
"""The Accept header is part of the tag: ``/api`` and ``/ogc`` answer JSON or HTML by it."""


def is_data_path(path: str) -> bool:
    """Whether ``path`` is one of :data:`DATA_PATHS` (``/export.csv`` and ``/export/…`` too)."""
    return any(path == p or path.startswith(p + "/") or (p == "/export" and path.startswith(p + "."))
               for p in DATA_PATHS)


def data_etag(version: str, scope: Scope) -> str:
    """A weak ETag for a data answer: the data version, today's date (downloads carry it in
    their file name and 'exported on' line), and what the request asks for — path, query,
    Accept, and the scheme and host the links are built from.  Weak: the gzipped and the plain
    body share it (RFC 9110 §8.8.1), and ``Vary`` tells caches which one they hold."""
    headers = Headers(scope=scope)
    parts = (version, dt.date.today().isoformat(), scope["scheme"], headers.get("host", ""),
             scope.get("root_path", ""), scope["path"], scope["query_string"].decode("latin-1"),
             headers.get("accept", ""))
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f'W/"{digest[:32]}"'


def none_match(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` list names ``tag`` (weak comparison, RFC 9110 §13.1.2)."""
    opaque = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in (header or "").split(","))


class ConditionalGet:
    """``ETag`` and ``Cache-Control`` on the 200 data answers (not HTML, not one that set its own
    ETag), and ``304`` with no body when ``If-None-Match`` names the current tag — answered
    here without running the route, since the same tag can only come from the same answer.
    Reads only: writes pass untouched.  Add it outside the session middleware, so that it sees
    a refreshed session cookie and marks that answer private."""

    def __init__(self, app: ASGIApp, live: LiveAtlas) -> None:
        self.app, self.live = app, live

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD")
                or not is_data_path(scope["path"])):
            await self.app(scope, receive, send)
            return
        # the version before the answer is made: a reload meanwhile puts an older tag on the new
        # data (sent in full again next time, at worst), never a new tag on old data; in a
        # thread, as the check may reload the data, which takes seconds on a big atlas
        atlas = await run_in_threadpool(self.live.current)
        tag = data_etag(atlas.version, scope)
        if none_match(Headers(scope=scope).get("if-none-match"), tag):
            headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": f"{VARY}, Accept-Encoding"}
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                headers = MutableHeaders(scope=message)
                if "etag" not in headers and not headers.get("content-type", "").startswith("text/html"):
                    headers["ETag"] = tag
                    headers.setdefault("Cache-Control", CACHE_CONTROL_WITH_COOKIE
                                       if "set-cookie" in headers else CACHE_CONTROL)
                    headers.add_vary_header(VARY)
            await send(message)

        await self.app(scope, receive, tagged)


PROBED = ("GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: Starlette, scope: Scope) -> str:
    """The ``Allow`` value for a 405 on ``scope``'s path: every method some route takes there
    (Starlette names only the first route's), with ``HEAD`` wherever ``GET`` is (see
    :class:`HeadAsGet`).  A path no route matches is a static file, which takes GET and HEAD."""
    probe = {"type": "http", "path": scope["path"], "root_path": scope.get("root_path", "")}
    methods = [m for m in PROBED
               if any(route.matches({**probe, "method": m})[0] is Match.FULL
                      for route in app.router.routes if not isinstance(route, Mount))] or ["GET"]
    if "GET" in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return ", ".join(methods)
