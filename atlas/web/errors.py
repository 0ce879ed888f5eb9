"""One error shape for the whole app: RFC 9457 problem details, never a traceback.

Routes raise :class:`ApiError` (or FastAPI's HTTPException); request validation
failures become **400** (not FastAPI's default 422) with a message saying what
to fix.  HTML pages get an HTML error page instead (see ``atlas.web.pages``), and so
does an ``/api`` request that asked for HTML (``f=html``, or no ``f`` and a browser's
Accept header): the same status and message, in the page language ``lang``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from atlas.ogc.media import Format, negotiate
from atlas.web.http import allowed_methods, qualities

log = logging.getLogger("atlas")

PROBLEM_JSON = "application/problem+json"


class ApiError(Exception):
    """A client error with an HTTP status and a message that says what to fix."""

    def __init__(self, status: int, detail: str, title: str = "Bad request"):
        super().__init__(detail)
        self.status, self.detail, self.title = status, detail, title


def problem(status: int, title: str, detail: str, instance: str = "",
            headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An ``application/problem+json`` response (with ``headers``, e.g. a 405's ``Allow``)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def describe_validation(exc: RequestValidationError) -> str:
    """Turn pydantic's error list into one readable sentence per parameter."""
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")]
        name = ".".join(loc) or "request"
        value = err.get("input")
        shown = f" (got {value!r})" if value is not None and not isinstance(value, dict) else ""
        parts.append(f"{name}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts)


MACHINE_PATHS = ("/api/", "/ogc", "/export.", "/openapi.json", "/healthz")
"""Paths answered to programs: their 404s are problem+json even for a browser."""


HTML_ON_REQUEST = ("/api/",)
"""Machine paths whose client errors are an HTML page when the request asked for HTML."""


def _for_people(request: Request) -> bool:
    """Whether an error should be an HTML page: a browser asking for a page, not an API path."""
    return (not request.url.path.startswith(MACHINE_PATHS)
            and qualities(request.headers.get("accept")).get("text/html", 0) > 0)


def asks_for_html(request: Request) -> bool:
    """Whether a request to an API path asked for an HTML answer: ``f=html``, or no ``f`` and
    an Accept header that prefers text/html to JSON (a browser; OGC's rule, so ``*/*``, no
    header or a tie mean JSON).  ``f=json`` or ``f=geojson`` always mean JSON."""
    formats = request.query_params.getlist("f")
    if formats:
        return set(formats) == {"html"}
    return negotiate(None, request.headers.get("accept")) is Format.html


def _html_error_wanted(request: Request) -> bool:
    """Whether a client error (not an unknown path) should be answered with the HTML page."""
    if request.url.path.startswith(HTML_ON_REQUEST):
        return asks_for_html(request)
    return _for_people(request)


def install_error_handlers(app: FastAPI,
                           html_not_found: Callable[[Request], Response] | None = None,
                           html_error: Callable[[Request, int, str], Response] | None = None
                           ) -> None:
    """Register the handlers that give every error the problem+json shape.

    ``html_not_found`` renders the 404 page for people: a browser asking for an unknown
    page gets it; unknown paths under the API prefixes always get problem+json.
    ``html_error`` renders a 4xx for a page (e.g. a planning link with a bad radius), or for
    an ``/api`` request that asked for HTML, as HTML with the same status and message.
    """

    def client_error(request: Request, status: int, title: str, detail: str) -> Response:
        if html_error is not None and _html_error_wanted(request):
            return html_error(request, status, detail)
        return problem(status, title, detail, str(request.url.path))

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return client_error(request, exc.status, exc.title, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return client_error(request, 400, "Invalid parameter", describe_validation(exc))

    document_validation_as_400(app)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if exc.status_code == 404 and html_not_found is not None and _for_people(request):
            return html_not_found(request)
        headers, title, detail = dict(exc.headers or {}), "Error", str(exc.detail)
        if exc.status_code == 404:
            title = "Not found"
        elif exc.status_code == 405:  # RFC 9110 §15.5.6: a 405 must say what is allowed
            headers["Allow"] = allowed_methods(request.app, request.scope)
            title = "Method not allowed"
            detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        return problem(exc.status_code, title, detail, str(request.url.path), headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return problem(500, "Internal error", "The server failed to answer; the error is logged.")


VALIDATION_ERROR = "#/components/schemas/HTTPValidationError"


def document_validation_as_400(app: FastAPI) -> None:
    """Keep FastAPI's OpenAPI document from promising the 422 "Validation Error" it adds to every
    route with parameters: that error is a 400 problem here (each route declares its own
    answers, see :mod:`atlas.web.schemas`), and a route that does answer 422 says so itself."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            doc = build()
            for item in doc.get("paths", {}).values():
                for operation in item.values():
                    answers = operation.get("responses", {})
                    schema = answers.get("422", {}).get("content", {}).get("application/json", {})
                    if schema.get("schema", {}).get("$ref") == VALIDATION_ERROR:
                        del answers["422"]
            for name in ("HTTPValidationError", "ValidationError"):
                doc.get("components", {}).get("schemas", {}).pop(name, None)
        return app.openapi_schema

    app.openapi = openapi
