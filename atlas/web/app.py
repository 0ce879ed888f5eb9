"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from atlas.auth import routes as auth_routes
from atlas.auth.middleware import AuthMiddleware
from atlas.config import REPO_ROOT, Settings, get_settings
from atlas.live import LiveAtlas
from atlas.maps.assets import URL_PREFIX, use_offline_assets, vendor_app
from atlas.maps.render import map_shell
from atlas.promotion.hubs import load_hubs
from atlas.storage import Storage
from atlas.storage.factory import open_storage
from atlas.web import (api, browse, chains, corrections, coverage_api, docs, edit_api, edit_pages,
                       enquiries, usage_views,
                       exports, handouts, import_api, ogc, pages, planning, site_finder,
                       visit_routes)
from atlas.web.cors import ReadOnlyCORS
from atlas.web.access_log import AccessLog
from atlas.web.errors import install_error_handlers
from atlas.web.http import ConditionalGet, HeadAsGet, NegotiatedGZip
from atlas.web.hosts import install_hosts
from atlas.web.security import SecurityHeaders, SecurityPolicy
from atlas.usage.middleware import UsageMiddleware


def create_app(settings: Settings | None = None, storage: Storage | None = None) -> FastAPI:
    """Build the app: load and validate the data (refusing invalid data), mount assets and routes."""
    settings = settings or get_settings()
    storage = storage or open_storage(settings)
    live = LiveAtlas(storage, settings)  # raises InvalidDataError with the validation report
    use_offline_assets()
    map_shell(settings)  # fails early on a basemap configuration that cannot work
    load_hubs()  # and on reference data that cannot work (the chains are read by validation)

    app = FastAPI(title="晋江科创地图 Jinjiang Innovation Atlas", version="0.1.0",
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.storage = storage
    app.state.live = live
    install_error_handlers(app, html_not_found=pages.not_found, html_error=pages.error_page)
    app.add_middleware(NegotiatedGZip, minimum_size=1024, compresslevel=6)  # 9: 3x the time, 3 % smaller
    app.add_middleware(AuthMiddleware, settings=settings)  # session cookie, 401 challenge
    app.add_middleware(ConditionalGet, live=live)  # ETag of the data version, 304 (atlas/web/http.py)
    app.add_middleware(ReadOnlyCORS)  # GET/HEAD of /ogc and /api from any origin
    app.add_middleware(SecurityHeaders, policy=SecurityPolicy.for_settings(settings))  # CSP… (security.py)
    install_hosts(app, settings)  # trusted proxies' X-Forwarded-*, then the Host check (hosts.py)
    app.add_middleware(HeadAsGet)  # every layer inside sees HEAD as GET, the body is dropped
    if settings.usage_statistics:  # counts GETs only (outside HeadAsGet): no address, cookie or browser
        app.add_middleware(UsageMiddleware)
    app.add_middleware(AccessLog, query=settings.access_log_query)  # no query strings by default
    app.mount(URL_PREFIX, vendor_app(), name="vendor")  # only the files the pages load
    app.mount("/static/atlas", StaticFiles(directory=REPO_ROOT / "static"), name="atlas-static")
    app.include_router(browse.router)
    app.include_router(exports.router)  # /export.<ext>, /export/<layer>.<ext>
    app.include_router(handouts.router)
    app.include_router(chains.router)  # /chains, /chains/{id}
    app.include_router(site_finder.router)  # /site-finder
    app.include_router(api.router)
    app.include_router(edit_api.router)  # /api/features, /api/history (editors)
    app.include_router(coverage_api.router)
    app.include_router(planning.router)
    app.include_router(ogc.router)
    app.include_router(docs.router)
    app.include_router(auth_routes.router)  # /login, /logout
    app.include_router(corrections.router)  # /api/corrections (public POST), /edit/corrections (editors)
    app.include_router(import_api.router)  # /api/import, /edit/import — before edit_pages (/edit/{id})
    app.include_router(enquiries.router)  # /api/enquiries (public POST), /edit/enquiries (staff)
    app.include_router(usage_views.router)  # /edit/usage, /api/usage (staff)
    app.include_router(edit_pages.router)  # /edit/…, /history (editors)
    app.include_router(visit_routes.router)  # /route (visit routes, kept in the URL)
    app.include_router(pages.router)
    return app
