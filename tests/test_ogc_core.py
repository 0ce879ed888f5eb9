"""OGC API – Features under /ogc, in process: documents, links, paging, errors and negotiation."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import geopandas as gpd
import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atlas.config import Settings
from atlas.engine import Atlas
from atlas.vocab import LAYER_KINDS, Layer
from atlas.web.app import create_app

OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SOME_PLATFORM = "ucas-intelligent-manufacturing"


@pytest.fixture(scope="module")
def atlas(app: FastAPI) -> Atlas:
    return app.state.live.current()


def rels(doc: dict) -> dict[str, list[dict]]:
    """The document's links grouped by rel."""
    out: dict[str, list[dict]] = {}
    for link in doc["links"]:
        out.setdefault(link["rel"], []).append(link)
    return out


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


def ids(doc: dict) -> list[str]:
    return [f["id"] for f in doc["features"]]


def all_items(client: TestClient, url: str) -> list[dict]:
    """Every feature reached by following next links from ``url``."""
    found: list[dict] = []
    while url:
        page = client.get(url).json()
        found += page["features"]
        url = next((l["href"] for l in page["links"] if l["rel"] == "next"), "")
    return found


def direct_bbox(atlas: Atlas, layer: Layer, bbox: tuple[float, ...]) -> list[str]:
    """Ids of ``layer`` intersecting ``bbox``, by plain geopandas (no index)."""
    frame: gpd.GeoDataFrame = atlas.frames[layer]
    return sorted(frame.index[frame.intersects(shapely.box(*bbox))])


# --------------------------------------------------------------- landing & co
def test_landing_page_has_the_links_clients_need(client: TestClient) -> None:
    response = client.get("/ogc")  # no Accept header, like OWSLib
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "Accept" in response.headers["vary"]
    links = rels(response.json())
    assert links["service-desc"][0]["type"] == OPENAPI
    assert links["service-doc"][0]["type"] == "text/html"
    assert links["conformance"][0]["type"] == "application/json"
    assert links["data"][0]["type"] == "application/json"
    assert links["self"][0]["type"] == "application/json"
    assert links["alternate"][0]["type"] == "text/html"
    for rel in ("service-desc", "service-doc", "conformance", "data"):
        assert client.get(links[rel][0]["href"]).status_code == 200


def test_conformance_declares_part1_classes(client: TestClient) -> None:
    conforms = set(client.get("/ogc/conformance").json()["conformsTo"])
    base = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
    assert {base + c for c in ("core", "geojson", "html", "oas30")} <= conforms
    assert not any("cql2" in uri or uri.endswith("/conf/filter") for uri in conforms)


def test_collections_describe_every_layer(client: TestClient, atlas: Atlas) -> None:
    doc = client.get("/ogc/collections").json()
    assert [c["id"] for c in doc["collections"]] == [layer.value for layer in Layer]
    for c in doc["collections"]:
        layer = Layer(c["id"])
        assert "." not in c["id"] and c["title"] and c["itemType"] == "feature"
        [bbox] = c["extent"]["spatial"]["bbox"]
        assert bbox == pytest.approx(list(atlas.frames[layer].total_bounds))
        items = [l for l in c["links"] if l["rel"] == "items" and l["type"] == "application/geo+json"]
        assert urlsplit(items[0]["href"]).path == f"/ogc/collections/{c['id']}/items"
        single = client.get(f"/ogc/collections/{c['id']}").json()
        assert {k: v for k, v in single.items() if k != "links"} == {
            k: v for k, v in c.items() if k != "links"}
    assert all("type" in l for c in doc["collections"] for l in c["links"])


def test_every_link_has_a_type(client: TestClient) -> None:
    for url in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/parks",
                "/ogc/collections/parks/items?limit=3",
                f"/ogc/collections/platforms/items/{SOME_PLATFORM}"):
        assert all(l.get("type") and l.get("rel") for l in client.get(url).json()["links"]), url


# ----------------------------------------------------------------------- items
def test_items_are_geojson_in_id_order_with_counts(client: TestClient, atlas: Atlas) -> None:
    for layer in Layer:
        response = client.get(f"/ogc/collections/{layer.value}/items")
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/geo+json"
        doc = response.json()
        assert doc["type"] == "FeatureCollection"
        assert doc["numberMatched"] == doc["numberReturned"] == len(atlas.frames[layer])
        assert ids(doc) == sorted(atlas.frames[layer].index)
        links = rels(doc)
        assert links["self"][0]["type"] == "application/geo+json"
        assert links["alternate"][0]["type"] == "text/html"
        assert "next" not in links and "prev" not in links


def test_feature_geometry_and_properties_match_the_source(client: TestClient, atlas: Atlas) -> None:
    doc = client.get("/ogc/collections/parks/items").json()
    frame = atlas.frames[Layer.parks]
    for feature in doc["features"]:
        source = frame.loc[feature["id"]]
        assert shapely.geometry.shape(feature["geometry"]).equals_exact(source.geometry, 1e-12)
        assert feature["properties"]["name_zh"] == atlas.entities[feature["id"]].props["name_zh"]
        assert feature["properties"]["town"] == atlas.entities[feature["id"]].town


def test_paging_links_keep_every_parameter(client: TestClient, atlas: Atlas) -> None:
    url = "/ogc/collections/platforms/items?limit=3&status=operating&cachebust=x%26y"
    first = client.get(url).json()
    links = rels(first)
    assert "prev" not in links
    nxt = links["next"][0]
    assert nxt["type"] == "application/geo+json"
    params = query_of(nxt["href"])
    # a client following next links reads it all: the next page grows to 1 000 (GDAL <= 3.7)
    assert params == {"limit": ["1000"], "offset": ["3"], "status": ["operating"],
                      "cachebust": ["x&y"], "f": ["json"]}
    second = client.get(nxt["href"]).json()
    assert query_of(rels(second)["prev"][0]["href"])["offset"] == ["0"]
    assert query_of(rels(second)["self"][0]["href"])["status"] == ["operating"]
    expected = sorted(e.id for e in atlas.entities.values()
                      if e.layer == Layer.platforms and e.props["status"] == "operating")
    walked = [f["id"] for f in all_items(client, url)]
    assert walked == expected
    assert len(ids(first)) == 3
    html = client.get(url + "&f=html")
    assert "limit=3&amp;offset=3" in html.text or "offset=3&amp;limit=3" in html.text


def test_limit_above_the_maximum_is_clamped_not_refused(client: TestClient) -> None:
    doc = client.get("/ogc/collections/platforms/items?limit=10000000").json()
    assert doc["numberReturned"] == doc["numberMatched"] == 39  # platforms in the shipped data
    doc = client.get("/ogc/collections/platforms/items?limit=10001&offset=30").json()
    assert query_of(rels(doc)["prev"][0]["href"])["limit"] == ["10000"]


def test_offset_beyond_the_end_gives_an_empty_page(client: TestClient) -> None:
    doc = client.get("/ogc/collections/platforms/items?offset=500").json()
    assert doc["features"] == [] and doc["numberReturned"] == 0 and doc["numberMatched"] == 39
    assert "next" not in rels(doc)


@pytest.mark.parametrize("layer, bbox", [
    (Layer.platforms, (118.50, 24.70, 118.60, 24.80)),
    (Layer.parks, (118.50, 24.70, 118.60, 24.80)),
    (Layer.towns, (118.58, 24.80, 118.58, 24.80)),  # a point: the town(s) containing it
    (Layer.incubators, (0.0, 0.0, 1.0, 1.0)),
])
def test_bbox_selects_what_intersects_it(client: TestClient, atlas: Atlas, layer: Layer,
                                         bbox: tuple[float, ...]) -> None:
    text = ",".join(map(str, bbox))
    doc = client.get(f"/ogc/collections/{layer.value}/items", params={"bbox": text}).json()
    assert ids(doc) == direct_bbox(atlas, layer, bbox)
    assert doc["numberMatched"] == len(ids(doc))


def test_property_filters(client: TestClient, atlas: Atlas) -> None:
    platforms = {e.id: e.props for e in atlas.entities.values() if e.layer == Layer.platforms}

    def get(**params: str) -> list[str]:
        response = client.get("/ogc/collections/platforms/items", params=params)
        assert response.status_code == 200, response.text
        return ids(response.json())

    assert get(kind="university") == sorted(i for i, p in platforms.items()
                                            if p["kind"] == "university")
    assert get(industry="ai") == sorted(i for i, p in platforms.items() if "ai" in p["industries"])
    town = atlas.entities[SOME_PLATFORM].town
    assert SOME_PLATFORM in get(town=town)
    assert get(town=town) == sorted(i for i in platforms if atlas.entities[i].town == town)
    assert get(zone="kechuang-new-zone") == sorted(
        i for i in platforms if "kechuang-new-zone" in atlas.entities[i].zones)
    both = get(kind="university", industry="ai", bbox="118.4,24.5,118.7,24.9")
    assert set(both) == set(get(kind="university")) & set(get(industry="ai"))
    parks = ids(client.get("/ogc/collections/parks/items?zone=kechuang-new-zone").json())
    assert {"sanchuang-park", "ucas-jinjiang-campus"} <= set(parks)


def test_feature_by_id(client: TestClient, atlas: Atlas) -> None:
    response = client.get(f"/ogc/collections/platforms/items/{SOME_PLATFORM}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    doc = response.json()
    assert doc["type"] == "Feature" and doc["id"] == SOME_PLATFORM
    assert doc["properties"]["id"] == SOME_PLATFORM
    source = atlas.frames[Layer.platforms].loc[SOME_PLATFORM].geometry
    assert shapely.geometry.shape(doc["geometry"]).equals(source)
    links = rels(doc)
    assert {"self", "alternate", "collection"} <= set(links)
    assert urlsplit(links["collection"][0]["href"]).path == "/ogc/collections/platforms"


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize("query", [
    "bbox=1,2,3", "bbox=1,2,3,4,5,6", "bbox=a,b,c,d", "bbox=", "bbox=118,24,119,nan",
    "bbox=118,95,119,96", "bbox=-181,24,119,25", "bbox=119,24,118,25", "bbox=118,25,119,24",
    "limit=0", "limit=-1", "limit=abc", "limit=1.5", "limit=", "limit=1&limit=2",
    "offset=-1", "offset=x", "offset=1e3",
    "kind=port", "kind=<b>nope</b>", "status=open", "industry=shoes", "town=atlantis",
    "f=xml",
])
def test_invalid_parameters_get_400_with_an_ogc_exception(client: TestClient, query: str) -> None:
    response = client.get(f"/ogc/collections/platforms/items?{query}")
    assert response.status_code == 400, query
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "description"}
    assert body["code"] == "InvalidParameterValue" and body["description"]


@pytest.mark.parametrize("url", [
    "/ogc/collections/nope", "/ogc/collections/nope/items", "/ogc/collections/nope/queryables",
    "/ogc/collections/public.platforms/items", f"/ogc/collections/nope/items/{SOME_PLATFORM}",
    "/ogc/collections/platforms/items/no-such-feature",
    f"/ogc/collections/incubators/items/{SOME_PLATFORM}",  # exists, but in another collection
])
def test_unknown_collection_or_feature_is_404_not_found(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"


def test_format_errors_are_400_everywhere(client: TestClient) -> None:
    for url in ("/ogc", "/ogc/conformance", "/ogc/api", "/ogc/collections",
                "/ogc/collections/parks", "/ogc/collections/parks/queryables",
                f"/ogc/collections/platforms/items/{SOME_PLATFORM}"):
        response = client.get(url, params={"f": "geojsonx"})
        assert response.status_code == 400 and response.json()["code"] == "InvalidParameterValue"


def test_odd_input_never_causes_a_server_error(client: TestClient) -> None:
    for query in ("limit=99999999999999999999999999", "offset=99999999999999999999",
                  "bbox=1e308,1e308,1e308,1e308", "bbox=%00,1,2,3", "kind=%00", "f=%FF",
                  "bbox=-180,-90,180,90&limit=10000", "zone=&town="):
        response = client.get(f"/ogc/collections/parks/items?{query}")
        assert response.status_code < 500, query


# ----------------------------------------------------------------- negotiation
@pytest.mark.parametrize("accept, expected", [
    (None, "application/geo+json"),
    ("*/*", "application/geo+json"),
    ("application/json", "application/geo+json"),
    ("application/geo+json, application/json", "application/geo+json"),
    (BROWSER, "text/html"),
    ("text/html", "text/html"),
    ("text/html;q=0.5, application/json", "application/geo+json"),
    ("text/html, */*", "application/geo+json"),  # a tie goes to JSON
    ("text/html;q=x", "application/geo+json"),
])
def test_accept_negotiation(client: TestClient, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/ogc/collections/platforms/items?limit=2", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == expected
    assert "Accept" in response.headers["vary"]


def test_f_parameter_wins_over_accept(client: TestClient) -> None:
    as_json = client.get("/ogc/collections?f=json", headers={"Accept": BROWSER})
    assert as_json.headers["content-type"] == "application/json"
    as_html = client.get("/ogc/collections?f=html", headers={"Accept": "application/json"})
    assert as_html.headers["content-type"].startswith("text/html")


def test_every_resource_has_an_html_page_without_remote_assets(client: TestClient) -> None:
    for url in ("/ogc", "/ogc/conformance", "/ogc/api", "/ogc/collections",
                "/ogc/collections/towns", "/ogc/collections/platforms/queryables",
                "/ogc/collections/platforms/items?limit=5&kind=university",
                f"/ogc/collections/platforms/items/{SOME_PLATFORM}",
                "/ogc/collections/boundary/items/jinjiang"):
        response = client.get(url, params={"f": "html"})
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith("text/html")
        page = response.text
        assert "<script" not in page and 'src="http' not in page and "<link" not in page


def test_html_items_page_pages_in_html(client: TestClient) -> None:
    page = client.get("/ogc/collections/platforms/items?limit=5&f=html&status=operating").text
    assert 'rel="next"' in page
    assert "offset=5" in page and "status=operating" in page and "f=html" in page


def test_html_escapes_the_data(data_copy: Path) -> None:
    path = data_copy / "platforms.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    feature = next(f for f in collection["features"] if f["id"] == SOME_PLATFORM)
    feature["properties"]["name_zh"] = '<script>alert("x")</script>'
    feature["properties"]["description_en"] = '<img src=x onerror="alert(1)">'
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    client = TestClient(create_app(Settings(data_dir=data_copy, tiles="none")))
    for url in (f"/ogc/collections/platforms/items/{SOME_PLATFORM}?f=html",
                "/ogc/collections/platforms/items?f=html"):
        page = client.get(url).text
        assert "<script>" not in page and "<img" not in page
        assert "&lt;script&gt;" in page
    item = client.get(f"/ogc/collections/platforms/items/{SOME_PLATFORM}").json()
    assert item["properties"]["name_zh"] == '<script>alert("x")</script>'


# --------------------------------------------------------------------- OpenAPI
def test_openapi_document(client: TestClient, atlas: Atlas) -> None:
    response = client.get("/ogc/api")
    assert response.status_code == 200
    assert response.headers["content-type"] == OPENAPI
    doc = response.json()
    assert doc["openapi"].startswith("3.0.")
    limit = doc["components"]["parameters"]["limit"]
    assert limit["in"] == "query"
    assert limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}
    for layer in Layer:
        items = doc["paths"][f"/collections/{layer.value}/items"]["get"]
        params = items["parameters"]
        assert {"$ref": "#/components/parameters/limit"} in params
        assert {"$ref": "#/components/parameters/bbox"} in params
        declared = {p["name"]: p for p in params if "name" in p}
        assert {"kind", "status", "level", "precision", "industry"} <= set(declared)
        for p in declared.values():
            assert (p["in"], p["style"], p["explode"], p["schema"]["type"]) == (
                "query", "form", False, "string")
        assert set(declared["kind"]["schema"]["enum"]) == {k.value for k in LAYER_KINDS[layer]}
        assert f"/collections/{layer.value}/items/{{featureId}}" in doc["paths"]
    platform_params = {p.get("name") for p in
                       doc["paths"]["/collections/platforms/items"]["get"]["parameters"]}
    assert {"town", "zone"} <= platform_params
    _assert_refs_resolve(doc, doc)


def _assert_refs_resolve(node: object, doc: dict) -> None:
    if isinstance(node, dict):
        if "$ref" in node:
            target: object = doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]  # KeyError = dangling reference
        for value in node.values():
            _assert_refs_resolve(value, doc)
    elif isinstance(node, list):
        for value in node:
            _assert_refs_resolve(value, doc)


def test_openapi_has_no_null_types_for_oas30(client: TestClient) -> None:
    text = client.get("/ogc/api").text
    assert '"type":"null"' not in text and "$defs" not in text


def test_queryables_resource(client: TestClient) -> None:
    response = client.get("/ogc/collections/platforms/queryables")
    assert response.headers["content-type"] == "application/schema+json"
    doc = response.json()
    assert doc["$schema"].startswith("https://json-schema.org/")
    assert {"kind", "status", "level", "precision", "industry", "town", "zone"} == set(
        doc["properties"])
    assert "town" not in client.get("/ogc/collections/boundary/queryables").json()["properties"]


# --------------------------------------------------------------------- people's text
DEVELOPER_TEXT = (":data:", ":func:", ":class:", "``", "docstring")


def _descriptions(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["description"]] if isinstance(node.get("description"), str) else []
        return own + [d for value in node.values() for d in _descriptions(value)]
    if isinstance(node, list):
        return [d for value in node for d in _descriptions(value)]
    return []


def test_schemas_carry_no_developer_text(client: TestClient) -> None:
    """Class docstrings (pydantic's default descriptions) stay out of the documents."""
    docs = [client.get("/ogc/api").json()]
    docs += [client.get(f"/ogc/collections/{layer.value}/queryables").json() for layer in Layer]
    for doc in docs:
        for text in _descriptions(doc):
            assert not any(mark in text for mark in DEVELOPER_TEXT), text
    queryables = client.get("/ogc/collections/platforms/queryables").json()["properties"]
    assert all(q.get("description") or q.get("title") for q in queryables.values())


HTML_PAGES = ("/ogc", "/ogc/conformance", "/ogc/api", "/ogc/collections", "/ogc/collections/zones",
              "/ogc/collections/platforms/queryables", "/ogc/collections/zones/items",
              "/ogc/collections/zones/items/kechuang-new-zone",
              f"/ogc/collections/platforms/items/{SOME_PLATFORM}")


@pytest.mark.parametrize("url", HTML_PAGES)
def test_html_pages_take_lang_and_show_characters(client: TestClient, url: str) -> None:
    """No JSON-escaped text (``\\u798f``), no developer text; ``lang`` sets the language and
    every link to another HTML page keeps it."""
    from lxml import html

    for lang, html_lang, collections in (("zh", "zh-CN", "图层集合"),
                                         ("en", "en", "Collections")):
        response = client.get(url, params={"f": "html", "lang": lang})
        assert response.status_code == 200
        text = response.text
        assert "\\u" not in text and not any(mark in text for mark in DEVELOPER_TEXT)
        page = html.fromstring(text)
        assert page.get("lang") == html_lang
        assert collections in [a.text_content() for a in page.xpath("//nav/a")]
        for a in page.xpath("//a[contains(@href, 'f=html')]"):
            href = a.get("href")
            wanted = ["zh" if lang == "en" else "en"] if a.get("hreflang") else \
                (["en"] if lang == "en" else None)
            assert query_of(href).get("lang") == wanted, href
    item = client.get("/ogc/collections/zones/items/kechuang-new-zone?f=html").text
    assert "晋江智谷" in item  # an alias, as characters
    english = client.get("/ogc/collections/zones/items/kechuang-new-zone?f=html&lang=en").text
    assert "晋江智谷" not in english and "2 more in Chinese" in english  # linked to the zh page


def test_queryables_page_labels_the_values(client: TestClient) -> None:
    page = client.get("/ogc/collections/platforms/queryables?f=html&lang=en").text
    assert "What the feature is" in page and "LAYER_KINDS" not in page
    assert "<code>lingyuan</code> Lingyuan Subdistrict" in page


@pytest.mark.parametrize(("url", "status"), [
    ("/ogc/collections/nope", 404), ("/ogc/collections/platforms/items/nope", 404),
    ("/ogc/collections/platforms/items?limit=x", 400),
    ("/ogc/collections/platforms/items?kind=port", 400),
])
def test_errors_asked_for_as_html_are_pages(client: TestClient, url: str, status: int) -> None:
    from lxml import html

    body = client.get(url).json()
    glue = "&" if "?" in url else "?"
    for extra, headers in (("f=html&lang=en", {}), ("lang=en", {"Accept": BROWSER})):
        response = client.get(f"{url}{glue}{extra}", headers=headers)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        page = html.fromstring(response.text)
        assert page.get("lang") == "en"
        assert page.xpath("string(//*[@role='alert'])") == body["description"]
        assert body["code"] in response.text
    assert client.get(f"{url}{glue}f=json", headers={"Accept": BROWSER}).json() == body
