"""Exports hold exactly the entities the list shows for the same filters."""

from __future__ import annotations

import csv
import io

import pytest

FILTERS = ["", "kind=university", "industry=integrated_circuits&status=planned",
           "zone=kechuang-new-zone", "q=scy", "town=jinjing&level=provincial"]


@pytest.mark.parametrize("query", FILTERS)
def test_csv_and_geojson_match_the_list(client, query):
    listed = [f["id"] for f in client.get(f"/api/entities?{query}").json()["features"]]
    response = client.get(f"/export.csv?{query}")
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # BOM so Excel reads UTF-8 Chinese
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == listed
    exported = client.get(f"/export.geojson?{query}").json()
    assert [f["id"] for f in exported["features"]] == listed


def test_csv_keeps_chinese_and_defuses_formulas(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv?q=三创园").content.decode("utf-8-sig"))))
    assert rows[0]["name_zh"] == "三创园"
    from atlas.web.browse import _csv_cell
    assert _csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"


def test_bad_filter_values_are_400_with_a_message(client):
    response = client.get("/export.csv?kind=spaceport")
    assert response.status_code == 400
    assert "kind" in response.json()["detail"]


def test_unknown_paths_are_html_for_people_and_problem_json_for_programs(client):
    html = {"accept": "text/html"}
    assert client.get("/api/nearst?lon=1", headers=html).headers["content-type"] == "application/problem+json"
    assert client.get("/ogc/collection", headers=html).headers["content-type"] == "application/problem+json"
    page = client.get("/no/such-page?lang=en", headers=html)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    wrong_layer = client.get("/parks/clfi-jinjiang", headers=html)  # a platform id under /parks
    assert wrong_layer.status_code == 404 and "text/html" in wrong_layer.headers["content-type"]
