"""Feature schemas and the GIS representation of items: what desktop GIS type fields from.

GDAL's GeoJSON reader (which QGIS and GDAL's OAPIF driver both use) types a field from the
values it meets first: an empty list first makes a JSON field whose values QGIS reads as NULL,
and a list of objects is always JSON.  So items never carry ``[]`` or objects, and every
collection links a schema (Part 5) and the JSON Schema of one feature (GDAL's describedBy).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from atlas.engine import Atlas
from atlas.vocab import Layer
from tests.test_ogc_clients import gdal, needs_gdal

JSON_TYPES = {"string": str, "array": list, "number": (int, float), "integer": int,
              "boolean": bool, "object": dict}
OGR_TYPES = {"string": "String", "array": "StringList", "number": "Real", "integer": "Integer"}


@pytest.fixture(scope="module")
def atlas(client: TestClient) -> Atlas:
    return client.app.state.live.current()


def all_items(client: TestClient, layer: Layer) -> list[dict]:
    return client.get(f"/ogc/collections/{layer.value}/items?limit=10000").json()["features"]


def links(doc: dict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in doc["links"]}


@pytest.mark.parametrize("layer", list(Layer))
def test_every_served_value_has_the_type_its_schema_gives(client: TestClient, layer: Layer) -> None:
    collection = links(client.get(f"/ogc/collections/{layer.value}").json())
    part5 = client.get(collection["http://www.opengis.net/def/rel/ogc/1.0/schema"])
    assert part5.headers["content-type"] == "application/schema+json"
    schema = part5.json()
    assert schema["properties"]["id"]["x-ogc-role"] == "id"
    assert schema["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
    feature_schema = client.get(collection["describedBy"]).json()
    assert feature_schema["properties"]["properties"]["properties"] == {
        k: v for k, v in schema["properties"].items() if k not in ("id", "geometry")}
    problems = []
    for feature in all_items(client, layer):
        for name, value in feature["properties"].items():
            declared = schema["properties"].get(name)
            if declared is None:
                problems.append(f"{feature['id']}.{name}: not in the schema")
            elif value is not None and not isinstance(value, JSON_TYPES[declared["type"]]):
                problems.append(f"{feature['id']}.{name}: {value!r} is not {declared['type']}")
            elif value == []:
                problems.append(f"{feature['id']}.{name}: an empty list (GDAL would type it JSON)")
            elif isinstance(value, list) and not all(isinstance(v, str) for v in value):
                problems.append(f"{feature['id']}.{name}: {value!r} is not a list of strings")
            elif value is not None and declared.get("format") == "date":
                dt.date.fromisoformat(value)
    assert problems == []


def test_citations_are_readable_lines_in_both_languages(client: TestClient, atlas: Atlas) -> None:
    feature = client.get("/ogc/collections/platforms/items/clfi-jinjiang").json()
    props = feature["properties"]
    assert "citations" not in props
    stored = atlas.entities["clfi-jinjiang"].props["citations"]
    assert len(props["citations_zh"]) == len(props["citations_en"]) == len(stored)
    assert stored[0]["publisher_zh"] in props["citations_zh"][0]
    assert stored[0]["publisher_en"] in props["citations_en"][0]
    if stored[0].get("url"):
        assert props["citations_zh"][0].endswith(stored[0]["url"])


def test_an_empty_list_is_served_as_null(client: TestClient, atlas: Atlas) -> None:
    empty = next(e for e in atlas.entities.values()
                 if e.layer == Layer.parks and e.props.get("aliases") == [])
    served = client.get(f"/ogc/collections/parks/items/{empty.id}").json()["properties"]
    assert served["aliases"] is None


@needs_gdal
@pytest.mark.parametrize("layer", list(Layer))
def test_gdal_types_every_field_from_the_schema(base_url: str, client: TestClient,
                                                layer: Layer) -> None:
    schema = client.get(f"/ogc/collections/{layer.value}/schema").json()["properties"]
    out = gdal("ogrinfo", "-so", "-nomd", f"OAPIF:{base_url}/ogc", layer.value)
    typed = dict(re.findall(r"^(\w+): (\S+) \(", out, flags=re.M))
    expected = {name: "Date" if s.get("format") == "date" else OGR_TYPES[s["type"]]
                for name, s in schema.items() if name != "geometry"}
    assert {name: typed.get(name) for name in expected} == expected
