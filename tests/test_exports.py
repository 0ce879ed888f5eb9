"""Exports: every format holds exactly the entities the list shows for the same filters, reads
back in the tools people use (GDAL's ogr2ogr/ogrinfo, openpyxl, LibreOffice) with the Chinese
intact, and says what it holds in its name.

The GIS files are written by the GDAL bundled with pyogrio and read back here by the system's
GDAL (gdal-bin), a different build and version.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from lxml import etree, html
from openpyxl import load_workbook
from shapely.geometry import Point

from atlas.engine import Entity
from atlas.packed import pack
from atlas.exports import gis, office
from atlas.exports.records import COLUMNS, Records, records
from atlas.vocab import Layer
from atlas.web.exports import FORMATS

KML = "{http://www.opengis.net/kml/2.2}"
TODAY = dt.date.today().isoformat()
FILTERS = ["", "kind=university", "industry=integrated_circuits&status=planned",
           "zone=kechuang-new-zone", "q=scy", "town=jinjing&level=provincial"]
SEVERAL = ["layer=platforms&industry=integrated_circuits",
           "q=三创园&zone=kechuang-new-zone",
           "kind=university&kind=innovation_park&industry=integrated_circuits"]
"""Selections with several filters, each mixing what a format must handle (one layer, points and
polygons, a Chinese query)."""
ORDERED = ("xlsx", "csv", "geojson")
"""Formats that keep the list's order (the others group by layer or geometry type)."""


# ------------------------------------------------------------------ reading the files back
def listed(client, query: str) -> dict[str, str]:
    """id -> Chinese name of the entities the atlas list shows for ``query``, in list order."""
    features = client.get(f"/api/entities?{query}").json()["features"]
    return {f["id"]: f["properties"]["name_zh"] for f in features}


def ogr_layers(path: str) -> list[str]:
    """The layers the system's GDAL finds in ``path`` (ogrinfo)."""
    out = subprocess.run(["ogrinfo", "-ro", "-q", path], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"^\d+: (.+?)(?: \([^)]*\))?$", out, re.M)


def ogr_features(path: str, layer: str) -> list[dict]:
    """A layer of ``path`` as GeoJSON features, converted by the system's ogr2ogr."""
    out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", path, layer],
                         capture_output=True, check=True).stdout
    return json.loads(out)["features"]


def ogr_all(path: str) -> dict[str, list[dict]]:
    """Every layer with features (not the data dictionary) of ``path``."""
    return {layer: ogr_features(path, layer) for layer in ogr_layers(path)
            if layer != "data_dictionary"}


def xlsx_rows(body: bytes) -> tuple[list[str], list[tuple], list[tuple]]:
    """(header row, data rows, data dictionary rows) of an XLSX."""
    book = load_workbook(io.BytesIO(body))
    data, dictionary = book.worksheets
    rows = list(data.iter_rows(values_only=True))
    return list(rows[0]), rows[1:], list(dictionary.iter_rows(values_only=True))


def csv_rows(body: bytes) -> list[dict]:
    assert body.startswith("\ufeff".encode())  # a BOM, so Excel reads UTF-8 Chinese
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def id_names(fmt: str, body: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(id, Chinese name) of every entity in a download, read with the format's own tools."""
    if fmt == "xlsx":
        header, rows, _ = xlsx_rows(body)
        i, n = header.index("编号"), header.index("中文名称")
        return [(r[i], r[n]) for r in rows]
    if fmt == "csv":
        return [(r["编号"], r["中文名称"]) for r in csv_rows(body)]
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(body)
    source = f"/vsizip/{path}" if fmt == "shp.zip" else str(path)
    return [(f["properties"].get("id") or f["id"], f["properties"]["name_zh"])  # GeoJSON: a feature id
            for features in ogr_all(source).values() for f in features]


# ------------------------------------------------------------------ the same entities everywhere
@pytest.mark.parametrize("query", FILTERS)
def test_csv_and_geojson_match_the_list(client, query):
    ids = list(listed(client, query))
    response = client.get(f"/export.csv?{query}")
    assert response.headers["content-type"].startswith("text/csv")
    assert [r["编号"] for r in csv_rows(response.content)] == ids
    assert [r["id"] for r in csv_rows(client.get(f"/export.csv?{query}&columns=codes").content)] == ids
    exported = client.get(f"/export.geojson?{query}").json()
    assert [f["id"] for f in exported["features"]] == ids


@pytest.mark.parametrize("fmt", [f.ext for f in FORMATS])
@pytest.mark.parametrize("query", SEVERAL)
def test_every_format_holds_the_listed_entities_with_chinese_intact(client, tmp_path, fmt, query):
    expected = listed(client, query)
    assert expected, f"the selection {query} is empty: the test would prove nothing"
    response = client.get(f"/export.{fmt}?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        next(f.media_type for f in FORMATS if f.ext == fmt))
    found = id_names(fmt, response.content, tmp_path)
    if fmt in ORDERED:
        assert [i for i, _ in found] == list(expected)
    assert sorted(found) == sorted(expected.items())


@pytest.mark.parametrize("layer", list(Layer))
def test_whole_layers(client, tmp_path, layer):
    items = client.get(f"/ogc/collections/{layer.value}/items?limit=10000").json()["features"]
    expected = sorted((f["id"], f["properties"]["name_zh"]) for f in items)
    for fmt in ("xlsx", "gpkg", "shp.zip"):
        response = client.get(f"/export/{layer.value}.{fmt}")
        assert response.status_code == 200, response.text
        assert sorted(id_names(fmt, response.content, tmp_path)) == expected, fmt
    assert f'filename="jinjiang-atlas_{layer.value}_{TODAY}.shp.zip"' in \
        response.headers["content-disposition"]


def test_an_empty_selection_gives_valid_empty_files(client, tmp_path):
    for fmt in [f.ext for f in FORMATS]:
        response = client.get(f"/export.{fmt}?q=zzzzqqqq")
        assert response.status_code == 200, (fmt, response.text)
        assert id_names(fmt, response.content, tmp_path) == [], fmt


# ------------------------------------------------------------------ XLSX and CSV for people
def test_xlsx_has_readable_columns_and_a_data_dictionary(client):
    response = client.get("/export.xlsx?q=三创园")
    assert response.headers["content-type"] == office.XLSX_MEDIA_TYPE
    header, rows, dictionary = xlsx_rows(response.content)
    assert header[:8] == ["编号", "图层", "中文名称", "英文名称", "类型", "级别", "状态", "产业"]
    row = dict(zip(header, rows[0]))
    assert row["中文名称"] == "三创园" and row["类型"] == "科创园区" and row["级别"] == "晋江市级"
    assert "集成电路" in row["产业"].split("；") and "integrated_circuits" not in row["产业"]
    assert row["所在区"] == "科创新区" and row["镇街"] == "灵源街道" and row["图层"] == "园区与基地"
    assert row["位置精度"].startswith("示意位置：")  # the label, and what it means
    assert row["简介"].startswith("晋江市创意创业创新园")
    assert "晋江市人民政府办公室，2022-12-05" in row["资料来源"]
    assert row["详情页"] == "http://testserver/parks/sanchuang-park"
    assert isinstance(row["经度（WGS-84）"], float) and round(row["经度（WGS-84）"], 6) == row["经度（WGS-84）"]
    hosted = dict(zip(header, next(r for r in rows if r[0] == "sanchuang-incubator")))
    assert hosted["所属园区"] == "三创园"
    # the second sheet: one line per column (field name, Shapefile name, zh, en, meaning), notes
    assert dictionary[0][:4] == ("字段名（机器可读 CSV、GeoPackage）", "Shapefile 字段名", "中文表头", "英文表头")
    entries = [r for r in dictionary[1:len(COLUMNS) + 1]]
    assert [e[2] for e in entries] == header
    assert all(e[0] and e[1] and len(e[1]) <= 10 and e[3] and e[4] for e in entries)
    assert any("columns=codes" in (r[0] or "") for r in dictionary)
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert book.sheetnames == ["数据", "数据字典"]
    widths = {c: sheet.column_dimensions[c].width for c in ("A", "C", "I")}
    assert 6 <= widths["A"] < widths["I"] <= 60  # the description column is wider than the ids


def test_english_headers_and_labels(client):
    header, rows, dictionary = xlsx_rows(client.get("/export.xlsx?q=三创园&lang=en").content)
    assert header[:5] == ["ID", "Layer", "Chinese name", "English name", "Kind"]
    row = dict(zip(header, rows[0]))
    assert row["Kind"] == "Innovation park" and row["Zones"] == "Jinjiang S&T Innovation New Zone"
    assert row["Profile page"].endswith("/parks/sanchuang-park?lang=en")
    assert dictionary[0][0].startswith("Field name")
    body = client.get("/export.csv?q=三创园&lang=en").content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("ID,Layer,Chinese name,English name,Kind,Level,Status")


def test_libreoffice_reads_the_xlsx(client, tmp_path):
    expected = listed(client, "q=三创园")
    source = tmp_path / "export.xlsx"
    source.write_bytes(client.get("/export.xlsx?q=三创园").content)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", 'csv:Text - txt - csv (StarCalc):44,34,76',
                    "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=120)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "export.csv").read_text("utf-8"))))
    assert [(r["编号"], r["中文名称"]) for r in rows] == list(expected.items())
    assert rows[0]["类型"] == "科创园区"


def test_machine_csv_has_stable_names_and_codes(client):
    rows = csv_rows(client.get("/export.csv?q=三创园&columns=codes").content)
    assert list(rows[0]) == [c.key for c in COLUMNS]
    park = rows[0]
    assert (park["kind"], park["level"], park["layer"], park["zones"], park["town"]) == \
        ("innovation_park", "jinjiang", "parks", "kechuang-new-zone", "lingyuan")
    assert "integrated_circuits" in park["industries"].split(";")
    # the zone and town buckets are the filters' values: each lists the rows that carry it
    unknown = csv_rows(client.get("/export.csv?columns=codes&zone=unknown").content)
    assert unknown and all(r["zones"] == "unknown" and r["town"] == "unknown" for r in unknown)
    parameters = client.get("/openapi.json").json()["paths"]["/export.csv"]["get"]["parameters"]
    columns = next(p for p in parameters if p["name"] == "columns")
    assert "codes" in columns["description"] and "lists joined by `;`" in columns["description"]


def test_spreadsheet_cells_never_run_formulas():
    row = ("=HYPERLINK(1)", *([None] * (len(COLUMNS) - 1)))
    rec = Records("zh", False, [], [row])
    assert csv_rows(office.write_csv(rec))[0]["编号"] == "'=HYPERLINK(1)"
    cell = load_workbook(io.BytesIO(office.write_xlsx(rec, []))).worksheets[0]["A2"]
    assert cell.value == "'=HYPERLINK(1)" and cell.data_type == "s"


# ------------------------------------------------------------------ Shapefile
def test_shapefile_round_trips_with_only_the_documented_cut(client, tmp_path):
    readable = {r["编号"]: r for r in csv_rows(client.get("/export.csv").content)}
    archive = tmp_path / "export.shp.zip"
    archive.write_bytes(client.get("/export.shp.zip").content)
    names = zipfile.ZipFile(archive).namelist()
    stem = f"jinjiang-atlas_all_{TODAY}"
    assert {f"{stem}_points.cpg", f"{stem}_polygons.cpg", f"{stem}_long_texts.csv",
            "data_dictionary.csv", "README.txt"} <= set(names)
    assert zipfile.ZipFile(archive).read(f"{stem}_points.cpg").strip() == b"UTF-8"
    side = list(csv.DictReader(io.StringIO(
        zipfile.ZipFile(archive).read(f"{stem}_long_texts.csv").decode("utf-8-sig"))))
    long_texts = {(r["id"], r["field"]): r["text"] for r in side}
    header_of = {c.shp: c.heading("zh") for c in COLUMNS}
    layers = ogr_all(f"/vsizip/{archive}")
    assert sorted(layers) == [f"{stem}_points", f"{stem}_polygons"]
    assert len(readable) == sum(len(f) for f in layers.values())
    cut = 0
    for features in layers.values():
        for feature in features:
            props = feature["properties"]
            assert set(props) == set(header_of) and all(len(name) <= 10 for name in props)
            original = readable[props["id"]]
            for name, value in props.items():
                want = original[header_of[name]]
                if isinstance(value, (int, float)):  # lon/lat and the facts' numbers
                    assert value == pytest.approx(float(want), abs=1e-9), (props["id"], name)
                elif (props["id"], name) in long_texts:
                    cut += 1
                    assert long_texts[props["id"], name] == want
                    assert value.endswith("…") and want.startswith(value[:-1])
                    assert len(value.encode("utf-8")) <= 254
                else:
                    assert (value or "") == want, (props["id"], name)
    assert cut >= 10  # the shipped descriptions include texts longer than a dBASE field


def test_fit_text_cuts_at_a_character_and_marks_the_cut():
    assert gis.fit_text("短" * 84) == "短" * 84  # 252 bytes fit
    fitted = gis.fit_text("长" * 100)
    assert fitted == "长" * 83 + "…" and len(fitted.encode("utf-8")) == 252


# ------------------------------------------------------------------ KML and KMZ
def placemarks(kml: bytes) -> list[etree._Element]:
    return etree.fromstring(kml).findall(f".//{KML}Placemark")


def test_kml_placemarks_are_named_styled_and_linked(client, tmp_path):
    expected = listed(client, "q=三创园")
    body = client.get("/export.kml?q=三创园").content
    marks = placemarks(body)
    assert len(marks) == len(expected)
    styles = {s.get("id"): s for s in etree.fromstring(body).iter(f"{KML}Style")}
    park = next(m for m in marks if m.findtext(f"{KML}name").startswith("三创园（"))
    assert park.findtext(f"{KML}name") == \
        "三创园（Jinjiang Sanchuang Park (Creativity, Entrepreneurship, Innovation)）"
    assert styles[park.findtext(f"{KML}styleUrl").lstrip("#")].find(f"{KML}PolyStyle") is not None
    point = next(m for m in marks if m.find(f"{KML}Point") is not None)
    assert styles[point.findtext(f"{KML}styleUrl").lstrip("#")].find(f"{KML}IconStyle") is not None
    page = html.fromstring(park.findtext(f"{KML}description"))
    assert page.xpath("//a/@href") == ["http://testserver/parks/sanchuang-park"]
    assert "科创新区" in page.text_content()
    english = placemarks(client.get("/export.kml?q=三创园&lang=en").content)
    assert any(m.findtext(f"{KML}name") ==
               "Jinjiang Sanchuang Park (Creativity, Entrepreneurship, Innovation) (三创园)"
               for m in english)
    # GDAL reads the names and the ids, from the KML and from the KMZ
    kmz = tmp_path / "export.kmz"
    kmz.write_bytes(client.get("/export.kmz?q=三创园").content)
    assert zipfile.ZipFile(kmz).namelist() == ["doc.kml"]
    features = [f for fs in ogr_all(str(kmz)).values() for f in fs]
    names = {f["properties"]["id"]: f["properties"]["Name"] for f in features}
    assert names.keys() == expected.keys()
    assert all(names[i].startswith(expected[i]) for i in expected)


def test_kml_escapes_text_from_the_data(app):
    atlas = app.state.live.current()
    real = atlas.entity("sanchuang-incubator")
    evil = '<![CDATA[</name>]]><b>&amp; "x"</b>'
    props = {**real.props, "name_zh": evil, "name_en": "]]> & <i>",
             "description_zh": "<script>alert(1)</script>"}
    entity = Entity("evil-id", Layer.incubators, pack(Layer.incubators, props), Point(118.53, 24.76),
                    real.member)
    rec = records(atlas, [entity], "zh", lambda e: 'http://x/"><script>')
    mark = placemarks(gis.kml(rec, "<title>").encode("utf-8"))[0]
    assert mark.findtext(f"{KML}name") == f"{evil}（]]> & <i>）"
    description = mark.findtext(f"{KML}description")
    assert "<script>" not in description and "&lt;script&gt;alert(1)" in description
    assert html.fromstring(description).xpath("//a/@href") == ['http://x/"><script>']


# ------------------------------------------------------------------ names, parameters, the page
def test_filenames_say_what_they_hold(client):
    def disposition(url: str) -> str:
        response = client.get(url)
        assert response.status_code == 200, response.text
        return response.headers["content-disposition"]

    name = f"jinjiang-atlas_platforms_industry-integrated_circuits_{TODAY}.xlsx"
    assert disposition("/export.xlsx?layer=platforms&industry=integrated_circuits") == \
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    chinese = disposition("/export.csv?q=三创园&zone=kechuang-new-zone&lang=en&columns=codes")
    full = f"jinjiang-atlas_all_zone-kechuang-new-zone_q-三创园_en_codes_{TODAY}.csv"
    assert f"filename*=UTF-8''{quote(full)}" in chinese
    assert f'filename="{full.replace("三创园", "sanchuangyuan")}"' in chinese
    assert f'filename="jinjiang-atlas_all_{TODAY}.gpkg"' in disposition("/export.gpkg")
    assert f'filename="jinjiang-atlas_parks+incubators_kind-university+innovation_park_{TODAY}.kmz"' \
        in disposition("/export.kmz?layer=parks&layer=incubators&kind=university&kind=innovation_park")
    odd = disposition('/export.csv?q=a/b"c')
    assert f'filename="jinjiang-atlas_all_q-a-b-c_{TODAY}.csv"' in odd


@pytest.mark.parametrize("path", [f"/export.{f.ext}" for f in FORMATS] +
                         [f"/export/towns.{f.ext}" for f in FORMATS])
def test_unknown_parameters_and_bad_values_are_400_with_a_message(client, path):
    response = client.get(f"{path}?bogus=1")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "bogus" in detail and "lang" in detail
    assert client.get(f"{path}?lang=fr").status_code == 400
    if not path.endswith(".csv"):
        assert "columns" in client.get(f"{path}?columns=codes").json()["detail"]


def test_bad_filter_values_are_400_with_a_message(client):
    for url, words in (("/export.csv?kind=spaceport", "kind"), ("/export.kml?zone=atlantis", "zone"),
                       ("/export.csv?columns=xml", "columns"), ("/export/roads.gpkg", "layer"),
                       ("/export.xlsx?q=" + "x" * 101, "q")):
        response = client.get(url)
        assert response.status_code == 400, url
        assert words in response.json()["detail"], url


def test_the_atlas_page_offers_every_format_with_the_filters(client):
    for lang in ("zh", "en"):
        page = html.fromstring(client.get(f"/?lang={lang}").text)
        links = page.xpath("//details[@id='export-menu']//a[@data-export]")
        assert [a.get("data-export") for a in links] == [f.ext for f in FORMATS]
        assert all(a.get("href") == f"/export.{a.get('data-export')}?lang={lang}" and
                   a.text_content().strip() for a in links)
    script = Path("static/js/atlas-page.js").read_text(encoding="utf-8")
    assert '"/export." + a.getAttribute("data-export") + "?" + linkQuery' in script


def test_unknown_paths_are_html_for_people_and_problem_json_for_programs(client):
    html_accept = {"accept": "text/html"}
    assert client.get("/api/nearst?lon=1", headers=html_accept).headers["content-type"] == "application/problem+json"
    assert client.get("/ogc/collection", headers=html_accept).headers["content-type"] == "application/problem+json"
    page = client.get("/no/such-page?lang=en", headers=html_accept)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    wrong_layer = client.get("/parks/clfi-jinjiang", headers=html_accept)  # a platform id under /parks
    assert wrong_layer.status_code == 404 and "text/html" in wrong_layer.headers["content-type"]
