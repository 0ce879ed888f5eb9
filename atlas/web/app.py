"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from atlas.auth import routes as auth_routes
from atlas.auth.middleware import AuthMiddleware
from atlas.config import REPO_ROOT, Settings, get_settings
from atlas.live import LiveAtlas
from atlas.maps.assets import URL_PREFIX, use_offline_assets, vendor_dirs
from atlas.maps.render import map_shell
from atlas.storage import Storage
from atlas.storage.factory import open_storage
from atlas.web import (api, browse, corrections, coverage_api, docs, edit_api, edit_pages,
                       exports, handouts, import_api, ogc, pages, planning)
from atlas.web.cors import ReadOnlyCORS
from atlas.web.errors import install_error_handlers


def create_app(settings: Settings | None = None, storage: Storage | None = None) -> FastAPI:
    """Build the app: load and validate the data (refusing invalid data), mount assets and routes."""
    settings = settings or get_settings()
    storage = storage or open_storage(settings)
    live = LiveAtlas(storage, settings)  # raises InvalidDataError with the validation report
    use_offline_assets()
    map_shell(settings)  # fails early on a basemap configuration that cannot work

    app = FastAPI(title="晋江科创地图 Jinjiang Innovation Atlas", version="0.1.0",
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.storage = storage
    app.state.live = live
    install_error_handlers(app, html_not_found=pages.not_found, html_error=pages.error_page)
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)  # 9: 3x the time, 3 % smaller
    app.add_middleware(AuthMiddleware, settings=settings)  # session cookie, 401 challenge
    app.add_middleware(ReadOnlyCORS)  # GET/HEAD of /ogc and /api from any origin
    for name, folder in vendor_dirs().items():
        app.mount(f"{URL_PREFIX}/{name}", StaticFiles(directory=folder), name=f"vendor-{name}")
    app.mount("/static/atlas", StaticFiles(directory=REPO_ROOT / "static"), name="atlas-static")
    app.include_router(browse.router)
    app.include_router(exports.router)  # /export.<ext>, /export/<layer>.<ext>
    app.include_router(handouts.router)
    app.include_router(api.router)
    app.include_router(edit_api.router)  # /api/features, /api/history (editors)
    app.include_router(coverage_api.router)
    app.include_router(planning.router)
    app.include_router(ogc.router)
    app.include_router(docs.router)
    app.include_router(auth_routes.router)  # /login, /logout
    app.include_router(corrections.router)  # /api/corrections (public POST), /edit/corrections (editors)
    app.include_router(import_api.router)  # /api/import, /edit/import — before edit_pages (/edit/{id})
    app.include_router(edit_pages.router)  # /edit/…, /history (editors)
    app.include_router(pages.router)
    return app
