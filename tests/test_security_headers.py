"""Security headers on every kind of response, nonces on every inline script and style, the
basemap's hosts in img-src, the configurable frame-ancestors, and only the vendor files the
pages load being served."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from atlas.config import Settings
from atlas.maps.assets import NODE_MODULES, URL_PREFIX, vendor_files
from atlas.maps.render import TileConfigError
from atlas.web.app import create_app
from atlas.web.security import SecurityConfigError, frame_ancestors, tile_sources
from tests.conftest import SHIPPED_DATA

FIXED = {"x-content-type-options": "nosniff",
         "referrer-policy": "strict-origin-when-cross-origin",
         "x-frame-options": "SAMEORIGIN"}
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def osm_client() -> TestClient:
    """The shipped atlas with the OpenStreetMap basemap (never fetched: no browser here)."""
    return TestClient(create_app(Settings(data_dir=SHIPPED_DATA, tiles="osm")),
                      raise_server_exceptions=False)


def directives(response) -> dict[str, str]:
    """The response's CSP as directive -> its sources."""
    policy = response.headers["content-security-policy"]
    return dict(part.strip().partition(" ")[::2] for part in policy.split(";"))


def assert_secured(response) -> dict[str, str]:
    for name, value in FIXED.items():
        assert response.headers.get(name) == value, (name, response.request.url)
    assert "camera=()" in response.headers["permissions-policy"]
    assert "geolocation=()" in response.headers["permissions-policy"]
    csp = directives(response)
    assert csp["default-src"] == "'self'" and csp["object-src"] == "'none'"
    assert csp["frame-ancestors"] == "'self'" and csp["base-uri"] == "'none'"
    assert csp["img-src"] == "'self' data: https://tile.openstreetmap.org"
    for name in ("script-src", "style-src"):
        assert "unsafe-inline" not in csp[name] and "unsafe-eval" not in csp[name]
    assert "unsafe-eval" not in response.headers["content-security-policy"]
    return csp


@pytest.mark.parametrize("path,headers,status", [
    ("/", HTML, 200),
    ("/platforms/clfi-jinjiang?lang=en", HTML, 200),
    ("/print", HTML, 200),
    ("/planning", HTML, 200),
    ("/api/nearest?lon=118.55&lat=24.72&f=html", {}, 200),
    ("/ogc/collections/platforms/items?f=html", {}, 200),
    ("/docs", {}, 200),
    ("/login", HTML, 200),
    ("/no-such-page", HTML, 404),
    ("/planning?radius_m=abc", HTML, 400),
    ("/api/nearest?lon=abc&lat=24.7&f=html", {}, 400),
])
def test_every_inline_script_and_style_of_a_page_carries_its_nonce(osm_client, path, headers, status):
    page = osm_client.get(path, headers=headers)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    csp = assert_secured(page)
    nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{22,})'", csp["script-src"]).group(1)
    assert csp["style-src"] == f"'self' 'nonce-{nonce}'"
    assert csp["style-src-attr"] == "'unsafe-inline'"
    inline = [attrs for attrs in re.findall(r"<(?:script|style)\b([^>]*)>", page.text)
              if "src=" not in attrs and "application/json" not in attrs]
    assert inline, "every page has an inline script or style"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline), inline
    assert not re.search(r"\son[a-z]+=", page.text), "inline event handlers cannot run under the CSP"
    again = osm_client.get(path, headers=headers)
    assert f"nonce-{nonce}" not in again.headers["content-security-policy"], "a nonce is used once"


@pytest.mark.parametrize("path,headers,status", [
    ("/api/entities?layer=platforms", {}, 200),
    ("/ogc/collections/platforms/items?f=json", {}, 200),
    ("/openapi.json", {}, 200),
    ("/healthz", {}, 200),
    ("/export.csv", {}, 200),
    ("/api/nearest?lon=abc&lat=24.7", {}, 400),
    ("/api/no-such-route", {}, 404),
    ("/no-such-page", {}, 404),
    (f"{URL_PREFIX}/leaflet/leaflet.js", {}, 200),
    (f"{URL_PREFIX}/leaflet/package.json", {}, 404),
    ("/static/atlas/atlas.css", {}, 200),
    ("/favicon.ico", {}, 200),
])
def test_headers_on_data_errors_and_files_without_a_nonce(osm_client, path, headers, status):
    answer = osm_client.get(path, headers=headers)
    assert answer.status_code == status
    csp = assert_secured(answer)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"


def test_head_and_not_modified_answers_are_secured_too(osm_client):
    head = osm_client.head(f"{URL_PREFIX}/leaflet/leaflet.css")
    assert head.status_code == 200
    assert_secured(head)
    first = osm_client.get(f"{URL_PREFIX}/leaflet/leaflet.css")
    again = osm_client.get(f"{URL_PREFIX}/leaflet/leaflet.css",
                           headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert_secured(again)


@pytest.mark.parametrize("path", [
    "swagger-ui/index.html", "swagger-ui/swagger-initializer.js", "swagger-ui/package.json",
    "swagger-ui/oauth2-redirect.html", "swagger-ui/swagger-ui-bundle.js.map", "leaflet/package.json",
    "leaflet/leaflet.js.map", "leaflet/leaflet-src.js", "jquery/jquery.js", "fontawesome/LICENSE.txt",
    "geoman/leaflet-geoman.js", "awesome-markers/images/markers-matte.png", "leaflet/",
    "leaflet/images", "leaflet/../leaflet/package.json", "nothing/here.js",
])
def test_package_files_the_pages_do_not_load_are_not_found(osm_client, path):
    answer = osm_client.get(f"{URL_PREFIX}/{path}")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_stock_swagger_page_and_npm_metadata_exist_but_are_refused(osm_client):
    """The files are there in the packages (so the 404s above are the allow-list's doing)."""
    for rel in ("swagger-ui-dist/index.html", "swagger-ui-dist/package.json", "leaflet/package.json"):
        assert (NODE_MODULES / rel).is_file()
    assert osm_client.get(f"{URL_PREFIX}/swagger-ui/index.html").status_code == 404


def test_every_listed_file_is_served_with_what_the_stylesheets_load(osm_client):
    files = vendor_files()
    for name in ("leaflet/images/layers.png", "leaflet/images/marker-icon-2x.png",
                 "leaflet/images/marker-shadow.png", "fontawesome/webfonts/fa-solid-900.woff2",
                 "awesome-markers/images/markers-soft.png", "markercluster/MarkerCluster.Default.css",
                 "swagger-ui/swagger-ui-bundle.js", "geoman/leaflet-geoman.min.js"):
        assert name in files
    for name in files:
        answer = osm_client.get(f"{URL_PREFIX}/{name}")
        assert answer.status_code == 200, name
        assert answer.content == (NODE_MODULES / files[name]).read_bytes()
    assert not any(name.endswith((".json", ".html", ".map", ".txt", ".md")) for name in files)


def test_every_page_refers_only_to_served_vendor_files(osm_client):
    files = vendor_files()
    pages = ["/", "/platforms/clfi-jinjiang", "/print", "/planning", "/docs",
             "/api/nearest?lon=118.55&lat=24.72&f=html"]
    for path in pages:
        text = osm_client.get(path, headers=HTML).text
        for url in re.findall(rf'(?:src|href)="{URL_PREFIX}/([^"]+)"', text):
            assert url in files, (path, url)


def test_docs_page_has_no_outside_validator(osm_client):
    page = osm_client.get("/docs").text
    assert '"validatorUrl": null' in page
    assert f"{URL_PREFIX}/swagger-ui/swagger-ui-bundle.js" in page


def test_img_src_names_the_configured_basemap_hosts():
    assert tile_sources(Settings(data_dir=SHIPPED_DATA, tiles="none")) == []
    assert tile_sources(Settings(data_dir=SHIPPED_DATA, tiles="osm")) == ["https://tile.openstreetmap.org"]
    tianditu = tile_sources(Settings(data_dir=SHIPPED_DATA, tiles="tianditu", tianditu_key="k"))
    assert tianditu == [f"https://t{i}.tianditu.gov.cn" for i in range(8)]
    custom = Settings(data_dir=SHIPPED_DATA, tiles="https://{s}.Tiles.example.com:8443/a/{z}/{x}/{y}.png")
    assert tile_sources(custom) == [f"https://{s}.tiles.example.com:8443" for s in "abc"]
    own = Settings(data_dir=SHIPPED_DATA, tiles="/tiles/{z}/{x}/{y}.png")
    assert tile_sources(own) == []
    with pytest.raises(TileConfigError, match="placeholder"):
        tile_sources(Settings(data_dir=SHIPPED_DATA, tiles="https://{region}.example.com/{z}/{x}/{y}.png"))


def test_no_basemap_means_no_outside_image_host():
    client = TestClient(create_app(Settings(data_dir=SHIPPED_DATA, tiles="none")))
    assert directives(client.get("/healthz"))["img-src"] == "'self' data:"


def test_frame_ancestors_from_the_environment(monkeypatch):
    assert frame_ancestors("") == "'self'"
    assert frame_ancestors(" 'none' ") == "'none'"
    monkeypatch.setenv("ATLAS_FRAME_ANCESTORS", "'self'  https://portal.example.gov.cn *.gov.cn:443")
    client = TestClient(create_app(Settings(data_dir=SHIPPED_DATA, tiles="none")))
    answer = client.get("/")
    assert directives(answer)["frame-ancestors"] == "'self' https://portal.example.gov.cn *.gov.cn:443"
    assert "x-frame-options" not in answer.headers  # it cannot name a list; browsers use the CSP
    monkeypatch.setenv("ATLAS_FRAME_ANCESTORS", "'none'")
    client = TestClient(create_app(Settings(data_dir=SHIPPED_DATA, tiles="none")))
    assert client.get("/healthz").headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("value", ["https://a.example; script-src *", "'none' 'self'", "'unsafe-inline'",
                                   "https://a.example,https://b.example"])
def test_a_malformed_frame_ancestors_refuses_to_start(monkeypatch, value):
    monkeypatch.setenv("ATLAS_FRAME_ANCESTORS", value)
    with pytest.raises(SecurityConfigError, match="ATLAS_FRAME_ANCESTORS"):
        create_app(Settings(data_dir=SHIPPED_DATA, tiles="none"))
