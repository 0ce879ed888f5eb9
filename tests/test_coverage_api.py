"""The planners' API under /api/coverage: bad parameters say what to fix; answers and downloads
are well formed (CSV with BOM and bilingual header, XLSX, GeoJSON GDAL can read).

Every bad request must be a 400 ``application/problem+json`` whose ``detail`` names the
parameter and the fix — never a 422, never a 500.
"""

from __future__ import annotations

import csv
import io
import math
import re
import subprocess
from urllib.parse import urlparse

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from atlas.config import Settings
from atlas.web.app import create_app
from tests.conftest import SHIPPED_DATA

SELECTION = "layer=platforms&layer=incubators"
FAR_SITE = "118.53,24.88"
"""A spot in the north of the city, in the gap of every platform and incubator (even at 5 km)."""
COUNTED_TARGETS = (12, 13, 17, 18)
"""Indicators of 表1-1 the atlas can count."""


def problem(response, *words: str) -> str:
    """Assert a 400 problem+json whose detail contains every word; return the detail."""
    assert response.status_code == 400, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 400
    detail = body["detail"]
    for word in words:
        assert word.lower() in detail.lower(), f"{word!r} not in detail {detail!r}"
    return detail


# (query after the selection, words the detail must contain)
BAD_COVERAGE = [
    ("radius_m=-5", ("radius_m", "-5", "100", "20,000")),
    ("radius_m=0", ("radius_m", "100", "20,000")),
    ("radius_m=50000", ("radius_m", "50000", "20,000")),
    ("radius_m=nan", ("radius_m", "finite")),
    ("radius_m=inf", ("radius_m", "finite")),
    ("radius_m=abc", ("radius_m", "number")),
    ("radii=1000,2000,3000,4000,5000,6000,7000", ("radii", "7", "at most 6")),
    ("radii=abc", ("radii", "comma-separated", "metres")),
    ("radii=1000,10", ("radii", "10", "100")),
    ("add=118.5", ("add", "lon,lat")),
    ("add=24.7,118.5", ("add", "swapped", "longitude first")),
    ("add=0,0", ("add", "not in Jinjiang", "118.5")),
    ("add=118.5,nan", ("add", "finite")),
    ("move=nosuch:118.5,24.7", ("move", "nosuch", "facility list")),
    ("close=nosuch", ("close", "nosuch", "facility list")),
    ("move=118.5,24.7", ("move", "id:lon,lat")),
    ("move=:118.5,24.7", ("move", "id:lon,lat")),
    ("move=sanchuang-incubator:24.7,118.5", ("move", "swapped")),
    ("bogus=1", ("unknown parameter", "bogus", "radius_m")),
    ("zone=atlantis", ("zone", "atlantis", "kechuang-new-zone")),
    ("layer=roads", ("layer",)),
    ("demand=people", ("demand",)),
    ("crs=utm", ("crs",)),
    ("f=pdf", ("f",)),
]


@pytest.mark.parametrize("query,words", BAD_COVERAGE, ids=[q for q, _ in BAD_COVERAGE])
def test_bad_coverage_parameters_say_what_to_fix(client, query, words):
    problem(client.get(f"/api/coverage?{SELECTION}&{query}"), *words)


BAD_NEXT = [
    ("p=0", ("p", "1")),
    ("p=11", ("p", "10")),
    ("p=two", ("p", "integer")),
    ("p=3&candidate=118.55,24.75&candidate=118.6,24.7", ("p", "only 2 candidate", "smaller p")),
    ("p=1&candidate=24.75,118.55", ("candidate", "swapped")),
    ("p=1&candidate=118.55", ("candidate", "lon,lat")),
    ("p=1&radius_m=5", ("radius_m", "100")),
    ("p=1&bogus=1", ("unknown parameter", "bogus")),
]


@pytest.mark.parametrize("query,words", BAD_NEXT, ids=[q for q, _ in BAD_NEXT])
def test_bad_where_next_parameters_say_what_to_fix(client, query, words):
    problem(client.get(f"/api/coverage/next?{SELECTION}&{query}"), *words)


@pytest.mark.parametrize("path", ["/api/coverage", "/api/coverage/next", "/api/coverage/industries",
                                  "/api/coverage/targets", "/api/coverage/density",
                                  "/api/coverage/zones"])
def test_every_endpoint_refuses_unknown_parameters(client, path):
    problem(client.get(f"{path}?bogus=1"), "unknown parameter", "bogus")


@pytest.mark.parametrize("path,query,words", [
    ("/api/coverage/industries", "by=district", ("by", "zone", "town")),
    ("/api/coverage/industries", "f=geojson", ("f",)),
    ("/api/coverage/density", "f=geojson", ("f",)),
    ("/api/coverage/zones", "radius_m=0", ("radius_m", "100")),
])
def test_other_endpoints_check_their_parameters(client, path, query, words):
    problem(client.get(f"{path}?{query}"), *words)


def test_what_if_names_must_be_in_the_selection(client):
    """A real facility id that the filter leaves out is refused like an unknown one."""
    incubator = client.get("/api/entities?layer=incubators").json()["features"][0]["id"]
    problem(client.get(f"/api/coverage?layer=platforms&close={incubator}"), "close", incubator,
            "widen the filter")


def test_moving_an_unplaced_placeholder_is_explained(client):
    unplaced = client.get(f"/api/coverage?{SELECTION}").json()["unplaced"]
    assert "tech-market" in unplaced
    response = client.get(f"/api/coverage?{SELECTION}&move=tech-market:118.55,24.75")
    if response.status_code == 200:  # placing it is a fine answer too
        rows = response.json()["tables"][-1]["rows"]
        assert next(r for r in rows if r["id"] == "tech-market")["state"].endswith("moved")
    else:
        detail = problem(response, "move", "tech-market")
        assert "widen the filter" not in detail and "position" in detail


@pytest.mark.parametrize("query", ["layer=parks&kind=university", "q=zzzqqqxx"])
def test_an_empty_facility_set_answers_zero_percent(client, query):
    """Documented behaviour: a filter matching no facility is not an error — the coverage is 0%
    everywhere, the whole city is the gap, and a what-if site can still be tried on it."""
    assert client.get(f"/api/entities?{query}").json()["numberMatched"] == 0
    body = client.get(f"/api/coverage?{query}").json()
    assert body["facilities"] == 0 and body["city_covered_pct"] == 0
    rows = body["tables"][0]["rows"]
    assert all(r["covered_pct"] == 0 and r["covered_km2"] == 0 for r in rows)
    city = next(r for r in rows if r["unit_id"] == "city")
    assert city["gap_km2"] == city["area_km2"] > 600
    assert body["tables"][-1]["name"] == "facilities" and body["tables"][-1]["rows"] == []

    layers = client.get(f"/api/coverage?{query}&f=geojson").json()
    assert [f["properties"]["role"] for f in layers["features"]] == ["catchment", "gap", "overlap"]
    what_if = client.get(f"/api/coverage?{query}&add={FAR_SITE}").json()
    assert what_if["city_baseline_pct"] == 0 < what_if["city_covered_pct"]
    site = client.get(f"/api/coverage/next?{query}&p=1&candidate={FAR_SITE}").json()
    assert site["covered_before"] == 0 < site["covered_after"]


def test_a_selection_of_placeholders_only_lists_them_as_unplaced(client):
    """Placeholders with no host cannot be measured from: listed as unplaced, 0% covered."""
    ids = [f["id"] for f in client.get("/api/entities?layer=platforms&zone=unknown").json()["features"]]
    assert ids
    body = client.get("/api/coverage?layer=platforms&zone=unknown").json()
    assert body["facilities"] == 0 and sorted(body["unplaced"]) == sorted(ids)
    assert body["city_covered_pct"] == 0


@pytest.fixture(scope="module")
def no_population_client(tmp_path_factory) -> TestClient:
    missing = tmp_path_factory.mktemp("stats") / "town-population.csv"
    app = create_app(Settings(data_dir=SHIPPED_DATA, tiles="none", population_file=missing))
    return TestClient(app, raise_server_exceptions=False)


def test_population_demand_without_a_table_says_how_to_add_one(no_population_client):
    for path in ("/api/coverage", "/api/coverage/next", "/api/coverage/zones"):
        problem(no_population_client.get(f"{path}?{SELECTION}&demand=population"),
                "demand=population", "population table", "town,population", "ATLAS_POPULATION_FILE")


def upload(client, text: str | bytes, query: str = SELECTION):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(f"/api/coverage/demand?{query}", files={"file": ("demand.csv", data, "text/csv")})


BAD_UPLOADS = [
    ("x,y\n118.55,24.75\n", ("header", "lon", "lat", "x, y")),
    ("", ("header", "lon", "lat", "nothing")),
    ("lon,lat\n", ("no rows",)),
    ("lon,lat,weight\n118.55,24.75,1\n118.56,24.76,1\n118.57,abc,1\n", ("row 4", "numbers", "abc")),
    ("lon,lat,weight\n118.55,24.75,heavy\n", ("row 2", "weight", "heavy")),
    ("lon,lat,weight\n118.55,24.75,-1\n", ("row 2", "weight not negative")),
    ("lon,lat\n118.55,24.75\n24.76,118.56\n", ("row 3", "swapped")),
    ("lon,lat\n116.39,39.91\n", ("row 2", "not near Jinjiang")),
    ("lon,lat,crs\n118.55,24.75,utm\n", ("row 2", "crs", "gcj02")),
    ("lon,lat\n118.55,inf\n", ("row 2", "finite")),
]


@pytest.mark.parametrize("text,words", BAD_UPLOADS, ids=[f"upload{i}" for i in range(len(BAD_UPLOADS))])
def test_bad_demand_uploads_name_the_row(client, text, words):
    problem(upload(client, text), *words)


def test_a_non_utf8_upload_says_how_to_save_it(client):
    problem(upload(client, b"lon,lat\n\xff\xfe\xff\n"), "file", "UTF-8")


def test_a_demand_upload_needs_a_file(client):
    response = client.post(f"/api/coverage/demand?{SELECTION}")
    assert response.status_code == 400, response.text
    assert "file" in response.json()["detail"]


def test_a_good_demand_upload_answers_a_weighted_coverage_table(client):
    text = "\ufefflon,lat,weight\n118.5330,24.7660,2\n118.5585,24.7948,1\n118.53,24.88,1\n"
    response = upload(client, text)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["demand"]["kind"] == "points" and "3" in body["demand"]["source"]
    table = body["tables"][0]
    keys = [c["key"] for c in table["columns"]]
    assert {"demand", "demand_covered", "covered_pct"} <= set(keys)
    city = next(r for r in table["rows"] if r["unit_id"] == "city")
    assert city["demand"] == 4
    assert 0 <= city["demand_covered"] <= city["demand"]
    assert city["covered_pct"] == pytest.approx(100 * city["demand_covered"] / city["demand"], abs=0.1)
    # the far site alone is uncovered today (by the default radius); adding it there covers all
    assert city["demand_covered"] == 3
    what_if = upload(client, text, f"{SELECTION}&add={FAR_SITE}").json()
    city_after = next(r for r in what_if["tables"][0]["rows"] if r["unit_id"] == "city")
    assert city_after["covered_pct"] == 100 and city_after["change_pct"] == 25


def test_a_gb18030_upload_is_read(client):
    response = upload(client, "lon,lat,备注\n118.5330,24.7660,三创园\n".encode("gb18030"))
    assert response.status_code == 200, response.text


def test_coverage_json_answer(client):
    body = client.get(f"/api/coverage?{SELECTION}").json()
    assert body["query"]["radius_m"] == 3000 and body["facilities"] > 0
    names = [t["name"] for t in body["tables"]]
    assert names == ["coverage-3000m", "facilities"]
    rows = body["tables"][0]["rows"]
    assert {r["unit_kind"].split()[1] for r in rows} == {"City", "Town", "Zone", "Corridor"}
    city = next(r for r in rows if r["unit_id"] == "city")
    assert city["covered_pct"] == pytest.approx(body["city_covered_pct"], abs=0.05)
    for r in rows:
        assert 0 <= r["covered_pct"] <= 100
        assert r["covered_km2"] + r["gap_km2"] == pytest.approx(r["area_km2"], abs=0.01), r["unit_id"]
    assert "baseline_pct" not in rows[0]


def test_a_larger_radius_covers_more(client):
    pcts = [client.get(f"/api/coverage?{SELECTION}&radius_m={r}").json()["city_covered_pct"]
            for r in (1000, 3000, 5000)]
    assert pcts[0] < pcts[1] < pcts[2]
    sens = client.get(f"/api/coverage?{SELECTION}&radii=1000,3000,5000").json()
    table = next(t for t in sens["tables"] if t["name"] == "coverage-sensitivity")
    city = next(r for r in table["rows"] if r["unit_id"] == "city")
    assert [city[k] for k in ("pct_1000m", "pct_3000m", "pct_5000m")] == \
        [pytest.approx(p, abs=0.05) for p in pcts]


def test_the_what_if_answer_has_today_and_the_change(client):
    today = client.get(f"/api/coverage?{SELECTION}").json()
    body = client.get(f"/api/coverage?{SELECTION}&add={FAR_SITE}").json()
    table = body["tables"][0]
    keys = [c["key"] for c in table["columns"]]
    assert keys[-3:] == ["covered_pct", "baseline_pct", "change_pct"]
    assert body["city_baseline_pct"] == today["city_covered_pct"]
    assert body["city_covered_pct"] > body["city_baseline_pct"]
    for row, before in zip(table["rows"], today["tables"][0]["rows"]):
        assert row["unit_id"] == before["unit_id"]
        assert row["baseline_pct"] == before["covered_pct"]
        assert row["change_pct"] == pytest.approx(row["covered_pct"] - row["baseline_pct"], abs=0.11)
        assert row["change_pct"] >= 0
    facilities = body["tables"][-1]["rows"]
    assert sum(r["state"].endswith("added") for r in facilities) == 1
    assert body["facilities"] == today["facilities"] + 1


def test_closing_and_moving_a_facility(client):
    today = client.get(f"/api/coverage?{SELECTION}").json()
    fid = today["tables"][-1]["rows"][0]["id"]
    closed = client.get(f"/api/coverage?{SELECTION}&close={fid}").json()
    assert closed["facilities"] == today["facilities"] - 1
    assert closed["city_covered_pct"] <= closed["city_baseline_pct"] == today["city_covered_pct"]
    assert fid not in [r["id"] for r in closed["tables"][-1]["rows"]]
    moved = client.get(f"/api/coverage?{SELECTION}&move={fid}:{FAR_SITE}").json()
    assert moved["facilities"] == today["facilities"]
    row = next(r for r in moved["tables"][-1]["rows"] if r["id"] == fid)
    assert row["state"].endswith("moved")
    assert (row["lon"], row["lat"]) == pytest.approx((118.53, 24.88), abs=1e-5)


def test_where_next_suggests_sites_that_add_coverage(client):
    body = client.get(f"/api/coverage/next?{SELECTION}&p=2").json()
    assert body["status"] == "Optimal" and body["candidates"] > 100
    rows = body["tables"][0]["rows"]
    assert [r["rank"] for r in rows] == [1, 2]
    assert rows[0]["gain"] >= rows[1]["gain"] > 0
    assert body["covered_after"] > body["covered_before"]
    sites = client.get(f"/api/coverage/next?{SELECTION}&p=2&f=geojson").json()
    assert [f["properties"]["rank"] for f in sites["features"]] == [1, 2]


COVERAGE_URLS = [f"/api/coverage?{SELECTION}", f"/api/coverage?{SELECTION}&add={FAR_SITE}",
                 f"/api/coverage/next?{SELECTION}&p=2&candidate={FAR_SITE}&candidate=118.65,24.72",
                 "/api/coverage/industries?by=town",
                 "/api/coverage/targets", "/api/coverage/density", f"/api/coverage/zones?{SELECTION}"]


def bilingual(column: dict) -> str:
    return f"{column['label'][0]} {column['label'][1]}"


@pytest.mark.parametrize("url", COVERAGE_URLS)
def test_csv_download_has_a_bom_and_the_bilingual_header(client, url):
    columns = client.get(url).json()["tables"][0]["columns"]
    response = client.get(url + "&f=csv" if "?" in url else url + "?f=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment; filename=\"jinjiang-")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [bilingual(c) for c in columns]
    assert all(re.search(r"[\u4e00-\u9fff]", h) and re.search(r"[A-Za-z0-9]", h) for h in rows[0])


@pytest.mark.parametrize("url", COVERAGE_URLS)
def test_xlsx_download_opens_and_matches_the_json_columns(client, url):
    body = client.get(url).json()
    table = body["tables"][0]
    response = client.get(url + "&f=xlsx" if "?" in url else url + "?f=xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == f"{table['title'][0]} · {table['title'][1]}"
    assert list(values[1]) == [bilingual(c) for c in table["columns"]]
    data = values[2:2 + len(table["rows"])]
    keys = [c["key"] for c in table["columns"]]
    for cells, row in zip(data, table["rows"]):
        for key, cell in zip(keys, cells):
            expected = row[key]
            if isinstance(expected, (int, float)) and not isinstance(expected, bool):
                assert cell == pytest.approx(expected), key
            elif isinstance(expected, str) and expected[:1] not in "=+-@":
                assert (cell or "") == expected, key


def ogrinfo(path) -> str:
    done = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(path)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_geojson_layers_have_their_roles_and_open_in_gdal(client, tmp_path):
    url = f"/api/coverage?{SELECTION}&add={FAR_SITE}&f=geojson"
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    roles = [f["properties"]["role"] for f in body["features"]]
    assert roles[:4] == ["catchment", "gap", "overlap", "baseline_catchment"]
    facilities = [f for f in body["features"] if f["properties"]["role"] == "facility"]
    expected = client.get(f"/api/coverage?{SELECTION}&add={FAR_SITE}").json()["facilities"]
    assert len(facilities) == expected == len(roles) - 4
    assert sum(f["properties"]["state"] == "added" for f in facilities) == 1
    for f in body["features"]:
        assert f["geometry"]["type"] in ("Polygon", "MultiPolygon", "Point")
        for x, y in _coordinates(f["geometry"]["coordinates"]):
            assert 118.3 < x < 118.8 and 24.4 < y < 25.0
    path = tmp_path / "coverage.geojson"
    path.write_bytes(response.content)
    info = ogrinfo(path)
    assert f"Feature Count: {len(roles)}" in info
    assert "role: String" in info and "EPSG\",4326" in info.replace(" ", "")


def test_geojson_of_today_opens_in_gdal_from_stdin(client):
    response = client.get(f"/api/coverage?{SELECTION}&f=geojson")
    done = subprocess.run(["ogrinfo", "-ro", "-so", "-al", "/vsistdin/"], input=response.content,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    roles = [f["properties"]["role"] for f in response.json()["features"]]
    assert roles[:3] == ["catchment", "gap", "overlap"] and set(roles[3:]) == {"facility"}
    assert f"Feature Count: {len(roles)}".encode() in done.stdout


def test_every_geojson_feature_has_an_id(client):
    body = client.get(f"/api/coverage?{SELECTION}&f=geojson").json()
    ids = [f.get("id") for f in body["features"]]
    assert all(isinstance(i, (str, int)) for i in ids), ids[:4]
    assert len(set(ids)) == len(ids)


def _coordinates(coords):
    if coords and isinstance(coords[0], (int, float)):
        yield coords
    else:
        for part in coords:
            yield from _coordinates(part)


def test_target_counts_equal_their_lists(client):
    body = client.get("/api/coverage/targets").json()
    rows = body["tables"][0]["rows"]
    counted = {r["no"]: (r, links) for r, links in zip(rows, body["links"]) if links}
    assert sorted(counted) == list(COUNTED_TARGETS)
    for no, (row, links) in counted.items():
        for key in ("atlas_operating", "atlas_pending"):
            query = urlparse(links[key]).query
            listed = client.get(f"/api/entities?{query}").json()
            assert row[key] == listed["numberMatched"], (no, key, links[key])
        assert row["atlas_operating"] > 0
        names = [n for n in row["atlas_list"].split("、") if n]
        assert len(names) == row["atlas_operating"], no
        assert len(row["atlas_list_en"].split("; ")) == row["atlas_operating"], no
    for row in rows:
        if row["no"] not in counted:
            assert row["atlas_operating"] is None and "not countable" in row["atlas_note"]


def test_density_rows_are_consistent(client):
    rows = client.get("/api/coverage/density").json()["tables"][0]["rows"]
    city = next(r for r in rows if r["unit_id"] == "city")
    carriers = client.get("/api/entities?layer=platforms&layer=incubators&layer=parks").json()
    assert city["platforms"] + city["incubators"] + city["parks"] == sum(carriers["counts"]["kind"].values())
    for r in rows:
        for layer in ("platforms", "incubators", "parks"):
            expected = r[layer] / r["area_km2"] if r["area_km2"] else 0
            assert math.isclose(r[f"{layer}_per_km2"], round(expected, 3), abs_tol=1e-3), (r["unit_id"], layer)
