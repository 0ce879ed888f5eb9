"""Interactive API documentation (Swagger UI) served from our own vendored assets, not a CDN."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from atlas.maps.assets import URL_PREFIX

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """FastAPI's Swagger UI page, pointed at ``/static/vendor/swagger-ui``."""
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} · API",
        swagger_js_url=f"{URL_PREFIX}/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{URL_PREFIX}/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/favicon.ico",
    )
