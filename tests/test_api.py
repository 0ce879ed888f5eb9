"""The spatial query API on the shipped data: shapes of the answers in every format.

Exact answers on hand-made geometry are in ``test_queries_fixtures.py``; bad
input is in ``test_api_bad_input.py``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html
from pyproj import Geod

SANCHUANG = {"lon": 118.5335, "lat": 24.766}
"""A point in 三创园 (Sanchuang Park), in the S&T zone and the corridor band."""

ENDPOINTS = [
    ("/api/locate", SANCHUANG),
    ("/api/nearest", {**SANCHUANG, "k": 3}),
    ("/api/within", {**SANCHUANG, "radius_m": 600}),
    ("/api/within", {"bbox": "118.52,24.75,118.55,24.78"}),
    ("/api/within", {"polygon": "POLYGON((118.52 24.75, 118.55 24.75, 118.55 24.78, 118.52 24.75))"}),
    ("/api/hierarchy/kechuang-new-zone", {}),
    ("/api/search", {"q": "scy"}),
]
IDS = [f"{path}?{'&'.join(params)}" for path, params in ENDPOINTS]
GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize(("path", "params"), ENDPOINTS, ids=IDS)
def test_json_echoes_the_query(client, path, params):
    response = client.get(path, params=params)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["query"]["out_crs"] == "wgs84"
    assert {key: body["query"][key] for key in params} == params
    if "lon" in params:
        assert body["query"]["point_wgs84"] == [params["lon"], params["lat"]]


@pytest.mark.parametrize(("path", "params"), ENDPOINTS, ids=IDS)
def test_geojson_is_a_feature_collection_of_the_answer(client, path, params):
    response = client.get(path, params={**params, "f": "geojson"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    fc = response.json()
    assert fc["type"] == "FeatureCollection" and fc["features"]
    for feature in fc["features"]:
        assert feature["type"] == "Feature" and feature["id"] and feature["geometry"]["coordinates"]
        assert {"role", "distance_m", "layer", "name_zh"} <= set(feature["properties"])


@pytest.mark.parametrize(("path", "params"), ENDPOINTS, ids=IDS)
def test_html_shows_a_map_from_our_own_server(client, path, params):
    response = client.get(path, params={**params, "f": "html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert 'class="folium-map"' in page and "/static/vendor/leaflet/leaflet.js" in page
    assert not any(cdn in page for cdn in ("cdn.", "unpkg", "jsdelivr", "googleapis"))
    json_ids = [item["id"] for key, value in client.get(path, params=params).json().items()
                if isinstance(value, list) for item in value]
    assert all(f'data-id="{i}"' in page for i in json_ids)


@pytest.mark.parametrize(("path", "params"), ENDPOINTS, ids=IDS)
def test_html_takes_lang_and_keeps_it(client, path, params):
    """``lang`` picks the page language; JSON is the same in both; links keep the language."""
    assert client.get(path, params={**params, "lang": "en"}).json() == \
        client.get(path, params=params).json()
    for lang, html_lang, query, name, other in (("en", "en", "Query", "Name", "中文"),
                                                ("zh", "zh-CN", "查询", "名称", "English")):
        response = client.get(path, params={**params, "f": "html", "lang": lang})
        assert response.status_code == 200, response.text
        page = html.fromstring(response.text)
        assert page.get("lang") == html_lang
        assert page.xpath("string(//table[@id='query']/caption)") == query
        assert all(th.text == name for th in page.xpath("//table[@class='hits']//tr[1]/th[1]"))
        switch = page.get_element_by_id("lang-switch")
        assert switch.text_content() == other
        kept = parse_qs(urlsplit(switch.get("href")).query)  # the switch keeps the query
        assert kept["lang"] == ["zh" if lang == "en" else "en"] and kept["f"] == ["html"]
        for a in page.xpath("//table[@class='hits']//a"):
            assert parse_qs(urlsplit(a.get("href")).query)["lang"] == [lang], a.get("href")


def test_html_hierarchy_title_in_the_page_language(client):
    en = html.fromstring(client.get("/api/hierarchy/kechuang-new-zone?f=html&lang=en").text)
    assert en.findtext(".//h1") == "Hierarchy · Jinjiang S&T Innovation New Zone"
    zh = html.fromstring(client.get("/api/hierarchy/kechuang-new-zone?f=html").text)
    assert zh.findtext(".//h1") == "层级 · 科创新区"


def test_locate_in_sanchuang_park(client):
    body = client.get("/api/locate", params=SANCHUANG).json()
    assert body["in_city"] is True and body["in_corridor"] is True
    assert body["town"]["id"] == "lingyuan"
    assert "kechuang-new-zone" in [z["id"] for z in body["zones"]]
    assert "sanchuang-park" in [p["id"] for p in body["parks"]]
    assert body["corridor_distance_m"] < 500
    distances = [n["distance_m"] for n in body["nearest"]]
    assert len(distances) == 5 and distances == sorted(distances)
    assert {n["layer"] for n in body["nearest"]} <= {"platforms", "incubators"}


def test_nearest_distances_agree_with_the_geodesic(client):
    """UTM 50N distances differ from the ellipsoid by about -117 ppm here: well under 1 m at 5 km."""
    body = client.get("/api/nearest", params={**SANCHUANG, "k": 20}).json()
    assert len(body["results"]) == 20
    for item in body["results"]:
        _, _, metres = GEOD.inv(SANCHUANG["lon"], SANCHUANG["lat"], *item["point"])
        assert item["distance_m"] == pytest.approx(metres, abs=1.0)


@pytest.mark.parametrize("q", ["三创园", "sanchuangyuan", "scy", "Sanchuang Park"])
def test_search_by_every_name_form(client, q):
    body = client.get("/api/search", params={"q": q}).json()
    assert "sanchuang-park" in [r["id"] for r in body["results"]]


def test_hierarchy_runs_platform_park_zone_corridor(client):
    body = client.get("/api/hierarchy/ucas-intelligent-manufacturing").json()
    assert [a["layer"] for a in body["ancestors"]] == ["parks", "zones", "corridor"]
    assert body["ancestors"][-1]["id"] == "century-avenue"
    corridor = client.get("/api/hierarchy/century-avenue").json()
    assert "kechuang-new-zone" in [c["id"] for c in corridor["children"]]


def test_out_crs_shifts_geojson_coordinates(client):
    params = {**SANCHUANG, "k": 1, "f": "geojson"}
    wgs = client.get("/api/nearest", params=params).json()["features"][0]
    gcj = client.get("/api/nearest", params={**params, "out_crs": "gcj02"}).json()["features"][0]
    assert wgs["id"] == gcj["id"]
    _, _, shift = GEOD.inv(*wgs["geometry"]["coordinates"], *gcj["geometry"]["coordinates"])
    assert 100 < shift < 1000  # GCJ-02 moves Jinjiang by a few hundred metres


def test_every_api_parameter_is_documented(client):
    paths = client.get("/openapi.json").json()["paths"]
    mine = [p for p in paths if p.startswith("/api/")
            and p.split("/")[2] in ("locate", "nearest", "within", "hierarchy", "search")]
    assert len(mine) == 5
    for path in mine:
        for param in paths[path]["get"]["parameters"]:
            assert param.get("description"), f"{path} {param['name']}"
