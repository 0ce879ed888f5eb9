"""The access log: one line per request with its method, path, status and duration.

Query strings hold what people typed (searches, addresses, coordinates), so they are left
out unless ``ATLAS_ACCESS_LOG_QUERY`` is set; client addresses are never written.  Lines go
to the ``atlas.access`` logger: ``make run`` gives it a handler with ``--log-config
atlas/web/logging.json`` and turns uvicorn's own access log (which writes the whole URL)
off with ``--no-access-log``.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import quote

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("atlas.access")


class AccessLog:
    """Log ``GET /api/search 200 3.1 ms`` (with ``?q=…`` only when ``query`` is set).

    The path is written as it came on the wire (percent-encoded), so no request can write a
    line break or a forged line into the log."""

    def __init__(self, app: ASGIApp, query: bool = False) -> None:
        self.app, self.query = app, query

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500  # 500: the app raised before it answered

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, record)
        finally:
            raw = scope.get("raw_path")  # optional in ASGI; uvicorn sends it
            path = raw.decode("latin-1") if raw else quote(scope["path"])
            if self.query and scope.get("query_string"):
                path += "?" + scope["query_string"].decode("latin-1")
            log.info("%s %s %d %.1f ms", scope["method"], path, status,
                     (time.perf_counter() - start) * 1000)
