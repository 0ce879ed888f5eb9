"""A GCJ-02 basemap shifts overlays for display only; stored data and exports stay WGS-84."""

from __future__ import annotations

import prcoords
import pytest
from fastapi.testclient import TestClient

from atlas.config import Settings
from atlas.web.app import create_app
from tests.conftest import SHIPPED_DATA


@pytest.fixture(scope="module")
def gcj_client() -> TestClient:
    settings = Settings(data_dir=SHIPPED_DATA, tiles="http://127.0.0.1:9/{z}/{x}/{y}.png",
                        tiles_datum="gcj02")
    return TestClient(create_app(settings))


def test_map_layers_are_shifted_but_exports_are_not(gcj_client, client):
    shown = gcj_client.get("/api/entities?q=皮革").json()["features"][0]["geometry"]["coordinates"]
    stored = client.get("/export.geojson?q=皮革").json()["features"][0]["geometry"]["coordinates"]
    expected = prcoords.wgs_gcj(prcoords.Coords(stored[1], stored[0]))
    assert shown == pytest.approx([expected.lon, expected.lat], abs=1e-9)
    assert gcj_client.get("/export.geojson?q=皮革").json()["features"][0]["geometry"]["coordinates"] == stored


def test_bad_tile_configuration_is_refused():
    from atlas.maps.render import TileConfigError
    with pytest.raises(TileConfigError, match="ATLAS_TIANDITU_KEY"):
        create_app(Settings(data_dir=SHIPPED_DATA, tiles="tianditu"))
    with pytest.raises(TileConfigError, match="XYZ URL"):
        create_app(Settings(data_dir=SHIPPED_DATA, tiles="bing"))


def test_town_labels_move_with_their_towns(gcj_client, client):
    shown = {f["id"]: f for f in gcj_client.get("/api/layers/towns").json()["features"]}
    plain = {f["id"]: f for f in client.get("/api/layers/towns").json()["features"]}
    lon, lat = plain["anhai"]["properties"]["label_point"]
    expected = prcoords.wgs_gcj(prcoords.Coords(lat, lon))
    assert shown["anhai"]["properties"]["label_point"] == pytest.approx([expected.lon, expected.lat])
