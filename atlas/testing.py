"""Helpers for tests and benchmarks: synthetic features inside the real city outline, free ports."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape

from atlas.config import REPO_ROOT
from atlas.vocab import LAYER_KINDS, Industry, Layer

INCUBATOR_KINDS = sorted(LAYER_KINDS[Layer.incubators])
INDUSTRIES = list(Industry)
SYNTHETIC_CITATION = {"publisher_zh": "合成测试数据", "publisher_en": "Synthetic test data",
                      "title_zh": "", "title_en": "", "date": "2026", "url": None}
"""The citation every synthetic feature carries (the schema wants at least one)."""


def synthetic_incubators(boundary: shapely.Geometry, n: int, seed: int = 2024) -> list[dict]:
    """``n`` valid incubator features at random points inside ``boundary``, in shuffled order."""
    rng = np.random.default_rng(seed)
    shapely.prepare(boundary)
    min_x, min_y, max_x, max_y = boundary.bounds
    points = np.empty((0, 2))
    while len(points) < n:
        xy = rng.uniform((min_x, min_y), (max_x, max_y), size=(n, 2)).round(6)
        points = np.vstack([points, xy[shapely.contains_xy(boundary, xy[:, 0], xy[:, 1])]])
    features = [{
        "type": "Feature",
        "id": f"syn-{i:05d}",
        "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
        "properties": {
            "id": f"syn-{i:05d}", "name_zh": f"合成孵化器{i}", "name_en": f"Synthetic incubator {i}",
            "kind": INCUBATOR_KINDS[i % len(INCUBATOR_KINDS)], "status": "operating",
            "industries": [INDUSTRIES[i % len(INDUSTRIES)].value],
            "precision": "approximate", "citations": [SYNTHETIC_CITATION],
            "position_note_zh": "合成测试数据，随机位置。",
            "position_note_en": "Synthetic test data at a random position.", "as_of": "2026-01-01",
        },
    } for i, (x, y) in enumerate(points[:n])]
    return [features[i] for i in rng.permutation(n)]


def write_synthetic_data(folder: Path, n: int) -> list[dict]:
    """A copy of the shipped layers in ``folder`` whose incubators are ``n`` synthetic ones."""
    shutil.copytree(REPO_ROOT / "data" / "geo", folder, ignore=shutil.ignore_patterns(".atlas"))
    boundary = json.loads((folder / "boundary.geojson").read_text(encoding="utf-8"))
    outline = shapely.union_all([shape(f["geometry"]) for f in boundary["features"]])
    features = synthetic_incubators(outline, n)
    (folder / "incubators.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return features


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
