"""Cross-origin reads: browser-based OGC viewers and notebooks on other sites may read the data.

Only reads of ``/ogc`` and ``/api`` are shared (GET and HEAD, and the preflight asking for
them), with any origin and never with credentials: a page elsewhere can fetch the atlas's
public data but cannot act as a signed-in editor.  Writes get no CORS headers, so a browser
refuses to send them cross-origin with a preflight and never shows another site their answer.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

SHARED_PREFIXES = ("/ogc", "/api")
READS = ("GET", "HEAD")
EXPOSED = ("ETag", "Last-Modified", "Content-Disposition", "Link")
"""Response headers a cross-origin script may read besides the CORS-safelisted ones."""


class ReadOnlyCORS:
    """CORS for GET/HEAD of ``/ogc`` and ``/api``, any origin, no credentials."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=list(READS),
                                   allow_headers=["Accept", "Accept-Language", "If-None-Match"],
                                   allow_credentials=False, expose_headers=list(EXPOSED),
                                   max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand shared reads (and their preflights) to Starlette's CORS middleware."""
        if (scope["type"] == "http" and scope["method"] in (*READS, "OPTIONS")
                and _shared(scope["path"])):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _shared(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in SHARED_PREFIXES)
