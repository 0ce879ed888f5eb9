"""Front-end assets served by the atlas itself, never by a CDN.

The files come from the npm packages pinned in ``vendor/package.json`` (installed
by ``make``).  :func:`use_offline_assets` rewrites folium's asset lists — class
attributes, shared by every map in the process — once at startup, so every map
and every page points at ``/static/vendor/...`` on our own server.  :class:`VendorFiles` serves
only the files the pages load (and what their stylesheets load), not the packages' other files.
"""

from __future__ import annotations

import posixpath
import re

import folium
import folium.plugins
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from atlas.config import REPO_ROOT

NODE_MODULES = REPO_ROOT / "vendor" / "node_modules"
URL_PREFIX = "/static/vendor"

MOUNTS: dict[str, str] = {
    "leaflet": "leaflet/dist",
    "jquery": "jquery/dist",
    "bootstrap": "bootstrap/dist",
    "fontawesome": "@fortawesome/fontawesome-free",
    "markercluster": "leaflet.markercluster/dist",
    "awesome-markers": "leaflet.awesome-markers/dist",
    "swagger-ui": "swagger-ui-dist",
    "geoman": "@geoman-io/leaflet-geoman-free/dist",
}
"""URL name under ``/static/vendor/`` -> folder inside ``vendor/node_modules``."""

MAP_JS = [
    ("leaflet", f"{URL_PREFIX}/leaflet/leaflet.js"),
    ("jquery", f"{URL_PREFIX}/jquery/jquery.min.js"),
    ("bootstrap", f"{URL_PREFIX}/bootstrap/js/bootstrap.bundle.min.js"),
    ("awesome_markers", f"{URL_PREFIX}/awesome-markers/leaflet.awesome-markers.js"),
]
MAP_CSS = [
    ("leaflet_css", f"{URL_PREFIX}/leaflet/leaflet.css"),
    ("bootstrap_css", f"{URL_PREFIX}/bootstrap/css/bootstrap.min.css"),
    ("awesome_markers_font_css", f"{URL_PREFIX}/fontawesome/css/all.min.css"),
    ("awesome_markers_css", f"{URL_PREFIX}/awesome-markers/leaflet.awesome-markers.css"),
]
CLUSTER_JS = [("markerclusterjs", f"{URL_PREFIX}/markercluster/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{URL_PREFIX}/markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{URL_PREFIX}/markercluster/MarkerCluster.Default.css"),
]

GEOMAN_JS = [("geoman", f"{URL_PREFIX}/geoman/leaflet-geoman.min.js")]
GEOMAN_CSS = [("geoman_css", f"{URL_PREFIX}/geoman/leaflet-geoman.css")]
"""Leaflet-Geoman (drawing and reshaping areas and lines): loaded by the edit pages only."""

SWAGGER_JS = f"{URL_PREFIX}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = f"{URL_PREFIX}/swagger-ui/swagger-ui.css"
"""Swagger UI, for ``/docs``."""

LEAFLET_ICON_EXTRAS = [f"{URL_PREFIX}/leaflet/images/marker-icon-2x.png",
                       f"{URL_PREFIX}/leaflet/images/marker-shadow.png"]
"""Images Leaflet's script loads beside the default marker (its CSS names only marker-icon.png)."""

PAGE_FILES = [url for _, url in MAP_JS + MAP_CSS + CLUSTER_JS + CLUSTER_CSS + GEOMAN_JS + GEOMAN_CSS] \
    + [SWAGGER_JS, SWAGGER_CSS] + LEAFLET_ICON_EXTRAS
"""The vendor files our pages load; with what their stylesheets load, the only ones served."""

CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


class MissingAssetsError(RuntimeError):
    """The vendored front-end packages are not installed."""


def _file_of(url_path: str) -> str | None:
    """The file under ``NODE_MODULES`` for a path below ``URL_PREFIX`` (``leaflet/leaflet.js``)."""
    name, _, rest = url_path.partition("/")
    return f"{MOUNTS[name]}/{rest}" if name in MOUNTS and rest else None


def _css_references(url_path: str, css: str) -> list[str]:
    """What a stylesheet loads (its relative ``url(...)``s), as paths below ``URL_PREFIX``,
    resolved the way a browser resolves them; ``data:`` URIs and ``#fragment``s load nothing."""
    found = []
    for ref in CSS_URL.findall(css):
        ref = ref.split("?")[0].split("#")[0]
        if ref and not ref.startswith(("data:", "%23")):
            found.append(posixpath.normpath(posixpath.join(posixpath.dirname(url_path), ref)))
    return found


def vendor_files() -> dict[str, str]:
    """Path below ``URL_PREFIX`` -> file under ``NODE_MODULES``: the files the pages load and
    what their stylesheets load, nothing else.  Raises if ``make`` has not installed them."""
    files: dict[str, str] = {}
    missing: list[str] = []
    pending = [url.removeprefix(URL_PREFIX + "/") for url in PAGE_FILES]
    while pending:
        url_path = pending.pop()
        if url_path in files:
            continue
        rel = _file_of(url_path)
        path = NODE_MODULES / rel if rel else None
        if path is None or not path.is_file():
            missing.append(str(path or url_path))
            continue
        files[url_path] = rel
        if url_path.endswith(".css"):
            pending.extend(_css_references(url_path, path.read_text(encoding="utf-8")))
    if missing:
        raise MissingAssetsError("front-end assets are not installed (run `make run` or "
                                 f"`npm ci --prefix vendor`): missing {', '.join(sorted(missing))}")
    return files


class VendorFiles(StaticFiles):
    """The allow-listed vendor files, mounted at ``URL_PREFIX``; 404 for anything else in the
    npm packages (their ``package.json``, swagger-ui's stock ``index.html``, source maps...)."""

    def __init__(self, files: dict[str, str]):
        super().__init__(directory=NODE_MODULES)
        self.files = files

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Serve ``path`` (below ``URL_PREFIX``) if it is on the list."""
        if path not in self.files:
            raise HTTPException(status_code=404)
        return await super().get_response(self.files[path], scope)


def vendor_app() -> VendorFiles:
    """The ASGI app serving the vendor files at ``URL_PREFIX``."""
    return VendorFiles(vendor_files())


def use_offline_assets() -> None:
    """Point folium's (class-level) asset lists at our own server. Idempotent."""
    folium.Map.default_js = list(MAP_JS)
    folium.Map.default_css = list(MAP_CSS)
    folium.plugins.MarkerCluster.default_js = list(CLUSTER_JS)
    folium.plugins.MarkerCluster.default_css = list(CLUSTER_CSS)
