"""The write API: ETags and 412, validation errors by field, undo, datum conversion, history,
every answer fresh after a write, and no write route without a role."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from atlas.auth.deps import write_routes
from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.crs import from_wgs84
from atlas.web.app import create_app
from tests.conftest import reopen

PUBLIC_WRITES = {("POST", "/login"), ("POST", "/logout"), ("POST", "/api/coverage/demand"),
                 ("POST", "/planning"), ("POST", "/api/corrections"), ("POST", "/api/enquiries")}
"""Unsafe routes open to the public on purpose: logging in and out, uploading demand points for
a coverage answer or the planning page (computes, stores nothing), and reporting a correction
(queued for editors, changes no data), and leaving an enquiry (staff read it; no data changes)."""


@pytest.fixture
def editing(storage, data_copy, tmp_path):
    """An app on a copy of the data (files, then PostGIS), with an editor and an admin, and
    their API tokens."""
    users = UserStore(tmp_path / "users.json")
    tokens = {}
    for name, role in (("ed", "editor"), ("ad", "admin")):
        users.add(name, role, "a-long-password")
        tokens[role] = users.issue_token(name)
    app = create_app(Settings(data_dir=data_copy, tiles="none", users_file=users.path,
                              secret_key="test-secret"), storage=storage)
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {tokens['editor']}"
    return client, app, tokens


def read(client, entity_id):
    answer = client.get(f"/api/features/{entity_id}")
    assert answer.status_code == 200
    feature = answer.json()
    return feature.pop("layer"), feature, answer.headers["ETag"]


def test_every_write_route_needs_a_role(editing):
    client, app, _ = editing
    routes = write_routes(app)
    assert routes, "no write routes found: the enumeration is broken"
    for method, path, role in routes:
        if (method, path) in PUBLIC_WRITES:
            continue
        assert role in ("editor", "admin"), f"{method} {path} is open to anyone"
        url = path.replace("{layer}", "platforms").replace("{entity_id}", "clfi-jinjiang") \
                  .replace("{number}", "1").replace("{n}", "1")
        anonymous = TestClient(app, raise_server_exceptions=False)
        assert anonymous.request(method, url).status_code == 401, f"{method} {path}"
        wrong = TestClient(app, raise_server_exceptions=False)
        wrong.headers["Authorization"] = "Bearer not-a-token"
        assert wrong.request(method, url).status_code == 401, f"{method} {path}"


def test_a_stale_if_match_gets_412_and_changes_nothing(editing):
    client, _, _ = editing
    layer, feature, tag = read(client, "clfi-jinjiang")
    feature["properties"]["description_en"] = "first edit"
    first = client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature, headers={"If-Match": tag})
    assert first.status_code == 200 and first.headers["ETag"] != tag
    feature["properties"]["description_en"] = "second edit, from a stale copy"
    stale = client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature, headers={"If-Match": tag})
    assert stale.status_code == 412
    assert read(client, "clfi-jinjiang")[1]["properties"]["description_en"] == "first edit"


def test_invalid_edits_are_422_with_the_field(editing):
    client, _, _ = editing
    layer, feature, tag = read(client, "clfi-jinjiang")
    feature["properties"]["kind"] = "spaceport"
    answer = client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature, headers={"If-Match": tag})
    assert answer.status_code == 422
    assert any(e["field"] == "kind" for e in answer.json()["errors"])
    assert read(client, "clfi-jinjiang")[2] == tag  # nothing written


def test_undo_restores_the_exact_previous_feature_and_delete_is_recoverable(editing):
    client, app, _ = editing
    layer, before, tag = read(client, "clfi-jinjiang")
    edited = {**before, "properties": {**before["properties"], "name_en": "Renamed"}}
    commit = client.put(f"/api/features/{layer}/clfi-jinjiang", json=edited).json()["commit"]
    undone = client.post(f"/api/history/{commit}/undo")
    assert undone.status_code == 200
    assert read(client, "clfi-jinjiang")[1] == before and read(client, "clfi-jinjiang")[2] == tag
    gone = client.delete(f"/api/features/{layer}/clfi-jinjiang").json()["commit"]
    assert client.get("/api/features/clfi-jinjiang").status_code == 404
    assert client.get("/platforms/clfi-jinjiang").status_code == 404
    back = client.post(f"/api/history/{gone}/undo")
    assert back.status_code == 200
    assert read(client, "clfi-jinjiang")[1] == before
    history = client.get("/api/history?entity=clfi-jinjiang").json()["commits"]
    numbers = [back.json()["commit"], gone, undone.json()["commit"], commit]
    assert [c["number"] for c in history[:4]] == numbers == sorted(numbers, reverse=True)
    assert history[0]["undoes"] == gone and history[2]["undoes"] == commit
    assert history[0]["author"] == "ed"
    # undoing the edit again is refused: the feature has changed since (it was deleted and restored)
    assert client.post(f"/api/history/{commit}/undo").status_code == 409


def test_a_gcj02_position_lands_within_5_m_of_the_wgs84_truth(editing):
    client, app, _ = editing
    layer, feature, _ = read(client, "clfi-jinjiang")
    truth = (118.5812345, 24.7798765)  # WGS-84
    shifted = from_wgs84(*truth, "gcj02")  # what Amap shows for it
    assert abs(shifted[0] - truth[0]) > 1e-4  # the shift is real (hundreds of metres)
    feature["geometry"] = {"type": "Point", "coordinates": list(shifted)}
    assert client.put(f"/api/features/{layer}/clfi-jinjiang?crs=gcj02", json=feature).status_code == 200
    stored = read(client, "clfi-jinjiang")[1]["geometry"]["coordinates"]
    metric = Transformer.from_crs("EPSG:4326", "EPSG:32650", always_xy=True)
    (x1, y1), (x2, y2) = metric.transform(*stored), metric.transform(*truth)
    assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 < 5


def test_pages_api_and_ogc_answer_from_the_new_data_at_once(editing):
    client, app, _ = editing
    version = client.get("/healthz").json()["data_version"]
    layer, feature, tag = read(client, "clfi-jinjiang")
    feature["properties"]["name_en"] = "Freshly Renamed Institute"
    assert client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature, headers={"If-Match": tag}).status_code == 200
    assert client.get("/healthz").json()["data_version"] != version
    assert "Freshly Renamed Institute" in client.get("/platforms/clfi-jinjiang?lang=en").text
    names = [f["properties"]["display_name"] for f in client.get("/api/entities?lang=en").json()["features"]]
    assert "Freshly Renamed Institute" in names
    item = client.get("/ogc/collections/platforms/items/clfi-jinjiang?f=json").json()
    assert item["properties"]["name_en"] == "Freshly Renamed Institute"
    assert "Freshly Renamed Institute" in client.get("/api/search?q=Freshly").text


def test_an_edit_by_another_process_is_picked_up(editing, storage, data_copy):
    """A second server on the same data (another process in production) sees the write."""
    client, app, tokens = editing
    other = TestClient(create_app(Settings(data_dir=data_copy, tiles="none"), storage=reopen(storage)))
    layer, feature, tag = read(client, "clfi-jinjiang")
    feature["properties"]["name_en"] = "Seen Elsewhere"
    assert client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature).status_code == 200
    deadline = time.monotonic() + 2
    while "Seen Elsewhere" not in other.get("/platforms/clfi-jinjiang?lang=en").text:
        assert time.monotonic() < deadline, "not visible in the other server within 2 s"
        time.sleep(0.1)


def test_if_none_match_star_creates_but_never_replaces(editing):
    client, _, _ = editing
    layer, feature, tag = read(client, "clfi-jinjiang")
    refused = client.put(f"/api/features/{layer}/clfi-jinjiang", json=feature, headers={"If-None-Match": "*"})
    assert refused.status_code == 409
    copy = {**feature, "id": "clfi-jinjiang-copy",
            "properties": {**feature["properties"], "id": "clfi-jinjiang-copy", "name_zh": "副本",
                           "name_en": "Copy"}}
    made = client.put(f"/api/features/{layer}/clfi-jinjiang-copy", json=copy, headers={"If-None-Match": "*"})
    assert made.status_code == 201
    assert client.get("/platforms/clfi-jinjiang-copy").status_code == 200
