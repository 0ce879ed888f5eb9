"""One membership rule, one number: every place that counts a zone or a town agrees.

For every zone (and the buckets ``none`` and ``unknown``) and every town (and ``unknown``),
on the shipped data and on a synthetic atlas of ~300 incubators, these must all be equal:

* the sidebar count of the unfiltered atlas (``/api/entities`` ``counts``),
* ``numberMatched`` of the atlas filtered to that zone or town,
* the rows of ``/export.csv`` and the features of ``/export.geojson`` with the same filter,
* for real ids: the OGC API's ``numberMatched`` summed over parks, platforms and incubators,
  the profile page's member count and the density table's platforms + incubators + parks.

Every cell of the industry matrix equals the length of the list its link opens.  And a
placeholder (position not known) with no host park is counted as "unknown", never under the
zone or town its sketch happens to lie in.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlparse

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape

from atlas.config import Settings
from atlas.membership import OUTSIDE, UNKNOWN
from atlas.testing import write_synthetic_data
from atlas.web.app import create_app

LISTED = ("parks", "platforms", "incubators", "enterprises")
"""What the atlas page lists; the density table counts the first three (the carriers)."""
SYNTHETIC_N = 300
HOST_PARK = "sanchuang-park"
"""A shipped park inside a zone: a placeholder hosted by it inherits its town and zones."""
FAR_FROM_HOST = (118.62, 24.62)
"""Where the hosted placeholder's sketch lies (far from the park, outside every zone)."""


def _add_placeholders(folder: Path) -> dict[str, dict]:
    """Put placeholder incubators in the synthetic atlas: hostless ones whose sketch lies inside
    each zone and each town, and one hosted by a park but sketched far away from it."""
    path = folder / "incubators.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    template = collection["features"][0]
    added: dict[str, dict] = {}

    def add(fid: str, lon: float, lat: float, **props) -> None:
        feature = json.loads(json.dumps(template))
        feature["id"] = fid
        feature["geometry"]["coordinates"] = [round(lon, 6), round(lat, 6)]
        feature["properties"].update(id=fid, name_zh=f"占位{fid}", name_en=f"Placeholder {fid}",
                                     precision="placeholder", **props)
        collection["features"].append(feature)
        added[fid] = feature

    for layer in ("zones", "towns"):
        areas = json.loads((folder / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
        for area in areas:
            inside = shape(area["geometry"]).representative_point()
            add(f"syn-ph-{layer}-{area['id']}", inside.x, inside.y)
    add("syn-ph-hosted", *FAR_FROM_HOST, host_park=HOST_PARK)
    path.write_text(json.dumps(collection), encoding="utf-8")
    return added


@pytest.fixture(scope="module")
def synthetic_client(tmp_path_factory) -> Iterator[TestClient]:
    """A synthetic atlas: 300 random incubators plus the placeholders above."""
    folder = tmp_path_factory.mktemp("synthetic") / "geo"
    write_synthetic_data(folder, SYNTHETIC_N)
    _add_placeholders(folder)
    app = create_app(Settings(data_dir=folder, tiles="none"))
    with TestClient(app, raise_server_exceptions=False) as synthetic:
        yield synthetic


@pytest.fixture(params=["shipped", "synthetic"])
def atlas_client(request) -> TestClient:
    """The shipped atlas, then the synthetic one."""
    return request.getfixturevalue("client" if request.param == "shipped" else "synthetic_client")


def get_json(client: TestClient, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:300]}"
    return response.json()


def area_ids(client: TestClient, layer: str) -> list[str]:
    return [f["id"] for f in get_json(client, f"/api/layers/{layer}")["features"]]


def csv_ids(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/export.csv?columns=codes&{query}")
    assert response.status_code == 200
    text = response.text
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "id"
    return [r[0] for r in rows[1:] if r]


def geojson_ids(client: TestClient, query: str) -> list[str]:
    return [f["id"] for f in get_json(client, f"/export.geojson?{query}")["features"]]


def ogc_ids(client: TestClient, facet: str, key: str, collections=LISTED) -> list[str]:
    ids = []
    for collection in collections:
        body = get_json(client, f"/ogc/collections/{collection}/items?{facet}={key}&limit=10000")
        assert body["numberMatched"] == len(body["features"])  # one page holds them all
        ids += [f["id"] for f in body["features"]]
    return ids


def member_count(client: TestClient, layer: str, key: str) -> int:
    response = client.get(f"/{layer}/{key}")
    assert response.status_code == 200
    found = re.findall(r'<span id="member-count">(\d+)</span>', response.text)
    assert len(found) == 1, f"/{layer}/{key} shows no single #member-count"
    return int(found[0])


def density_count(density: dict, key: str) -> int:
    rows = [r for r in density["tables"][0]["rows"] if r["unit_id"] == key]
    assert len(rows) == 1, f"density table has {len(rows)} rows for {key}"
    return sum(rows[0][layer] for layer in LISTED[:3])


@pytest.mark.parametrize("facet,layer,buckets", [("zone", "zones", (OUTSIDE, UNKNOWN)),
                                                 ("town", "towns", (UNKNOWN,))])
def test_every_count_of_an_area_is_the_same_number(atlas_client, facet, layer, buckets):
    everything = get_json(atlas_client, "/api/entities")
    density = get_json(atlas_client, "/api/coverage/density")
    real = area_ids(atlas_client, layer)
    assert real, f"no {layer} in the atlas"
    mismatches = []
    for key in [*real, *buckets]:
        query = urlencode({facet: key})
        listed = get_json(atlas_client, f"/api/entities?{query}")
        listed_ids = sorted(f["id"] for f in listed["features"])
        seen = {"sidebar count": everything["counts"][facet].get(key, 0),
                "numberMatched": listed["numberMatched"],
                "features": len(listed_ids),
                "export.csv rows": len(csv_ids(atlas_client, query)),
                "export.geojson features": len(geojson_ids(atlas_client, query))}
        if key in real:
            seen["OGC numberMatched (listed)"] = len(ogc_ids(atlas_client, facet, key))
            seen["profile #member-count"] = member_count(atlas_client, layer, key)
            enterprises = len([i for i in ogc_ids(atlas_client, facet, key, ("enterprises",))])
            seen["density carriers + enterprises"] = density_count(density, key) + enterprises
            assert sorted(ogc_ids(atlas_client, facet, key)) == listed_ids, key
        assert sorted(csv_ids(atlas_client, query)) == listed_ids, key
        assert sorted(geojson_ids(atlas_client, query)) == listed_ids, key
        if len(set(seen.values())) != 1:
            mismatches.append(f"{facet}={key}: {seen}")
    assert not mismatches, "counts disagree:\n" + "\n".join(mismatches)


def test_the_buckets_partition_the_atlas(atlas_client):
    """Every carrier has exactly one town bucket; zone buckets cover everyone (a carrier in two
    zones counts twice, never zero times)."""
    everything = get_json(atlas_client, "/api/entities")
    total = everything["numberMatched"]
    assert sum(everything["counts"]["town"].values()) == total
    assert sum(everything["counts"]["kind"].values()) == total
    zone_counts = everything["counts"]["zone"]
    assert sum(zone_counts.values()) >= total
    assert zone_counts.get(UNKNOWN, 0) == everything["counts"]["town"].get(UNKNOWN, 0)


@pytest.mark.parametrize("by", ["zone", "town"])
def test_every_industry_cell_is_the_length_of_its_list(atlas_client, by):
    body = get_json(atlas_client, f"/api/coverage/industries?by={by}")
    rows = body["tables"][0]["rows"]
    assert len(body["links"]) == len(rows) > 0
    columns = {c["key"] for c in body["tables"][0]["columns"]}
    real = set(area_ids(atlas_client, f"{by}s"))
    assert {k.split(":")[0] for k in columns if ":" in k} >= real  # every zone / town has a column
    matched: dict[str, int] = {}
    mismatches, checked = [], 0
    for row, links in zip(rows, body["links"]):
        assert set(links) == {k for k in columns if ":" in k}, "a count cell has no link"
        for key, link in links.items():
            assert link.startswith("/?"), link
            query = urlparse(link).query
            if query not in matched:
                matched[query] = get_json(atlas_client, f"/api/entities?{query}")["numberMatched"]
            checked += 1
            if row[key] != matched[query]:
                mismatches.append(f"{row['industry_en']} [{key}] = {row[key]}, list {link} has "
                                  f"{matched[query]}")
    assert checked > 0
    assert not mismatches, "\n".join(mismatches)


def test_placeholders_without_a_host_are_counted_as_unknown(atlas_client):
    features = get_json(atlas_client, "/export.geojson")["features"]
    hostless = {f["id"]: f for f in features if f["properties"]["precision"] == "placeholder"
                and not f["properties"].get("host_park")}
    assert hostless, "the atlas has no hostless placeholder to check"
    for fid, f in hostless.items():
        props = f["properties"]
        assert props["town"] is None and props["zones"] == [], fid
        assert props["located"] is False, fid

    unknown_zone = {f["id"] for f in get_json(atlas_client, "/api/entities?zone=unknown")["features"]}
    unknown_town = {f["id"] for f in get_json(atlas_client, "/api/entities?town=unknown")["features"]}
    assert set(hostless) <= unknown_zone and set(hostless) <= unknown_town
    everything = get_json(atlas_client, "/api/entities")["counts"]
    assert everything["zone"][UNKNOWN] == everything["town"][UNKNOWN] == len(hostless)

    for facet, layer, extra in (("zone", "zones", [OUTSIDE]), ("town", "towns", [])):
        for key in [*area_ids(atlas_client, layer), *extra]:
            listed = {f["id"] for f in get_json(atlas_client, f"/api/entities?{facet}={key}")["features"]}
            assert not listed & set(hostless), f"placeholders counted under {facet}={key}"
            if key != OUTSIDE:
                assert not set(ogc_ids(atlas_client, facet, key)) & set(hostless), (facet, key)


def test_a_placeholder_sketched_inside_an_area_is_not_counted_there(synthetic_client):
    """The synthetic atlas puts a hostless placeholder at a point inside every zone and town
    (/api/locate confirms the point lies there); none of them may be counted there."""
    client = synthetic_client
    unknown = {f["id"]: f for f in get_json(client, "/export.geojson?zone=unknown")["features"]}
    checked = 0
    for layer, facet in (("zones", "zone"), ("towns", "town")):
        for key in area_ids(client, layer):
            fid = f"syn-ph-{layer}-{key}"
            assert fid in unknown, f"{fid} is not counted as position unknown"
            lon, lat = unknown[fid]["geometry"]["coordinates"]
            where = get_json(client, f"/api/locate?lon={lon}&lat={lat}")
            inside = [z["id"] for z in where["zones"]] if facet == "zone" else [where["town"]["id"]]
            assert key in inside, f"{fid}'s sketch is not inside {key}: the test data is wrong"
            listed = {f["id"] for f in get_json(client, f"/api/entities?{facet}={key}")["features"]}
            assert fid not in listed, f"{fid} counted under {facet}={key} by its sketch"
            assert fid not in ogc_ids(client, facet, key)
            checked += 1
    assert checked >= 2 + 19


def test_a_placeholder_with_a_host_belongs_where_its_host_belongs(synthetic_client):
    atlas_client = synthetic_client
    features = {f["id"]: f for f in get_json(atlas_client, "/export.geojson")["features"]}
    hosted, host = features["syn-ph-hosted"]["properties"], features[HOST_PARK]["properties"]
    assert host["zones"], "the host park should lie in a zone"
    assert hosted["town"] == host["town"] and hosted["zones"] == host["zones"]
    assert HOST_PARK in hosted["parks"] and hosted["located"] is True
    where = get_json(atlas_client, f"/api/locate?lon={FAR_FROM_HOST[0]}&lat={FAR_FROM_HOST[1]}")
    assert where["zones"] == [] and where["town"]["id"] != host["town"]  # the sketch lies elsewhere
    for zone in host["zones"]:
        assert "syn-ph-hosted" in geojson_ids(atlas_client, f"zone={zone}")
    assert "syn-ph-hosted" in geojson_ids(atlas_client, f"town={host['town']}")
    assert "syn-ph-hosted" not in geojson_ids(atlas_client, "zone=unknown")
