"""Front-end assets served by the atlas itself, never by a CDN.

The files come from the npm packages pinned in ``vendor/package.json`` (installed
by ``make``).  :func:`use_offline_assets` rewrites folium's asset lists — class
attributes, shared by every map in the process — once at startup, so every map
and every page points at ``/static/vendor/...`` on our own server.
"""

from __future__ import annotations

import folium
import folium.plugins

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


class MissingAssetsError(RuntimeError):
    """The vendored front-end packages are not installed."""


def vendor_dirs() -> dict[str, str]:
    """URL name -> absolute folder to serve; raises if ``make`` has not installed them."""
    dirs = {name: NODE_MODULES / rel for name, rel in MOUNTS.items()}
    missing = [str(d) for d in dirs.values() if not d.is_dir()]
    if missing:
        raise MissingAssetsError("front-end assets are not installed (run `make run` or "
                                 f"`npm ci --prefix vendor`): missing {', '.join(missing)}")
    return {name: str(d) for name, d in dirs.items()}


def use_offline_assets() -> None:
    """Point folium's (class-level) asset lists at our own server. Idempotent."""
    folium.Map.default_js = list(MAP_JS)
    folium.Map.default_css = list(MAP_CSS)
    folium.plugins.MarkerCluster.default_js = list(CLUSTER_JS)
    folium.plugins.MarkerCluster.default_css = list(CLUSTER_CSS)
