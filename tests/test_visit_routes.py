"""Visit routes (issue 13, item 5): ``/route?stops=a,b,c`` measures a route's legs and says how
long each takes to drive, as an estimate; a stop whose position is not known stays in the list
but out of the totals, and the page says so; a stop list that is not a route is a 400 with a
message in the page language, never a 500.

The expected figures are computed here without the code under test: positions straight from
the entity's geometry, distances on the ellipsoid with ``pyproj.Geod`` (the atlas measures in
EPSG:32650: within 0.5 %), minutes by the rule's constants; the page is read back with an HTML
parser.  The browser side (building a route, paper, QR code) is tests/browser/test_route_print.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pyproj import Geod

from atlas.config import Settings
from atlas.engine import Atlas, Entity
from atlas.exports.qr import qr_svg
from atlas.promotion.navigate import navigate_links
from atlas.promotion.routes import MAX_STOPS, RouteError, parse_stops, plan_route, route_entities
from atlas.promotion.travel import AVERAGE_SPEED_KMH, ROAD_FACTOR
from atlas.vocab import Precision
from atlas.web.app import create_app
from tests.conftest import SHIPPED_DATA

GEOD = Geod(ellps="WGS84")
HTML = {"Accept": "text/html,application/xhtml+xml"}
PUBLIC = "https://atlas.example.gov.cn"

LOCATED = ["sanchuang-park", "hengan", "clfi-jinjiang", "icc-platform", "anta-sports",
           "fzu-science-park-jinjiang", "jhicc"]
"""Stops with known positions, of every visited layer (park, platform, enterprise, incubator)
and every precision a position can have (approximate, town)."""
WITH_PLACEHOLDER = ["sanchuang-park", "xtep", "clfi-jinjiang", "icc-platform"]
"""A route whose second stop's position is not known (特步, a placeholder)."""


@pytest.fixture(scope="module")
def route_app(settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="module")
def web(route_app) -> TestClient:
    return TestClient(route_app, raise_server_exceptions=False)


@pytest.fixture(scope="module")
def atlas(route_app) -> Atlas:
    return route_app.state.live.current()


def position(entity: Entity) -> tuple[float, float]:
    """Where a stop is, read from its geometry: a point as it is, an area at its representative
    point."""
    g = entity.geometry
    p = g if g.geom_type == "Point" else g.representative_point()
    return p.x, p.y


def geodesic_m(a: Entity, b: Entity) -> float:
    return GEOD.inv(*position(a), *position(b))[2]


def rule_minutes(metres: float) -> int:
    return max(1, round(metres * ROAD_FACTOR / 1000 / AVERAGE_SPEED_KMH * 60))


class RoutePage(HTMLParser):
    """A route page's itinerary: each row's stop id, its leg cells, its links; and all text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self.text: list[str] = []
        self.hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.hidden += 1
        classes = set((attrs.get("class") or "").split())
        if tag == "tr" and (attrs.get("id") or "").startswith("stop-"):
            self.rows.append({"id": attrs["data-id"], "links": {}, "cells": []})
        elif self.rows and tag == "td" and ({"leg", "minutes"} & classes):
            self.rows[-1]["cells"].append(attrs)
        elif self.rows and tag == "a":
            kind = ("amap" if "gt-amap" in classes else "baidu" if "gt-baidu" in classes
                    else "profile" if "name-main" in classes else None)
            if kind:
                self.rows[-1]["links"][kind] = attrs["href"]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text))


def page(web: TestClient, query: str) -> RoutePage:
    answer = web.get("/route?" + query, headers=HTML)
    assert answer.status_code == 200, (query, answer.text[:500])
    return RoutePage(answer.text)


# ------------------------------------------------------------------ the legs
def test_legs_are_straight_lines_and_drive_times_follow_the_stated_rule(atlas):
    entities = route_entities(atlas, ",".join(LOCATED))
    assert {e.layer.value for e in entities} == {"parks", "platforms", "incubators", "enterprises"}
    route = plan_route(entities)
    assert [s.entity.id for s in route.stops] == LOCATED
    assert [s.no for s in route.stops] == list(range(1, len(LOCATED) + 1))
    assert len(route.legs) == len(LOCATED) - 1
    for leg, a, b in zip(route.legs, entities, entities[1:]):
        assert (leg.start.entity, leg.end.entity) == (a, b)
        expected = geodesic_m(a, b)
        assert expected > 300, "pick stops farther apart"
        assert abs(leg.distance_m - expected) / expected < 0.005, (a.id, b.id, leg.distance_m, expected)
        assert leg.minutes == rule_minutes(leg.distance_m)
    assert route.unknown_legs == ()
    assert route.total_m == pytest.approx(sum(geodesic_m(a, b) for a, b in zip(entities, entities[1:])),
                                          rel=0.005)
    assert route.total_minutes == sum(leg.minutes for leg in route.legs)
    running = route.running()
    assert running[0].distance_m == 0 and running[-1].distance_m == pytest.approx(route.total_m)
    assert running[-1].minutes == route.total_minutes and not any(r.partial for r in running)


def test_a_loop_back_to_an_earlier_stop_is_a_route(atlas):
    there_and_back = plan_route(route_entities(atlas, "sanchuang-park,clfi-jinjiang,sanchuang-park"))
    out, back = there_and_back.legs
    assert out.distance_m == pytest.approx(back.distance_m)
    assert there_and_back.total_m == pytest.approx(2 * out.distance_m)


def test_a_stop_whose_position_is_not_known_stays_but_its_legs_are_left_out(atlas):
    entities = route_entities(atlas, ",".join(WITH_PLACEHOLDER))
    assert entities[1].props["precision"] == Precision.placeholder
    route = plan_route(entities)
    assert len(route.stops) == 4 and route.stops[1].position is None
    first, second, third = route.legs
    assert not first.known and not second.known and first.distance_m is None and second.minutes is None
    assert third.known and route.unknown_legs == (first, second)
    assert route.known_legs == (third,)
    assert route.total_m == third.distance_m and route.total_minutes == third.minutes
    assert [r.partial for r in route.running()] == [False, True, True, True]
    assert route.running()[-1].distance_m == third.distance_m


def test_the_page_lists_every_leg_and_says_what_it_left_out(web, atlas):
    shown = page(web, "stops=" + ",".join(WITH_PLACEHOLDER))
    assert [r["id"] for r in shown.rows] == WITH_PLACEHOLDER
    route = plan_route(route_entities(atlas, ",".join(WITH_PLACEHOLDER)))
    third = route.legs[2]
    assert shown.rows[0]["cells"] == [{"class": "leg route-first", "colspan": "2", "data-label": "距上一站（直线）"}]
    for row in shown.rows[1:3]:
        assert [c["class"] for c in row["cells"]] == ["leg route-unknown"]
    leg, minutes = shown.rows[3]["cells"]
    assert float(leg["data-metres"]) == pytest.approx(third.distance_m, abs=0.1)
    assert int(minutes["data-minutes"]) == third.minutes
    text = shown.all_text
    assert text.count("距离未知——位置未知") == 2
    assert "另有 2 段路程因站点位置未知，未计入合计。" in text
    km = f"{third.distance_m / 1000:.1f}"
    assert f"全程直线 {km} 公里，预计车程约 {third.minutes} 分钟（估算）" in text
    assert "车程为估算：按道路距离约为直线距离的 1.3 倍、平均时速 35 公里计算" in text
    assert "虚线为相邻两站之间的直线，不是道路" in text

    english = page(web, "stops=" + ",".join(WITH_PLACEHOLDER) + "&lang=en").all_text
    assert english.count("distance unknown — position not known") == 2
    assert "2 leg(s) left out of the totals: a stop's position is not known." in english
    assert f"{km} km in straight lines, about {third.minutes} min by car (estimate)" in english
    assert "Drive times are estimates" in english


def test_each_stop_links_to_its_profile_and_to_navigation(web, atlas):
    shown = page(web, "stops=" + ",".join(WITH_PLACEHOLDER) + "&lang=en")
    for row in shown.rows:
        entity = atlas.entity(row["id"])
        assert row["links"]["profile"] == f"/{entity.layer.value}/{entity.id}?lang=en"
        links = navigate_links(entity)
        if links is None:  # a placeholder: nowhere to navigate to
            assert "amap" not in row["links"] and "baidu" not in row["links"]
        else:
            assert (row["links"]["amap"], row["links"]["baidu"]) == (links.amap, links.baidu)
    assert sum("amap" in row["links"] for row in shown.rows) == 3


def test_the_qr_code_is_the_route_url_under_the_public_url():
    app = create_app(Settings(data_dir=SHIPPED_DATA, tiles="none", public_url=PUBLIC,
                                    allowed_hosts=("*",)))
    client = TestClient(app)
    for query, url in (("stops=sanchuang-park, clfi-jinjiang,,&lang=zh&from=singlemessage",
                        f"{PUBLIC}/route?stops=sanchuang-park,clfi-jinjiang"),
                       ("stops=sanchuang-park,clfi-jinjiang&lang=en",
                        f"{PUBLIC}/route?stops=sanchuang-park,clfi-jinjiang&lang=en")):
        html = client.get("/route?" + query, headers={"Host": "evil.example", **HTML}).text
        assert str(qr_svg(url, scale=2)) in html, query
        assert f'id="live-url" href="{url.replace("&", "&amp;")}"' in html
        assert "evil.example" not in html


def test_the_empty_route_is_the_builder(web):
    for query in ("", "stops=", "stops=,,,", "stops=%20,%20"):
        shown = page(web, query)
        assert shown.rows == [] and "路线还没有站点" in shown.all_text, query


# ------------------------------------------------------------------ refused
REFUSED = {
    "stops=nowhere,sanchuang-park": ("找不到这些站点：nowhere", "No such stop: nowhere"),
    "stops=jinjing,sanchuang-park": ("不能作为参观站点：金井镇（镇）", "Cannot be a stop: Jinjing Town (Town)"),
    "stops=kechuang-new-zone": ("不能作为参观站点", "Cannot be a stop"),
    "stops=sanchuang-park,clfi-jinjiang,clfi-jinjiang": ("第 3 站与第 2 站相同（clfi-jinjiang）",
                                                         "Stop 3 is the same as stop 2 (clfi-jinjiang)"),
    "stops=sanchuang-park&stops=clfi-jinjiang": ("参数 stops 只能出现一次", "Give stops once"),
    "stops=" + ",".join(["sanchuang-park", "clfi-jinjiang"] * 8): ("路线最多 15 站，这条有 16 站",
                                                                  "at most 15 stops; this one has 16"),
    "stops=" + ",".join(["x"] * 200): ("路线最多 15 站，这条有 200 站", "this one has 200"),
    "stops=%3Cscript%3Ealert(1)%3C/script%3E": ("找不到这些站点：&lt;script&gt;", "No such stop: &lt;script&gt;"),
    "stops=" + "y" * 300: ("找不到这些站点：" + "y" * 40 + "…", "No such stop: " + "y" * 40 + "…"),
    "stops=%00,%FF": ("找不到这些站点", "No such stop"),
    "stops=" + ",".join(f"u{i}" for i in range(9)): ("u0、u1、u2、u3、u4 …", "u0, u1, u2, u3, u4 …"),
}


@pytest.mark.parametrize("query", list(REFUSED))
def test_a_stop_list_that_is_not_a_route_is_a_400_in_the_page_language(web, query):
    zh, en = REFUSED[query]
    for lang, message in (("zh", zh), ("en", en)):
        answer = web.get(f"/route?{query}&lang={lang}", headers=HTML)
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("text/html")
        assert message in answer.text, (lang, answer.text[-800:])
        assert "<script>alert" not in answer.text
    problem = web.get(f"/route?{query}&lang=en")  # a program gets problem+json
    assert problem.status_code == 400 and problem.json()["status"] == 400
    assert problem.json()["detail"]


def test_parse_stops_and_its_refusals():
    assert parse_stops(" a , b,,c, ") == ["a", "b", "c"]
    assert parse_stops("") == [] and parse_stops(",,,") == []
    assert len(parse_stops(",".join(["a"] * MAX_STOPS))) == MAX_STOPS
    with pytest.raises(RouteError) as caught:
        parse_stops(",".join(["a"] * (MAX_STOPS + 1)))
    assert caught.value.key == "too_many" and caught.value.count == MAX_STOPS + 1


# ------------------------------------------------------------------ profiles
def test_profiles_of_stops_start_a_route_and_areas_do_not(web):
    for path, start in (("/platforms/clfi-jinjiang?lang=en", "/route?stops=clfi-jinjiang&amp;lang=en"),
                        ("/parks/sanchuang-park", "/route?stops=sanchuang-park"),
                        ("/enterprises/xtep", "/route?stops=xtep")):
        html = web.get(path, headers=HTML).text
        assert f'id="route-start-link" href="{start}"' in html, path
    for path in ("/towns/jinjing", "/zones/kechuang-new-zone", "/corridor"):
        assert "route-start-link" not in web.get(path, headers=HTML).text, path
