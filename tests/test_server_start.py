"""`uvicorn server:app` refuses bad data or configuration with a readable report, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from atlas.config import REPO_ROOT


def start(env_extra: dict) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATLAS_TILES": "none", **env_extra}
    return subprocess.run([sys.executable, "-c", "import server"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_invalid_data_stops_the_server_with_the_report(data_copy):
    path = data_copy / "platforms.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"][0]["properties"]["status"] = "dreaming"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    result = start({"ATLAS_DATA_DIR": str(data_copy)})
    assert result.returncode == 1
    assert "The atlas cannot start" in result.stderr
    assert "[schema] platforms/" in result.stderr and "status: Input should be" in result.stderr
    assert "Traceback" not in result.stderr


def test_tianditu_without_key_stops_the_server():
    result = start({"ATLAS_TILES": "tianditu", "ATLAS_TIANDITU_KEY": ""})
    assert result.returncode == 1
    assert "ATLAS_TIANDITU_KEY" in result.stderr and "Traceback" not in result.stderr


def test_a_folder_where_a_layer_file_should_be_stops_the_server_with_the_report(data_copy):
    path = data_copy / "zones.geojson"
    path.unlink()
    path.mkdir()
    result = start({"ATLAS_DATA_DIR": str(data_copy)})
    assert result.returncode == 1
    assert "The atlas cannot start" in result.stderr and "is a folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_deeply_nested_json_stops_the_server_with_the_report(data_copy):
    (data_copy / "towns.geojson").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    result = start({"ATLAS_DATA_DIR": str(data_copy)})
    assert result.returncode == 1
    assert "The atlas cannot start" in result.stderr and "towns.geojson" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_stops_the_server_with_the_report():
    result = start({"ATLAS_CORRIDOR_WIDTH_M": "-5"})
    assert result.returncode == 1
    assert "The atlas cannot start" in result.stderr and "corridor_width_m" in result.stderr
    assert "Traceback" not in result.stderr
