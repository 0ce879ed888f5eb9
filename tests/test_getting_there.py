"""Getting there (issue 13, item 6): distances and estimated drive times to the hubs, and
"navigate here" links to Amap (GCJ-02) and Baidu (BD-09) on every profile.

The expected values are computed here without the code under test: positions straight from
the entity's geometry, datum shifts with ``prcoords``, distances on the ellipsoid with
``pyproj.Geod``, and the links read back out of the served pages.
"""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import prcoords
import pytest
from pyproj import Geod
from shapely.geometry import Point, shape

from atlas.config import REPO_ROOT
from atlas.engine import Entity
from atlas.packed import pack
from atlas.promotion.hubs import HUBS_FILE, HubDataError, HubKind, load_hubs, parse_hubs
from atlas.promotion.navigate import navigate_links
from atlas.promotion.travel import AVERAGE_SPEED_KMH, ROAD_FACTOR, drive_minutes, getting_there
from atlas.vocab import Layer
from atlas.web.browse import profile_url
from atlas.web.pages import PROFILE_LAYERS
from atlas.web.templating import templates

GEOD = Geod(ellps="WGS84")
TOLERANCE_M = 5.0


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def expected_position(entity: Entity) -> tuple[float, float]:
    """Where the links must point: a point as it is, a town at its seat, any other area or
    the corridor at its representative point (WGS-84)."""
    g = entity.geometry
    if g.geom_type == "Point":
        return g.x, g.y
    if entity.props.get("seat_lon") is not None:
        return entity.props["seat_lon"], entity.props["seat_lat"]
    p = g.representative_point()
    return p.x, p.y


class Section(HTMLParser):
    """The getting-there section of a page: its links, legs and text."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: dict[str, dict[str, str]] = {}
        self.legs: list[dict[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id") == "getting-there":
            self.depth = 1
        elif self.depth:
            if tag == "section":
                self.depth += 1
            classes = (attrs.get("class") or "").split()
            if tag == "a" and ({"gt-amap", "gt-baidu"} & set(classes)):
                self.links["amap" if "gt-amap" in classes else "baidu"] = attrs
            if tag == "li" and "gt-leg" in classes:
                self.legs.append(attrs)
            if tag == "span" and "gt-distance" in classes:
                self.legs[-1]["metres"] = attrs["data-metres"]
            if tag == "span" and "gt-time" in classes:
                self.legs[-1]["minutes"] = attrs["data-minutes"]

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def section_of(html: str) -> Section:
    parser = Section()
    parser.feed(html)
    assert parser.text, "the profile has no getting-there section"
    return parser


@pytest.fixture(scope="module")
def atlas(app):
    return app.state.live.current()


@pytest.fixture(scope="module")
def profiled(atlas) -> list[Entity]:
    """Every entity with a profile page (the corridor's is /corridor)."""
    layers = (*PROFILE_LAYERS, Layer.corridor)
    return [e for e in atlas.entities.values() if e.layer in layers]


@pytest.fixture(scope="module")
def pages(client, profiled) -> dict[str, Section]:
    """The getting-there section of every profile page, in Chinese."""
    out = {}
    for e in profiled:
        answer = client.get(f"{profile_url(e)}?lang=zh")
        assert answer.status_code == 200, e.id
        out[e.id] = section_of(answer.text)
    return out


def located(profiled) -> list[Entity]:
    return [e for e in profiled if e.props["precision"] != "placeholder"]


def test_every_kind_of_profile_is_covered(profiled):
    kinds = {e.layer for e in located(profiled)}
    assert kinds >= {Layer.platforms, Layer.parks, Layer.towns, Layer.zones, Layer.corridor}
    assert any(e.props["precision"] == "placeholder" for e in profiled)


def test_amap_links_decode_to_gcj02_within_5_m(profiled, pages):
    for e in located(profiled):
        link = pages[e.id].links["amap"]
        parts = urlsplit(link["href"])
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "uri.amap.com", "/marker")
        query = parse_qs(parts.query)
        assert query["coordinate"] == ["gaode"] and query["name"] == [e.props["name_zh"]]
        lon, lat = map(float, query["position"][0].split(","))
        wlon, wlat = expected_position(e)
        gcj = prcoords.wgs_gcj(prcoords.Coords(wlat, wlon))
        assert metres(lon, lat, gcj.lon, gcj.lat) < TOLERANCE_M, e.id
        back = prcoords.gcj_wgs_bored(prcoords.Coords(lat, lon))
        assert metres(back.lon, back.lat, wlon, wlat) < TOLERANCE_M, e.id
        assert metres(lon, lat, wlon, wlat) > 300, f"{e.id}: the Amap link was not shifted to GCJ-02"


def test_baidu_links_decode_to_bd09_within_5_m(profiled, pages):
    for e in located(profiled):
        link = pages[e.id].links["baidu"]
        parts = urlsplit(link["href"])
        assert (parts.scheme, parts.netloc, parts.path) == ("https", "api.map.baidu.com", "/marker")
        query = parse_qs(parts.query)
        assert query["coord_type"] == ["bd09ll"] and query["output"] == ["html"]
        assert query["title"] == [e.props["name_zh"]] and query["src"][0].startswith("webapp.")
        lat, lon = map(float, query["location"][0].split(","))  # Baidu wants lat,lon
        wlon, wlat = expected_position(e)
        bd = prcoords.wgs_bd(prcoords.Coords(wlat, wlon))
        assert metres(lon, lat, bd.lon, bd.lat) < TOLERANCE_M, e.id
        back = prcoords.bd_wgs_bored(prcoords.Coords(lat, lon))
        assert metres(back.lon, back.lat, wlon, wlat) < TOLERANCE_M, e.id
        assert metres(lon, lat, wlon, wlat) > 600, f"{e.id}: the Baidu link was not shifted to BD-09"


def test_links_open_in_a_new_tab_without_opener(profiled, pages):
    for e in located(profiled):
        for link in pages[e.id].links.values():
            assert link["target"] == "_blank" and "noopener" in link["rel"].split(), e.id


def test_placeholders_have_no_links_and_no_distances_and_say_why(profiled, pages):
    placeholders = [e for e in profiled if e.props["precision"] == "placeholder"]
    for e in placeholders:
        section = pages[e.id]
        assert section.links == {} and section.legs == [], e.id
        assert "位置未知" in "".join(section.text), e.id
        assert getting_there(e) is None and navigate_links(e) is None


def test_distances_equal_the_ellipsoid_within_half_a_percent(profiled, pages):
    hubs = load_hubs()
    for e in located(profiled):
        wlon, wlat = expected_position(e)
        geodesic = {h.id: metres(wlon, wlat, h.lon, h.lat) for h in hubs}
        shown = pages[e.id].legs
        for leg in shown:
            assert float(leg["metres"]) == pytest.approx(geodesic[leg["data-hub"]], rel=0.005), e.id
            by_rule = geodesic[leg["data-hub"]] * ROAD_FACTOR / 1000 / AVERAGE_SPEED_KMH * 60
            assert int(leg["minutes"]) == drive_minutes(float(leg["metres"]))
            assert abs(int(leg["minutes"]) - max(1.0, by_rule)) <= 0.5 + 0.005 * by_rule, e.id
        # the airport, the two nearest stations, the nearest port, in that order
        by_kind = {k: sorted((h for h in hubs if h.kind is k), key=lambda h: geodesic[h.id])
                   for k in HubKind}
        expected = ([by_kind[HubKind.airport][0].id] + [h.id for h in by_kind[HubKind.railway_station][:2]]
                    + [by_kind[HubKind.port][0].id])
        assert [leg["data-hub"] for leg in shown] == expected, e.id


def test_drive_time_rule():
    assert (ROAD_FACTOR, AVERAGE_SPEED_KMH) == (1.3, 35.0)
    assert drive_minutes(10_000) == round(10 * 1.3 / 35 * 60) == 22
    assert drive_minutes(35_000 / 1.3) == 60
    assert drive_minutes(5) == 1  # never "0 minutes"


@pytest.mark.parametrize(("lang", "must_say"), [
    ("zh", ["交通", "机场", "泉州晋江国际机场", "分钟车程（估算）", "导航到这里", "高德地图", "百度地图",
            "车程为估算", "1.3 倍", "平均时速 35 公里"]),
    ("en", ["Getting there", "Airport", "Quanzhou Jinjiang International Airport", "min by car (estimate)",
            "Navigate here", "Amap", "Baidu Maps", "Drive times are estimates", "1.3 ×", "35 km/h"]),
])
def test_profile_shows_the_section_in_each_language(client, lang, must_say):
    html = client.get(f"/platforms/clfi-jinjiang?lang={lang}").text
    text = re.sub(r"\s+", " ", "".join(section_of(html).text))
    for words in must_say:
        assert words in text, words
    first, second = ("Quanzhou Jinjiang International Airport", "泉州晋江国际机场")
    if lang == "zh":
        first, second = second, first
    assert text.index(first) < text.index(second)  # the page language first, the other beside it
    assert re.search(r"\d+\.\d (公里|km)", text)  # distances in km to one decimal


def test_town_links_point_at_the_seat(atlas, pages):
    town = atlas.entity("anhai")
    query = parse_qs(urlsplit(pages["anhai"].links["amap"]["href"]).query)
    lon, lat = map(float, query["position"][0].split(","))
    gcj = prcoords.wgs_gcj(prcoords.Coords(town.props["seat_lat"], town.props["seat_lon"]))
    assert metres(lon, lat, gcj.lon, gcj.lat) < TOLERANCE_M


def test_data_from_the_records_is_escaped(atlas):
    """A name with markup reaches the page as text and the links as URL-encoded values."""
    evil = "<script>alert(1)</script>\"'&"
    base = atlas.entity("clfi-jinjiang")
    entity = Entity(id="x-evil", layer=base.layer,
                    packed=pack(base.layer, {**base.props, "name_zh": evil, "name_en": evil}),
                    geometry=base.geometry)
    data = json.loads(HUBS_FILE.read_text(encoding="utf-8"))
    data["hubs"][0]["name_zh"] = data["hubs"][0]["name_en"] = evil
    html = templates.get_template("_getting_there.html").render(
        lang="zh", p=entity.props, travel=getting_there(entity, parse_hubs(data)),
        navigate=navigate_links(entity))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    section = section_of(html)
    assert parse_qs(urlsplit(section.links["amap"]["href"]).query)["name"] == [evil]


# ---------------------------------------------------------------- the hub file

def shipped() -> dict:
    return json.loads(HUBS_FILE.read_text(encoding="utf-8"))


def test_the_shipped_hubs_load_and_sit_in_or_next_to_jinjiang():
    hubs = load_hubs()
    kinds = [h.kind for h in hubs]
    assert kinds.count(HubKind.airport) == 1 and kinds.count(HubKind.railway_station) >= 2
    assert kinds.count(HubKind.port) >= 1
    city = shape(json.loads((REPO_ROOT / "data" / "geo" / "boundary.geojson").read_text(
        encoding="utf-8"))["features"][0]["geometry"])
    for h in hubs:
        assert city.buffer(0.01).contains(Point(h.lon, h.lat)), h.id  # ~1 km
        assert h.citations and h.precision != "placeholder"
    assert load_hubs() is hubs  # read once per process


@pytest.mark.parametrize(("change", "message"), [
    (lambda h: h.update(lon=h["lat"], lat=h["lon"]), "lon and lat swapped"),
    (lambda h: h.update(precision="placeholder"), "needs a known position"),
    (lambda h: h.update(citations=[]), "citations"),
    (lambda h: h.update(kind="bus_station"), "kind"),
    (lambda h: h["citations"][0].update(date="April 2010"), "date"),
    (lambda h: h.update(position_note_en="see places.md"), "research notes"),
    (lambda h: h.pop("name_en"), "name_en"),
    (lambda h: h.update(speed=3), "speed"),
])
def test_a_bad_record_is_refused_with_a_message_naming_it(change, message):
    data = shipped()
    record = data["hubs"][1]
    change(record)
    with pytest.raises(HubDataError) as refused:
        parse_hubs(copy.deepcopy(data))
    text = str(refused.value)
    assert f"hubs[1] ({record['id']})" in text and message in text, text


def test_a_bad_file_is_refused_as_a_whole(tmp_path):
    data = shipped()
    data["hubs"].append(copy.deepcopy(data["hubs"][0]))
    with pytest.raises(HubDataError, match="unique; repeated: jinjiang-airport"):
        parse_hubs(data)
    data = shipped()
    data["hubs"] = [h for h in data["hubs"] if h["kind"] != "airport"]
    with pytest.raises(HubDataError, match="must list the airport"):
        parse_hubs(data)
    broken = tmp_path / "transport.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(HubDataError, match="cannot read the transport hubs"):
        load_hubs(broken)
