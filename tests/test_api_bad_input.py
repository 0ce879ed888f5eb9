"""Bad input to the spatial API: each class of mistake, sent to every endpoint that takes it.

Every answer must be a 4xx ``application/problem+json`` whose ``detail`` names
the parameter and says what to fix — never a 500, never a traceback.  A request
that asked for HTML (``f=html``, or a browser's Accept header) gets the same status
and message as an HTML error page in its ``lang``.
"""

from __future__ import annotations

import pytest
from lxml import html

DROP = object()
"""A change that removes the parameter."""

POINT = {"lon": "118.5335", "lat": "24.766"}
ENDPOINTS = {
    "locate": ("/api/locate", POINT),
    "nearest": ("/api/nearest", POINT),
    "within": ("/api/within", POINT),
    "hierarchy": ("/api/hierarchy/sanchuang-park", {}),
    "search": ("/api/search", {"q": "三创"}),
}
NO_POINT = {"lon": DROP, "lat": DROP}
BOWTIE = "POLYGON((118.52 24.75, 118.55 24.78, 118.55 24.75, 118.52 24.78, 118.52 24.75))"
BEIJING_BOX = "116.3,39.9,116.5,40.0"

# (changes to the endpoint's valid parameters, expected status, words the detail must contain)
EVERY_ENDPOINT = [
    ({"f": "xml"}, 400, ("f:", "geojson")),
    ({"out_crs": "utm"}, 400, ("out_crs:", "gcj02")),
    ({"radius": "5"}, 400, ("unknown parameter", "radius")),
    ({"f": ["json", "html"]}, 400, ("f:", "more than once")),
    ({"lang": "fr"}, 400, ("lang:", "'zh' or 'en'")),
]
COORDINATES = [
    ({"lon": "abc"}, 400, ("lon:", "number")),
    ({"lat": "24,7"}, 400, ("lat:", "number")),
    ({"lon": ""}, 400, ("lon:",)),
    ({"lon": "nan"}, 400, ("lon:", "finite")),
    ({"lat": "-inf"}, 400, ("lat:", "finite")),
    ({"lon": "200"}, 400, ("lon", "longitude 200")),
    ({"lat": "-95"}, 400, ("lat", "latitude -95")),
    ({"lon": "24.766", "lat": "118.5335"}, 400, ("lon/lat", "swapped")),
    ({"lon": "116.39", "lat": "39.91"}, 422, ("lon/lat", "outside the area the atlas covers")),
    ({"lat": "24.2"}, 422, ("lon/lat", "outside the area the atlas covers")),  # 35 km out to sea
    ({"lat": DROP}, 400, ("lat",)),
    ({"crs": "utm"}, 400, ("crs:", "bd09")),
    ({"lon": ["118.5", "118.6"]}, 400, ("lon:", "more than once")),
]
FILTERS = [
    ({"layer": "roads"}, 400, ("layer", "platforms")),
    ({"layer": "towns"}, 400, ("layer", "zones")),
    ({"kind": "castle"}, 400, ("kind:", "university")),
    ({"kind": "town"}, 400, ("kind:", "does not occur")),
    ({"kind": "incubator", "layer": "platforms"}, 400, ("kind:", "research_institute")),
    ({"industry": "mining"}, 400, ("industry:", "graphene")),
]
NEAREST = [
    ({"k": "0"}, 400, ("k:", "greater than or equal to 1")),
    ({"k": "101"}, 400, ("k:", "100")),
    ({"k": "five"}, 400, ("k:", "integer")),
]
WITHIN = [
    ({"radius_m": "0"}, 400, ("radius_m:", "greater than 0")),
    ({"radius_m": "-5"}, 400, ("radius_m:",)),
    ({"radius_m": "50001"}, 400, ("radius_m:", "50000")),
    ({"radius_m": "far"}, 400, ("radius_m:", "number")),
    ({**NO_POINT, "bbox": "118.5,24.7,118.6"}, 400, ("bbox:", "4 comma-separated")),
    ({**NO_POINT, "bbox": "a,b,c,d"}, 400, ("bbox:", "not a number")),
    ({**NO_POINT, "bbox": "118.6,24.7,118.5,24.8"}, 400, ("bbox:", "less than maxlon")),
    ({**NO_POINT, "bbox": "nan,24.7,118.6,24.8"}, 400, ("bbox:", "finite")),
    ({**NO_POINT, "bbox": "24.75,118.52,24.78,118.55"}, 400, ("bbox:", "swapped")),
    ({**NO_POINT, "bbox": "118.5,95,118.6,96"}, 400, ("bbox:", "latitude 95")),
    ({**NO_POINT, "bbox": BEIJING_BOX}, 422, ("bbox:", "outside the area the atlas covers")),
    ({**NO_POINT, "polygon": "POLYGON((118.5 24.7, 118.6 24.8))"}, 400, ("polygon:", "WKT")),
    ({**NO_POINT, "polygon": "hello"}, 400, ("polygon:", "WKT")),
    ({**NO_POINT, "polygon": "POINT(118.5 24.7)"}, 400, ("polygon:", "got Point")),
    ({**NO_POINT, "polygon": "POLYGON EMPTY"}, 400, ("polygon:", "non-empty")),
    ({**NO_POINT, "polygon": BOWTIE}, 400, ("polygon:", "Self-intersection")),
    ({**NO_POINT, "polygon": "POLYGON((24.75 118.52, 24.75 118.55, 24.78 118.55, 24.75 118.52))"},
     400, ("polygon:", "swapped")),
    ({**NO_POINT, "polygon": "POLYGON((116.3 39.9, 116.5 39.9, 116.5 40, 116.3 39.9))"},
     422, ("polygon:", "outside the area")),
    ({**NO_POINT, "polygon": "POLYGON((" + ",".join(["1 2"] * 1001) + "))"},
     400, ("polygon:", "at most 1000")),
    ({**NO_POINT, "polygon": "POLYGON((" + "1" * 10_001 + "))"}, 400, ("polygon:", "at most 10000")),
    ({"bbox": "118.52,24.75,118.55,24.78"}, 400, ("exactly one", "lon/lat and bbox")),
    (NO_POINT, 400, ("exactly one", "bbox", "polygon")),
]
HIERARCHY = [
    ({"_path": "/api/hierarchy/no-such-thing"}, 404, ("id:", "no-such-thing", "/api/search")),
    ({"_path": "/api/hierarchy/" + "x" * 101}, 400, ("entity_id:", "100 characters")),
]
SEARCH = [
    ({"q": DROP}, 400, ("q:", "required")),
    ({"q": ""}, 400, ("q:", "at least 1")),
    ({"q": "   "}, 400, ("q:", "letters")),
    ({"q": "—·()"}, 400, ("q:", "letters")),
    ({"q": "x" * 101}, 400, ("q:", "100")),
    ({"limit": "0"}, 400, ("limit:",)),
    ({"limit": "51"}, 400, ("limit:", "50")),
]


def _label(changes: dict) -> str:
    return "&".join(f"{k}={'(none)' if v is DROP else str(v)[:24]}" for k, v in changes.items())


def _cases(endpoints: tuple[str, ...], table: list) -> list:
    return [pytest.param(name, changes, status, words, id=f"{name}:{_label(changes)}")
            for name in endpoints for changes, status, words in table]


CASES = (_cases(tuple(ENDPOINTS), EVERY_ENDPOINT)
         + _cases(("locate", "nearest", "within"), COORDINATES)
         + _cases(("nearest", "within"), FILTERS)
         + _cases(("nearest",), NEAREST) + _cases(("within",), WITHIN)
         + _cases(("hierarchy",), HIERARCHY) + _cases(("search",), SEARCH))


def request_for(endpoint: str, changes: dict) -> tuple[str, dict]:
    """The endpoint's valid request with ``changes`` applied (DROP removes a parameter)."""
    path, params = ENDPOINTS[endpoint]
    merged = {**params, **changes}
    path = merged.pop("_path", path)
    return path, {k: v for k, v in merged.items() if v is not DROP}


def assert_problem(response, status: int, words: tuple[str, ...]) -> None:
    """A problem+json with ``status`` whose detail contains every one of ``words``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]
    detail = body["detail"]
    assert detail.strip() and "Traceback" not in detail
    for word in words:
        assert word in detail, detail


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def assert_error_page(response, status: int, detail: str, lang: str) -> None:
    """An HTML error page with ``status``, the problem's ``detail`` and the page in ``lang``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = html.fromstring(response.text)
    assert page.get("lang") == ("en" if lang == "en" else "zh-CN")
    assert page.xpath("string(//*[@role='alert'])").strip() == detail
    assert "Traceback" not in response.text


@pytest.mark.parametrize(("endpoint", "changes", "status", "words"), CASES)
def test_bad_input_is_a_problem_that_says_what_to_fix(client, endpoint, changes, status, words):
    path, params = request_for(endpoint, changes)
    response = client.get(path, params=params)
    assert_problem(response, status, words)
    if "f" not in changes:  # asking for a map gets the same error as a page, in its language
        detail = response.json()["detail"]
        for lang in ("en", "zh"):
            if "lang" not in changes:
                params = {**params, "lang": lang}
            page = client.get(path, params={**params, "f": "html"})
            assert_error_page(page, status, detail, params.get("lang", "zh"))


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_a_browser_gets_an_error_page_and_a_program_problem_json(client, endpoint):
    path, params = request_for(endpoint, {"limit": "0"} if endpoint == "search" else
                               {"_path": "/api/hierarchy/nope"} if endpoint == "hierarchy" else
                               {"lon": "200"})
    status = client.get(path, params=params).status_code
    problem = client.get(path, params=params, headers={"Accept": "application/json"}).json()
    page = client.get(path, params={**params, "lang": "en"}, headers={"Accept": BROWSER})
    assert_error_page(page, status, problem["detail"], "en")
    for f in ("json", "geojson"):  # a format asked for wins over the Accept header
        assert_problem(client.get(path, params={**params, "f": f}, headers={"Accept": BROWSER}),
                       status, ())
    for accept in (None, "*/*", "application/json", "text/html, */*"):  # a tie means JSON
        headers = {"Accept": accept} if accept else {}
        assert_problem(client.get(path, params=params, headers=headers), status, ())


def test_the_valid_requests_behind_the_cases_are_fine(client):
    for path, params in ENDPOINTS.values():
        assert client.get(path, params=params).status_code == 200


WEIRD = ["", " ", "-", "0", "-0", "1e309", "-1e400", "0x10", "１１８.５", "118.5;24.7", "NaN",
         "null", "[]", "{}", "%00", "\x00", "' OR 1=1 --", "<script>alert(1)</script>",
         "POLYGON((0 0, 1 0, 1 1, 0 0))", "1,2,3,4", "x" * 5000]


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_no_value_of_any_parameter_is_a_server_error(client, endpoint):
    path, params = ENDPOINTS[endpoint]
    spec = client.get("/openapi.json").json()["paths"]
    template = next(p for p in spec if path.startswith(p.split("{")[0]) and p.startswith("/api/"))
    names = [p["name"] for p in spec[template]["get"]["parameters"] if p["in"] == "query"]
    for name in names:
        for value in WEIRD:
            response = client.get(path, params={**params, name: value})
            assert response.status_code < 500, (name, value, response.text)
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("url", [
    "/api/locate?lon=118.5&lat=90&crs=gcj02",            # datum formulas undefined at the pole
    "/api/locate?lon=90&lat=118.5&crs=gcj02",            # ... also when trying the swapped order
    "/api/nearest?lon=0&lat=-90&crs=bd09",
    "/ogc/collections/platforms/items?limit=" + "1" * 4400,   # longer than Python's int limit
    "/ogc/collections/platforms/items?offset=" + "9" * 5000,
])
def test_extreme_values_are_client_errors(client, url):
    response = client.get(url)
    assert 400 <= response.status_code < 500, response.text
