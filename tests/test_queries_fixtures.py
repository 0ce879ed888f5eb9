"""The spatial API against a tiny hand-made atlas whose answers are known in advance.

The shipped boundary and towns stay; the corridor, zone, park, platforms and
incubator are replaced by simple shapes laid out in UTM 50N (EPSG:32650, the
engine's metric CRS) at known offsets from ``ORIGIN``.  The engine measures in
that CRS, so every expected distance below is plain arithmetic on the offsets
(e.g. 538.5 m = √(500² + 200²)), checked to 1 m.  Offsets in metres (x east,
y north)::

    corridor  test-avenue: y = 2000, x −3000…3000; its band is y 1500…2500
    incubator test-incubator (600, 2000), on the avenue
    zone      test-zone: x 0…2000, y 0…1600 (reaching into the band), with a ring
              vertex E = (1000, 0) in the middle of its bottom edge
    park      test-park: x 200…700, y 200…700, in the zone
    platforms test-lab (400, 400) in the park; test-center (1500, 500) in the zone;
              test-outside (3000, −1000) in neither
    query     Q = (1000, 300), in the zone, 300 m east of the park

A point exactly on an edge counts as inside (the engine's ``intersects``).  E is
also a vertex of the zone's ring so that it lies on the edge exactly in floating
point too, not just on paper.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import prcoords
import pytest
from fastapi.testclient import TestClient
from pyproj import Transformer

from atlas.config import Settings
from atlas.web.app import create_app

ORIGIN = (655_402.0, 2_732_573.0)
"""UTM 50N metres; Q = ORIGIN + (1000, 300) is the centre of the largest circle inside 永和镇."""
Q, EDGE = (1000.0, 300.0), (1000.0, 0.0)
SEA = (671_854.0 - ORIGIN[0], 2_722_584.0 - ORIGIN[1])
"""1.5 km east of the city outline's easternmost vertex, off 深沪: sea, not any town."""
IN_BAND = (-2000.0, 1800.0)
TO_WGS = Transformer.from_crs("EPSG:32650", "EPSG:4326", always_xy=True)
HOSTILE_EN = "<b>Lab</b> `${1+1}` \\ end"
"""An English name full of HTML and JavaScript-template syntax, to prove the map escapes it."""


def lonlat(x: float, y: float) -> tuple[float, float]:
    """WGS-84 lon/lat of a metric offset from ORIGIN."""
    return TO_WGS.transform(ORIGIN[0] + x, ORIGIN[1] + y)


def ring(*corners: tuple[float, float]) -> list[list[list[float]]]:
    """A closed polygon ring (counter-clockwise offsets) as GeoJSON coordinates."""
    points = [list(lonlat(x, y)) for x, y in corners]
    return [points + [points[0]]]


def wkt(*corners: tuple[float, float]) -> str:
    """A WKT polygon through the given offsets (lon lat order)."""
    points = [lonlat(x, y) for x, y in (*corners, corners[0])]
    return "POLYGON((" + ", ".join(f"{lon!r} {lat!r}" for lon, lat in points) + "))"


def feature(geometry: dict, fid: str, names: tuple[str, str], kind: str, **extra) -> dict:
    """A Feature with every property validation requires."""
    props = {"id": fid, "name_zh": names[0], "name_en": names[1], "kind": kind,
             "status": "operating", "precision": "surveyed",
             "citations": [{"publisher_zh": "手工测试数据", "publisher_en": "Hand-made test fixture",
                            "date": "2026"}],
             "as_of": "2026-01-01", **extra}
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": props}


def point(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": list(lonlat(x, y))}


def polygon(*corners: tuple[float, float]) -> dict:
    return {"type": "Polygon", "coordinates": ring(*corners)}


LAYERS = {
    "corridor": [feature({"type": "LineString", "coordinates": [list(lonlat(-3000, 2000)),
                                                                 list(lonlat(3000, 2000))]},
                         "test-avenue", ("测试大道", "Test Avenue"), "corridor",
                         nodes=["test-incubator"])],
    "zones": [feature(polygon((0, 0), EDGE, (2000, 0), (2000, 1600), (0, 1600)),
                      "test-zone", ("测试新区", "Test Zone"), "innovation_zone", pivots=["test-lab"])],
    "parks": [feature(polygon((200, 200), (700, 200), (700, 700), (200, 700)),
                      "test-park", ("测试园", "Test Park"), "innovation_park", zone="test-zone")],
    "platforms": [
        feature(point(400, 400), "test-lab", ("测试实验室", HOSTILE_EN), "research_institute",
                industries=["ai"], host_park="test-park"),
        feature(point(1500, 500), "test-center", ("检测中心", "Testing Centre"), "testing_center",
                industries=["textiles"]),
        feature(point(3000, -1000), "test-outside", ("区外研究院", "Outside Institute"),
                "research_institute", industries=["ai", "food"]),
    ],
    "incubators": [feature(point(600, 2000), "test-incubator", ("测试孵化器", "Test Incubator"),
                           "incubator")],
    "enterprises": [],
}


@pytest.fixture
def client(data_copy: Path) -> TestClient:
    """An app on the shipped boundary and towns plus the hand-made layers above."""
    for layer, features in LAYERS.items():
        collection = {"type": "FeatureCollection", "features": features}
        (data_copy / f"{layer}.geojson").write_text(json.dumps(collection, ensure_ascii=False),
                                                    encoding="utf-8")
    return TestClient(create_app(Settings(data_dir=data_copy, tiles="none")),
                      raise_server_exceptions=False)


def get(client: TestClient, path: str, offset: tuple[float, float] | None = None, **params) -> dict:
    """GET ``path`` (with lon/lat of ``offset`` if given) and return the JSON body of a 200."""
    if offset is not None:
        params["lon"], params["lat"] = lonlat(*offset)
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def hits(items: list[dict]) -> list[tuple[str, float]]:
    return [(item["id"], item["distance_m"]) for item in items]


def assert_hits(actual: list[dict], expected: list[tuple[str, float]]) -> None:
    """Same ids in the same order, distances within 1 m."""
    got = hits(actual)
    assert [i for i, _ in got] == [i for i, _ in expected], got
    for (_, d), (_, want) in zip(got, expected):
        assert d == pytest.approx(want, abs=1.0), got


CENTER, LAB = ("test-center", math.hypot(500, 200)), ("test-lab", math.hypot(600, 100))
INCUBATOR = ("test-incubator", math.hypot(400, 1700))
OUTSIDE = ("test-outside", math.hypot(2000, 1300))
"""Ids and distances (m) of the four points from Q."""
NEAREST_FROM_Q = [CENTER, LAB, INCUBATOR, OUTSIDE]


# ------------------------------------------------------------------ locate
def test_locate_inside_the_zone(client):
    body = get(client, "/api/locate", Q)
    assert body["in_city"] is True and body["in_corridor"] is False
    assert body["town"]["id"] == "yonghe"
    assert [z["id"] for z in body["zones"]] == ["test-zone"] and body["parks"] == []
    assert body["corridor_distance_m"] == pytest.approx(1700, abs=1)
    assert_hits(body["nearest"], NEAREST_FROM_Q)  # only four points exist, so k=5 gives four


def test_a_point_exactly_on_the_zone_edge_is_inside(client):
    body = get(client, "/api/locate", EDGE)
    assert [z["id"] for z in body["zones"]] == ["test-zone"]
    near = get(client, "/api/nearest", EDGE, layer="zones")
    assert_hits(near["results"], [("test-zone", 0.0)])


def test_a_point_in_the_sea_off_the_coast_is_answered_outside_the_city(client):
    body = get(client, "/api/locate", SEA)
    assert body["in_city"] is False and body["town"] is None
    assert body["zones"] == [] and body["parks"] == [] and body["in_corridor"] is False
    assert len(body["nearest"]) == 4 and body["corridor_distance_m"] > 10_000


def test_locate_in_the_corridor_band(client):
    body = get(client, "/api/locate", IN_BAND)
    assert body["in_corridor"] is True and body["zones"] == []
    assert body["corridor_distance_m"] == pytest.approx(200, abs=1)


# ------------------------------------------------------------------ nearest
@pytest.mark.parametrize(("params", "expected"), [
    ({"k": 2}, NEAREST_FROM_Q[:2]),
    ({"layer": "parks"}, [("test-park", 300.0)]),
    ({"layer": ["parks", "zones"]}, [("test-zone", 0.0), ("test-park", 300.0)]),
    ({"kind": "testing_center"}, [CENTER]),
    ({"kind": "innovation_park"}, [("test-park", 300.0)]),  # layer inferred from the kind
    ({"industry": "ai"}, [LAB, OUTSIDE]),
    ({"industry": "food", "layer": "incubators"}, []),
])
def test_nearest(client, params, expected):
    body = get(client, "/api/nearest", Q, **params)
    assert_hits(body["results"], expected)


# ------------------------------------------------------------------ within
@pytest.mark.parametrize(("params", "expected"), [
    ({"radius_m": 700}, [("test-zone", 0.0), ("test-park", 300.0), CENTER, LAB]),
    ({"radius_m": 550, "layer": "platforms"}, [CENTER]),
    ({"radius_m": 50_000, "kind": "incubator"}, [INCUBATOR]),
])
def test_within_a_radius(client, params, expected):
    body = get(client, "/api/within", Q, **params)
    assert_hits(body["results"], expected)
    assert body["query"]["radius_m"] == params["radius_m"]


def test_within_a_bbox(client):
    (west, south), (east, north) = lonlat(300, 300), lonlat(1200, 600)
    body = get(client, "/api/within", bbox=f"{west},{south},{east},{north}")
    # the box holds the lab, overlaps the park and lies in the zone; the centre is 300 m east of it
    assert_hits(body["results"], [("test-lab", 0.0), ("test-park", 0.0), ("test-zone", 0.0)])


def test_within_a_polygon_with_a_margin(client):
    box = wkt((1100, 400), (1300, 400), (1300, 900), (1100, 900))  # 200 m west of test-center
    assert_hits(get(client, "/api/within", polygon=box)["results"], [("test-zone", 0.0)])
    assert_hits(get(client, "/api/within", polygon=box, radius_m=250)["results"],
                [("test-zone", 0.0), ("test-center", 200.0)])


def test_a_platform_exactly_on_the_polygon_edge_is_within(client):
    edge_vertex = (1500, 500)  # test-center, mid-way along the polygon's west edge
    body = get(client, "/api/within", layer="platforms",
               polygon=wkt((1500, 400), (1700, 400), (1700, 600), (1500, 600), edge_vertex))
    assert_hits(body["results"], [("test-center", 0.0)])


def test_geojson_answer_carries_distances_and_roles(client):
    lon, lat = lonlat(*Q)
    response = client.get("/api/within", params={"lon": lon, "lat": lat, "radius_m": 700,
                                                 "f": "geojson"})
    assert response.headers["content-type"] == "application/geo+json"
    fc = response.json()
    assert fc["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in fc["features"]}
    assert by_id["test-center"]["properties"]["distance_m"] == pytest.approx(CENTER[1], abs=1)
    assert by_id["test-center"]["geometry"]["coordinates"] == pytest.approx(list(lonlat(1500, 500)))
    assert {f["properties"]["role"] for f in fc["features"]} == {"results"}


# ------------------------------------------------------------------ hierarchy and search
def test_hierarchy_from_platform_to_corridor(client):
    body = get(client, "/api/hierarchy/test-lab")
    assert body["entity"]["id"] == "test-lab"
    assert [a["id"] for a in body["ancestors"]] == ["test-park", "test-zone", "test-avenue"]
    assert body["children"] == []
    zone = get(client, "/api/hierarchy/test-zone")
    assert {c["id"] for c in zone["children"]} == {"test-park", "test-center"}
    avenue = get(client, "/api/hierarchy/test-avenue")
    assert {c["id"] for c in avenue["children"]} == {"test-zone", "test-incubator"}
    assert get(client, "/api/hierarchy/test-outside")["ancestors"] == []


@pytest.mark.parametrize(("q", "first"), [
    ("检测中心", "test-center"), ("jiancezhongxin", "test-center"), ("jczx", "test-center"),
    ("testing centre", "test-center"), ("cssys", "test-lab")])
def test_search_by_chinese_pinyin_initials_and_english(client, q, first):
    assert get(client, "/api/search", q=q)["results"][0]["id"] == first


# ------------------------------------------------------------------ datums
DATUMS = [("gcj02", prcoords.wgs_gcj), ("bd09", prcoords.wgs_bd)]


@pytest.mark.parametrize(("crs", "shift"), DATUMS)
def test_shifted_input_lands_within_5_m_of_its_wgs84_twin(client, crs, shift):
    lon, lat = lonlat(*Q)
    shifted = shift(prcoords.Coords(lat, lon))
    assert math.dist((shifted.lon, shifted.lat), (lon, lat)) > 0.003  # hundreds of metres apart
    twin = get(client, "/api/nearest", Q, k=4)
    body = get(client, "/api/nearest", lon=shifted.lon, lat=shifted.lat, crs=crs, k=4)
    echoed = prcoords.Coords(body["query"]["point_wgs84"][1], body["query"]["point_wgs84"][0])
    assert echoed.distance(prcoords.Coords(lat, lon)) < 5  # metres
    assert [i for i, _ in hits(body["results"])] == [i for i, _ in hits(twin["results"])]
    for (_, d), (_, want) in zip(hits(body["results"]), hits(twin["results"])):
        assert d == pytest.approx(want, abs=5)


@pytest.mark.parametrize(("out_crs", "shift"), DATUMS)
def test_out_crs_shifts_output_points_only(client, out_crs, shift):
    body = get(client, "/api/nearest", Q, k=1, out_crs=out_crs)
    lon, lat = lonlat(1500, 500)
    expected = shift(prcoords.Coords(lat, lon))
    assert body["results"][0]["point"] == pytest.approx([expected.lon, expected.lat], abs=1e-7)
    assert body["query"]["point_wgs84"] == pytest.approx(list(lonlat(*Q)), abs=1e-7)
    assert body["results"][0]["distance_m"] == pytest.approx(CENTER[1], abs=1)


# ------------------------------------------------------------------ html
def test_html_map_escapes_data_strings(client):
    lon, lat = lonlat(*Q)
    response = client.get("/api/locate", params={"lon": lon, "lat": lat, "f": "html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    script = page[page.rindex("<script"):]
    assert "<b>Lab</b>" not in page
    assert "&lt;b&gt;Lab&lt;/b&gt; `${1+1}`" in page[:page.rindex("<script")]  # the table, as text
    assert "`${1+1}`" not in script  # would break out of folium's JS template literal
    assert "&lt;b&gt;Lab&lt;/b&gt; &#96;&#36;{1+1}&#96; &#92; end" in script  # the map tooltip
    assert "cdn" not in page.lower() and "/static/vendor/leaflet/leaflet.js" in page
