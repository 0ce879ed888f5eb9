"""The counting: an ASGI middleware that looks at the request line after each answer.

Only ``GET`` requests answered 200 (or 304: the same answer, cached) are counted, and only these
paths: a profile (``/<layer>/<id>`` for the layers with profiles, ``/corridor``), the atlas
page's data (``/api/entities``: its facet values, and its name query) and ``/api/search``
(its query).  Whether a search found nothing is asked of the atlas itself, in a worker thread
after the answer has gone out.  Nothing else of the request — client address, headers,
cookies — is read.  Written in batches (:class:`~atlas.usage.counter.UsageCounter`), and once
more when the server shuts down.

Add it with ``app.add_middleware(UsageMiddleware)`` after :class:`~atlas.web.http.HeadAsGet`
(so that it is outside it and a ``HEAD`` is not counted as a view).
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import parse_qsl

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.filters import FACETS
from atlas.usage.counter import UsageCounter, normalise_query
from atlas.vocab import Layer
from atlas.web.pages import PROFILE_LAYERS

log = logging.getLogger("atlas")

PROFILE_PREFIXES = {f"/{layer.value}/": layer for layer in PROFILE_LAYERS}
SEARCH_PATHS = ("/api/entities", "/api/search")

_counter_lock = threading.Lock()


def usage_counter(app) -> UsageCounter:
    """The app's counter, writing to the app's storage (made on first use)."""
    counter = getattr(app.state, "usage_counter", None)
    if counter is None:
        with _counter_lock:
            counter = getattr(app.state, "usage_counter", None)
            if counter is None:
                counter = app.state.usage_counter = UsageCounter(app.state.storage)
    return counter


def counted(path: str) -> bool:
    """Whether a GET of ``path`` may be counted (the cheap test made before answering)."""
    return path in SEARCH_PATHS or path == "/corridor" or any(
        path.startswith(prefix) and "/" not in path[len(prefix):] for prefix in PROFILE_PREFIXES)


def search_found_nothing(atlas, query: str) -> bool:
    """Whether ``query`` matches nothing the atlas can show (names, aliases, terms, areas)."""
    return not atlas.search(query, limit=1)


async def record(app, path: str, query_string: bytes) -> None:
    """Count what the answered ``GET path?query_string`` shows of use."""
    counter = usage_counter(app)
    if path == "/corridor":
        atlas = app.state.live.current()
        for entity_id in atlas.frames[Layer.corridor].index:
            counter.count("view", str(entity_id))
    elif path not in SEARCH_PATHS:
        counter.count("view", path.rsplit("/", 1)[1])
    else:
        params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=False)
        if path == "/api/entities":
            for name, value in params:
                if name in FACETS:
                    counter.count("filter", f"{name}={value}")
        query = next((v for k, v in params if k == "q" and v.strip()), None)
        if query is not None and (key := normalise_query(query)) is not None:
            atlas = app.state.live.current()
            if await run_in_threadpool(search_found_nothing, atlas, query):
                counter.count("zero", key)
    if counter.due():
        await run_in_threadpool(counter.flush)


class UsageMiddleware:
    """Counts profile views, filters and fruitless searches after answering (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._flush_at_shutdown(scope, receive), send)
            return
        if scope["type"] != "http" or scope["method"] != "GET" or not counted(scope["path"]):
            await self.app(scope, receive, send)
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status in (200, 304):
            try:
                await record(scope["app"], scope["path"], scope["query_string"])
            except Exception:  # statistics never break an answer already sent
                log.exception("usage statistics: counting failed")

    @staticmethod
    def _flush_at_shutdown(scope: Scope, receive: Receive) -> Receive:
        async def receive_and_flush() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown" and "app" in scope:
                counter = getattr(scope["app"].state, "usage_counter", None)
                if counter is not None:
                    try:
                        await run_in_threadpool(counter.flush)
                    except Exception:  # the server stops anyway; say what was lost
                        log.exception("usage statistics: %d counts not written at shutdown",
                                      len(counter.pending()))
            return message
        return receive_and_flush
