"""The optimised queries against straightforward reference implementations, on random queries
over a synthetic atlas: the fast paths (id order, STRtree candidates, growing radii) must give
exactly the answers a plain loop over every feature gives."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient

from atlas.config import Settings
from atlas.engine import Atlas
from atlas.testing import write_synthetic_data
from atlas.vocab import POINT_LAYERS, Layer
from atlas.web.app import create_app

N = 3_000
QUERIES = 60


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder: Path = tmp_path_factory.mktemp("reference") / "geo"
    write_synthetic_data(folder, N)
    return TestClient(create_app(Settings(data_dir=folder, tiles="none")))


@pytest.fixture(scope="module")
def atlas(synthetic: TestClient) -> Atlas:
    return synthetic.app.state.live.current()


def random_point(rng: random.Random, atlas: Atlas) -> tuple[float, float]:
    min_x, min_y, max_x, max_y = atlas.frames[Layer.boundary].total_bounds
    return rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)


def reference_nearest(atlas: Atlas, lon: float, lat: float, k: int, layers, keep):
    point = atlas.to_metric_point(lon, lat)
    pairs = [(geom.distance(point), fid) for layer in layers
             for fid, geom in atlas.metric[layer].geometry.items()
             if keep is None or fid in keep]
    return [(fid, d) for d, fid in sorted(pairs)[:k]]


def test_nearest_equals_a_full_scan(atlas: Atlas) -> None:
    rng = random.Random(11)
    ids = list(atlas.frames[Layer.incubators].index)
    for _ in range(QUERIES):
        lon, lat = random_point(rng, atlas)
        k = rng.choice([1, 5, 20, 100])
        layers = rng.choice([POINT_LAYERS, (Layer.platforms,), (Layer.incubators,)])
        keep = set(rng.sample(ids, rng.choice([1, 10, 500]))) if rng.random() < 0.3 else None
        got = [(e.id, d) for e, d in atlas.nearest(lon, lat, k, layers, keep)]
        expected = reference_nearest(atlas, lon, lat, k, layers, keep)
        assert [fid for fid, _ in got] == [fid for fid, _ in expected], (lon, lat, k, layers)
        assert [d for _, d in got] == pytest.approx([d for _, d in expected], abs=1e-6)


def reference_items(atlas: Atlas, layer: Layer, bbox, kind, offset: int, limit: int):
    frame = atlas.frames[layer]
    box = shapely.box(*bbox) if bbox else None
    matched = sorted(fid for fid, row in frame.iterrows()
                     if (box is None or row.geometry.intersects(box))
                     and (kind is None or row["kind"] == kind))
    return matched[offset:offset + limit], len(matched)


def test_ogc_items_equal_a_filtered_sorted_list(synthetic: TestClient, atlas: Atlas) -> None:
    rng = random.Random(7)
    kinds = sorted({e.props["kind"] for e in atlas.entities.values() if e.layer == Layer.incubators})
    for _ in range(QUERIES):
        layer = rng.choice([Layer.incubators, Layer.platforms, Layer.parks])
        params: dict[str, str] = {"limit": str(rng.choice([1, 7, 100, 1000])),
                                  "offset": str(rng.choice([0, 3, 50, 2000]))}
        bbox = None
        if rng.random() < 0.5:
            lon, lat = random_point(rng, atlas)
            size = rng.choice([0.005, 0.02, 0.1])
            bbox = (lon - size, lat - size, lon + size, lat + size)
            params["bbox"] = ",".join(f"{v:.6f}" for v in bbox)
            bbox = tuple(float(v) for v in params["bbox"].split(","))
        kind = rng.choice(kinds) if layer is Layer.incubators and rng.random() < 0.4 else None
        if kind:
            params["kind"] = kind
        doc = synthetic.get(f"/ogc/collections/{layer.value}/items", params=params).json()
        expected, matched = reference_items(atlas, layer, bbox, kind, int(params["offset"]),
                                            int(params["limit"]))
        assert doc["numberMatched"] == matched, params
        assert [f["id"] for f in doc["features"]] == expected, params


def test_facet_filters_equal_checking_every_entity(atlas: Atlas) -> None:
    from atlas.filters import COUNTED, FACETS, EntityFilter, listed_in_order, counts

    rng = random.Random(3)
    carriers = listed_in_order(atlas)
    seen = {facet: sorted({str(v) for e in carriers for v in _values(e, facet) if v is not None})
            for facet in FACETS}
    for _ in range(QUERIES):
        chosen = {facet: tuple(rng.sample(seen[facet], min(len(seen[facet]), rng.choice([1, 2]))))
                  for facet in rng.sample(FACETS, rng.choice([1, 2, 3]))}
        selection = EntityFilter(**chosen)
        expected = [e.id for e in carriers
                    if all(any(v in values for v in _values(e, facet))
                           for facet, values in chosen.items())]
        assert [e.id for e in carriers if selection.matches(e)] == expected, chosen
        assert [e.id for e in selection.apply(atlas)] == expected, chosen
        found = [atlas.entities[i] for i in expected]
        assert counts(atlas, selection.rows(atlas)) == {
            facet: dict(sorted(Counter(v for e in found for v in _values(e, facet)).items()))
            for facet in COUNTED}, chosen


def _values(entity, facet: str):
    from atlas.membership import town_bucket, zone_bucket

    p = entity.props
    return {"layer": (entity.layer.value,), "kind": (p["kind"],), "level": (p.get("level"),),
            "industry": p.get("industries") or (), "stage": p.get("chain_stages") or (),
            "zone": zone_bucket(entity.member),
            "town": (town_bucket(entity.member),), "status": (p["status"],)}[facet]
