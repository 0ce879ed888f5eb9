"""Imports (``POST /api/import``, ``/edit/import``): every format adds and changes the right
records, coordinates arrive in WGS-84 from GCJ-02 and projected CRSs, broken rows are each
rejected with their row and reason while nothing changes, and a clean apply is one commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from pyproj import Geod
from shapely.geometry import Point, Polygon, box, shape

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.crs import from_wgs84
from atlas.snapshot import folder as snapshots_folder
from atlas.storage.geojson import GeoJSONStorage
from atlas.web import import_api
from atlas.web.app import create_app

GEOD = Geod(ellps="WGS84")
PASSWORD = "a-long-password"

CITATION = {"citation_publisher_zh": "晋江市科技局", "citation_publisher_en": "Jinjiang S&T Bureau",
            "citation_title_zh": "孵化器名单", "citation_title_en": "List of incubators",
            "citation_date": "2026-03-01", "citation_url": "https://example.org/list"}
INSIDE = [(118.55, 24.78), (118.56, 24.79), (118.54, 24.80), (118.52, 24.77)]
"""Points well inside Jinjiang."""


def record(fid: str, lon: float | None = None, lat: float | None = None, **extra) -> dict:
    """A complete new incubator row (address precision: no position note needed)."""
    row = {"id": fid, "name_zh": f"测试孵化器{fid[-1]}", "name_en": f"Test incubator {fid[-1]}",
           "kind": "incubator", "status": "operating", "precision": "address",
           "as_of": "2026-03-01", "industries": "ai;data", **CITATION}
    if lon is not None:
        row.update(lon=lon, lat=lat)
    row.update(extra)
    return row


def csv_bytes(rows: list[dict], encoding: str = "utf-8") -> bytes:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def park_props(fid: str, **extra) -> dict:
    return {"id": fid, "name_zh": f"测试园区{fid[-1]}", "name_en": f"Test park {fid[-1]}",
            "kind": "industrial_park", "status": "planned", "precision": "address",
            "as_of": "2026-03-01", **extra}


def square(lon: float, lat: float, half: float = 0.002) -> Polygon:
    return box(lon - half, lat - half, lon + half, lat + half)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


@pytest.fixture
def importing(data_copy: Path, tmp_path: Path):
    """(client with an editor's bearer token, app, data folder) on a copy of the data."""
    users = tmp_path / "users.json"
    store = UserStore(users)
    store.add("ed", "editor", PASSWORD)
    token = store.issue_token("ed")
    app = create_app(Settings(data_dir=data_copy, tiles="none", users_file=users,
                              secret_key="test-secret"))
    if not any(getattr(r, "path", None) == "/api/import" for r in iter_route_contexts(app.routes)):
        app.include_router(import_api.router)  # until app.py includes it: before /edit/{id}
        app.router.routes.insert(0, app.router.routes.pop())
    client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client, app, data_copy


def upload(client: TestClient, name: str, data: bytes, layer: str = "incubators",
           mode: str = "dry-run", **params):
    return client.post("/api/import", params={"layer": layer, "mode": mode, **params},
                       files={"file": (name, data)})


def stored(folder: Path, layer: str) -> dict[str, dict]:
    features = json.loads((folder / f"{layer}.geojson").read_text(encoding="utf-8"))["features"]
    return {f["id"]: f for f in features}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of the data folder (layers and history) byte for byte; not the server's
    caches (``.atlas/snapshots``: written in the background as it loads and warms)."""
    caches = snapshots_folder(Settings(data_dir=folder))
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "lock" and caches not in p.parents}


def commits(folder: Path) -> list:
    return GeoJSONStorage(folder).history()


def apply_clean(client, name, data, layer="incubators", **params) -> dict:
    """Dry run (nothing rejected, nothing written), then apply; returns the apply report."""
    folder = client.app.state.settings.data_dir
    before = snapshot(folder)
    dry = upload(client, name, data, layer, **params)
    assert dry.status_code == 200, dry.text
    assert dry.json()["rejected"] == [] and dry.json()["applied"] is False
    assert snapshot(folder) == before, "a dry run wrote something"
    done = upload(client, name, data, layer, mode="apply", **params)
    assert done.status_code == 200, done.text
    report = done.json()
    assert report["applied"] is True and report["commit"] == len(commits(folder))
    assert {k: report[k] for k in ("added", "changed", "unchanged")} == \
        {k: dry.json()[k] for k in ("added", "changed", "unchanged")}
    return report


# ---------------------------------------------------------------------------------- formats
def test_csv_adds_and_updates_keeping_what_the_row_leaves_empty(importing):
    client, _, folder = importing
    old = stored(folder, "incubators")["sanchuang-incubator"]
    rows = [record("imp-csv-1", *INSIDE[0]),
            {"id": "sanchuang-incubator", "name_en": "Sanchuang Incubator (renamed)",
             "industries": "ai；graphene"}]
    report = apply_clean(client, "colleague.csv", csv_bytes(rows, "utf-8-sig"))  # Excel's BOM
    assert report["added"] == ["imp-csv-1"] and report["changed"] == ["sanchuang-incubator"]
    after = stored(folder, "incubators")
    new = after["imp-csv-1"]
    assert new["geometry"] == {"type": "Point", "coordinates": [118.55, 24.78]}
    assert new["properties"]["industries"] == ["ai", "data"]
    assert new["properties"]["citations"] == [{
        "publisher_zh": "晋江市科技局", "publisher_en": "Jinjiang S&T Bureau",
        "title_zh": "孵化器名单", "title_en": "List of incubators", "date": "2026-03-01",
        "url": "https://example.org/list"}]
    changed = after["sanchuang-incubator"]
    assert changed["properties"]["name_en"] == "Sanchuang Incubator (renamed)"
    assert changed["properties"]["industries"] == ["ai", "graphene"]
    assert changed["geometry"] == old["geometry"]  # no lon/lat in the row: position kept
    assert changed["properties"]["citations"] == old["properties"]["citations"]  # none given: kept
    untouched = {k: v for k, v in old["properties"].items() if k not in ("name_en", "industries")}
    assert {k: changed["properties"][k] for k in untouched} == untouched
    [commit] = commits(folder)
    assert commit.message == "import colleague.csv: 1 added, 1 changed" and commit.author == "ed"


def test_a_row_citation_replaces_the_records_citations(importing):
    client, _, folder = importing
    row = {"id": "sanchuang-incubator", **CITATION}
    report = apply_clean(client, "sources.csv", csv_bytes([row]))
    assert report["changed"] == ["sanchuang-incubator"]
    cites = stored(folder, "incubators")["sanchuang-incubator"]["properties"]["citations"]
    assert [c["publisher_en"] for c in cites] == ["Jinjiang S&T Bureau"]


def test_xlsx_with_numbers_and_dates_in_cells(importing):
    client, _, folder = importing
    book = openpyxl.Workbook()
    sheet = book.active
    columns = ["id", "name_zh", "name_en", "kind", "status", "precision", "as_of", "lon", "lat",
               "size_m2", "citation_publisher_zh", "citation_publisher_en", "citation_date"]
    sheet.append(columns)
    sheet.append(["imp-xlsx-1", "表格孵化器", "Sheet incubator", "maker_space", "operating",
                  "address", dt.date(2026, 2, 1), INSIDE[1][0], INSIDE[1][1], 1200,
                  "晋江经济报", "Jinjiang Economic News", 2025])
    sheet.append([])  # a blank row in the middle: skipped, but it still counts
    sheet.append(["sanchuang-incubator", None, None, None, "planned"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = apply_clean(client, "sheet.xlsx", buffer.getvalue())
    assert report["added"] == ["imp-xlsx-1"] and report["changed"] == ["sanchuang-incubator"]
    new = stored(folder, "incubators")["imp-xlsx-1"]["properties"]
    assert new["as_of"] == "2026-02-01" and new["size_m2"] == 1200.0
    assert new["citations"][0]["date"] == "2025" and new["kind"] == "maker_space"
    assert stored(folder, "incubators")["sanchuang-incubator"]["properties"]["status"] == "planned"


def test_xlsx_rows_are_numbered_as_in_excel(importing):
    client, _, _ = importing
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "name_zh", "kind"])
    sheet.append(["sanchuang-incubator", "三创园科技企业孵化器"])
    sheet.append([])
    sheet.append(["sanchuang-incubator", None, "bogus"])
    buffer = io.BytesIO()
    book.save(buffer)
    rejected = upload(client, "rows.xlsx", buffer.getvalue()).json()["rejected"]
    assert [r["row"] for r in rejected] == [2, 4]


def test_geojson_with_lists_and_citation_objects(importing):
    client, _, folder = importing
    props = {"id": "imp-geojson-1", "name_zh": "地理孵化器", "name_en": "GeoJSON incubator",
             "kind": "accelerator", "status": "under_construction", "precision": "street",
             "as_of": "2026-01-15", "industries": ["ai", "marine"],
             "citations": [{"publisher_zh": "泉州晚报", "publisher_en": "Quanzhou Evening News",
                            "date": "2024-05"}]}
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "imp-geojson-1", "properties": props,
         "geometry": {"type": "Point", "coordinates": list(INSIDE[2])}},
        {"type": "Feature", "properties": {"id": "sanchuang-incubator", "level": "provincial"},
         "geometry": None}]}
    report = apply_clean(client, "bureau.geojson", json.dumps(fc, ensure_ascii=False).encode())
    assert report["added"] == ["imp-geojson-1"] and report["changed"] == ["sanchuang-incubator"]
    after = stored(folder, "incubators")
    assert after["imp-geojson-1"]["properties"]["industries"] == ["ai", "marine"]
    assert after["imp-geojson-1"]["properties"]["citations"][0]["date"] == "2024-05"
    assert after["sanchuang-incubator"]["properties"]["level"] == "provincial"


def test_geopackage_in_web_mercator_is_reprojected(importing, tmp_path):
    client, _, folder = importing
    frame = gpd.GeoDataFrame([record("imp-gpkg-1"), record("imp-gpkg-2")],
                             geometry=[Point(INSIDE[0]), Point(INSIDE[3])], crs="EPSG:4326")
    frame = frame.drop(columns=["industries"]).to_crs("EPSG:3857")
    path = tmp_path / "points.gpkg"
    frame.to_file(path, layer="incubators", driver="GPKG")
    report = apply_clean(client, "points.gpkg", path.read_bytes())
    assert sorted(report["added"]) == ["imp-gpkg-1", "imp-gpkg-2"]
    after = stored(folder, "incubators")
    for fid, truth in (("imp-gpkg-1", INSIDE[0]), ("imp-gpkg-2", INSIDE[3])):
        assert metres(tuple(after[fid]["geometry"]["coordinates"]), truth) < 0.05


def test_zipped_shapefile_in_utm_with_short_field_names(importing, tmp_path):
    client, _, folder = importing
    rows = [{"id": "imp-shp-1", "name_zh": "测试园区1", "name_en": "Test park 1",
             "kind": "innovation_park", "status": "planned", "precision": "approximate",
             "as_of": "2026-03-01", "posnote_zh": "按规划图示意。", "posnote_en": "Sketched from the plan map.",
             "desc_en": "A park from the planning bureau.", "cit_pub_zh": "晋江市自然资源局",
             "cit_pub_en": "Jinjiang Natural Resources Bureau", "cit_date": "2025-12"}]
    outline = square(*INSIDE[1])
    frame = gpd.GeoDataFrame(rows, geometry=[outline], crs="EPSG:4326").to_crs("EPSG:32650")
    frame.to_file(tmp_path / "parks.shp", encoding="utf-8")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("parks.*"):
            zf.write(part, f"export/{part.name}")
    report = apply_clean(client, "parks.zip", archive.getvalue(), layer="parks")
    assert report["added"] == ["imp-shp-1"]
    park = stored(folder, "parks")["imp-shp-1"]
    got = shape(park["geometry"])
    assert got.exterior.is_ccw  # a Shapefile's clockwise ring, turned as RFC 7946 wants
    assert shapely.hausdorff_distance(got, outline) < 1e-6
    props = park["properties"]
    assert props["description_en"] == "A park from the planning bureau."
    assert props["position_note_zh"] == "按规划图示意。"
    assert props["citations"][0]["publisher_en"] == "Jinjiang Natural Resources Bureau"


def test_shapefile_without_prj_needs_crs(importing, tmp_path):
    client, _, _ = importing
    frame = gpd.GeoDataFrame([record("imp-noprj-1")], geometry=[Point(INSIDE[0])],
                             crs="EPSG:4326").to_crs("EPSG:32650").drop(columns=list(CITATION))
    frame.to_file(tmp_path / "noprj.shp")
    (tmp_path / "noprj.prj").unlink()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("noprj.*"):
            zf.write(part, part.name)
    refused = upload(client, "noprj.zip", archive.getvalue())
    assert refused.status_code == 422 and "declares no coordinate system" in refused.json()["detail"]
    given = upload(client, "noprj.zip", archive.getvalue(), crs="EPSG:32650")
    assert given.status_code == 200
    assert [r["reason"] for r in given.json()["rejected"]] == ["citations: required (empty or no such column)"]


def test_kml_written_by_gdal(importing, tmp_path):
    client, _, folder = importing
    row = record("imp-kml-1")
    frame = gpd.GeoDataFrame([row], geometry=[Point(INSIDE[3])], crs="EPSG:4326")
    path = tmp_path / "places.kml"
    frame.to_file(path, driver="KML")
    report = apply_clean(client, "places.kml", path.read_bytes())
    assert report["added"] == ["imp-kml-1"]
    new = stored(folder, "incubators")["imp-kml-1"]
    assert new["geometry"]["coordinates"] == list(INSIDE[3])
    assert new["properties"]["name_zh"] == "测试孵化器1"
    assert new["properties"]["industries"] == ["ai", "data"]


# ---------------------------------------------------------------------------------- datums
def test_gcj02_csv_lands_within_5_m_of_the_wgs84_truth(importing):
    client, _, folder = importing
    truth = {"imp-gcj-1": INSIDE[0], "imp-gcj-2": INSIDE[1], "imp-bd-1": INSIDE[2]}
    rows = [record("imp-gcj-1", *from_wgs84(*truth["imp-gcj-1"], "gcj02")),  # crs= for the file
            record("imp-gcj-2", *from_wgs84(*truth["imp-gcj-2"], "gcj02"), crs="gcj02"),
            record("imp-bd-1", *from_wgs84(*truth["imp-bd-1"], "bd09"), crs="BD09")]  # per row
    shifted = metres(tuple(map(float, (rows[0]["lon"], rows[0]["lat"]))), truth["imp-gcj-1"])
    assert shifted > 100  # the GCJ-02 offset in Jinjiang is hundreds of metres
    apply_clean(client, "amap.csv", csv_bytes(rows), crs="gcj02")
    after = stored(folder, "incubators")
    for fid, point in truth.items():
        assert metres(tuple(after[fid]["geometry"]["coordinates"]), point) < 5, fid


def test_wkt_polygon_from_a_table(importing):
    client, _, folder = importing
    outline = square(*INSIDE[3])
    row = {**park_props("imp-wkt-1"), **CITATION, "wkt": outline.wkt}
    report = apply_clean(client, "parks.csv", csv_bytes([row]), layer="parks")
    assert report["added"] == ["imp-wkt-1"]
    got = shape(stored(folder, "parks")["imp-wkt-1"]["geometry"])
    assert shapely.hausdorff_distance(got, outline) < 1e-6 and got.exterior.is_ccw


# ---------------------------------------------------------------------------------- refusals
BOWTIE = "POLYGON ((118.55 24.78, 118.556 24.786, 118.556 24.78, 118.55 24.786, 118.55 24.78))"


def broken_parks_csv() -> bytes:
    good = square(*INSIDE[0]).wkt
    rows = [
        {**park_props("imp-ok-1"), **CITATION, "wkt": good},                        # row 2
        {**park_props("imp-bad-wkt"), **CITATION, "wkt": "POLYGON ((118.55 abc))"},  # row 3
        {**park_props("imp-far"), **CITATION, "wkt": square(120.5, 24.78).wkt},     # row 4
        {**park_props("imp-kind", kind="spaceport"), **CITATION, "wkt": good},      # row 5
        {**park_props("imp-twice"), **CITATION, "wkt": square(*INSIDE[1]).wkt},     # row 6
        {**park_props("imp-twice"), **CITATION, "wkt": square(*INSIDE[2]).wkt},     # row 7
        {**park_props("imp-bowtie"), **CITATION, "wkt": BOWTIE},                    # row 8
        {**park_props("imp-noname", name_zh=""), **CITATION, "wkt": good},          # row 9
        {**park_props("imp-gbk", name_zh="@GBK@"), **CITATION, "wkt": good},        # row 10
    ]
    return csv_bytes(rows).replace(b"@GBK@", "国标园区".encode("gbk"))


EXPECTED_REJECTIONS = [
    (3, "imp-bad-wkt", "wkt: not well-known text"),
    (4, "imp-far", "lies outside Jinjiang"),
    (5, "imp-kind", "kind: 'spaceport' is not a known value"),
    (6, "imp-twice", "given more than once in the file (also row 7)"),
    (7, "imp-twice", "given more than once in the file (also row 6)"),
    (8, "imp-bowtie", "invalid geometry: Self-intersection"),
    (9, "imp-noname", "name_zh: required"),
    (10, "imp-gbk", "encoding: this row is not valid UTF-8 text"),
]


def test_broken_rows_are_each_rejected_with_row_and_reason_and_nothing_changes(importing):
    client, _, folder = importing
    before = snapshot(folder)
    data = broken_parks_csv()
    dry = upload(client, "broken.csv", data, layer="parks")
    assert dry.status_code == 200
    report = dry.json()
    got = [(r["row"], r["id"], r["reason"]) for r in report["rejected"]]
    assert [(row, fid) for row, fid, _ in got] == [(row, fid) for row, fid, _ in EXPECTED_REJECTIONS]
    for (_, _, reason), (_, _, expected) in zip(got, EXPECTED_REJECTIONS):
        assert expected in reason, (reason, expected)
    assert "GBK" in got[-1][2] and "encoding=gbk" in got[-1][2]
    assert report["added"] == ["imp-ok-1"] and report["applied"] is False
    assert report["rows"] == 9

    refused = upload(client, "broken.csv", data, layer="parks", mode="apply")
    assert refused.status_code == 409
    assert refused.json()["rejected"] == report["rejected"] and refused.json()["applied"] is False
    assert refused.json()["commit"] is None
    assert snapshot(folder) == before  # byte-identical layers, no history
    assert commits(folder) == []
    assert client.get("/api/entities?layer=parks").json()["numberMatched"] == \
        len(stored(folder, "parks"))


def test_a_gbk_file_is_refused_row_by_row_or_read_with_encoding_gbk(importing):
    client, _, folder = importing
    data = csv_bytes([record("imp-gbk-1", *INSIDE[0]), record("imp-gbk-2", *INSIDE[1])], "gbk")
    refused = upload(client, "excel-cn.csv", data).json()
    assert [(r["row"], r["id"]) for r in refused["rejected"]] == [(2, "imp-gbk-1"), (3, "imp-gbk-2")]
    assert all("not valid UTF-8" in r["reason"] for r in refused["rejected"])
    report = apply_clean(client, "excel-cn.csv", data, encoding="gbk")
    assert report["added"] == ["imp-gbk-1", "imp-gbk-2"]
    assert stored(folder, "incubators")["imp-gbk-1"]["properties"]["citations"][0][
        "publisher_zh"] == "晋江市科技局"


def test_an_id_of_another_layer_and_a_wrong_kind_for_the_layer(importing):
    client, _, _ = importing
    rows = [{"id": "finance-plaza", "name_en": "Finance Plaza"},
            record("imp-wrongkind", *INSIDE[0], kind="university")]
    rejected = upload(client, "mixed.csv", csv_bytes(rows)).json()["rejected"]
    assert rejected[0]["row"] == 2 and "layer parks, not incubators" in rejected[0]["reason"]
    assert rejected[1]["row"] == 3 and "does not belong in this layer" in rejected[1]["reason"]


def test_rows_like_the_stored_records_are_unchanged_and_apply_writes_nothing(importing):
    client, _, folder = importing
    old = stored(folder, "incubators")["sanchuang-incubator"]
    lon, lat = old["geometry"]["coordinates"]
    row = {"id": "sanchuang-incubator", "name_zh": old["properties"]["name_zh"], "lon": lon, "lat": lat}
    before = snapshot(folder)
    answer = upload(client, "same.csv", csv_bytes([row]), mode="apply")
    assert answer.status_code == 200
    assert answer.json()["unchanged"] == ["sanchuang-incubator"] and answer.json()["applied"] is False
    assert snapshot(folder) == before


def test_whole_file_problems(importing):
    client, _, _ = importing
    assert upload(client, "old.xls", b"x").status_code == 415
    assert upload(client, "parks.shp", b"x").status_code == 415
    no_id = upload(client, "a.csv", b"name_zh,name_en\nx,y\n")
    assert no_id.status_code == 422 and "no id column" in no_id.json()["detail"]
    assert upload(client, "a.csv", b"id\nx\n", crs="EPSG:4326").status_code == 400
    assert upload(client, "a.csv", b"id\nx\n", encoding="latin-9").status_code == 400
    assert upload(client, "bad.xlsx", b"not a workbook").status_code == 422
    assert upload(client, "bad.gpkg", b"not a geopackage").status_code == 422
    assert upload(client, "bad.zip", b"not a zip").status_code == 422
    huge = upload(client, "huge.csv", b"id\n" + b"x" * (20 * 1024 * 1024))
    assert huge.status_code == 413
    assert client.post("/api/import?layer=parks").status_code == 400  # no file
    assert client.post("/api/import?layer=parks&oops=1", files={"file": ("a.csv", b"id\n")}
                       ).status_code == 400


def test_only_editors_import(importing):
    _, app, _ = importing
    anonymous = TestClient(app, raise_server_exceptions=False)
    answer = anonymous.post("/api/import?layer=incubators",
                            files={"file": ("a.csv", csv_bytes([record("imp-anon-1", *INSIDE[0])]))})
    assert answer.status_code == 401
    assert anonymous.get("/edit/import", follow_redirects=False).status_code == 303


# ---------------------------------------------------------------------------------- page
def test_the_import_page_for_a_logged_in_editor(importing):
    _, app, _ = importing
    browser = TestClient(app, raise_server_exceptions=False)
    form = browser.get("/login").text
    token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    browser.post("/login", data={"name": "ed", "password": PASSWORD, "csrf_token": token,
                                 "next": "/edit/import"}, follow_redirects=False)
    page = browser.get("/edit/import?lang=en")
    assert page.status_code == 200
    html = page.text
    for needle in ('type="file"', 'id="import-layer"', 'id="import-crs"', "Check", "Import",
                   'name="csrf-token"', "/static/atlas/js/import.js"):
        assert needle in html, needle
    assert browser.get("/static/atlas/js/import.js").status_code == 200
    csrf = html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    data = csv_bytes([record("imp-page-1", *INSIDE[0])])
    without = browser.post("/api/import?layer=incubators", files={"file": ("a.csv", data)})
    assert without.status_code == 403  # a session write needs the CSRF header
    with_token = browser.post("/api/import?layer=incubators", files={"file": ("a.csv", data)},
                              headers={"X-CSRF-Token": csrf})
    assert with_token.status_code == 200 and with_token.json()["added"] == ["imp-page-1"]
