"""HTTP details (atlas/web/http.py): HEAD on every GET route, ``Allow`` on 405, gzip by the
q-values of Accept-Encoding, and conditional GET (ETag of the data version, 304)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.storage import etag
from atlas.web.app import create_app

SAME_HEADERS = ("content-type", "content-length", "content-encoding", "content-disposition",
                "etag", "cache-control", "vary", "access-control-allow-origin")
"""What a HEAD must answer exactly as the GET does."""

HEAD_PATHS = ["/", "/platforms/clfi-jinjiang", "/healthz", "/api/entities?layer=platforms",
              "/api/search?q=scy", "/ogc/collections", "/ogc/collections/platforms/items?limit=5",
              "/export.csv", "/export/platforms.geojson", "/static/atlas/js/core.js",
              "/static/vendor/leaflet/leaflet.js", "/openapi.json"]

BIG = "/api/entities"
"""A JSON answer well above gzip's 1 024-byte minimum."""


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_is_the_get_without_its_body(base_url, path, encoding):
    """Over real HTTP (uvicorn): same status and headers, Content-Length included, no body."""
    headers = {"Accept-Encoding": encoding, "Origin": "https://viewer.example"}
    with httpx.Client(base_url=base_url, headers=headers) as http:
        get, head = http.get(path), http.head(path)
    assert get.status_code == 200, path
    assert head.status_code == 200 and head.content == b""
    page = get.headers["content-type"].startswith("text/html")
    for name in SAME_HEADERS:
        if name == "content-length" and encoding == "gzip" and page:
            continue  # a page carries a fresh CSP nonce: its gzipped length varies between two GETs too
        assert head.headers.get(name) == get.headers.get(name), f"{path}: {name}"


def test_head_is_the_get_of_an_unknown_path_too(client):
    get, head = client.get("/api/nothing-here"), client.head("/api/nothing-here")
    assert head.status_code == get.status_code == 404 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("DELETE", "/api/entities", {"GET", "HEAD"}),
    ("PUT", "/ogc/collections", {"GET", "HEAD"}),
    ("PATCH", "/planning", {"GET", "HEAD", "POST"}),  # two routes: Starlette would name one
    ("POST", "/api/features/platforms/clfi-jinjiang", {"PUT", "DELETE"}),
    ("HEAD", "/logout", {"POST"}),
    ("POST", "/static/atlas/js/core.js", {"GET", "HEAD"}),
])
def test_405_says_what_is_allowed(client, method, path, allowed):
    answer = client.request(method, path)
    assert answer.status_code == 405
    assert {m.strip() for m in answer.headers["allow"].split(",")} == allowed
    if method != "HEAD":
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["status"] == 405 and method in answer.json()["detail"]


@pytest.mark.parametrize(("accept_encoding", "gzipped"), [
    ("gzip", True),
    ("gzip, deflate, br", True),
    ("br;q=1.0, gzip;q=0.5", True),
    ("*", True),
    ("identity;q=0, gzip", True),
    ("gzip;q=0", False),
    ("gzip;q=0.000, deflate", False),
    ("*, gzip;q=0", False),  # the explicit entry wins over the wildcard
    ("*;q=0", False),
    ("gzip;q=nan", False),  # a malformed q-value is not acceptance
    ("gzip;q=2", False),
    ("identity", False),
    ("identity;q=0", False),  # nothing acceptable: the unencoded body, not an error
    ("", False),
])
def test_gzip_only_where_the_q_values_accept_it(client, accept_encoding, gzipped):
    answer = client.get(BIG, headers={"Accept-Encoding": accept_encoding})
    assert answer.status_code == 200 and answer.json()["features"]
    assert (answer.headers.get("content-encoding") == "gzip") is gzipped
    assert "accept-encoding" in answer.headers["vary"].lower()


def test_gzip_keeps_its_minimum_size(client):
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert small.status_code == 200 and "content-encoding" not in small.headers


DATA_ANSWERS = ["/api/entities", "/api/layers/zones", "/api/search?q=scy",
                "/api/nearest?lon=118.5335&lat=24.766&k=3", "/api/coverage/density",
                "/ogc/collections", "/ogc/collections/platforms/items?limit=3",
                "/ogc/collections/platforms/items/clfi-jinjiang", "/export.csv",
                "/export/platforms.geojson"]


@pytest.mark.parametrize("path", DATA_ANSWERS)
def test_a_data_answer_is_not_sent_again_while_its_etag_holds(client, path):
    first = client.get(path)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"] == "no-cache"
    assert "accept" in [v.strip().lower() for v in first.headers["vary"].split(",")]
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == tag and again.headers["cache-control"] == "no-cache"
    listed = client.get(path, headers={"If-None-Match": f'W/"other", {tag.removeprefix("W/")}'})
    assert listed.status_code == 304  # one of a list, compared weakly
    head = client.head(path, headers={"If-None-Match": tag})
    assert head.status_code == 304 and head.content == b""
    other = client.get(path, headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200 and other.content == first.content


def test_the_tag_follows_what_the_answer_depends_on(client):
    """Another query or another Accept header is another representation: another tag."""
    tags = {client.get("/ogc/collections/platforms/items", params=params, headers=headers).headers["etag"]
            for params, headers in [({"limit": 3}, {}), ({"limit": 4}, {}),
                                    ({"limit": 3}, {"Accept": "application/geo+json"})]}
    assert len(tags) == 3
    assert client.get("/api/entities").headers["etag"] == client.get("/api/entities").headers["etag"]


def test_pages_errors_and_html_answers_get_no_data_etag(client):
    """Pages vary by who is signed in; a tag is only given where the same tag means the same body."""
    assert "etag" not in client.get("/").headers
    assert "etag" not in client.get("/platforms/clfi-jinjiang").headers
    html = client.get("/api/search", params={"q": "scy", "f": "html"})
    assert html.status_code == 200 and "etag" not in html.headers
    bad = client.get("/api/nearest", params={"lon": "east"})
    assert bad.status_code == 400 and "etag" not in bad.headers


@pytest.fixture
def editing(storage, data_copy, tmp_path):
    """An app on a copy of the data, and a client signed in as an editor (API token)."""
    users = UserStore(tmp_path / "users.json")
    users.add("ed", "editor", "a-long-password")
    app = create_app(Settings(data_dir=data_copy, tiles="none", users_file=users.path,
                              secret_key="test-secret"), storage=storage)
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {users.issue_token('ed')}"
    return client


def test_an_edit_retires_every_old_tag_and_writes_are_never_conditional(editing):
    client = editing
    paths = ["/api/entities?layer=platforms", "/ogc/collections/platforms/items/clfi-jinjiang",
             "/export/platforms.csv"]
    old = {path: client.get(path).headers["etag"] for path in paths}
    assert all(client.get(p, headers={"If-None-Match": t}).status_code == 304 for p, t in old.items())

    stored = client.get("/api/features/clfi-jinjiang")
    feature_tag, feature = stored.headers["etag"], stored.json()
    layer = feature.pop("layer")
    assert feature_tag == etag(feature)  # the edit API's own ETag, for If-Match, untouched
    feature["properties"]["name_en"] = "Conditionally Renamed Institute"
    # If-None-Match on a write is the edit API's business (``*``: create only), never a 304
    written = client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature,
                         headers={"If-Match": feature_tag, "If-None-Match": old[paths[1]]})
    assert written.status_code == 200

    for path, tag in old.items():
        fresh = client.get(path, headers={"If-None-Match": tag})
        assert fresh.status_code == 200, path
        assert fresh.headers["etag"] != tag
        assert "Conditionally Renamed Institute" in fresh.text


@pytest.mark.parametrize(("accept", "page"), [
    ("text/html,application/xhtml+xml,*/*;q=0.8", True),
    ("text/html;q=0, application/json", False),  # listed, but refused
    ("application/json", False),
])
def test_an_unknown_page_is_html_only_for_a_client_that_accepts_html(client, accept, page):
    answer = client.get("/no-such-page", headers={"Accept": accept})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html") is page
