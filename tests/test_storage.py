"""GeoJSON storage: atomic writes, nothing lost on failure, a version that follows the data."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from atlas.config import Settings
from atlas.storage.geojson import GeoJSONStorage, atomic_write
from atlas.vocab import Layer
from atlas.web.app import create_app


def write_by_hand(storage: GeoJSONStorage, layer: Layer, fc: dict) -> None:
    """A person editing a layer file (not through the atlas)."""
    storage.path(layer).write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


def test_version_changes_when_a_layer_changes(data_copy):
    storage = GeoJSONStorage(data_copy)
    before = storage.version()
    fc = storage.read_layer(Layer.incubators)
    fc["features"][0]["properties"]["description_en"] += " (edited by hand)"
    write_by_hand(storage, Layer.incubators, fc)
    assert storage.version() != before
    assert storage.read_layer(Layer.incubators) == fc


def test_failed_write_keeps_the_previous_file(data_copy):
    storage = GeoJSONStorage(data_copy)
    original = storage.path(Layer.zones).read_bytes()
    with pytest.raises(TypeError):
        atomic_write(storage.path(Layer.zones), object())
    assert storage.path(Layer.zones).read_bytes() == original
    assert not list(data_copy.glob(".*.tmp")), "temporary file left behind"
    json.loads(original)


def test_healthz_reports_the_data_version(client, app):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["data_version"] == app.state.storage.version()
    assert body["features"]["towns"] == 19


def test_an_empty_layer_loads_and_answers(data_copy):
    write_by_hand(GeoJSONStorage(data_copy), Layer.incubators, {"type": "FeatureCollection",
                                                                "features": []})
    client = TestClient(create_app(Settings(data_dir=data_copy, tiles="none")))
    assert client.get("/healthz").json()["features"]["incubators"] == 0
    assert client.get("/ogc/collections/incubators/items").json()["numberMatched"] == 0
    assert client.get("/api/entities?kind=incubator").json()["numberMatched"] == 0


def test_optional_lists_left_out_of_some_features_read_as_empty(data_copy):
    storage = GeoJSONStorage(data_copy)
    fc = storage.read_layer(Layer.platforms)
    del fc["features"][0]["properties"]["industries"]
    write_by_hand(storage, Layer.platforms, fc)
    client = TestClient(create_app(Settings(data_dir=data_copy, tiles="none")))
    assert client.get("/api/entities?industry=food").status_code == 200
    assert client.get("/export.csv?industry=food").status_code == 200
