"""Paging a 20,000-feature collection over real HTTP: every feature exactly once, in id order.

The shipped incubators are replaced by 20,000 synthetic, valid incubators at
random points inside the city (written in shuffled order, so id order is not
file order).  The app is built once for the module: loading and validating
20,000 features takes most of this module's runtime.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
import shapely
from shapely.geometry import shape

from atlas.config import Settings
from atlas.testing import write_synthetic_data
from atlas.web.app import create_app

N = 20_000
BBOX = (118.52, 24.70, 118.60, 24.78)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, serve) -> Iterator[tuple[str, list[dict]]]:
    """(OGC root URL of an atlas with N synthetic incubators, those features)."""
    data = tmp_path_factory.mktemp("big") / "geo"
    features = write_synthetic_data(data, N)
    app = create_app(Settings(data_dir=data, tiles="none"))
    yield f"{serve(app)}/ogc", features


def walk(url: str, **params: str | int) -> tuple[list[str], list[int], set[int]]:
    """Follow next links from ``url``: (ids in order, page sizes, numberMatched values seen)."""
    found: list[str] = []
    sizes: list[int] = []
    matched: set[int] = set()
    with httpx.Client(timeout=60) as http:
        response = http.get(url, params=params)
        while True:
            assert response.status_code == 200, response.text
            page = response.json()
            found += [f["id"] for f in page["features"]]
            sizes.append(page["numberReturned"])
            matched.add(page["numberMatched"])
            nxt = [l for l in page["links"] if l["rel"] == "next"]
            if not nxt:
                return found, sizes, matched
            assert nxt[0]["type"] == "application/geo+json"
            response = http.get(nxt[0]["href"])


def test_every_feature_exactly_once_in_id_order(big: tuple[str, list[dict]]) -> None:
    ogc, features = big
    ids, sizes, matched = walk(f"{ogc}/collections/incubators/items", limit=1000)
    counts = Counter(ids)
    assert len(ids) == N and max(counts.values()) == 1
    assert set(ids) == {f["id"] for f in features}
    assert ids == sorted(ids)
    assert sizes == [1000] * (N // 1000) and matched == {N}


def test_filtered_paging_keeps_the_filters(big: tuple[str, list[dict]]) -> None:
    ogc, features = big
    box = shapely.box(*BBOX)
    expected = sorted(f["id"] for f in features
                      if f["properties"]["kind"] == "maker_space"
                      and box.intersects(shape(f["geometry"])))
    ids, sizes, matched = walk(f"{ogc}/collections/incubators/items", limit=37,
                               kind="maker_space", bbox=",".join(map(str, BBOX)))
    assert len(expected) > 3 * 37
    assert ids == expected and matched == {len(expected)}


def test_default_and_maximum_page_size(big: tuple[str, list[dict]]) -> None:
    ogc, _ = big
    default = httpx.get(f"{ogc}/collections/incubators/items", timeout=60).json()
    assert default["numberReturned"] == 100
    clamped = httpx.get(f"{ogc}/collections/incubators/items", params={"limit": 50_000},
                        timeout=60)
    assert clamped.status_code == 200
    page = clamped.json()
    assert page["numberReturned"] == 10_000 and page["numberMatched"] == N
    nxt = next(l["href"] for l in page["links"] if l["rel"] == "next")
    assert "limit=10000" in nxt and "offset=10000" in nxt


@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="gdal-bin is not installed")
def test_gdal_pages_through_the_whole_collection(big: tuple[str, list[dict]],
                                                 tmp_path: Path) -> None:
    ogc, features = big
    target = tmp_path / "incubators.gpkg"
    done = subprocess.run(
        ["ogr2ogr", "-f", "GPKG", "-oo", "PAGE_SIZE=2000", str(target),
         f"OAPIF:{ogc}/collections/incubators"],
        env={**os.environ, "GDAL_HTTP_TIMEOUT": "30", "CPL_DEBUG": "OFF"},
        capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    copied = gpd.read_file(target, layer="incubators")
    assert len(copied) == N
    assert set(copied["id"]) == {f["id"] for f in features}
