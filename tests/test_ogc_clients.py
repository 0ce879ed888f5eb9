"""Real OGC API – Features clients against the served atlas: GDAL's OAPIF driver and OWSLib."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
import shapely
from fastapi import FastAPI
from owslib.ogcapi.features import Features

from atlas.engine import Atlas
from atlas.vocab import Layer

GDAL_ENV = {**os.environ, "GDAL_HTTP_TIMEOUT": "30", "CPL_DEBUG": "OFF"}
BBOX = (118.50, 24.70, 118.60, 24.80)

needs_gdal = pytest.mark.skipif(shutil.which("ogrinfo") is None,
                                reason="GDAL command-line tools (gdal-bin) are not installed")


@pytest.fixture(scope="module")
def atlas(app: FastAPI) -> Atlas:
    return app.state.live.current()


@pytest.fixture(scope="module")
def ogc(base_url: str) -> str:
    return f"{base_url}/ogc"


def gdal(*args: str) -> str:
    """Run a GDAL command-line tool; its stdout (it must succeed)."""
    done = subprocess.run(args, env=GDAL_ENV, capture_output=True, timeout=120)
    stdout = done.stdout.decode("utf-8", errors="replace")
    assert done.returncode == 0, f"{args}: {done.stderr.decode(errors='replace')}"
    return stdout


def listed_ids(ogrinfo_output: str) -> list[str]:
    """The ``id`` field of every feature ogrinfo printed."""
    return sorted(re.findall(r"^\s+id \(String\) = (\S+)$", ogrinfo_output, flags=re.M))


def intersecting(atlas: Atlas, layer: Layer, bbox: tuple[float, ...]) -> list[str]:
    frame = atlas.frames[layer]
    return sorted(frame.index[frame.intersects(shapely.box(*bbox))])


def number_matched(ogc: str, layer: Layer) -> int:
    return httpx.get(f"{ogc}/collections/{layer.value}/items", params={"limit": 1}).json()[
        "numberMatched"]


# ------------------------------------------------------------------------ GDAL
@needs_gdal
def test_gdal_lists_every_collection_with_its_feature_count(ogc: str, atlas: Atlas) -> None:
    listing = gdal("ogrinfo", "-ro", "-so", f"OAPIF:{ogc}")
    names = re.findall(r"^\d+: (\S+) \(title:", listing, flags=re.M)
    assert names == [layer.value for layer in Layer]
    summary = gdal("ogrinfo", "-ro", "-so", "-al", f"OAPIF:{ogc}")
    counts = dict(re.findall(r"^Layer name: (\S+)$.*?^Feature Count: (\d+)$", summary,
                             flags=re.M | re.S))
    for layer in Layer:
        assert int(counts[layer.value]) == number_matched(ogc, layer) == len(atlas.frames[layer])


@needs_gdal
@pytest.mark.parametrize("layer", [Layer.platforms, Layer.parks, Layer.towns])
def test_gdal_spatial_filter_gets_the_right_subset(ogc: str, atlas: Atlas, layer: Layer) -> None:
    out = gdal("ogrinfo", "-ro", "-q", "-geom=NO", "-spat", *map(str, BBOX),
               f"OAPIF:{ogc}", layer.value)
    expected = intersecting(atlas, layer, BBOX)
    assert expected and len(expected) < len(atlas.frames[layer])
    assert listed_ids(out) == expected


@needs_gdal
def test_gdal_attribute_filter_uses_the_declared_queryables(ogc: str, atlas: Atlas) -> None:
    out = gdal("ogrinfo", "-ro", "-q", "-geom=NO", "-where", "kind = 'university'",
               f"OAPIF:{ogc}", "platforms")
    assert listed_ids(out) == sorted(e.id for e in atlas.entities.values()
                                     if e.layer == Layer.platforms and e.props["kind"] == "university")


@needs_gdal
def test_gdal_copies_a_collection_to_geopackage(ogc: str, atlas: Atlas, tmp_path: Path) -> None:
    target = tmp_path / "platforms.gpkg"
    gdal("ogr2ogr", "-f", "GPKG", str(target), f"OAPIF:{ogc}/collections/platforms")
    copied = gpd.read_file(target, layer="platforms").set_index("id")
    source = atlas.frames[Layer.platforms]
    assert sorted(copied.index) == sorted(source.index)
    for fid, row in source.iterrows():
        assert copied.geometry.loc[fid].equals_exact(row.geometry, 1e-9), fid
        assert copied.loc[fid, "name_zh"] == atlas.entities[fid].props["name_zh"]


# ---------------------------------------------------------------------- OWSLib
def test_owslib_reads_the_service(ogc: str, atlas: Atlas) -> None:
    api = Features(ogc)
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in \
        api.conformance()["conformsTo"]
    assert api.feature_collections() == [layer.value for layer in Layer]
    assert api.collection("platforms")["itemType"] == "feature"
    assert api.api()["components"]["parameters"]["limit"]["schema"]["maximum"] == 10000
    assert set(api.collection_queryables("platforms")["properties"]) >= {"kind", "industry"}


def test_owslib_items_with_bbox_and_limit(ogc: str, atlas: Atlas) -> None:
    api = Features(ogc)
    expected = intersecting(atlas, Layer.platforms, BBOX)
    page = api.collection_items("platforms", bbox=list(BBOX), limit=5)
    assert page["numberMatched"] == len(expected)
    assert page["numberReturned"] == len(page["features"]) == 5
    assert [f["id"] for f in page["features"]] == expected[:5]
    rest = api.collection_items("platforms", bbox=list(BBOX), limit=5, offset=5)
    assert [f["id"] for f in rest["features"]] == expected[5:10]


def test_owslib_single_item_and_errors(ogc: str, atlas: Atlas) -> None:
    api = Features(ogc)
    item = api.collection_item("platforms", "ucas-intelligent-manufacturing")
    assert item["id"] == "ucas-intelligent-manufacturing"
    assert shapely.geometry.shape(item["geometry"]).equals(
        atlas.frames[Layer.platforms].loc["ucas-intelligent-manufacturing"].geometry)
    with pytest.raises(RuntimeError, match="NotFound"):
        api.collection_item("platforms", "no-such-thing")
    with pytest.raises(RuntimeError, match="InvalidParameterValue"):
        api.collection_items("platforms", bbox=[1, 2, 3])
