"""Interactive API documentation (Swagger UI) served from our own vendored assets, not a CDN."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from atlas.maps.assets import SWAGGER_CSS, SWAGGER_JS
from atlas.web.security import with_nonce

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """FastAPI's Swagger UI page, pointed at ``/static/vendor/swagger-ui``; its inline script
    carries the response's CSP nonce, and no spec is sent to the outside validator badge."""
    page = get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · API",
        swagger_js_url=SWAGGER_JS,
        swagger_css_url=SWAGGER_CSS,
        swagger_favicon_url="/favicon.ico",
        swagger_ui_parameters={"validatorUrl": None},
    )
    return HTMLResponse(with_nonce(page.body.decode("utf-8")))
