"""Every page type in Chromium under the Content-Security-Policy: no violation reported (by the
``securitypolicyviolation`` event or the console), no inline event handler left to be blocked,
no script error, and the maps really drawn — their features, and the OpenStreetMap basemap's
tiles, which img-src must allow (the tile requests are answered here, never sent out)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from urllib.parse import urlparse

import httpx
import pytest
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.web.app import create_app
from tests.conftest import SHIPPED_DATA

EDITOR, PASSWORD = "lin", "a-long-password"
TILE_HOST = "tile.openstreetmap.org"

LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " +
                    (e.sourceFile || location.pathname) + ":" + e.lineNumber + " " + (e.sample || ""));
});
window.__printed = 0;
window.print = function () { window.__printed += 1; };
"""
"""Run before any page script: records CSP violations, and counts print() calls instead of printing."""

INLINE_HANDLERS = """() => Array.from(document.querySelectorAll("*")).flatMap(function (el) {
  return Array.from(el.attributes).filter(function (a) { return /^on/i.test(a.name); })
    .map(function (a) { return el.tagName + "[" + a.name + "]"; }); })"""

DRAWN = """() => {
  var div = document.querySelector(".folium-map"), map = div && window[div.id], shapes = 0;
  if (!map) return null;
  map.eachLayer(function (l) { if (l instanceof L.Path || l instanceof L.Marker) shapes += 1; });
  return {shapes: shapes, tiles: document.querySelectorAll(".leaflet-tile-loaded").length};
}"""
"""What the page's Folium map holds: features drawn (vectors and markers) and tiles shown."""


def tile_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (230, 236, 240)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory, serve) -> str:
    """The shipped atlas on a writable copy with the OpenStreetMap basemap, one editor, and one
    reported correction with a position (so the editors' queue shows its map)."""
    root = tmp_path_factory.mktemp("csp")
    shutil.copytree(SHIPPED_DATA, root / "geo")
    UserStore(root / "users.json").add(EDITOR, "editor", PASSWORD)
    url = serve(create_app(Settings(data_dir=root / "geo", tiles="osm", users_file=root / "users.json",
                                    secret_key="test-secret")))
    report = httpx.post(f"{url}/api/corrections", json={"entity": "clfi-jinjiang", "lon": 118.56,
                                                        "lat": 24.73, "message": "The institute moved."})
    assert report.status_code == 201, report.text
    return url


class CspWatch:
    """A browser context on the site that records CSP violations, console errors, script
    errors, the tiles asked of the basemap host and any other request leaving the server."""

    def __init__(self, browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 820})
        self.context.add_init_script(LISTENER)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.tiles: list[str] = []
        self.foreign: list[str] = []
        self.png = tile_png()
        host = urlparse(base_url).netloc
        self.context.route("**/*", lambda route: self._route(route, host))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route, host: str) -> None:
        url = route.request.url
        where = urlparse(url).netloc
        if where == host or url.startswith(("data:", "blob:")):
            route.continue_()
        elif where == TILE_HOST:
            self.tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=self.png)
        else:
            self.foreign.append(url)
            route.abort()

    def log_in(self) -> None:
        self.page.goto(f"{self.base_url}/login?next=/history")
        self.page.fill("#login-name", EDITOR)
        self.page.fill("#login-password", PASSWORD)
        self.page.click(".login-form button[type=submit]")
        self.page.wait_for_url("**/history")

    def check(self, path: str, ready: str | None, status: int = 200) -> dict | None:
        """Open ``path``, wait for ``ready`` (or the load), and assert a clean page under the
        CSP; returns what its map drew (None without a map)."""
        self.console.clear()
        self.errors.clear()
        answer = self.page.goto(self.base_url + path)
        assert answer.status == status, path
        assert "content-security-policy" in answer.headers
        if ready:
            try:
                self.page.wait_for_selector(ready, state="attached", timeout=30000)
            except PlaywrightTimeout:
                pass  # the violations, if any, say why: checked first
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(300)  # late loads: fonts, tiles, images from stylesheets
        violations = self.page.evaluate("window.__csp")
        csp_console = [m for m in self.console if "Content Security Policy" in m or "Permissions-Policy" in m]
        assert violations == [] and csp_console == [], f"{path}: {violations} {csp_console}"
        assert ready is None or self.page.locator(ready).count() > 0, f"{path}: never {ready}"
        assert self.page.evaluate(INLINE_HANDLERS) == [], f"{path}: inline handlers are blocked"
        expected = "Failed to load resource: the server responded with a status of"
        errors = [m for m in self.console if m.startswith("error:") and not (status >= 400 and expected in m)]
        assert errors == [] and self.errors == [], f"{path}: {errors} {self.errors}"
        assert self.foreign == [], f"{path}: requests left the server: {self.foreign}"
        return self.page.evaluate(DRAWN)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def visitor(browser, site) -> Iterator[CspWatch]:
    watch = CspWatch(browser, site)
    yield watch
    watch.close()


@pytest.fixture(scope="module")
def editor(browser, site) -> Iterator[CspWatch]:
    watch = CspWatch(browser, site)
    watch.log_in()
    yield watch
    watch.close()


READY = "body[data-ready=true]"
SWAGGER = ".swagger-ui .opblock"
TILES = ".leaflet-tile-loaded"

MAP_PAGES = [
    ("/", READY), ("/?lang=en&sel=clfi-jinjiang", READY),
    ("/platforms/clfi-jinjiang", READY), ("/parks/finance-plaza?lang=en", READY),
    ("/towns/qingyang", READY), ("/corridor", READY),
    ("/print", READY), ("/print?lang=en", READY),
    ("/planning", READY),
    ("/api/locate?lon=118.55&lat=24.72&f=html", TILES),
    ("/api/nearest?lon=118.55&lat=24.72&f=html&lang=en", TILES),
    ("/api/within?lon=118.55&lat=24.72&radius_m=2000&f=html", TILES),
    ("/api/hierarchy/qingyang?f=html", TILES),
    ("/api/search?q=jinjiang&f=html", TILES),
]
"""Pages with a Folium map: each must draw features and basemap tiles."""

PLAIN_PAGES = [
    ("/planning/industries", None, 200), ("/planning/targets?lang=en", None, 200),
    ("/planning/zones", None, 200), ("/planning?radius_m=abc", None, 400),
    ("/ogc?f=html", None, 200), ("/ogc/conformance?f=html", None, 200),
    ("/ogc/api?f=html", None, 200), ("/ogc/collections?f=html", None, 200),
    ("/ogc/collections/platforms?f=html", None, 200),
    ("/ogc/collections/platforms/items?f=html", None, 200),
    ("/ogc/collections/platforms/items/clfi-jinjiang?f=html", None, 200),
    ("/ogc/collections/platforms/queryables?f=html", None, 200),
    ("/ogc/collections/nope?f=html", None, 404),
    ("/api/nearest?lon=abc&lat=24.7&f=html", None, 400),
    ("/docs", SWAGGER, 200), ("/login", None, 200), ("/no-such-page", None, 404),
]


@pytest.mark.parametrize("path,ready", MAP_PAGES)
def test_map_pages_draw_under_the_policy(visitor, path, ready):
    drawn = visitor.check(path, ready)
    assert drawn is not None, f"{path}: no map"
    assert drawn["shapes"] > 0 and drawn["tiles"] > 0, f"{path}: {drawn}"
    assert any(t.startswith(f"https://{TILE_HOST}/") for t in visitor.tiles)


@pytest.mark.parametrize("path,ready,status", PLAIN_PAGES)
def test_other_pages_under_the_policy(visitor, path, ready, status):
    visitor.check(path, ready, status)


@pytest.mark.parametrize("path", ["/platforms/clfi-jinjiang", "/planning", "/planning/targets",
                                  "/print"])
def test_print_buttons_work_without_inline_handlers(visitor, path):
    visitor.check(path, None)
    visitor.page.click("[data-action=print]")
    assert visitor.page.evaluate("window.__printed") == 1


@pytest.mark.parametrize("path,ready,drawn", [
    ("/edit/clfi-jinjiang", READY, True), ("/edit/finance-plaza?lang=en", READY, True),
    ("/edit/new?layer=parks", READY, True), ("/edit/new", None, False),
    ("/history", READY, False), ("/history/clfi-jinjiang?lang=en", READY, False),
    ("/edit/import", None, False), ("/edit/corrections", READY, True),
    ("/platforms/clfi-jinjiang?lang=en", READY, True), ("/", READY, True),
])
def test_editor_pages_under_the_policy(editor, path, ready, drawn):
    found = editor.check(path, ready)
    if drawn:
        assert found is not None and found["tiles"] > 0, f"{path}: {found}"
        if "new" not in path:
            assert found["shapes"] > 0, f"{path}: {found}"
