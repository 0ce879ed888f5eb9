"""Facts for investors on parks and incubators: each fact with its as-of date and source (its
own ``fact_sources`` entry, else the feature's ``facts_as_of``/``facts_source_*``), policies as
title, issuer, date and link, and the WeChat account's QR link — validated, shown on profiles
(escaped, "not yet provided" where missing), flattened to text lines for GIS clients and
downloads, edited through the staff edit path with history, and imported from tables."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html as lxml_html
from pydantic import ValidationError

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.exports.qr import qr_svg
from atlas.model import FACTS, FactSource, IncubatorProps, ParkProps, SpaceFacts
from atlas.web.app import create_app
from atlas.web.facts import facts
from tests.conftest import SHIPPED_DATA
from tests.test_import import csv_bytes, importing, stored, upload  # noqa: F401 (a fixture)

PARK = "sanchuang-park"
KML = "{http://www.opengis.net/kml/2.2}"
WECHAT = "https://weixin.qq.com/r/Test-SanChuang_123"
RENT_URL = 'https://example.org/rent?a=1&b=<2>'
POLICY_URL = 'https://example.org/policy?x=1&y="2"'
EVIL_TITLE = "晋江市科创扶持办法<script>alert(1)</script>"
SANCHUANG_FACTS = {
    "area_ha": 12.5, "firms": 120, "space_office_m2": 5000, "rent_min_yuan": 25,
    "rent_max_yuan": 35, "contact_phone": "0595-8568 0000", "contact_wechat": "三创园",
    "contact_wechat_url": WECHAT,
    "facts_as_of": "2026-10-01", "facts_source_zh": "三创园管委会（测试）",
    "facts_source_en": "Sanchuang Park office (test)",
    "fact_sources": [{"facts": ["rent", "space_office_m2"], "as_of": "2026-11-15",
                      "source_zh": "晋江市招商服务中心（测试）",
                      "source_en": "Jinjiang investment service centre (test)", "url": RENT_URL}],
    "policies": [{"title_zh": EVIL_TITLE, "title_en": "Jinjiang S&T support measures (test)",
                  "issuer_zh": "晋江市人民政府", "issuer_en": "Jinjiang Municipal People's Government",
                  "date": "2025-03-01", "url": POLICY_URL}],
}
"""Test facts for 三创园: most from the park's office (source 1), rent and office space from
another source and date (source 2), a policy whose title and link need escaping."""
MISSING = ("established", "output_yi_yuan", "space_factory_m2", "space_lab_m2", "land",
           "contact_email")
PASSWORD = "a-long-password"


def write_facts_data(folder: Path) -> Path:
    """The shipped layers in ``folder``, with :data:`SANCHUANG_FACTS` on 三创园."""
    shutil.copytree(SHIPPED_DATA, folder, ignore=shutil.ignore_patterns(".atlas"))
    path = folder / "parks.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    for feature in fc["features"]:
        if feature["properties"]["id"] == PARK:
            feature["properties"].update(SANCHUANG_FACTS)
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def facts_client(tmp_path_factory) -> TestClient:
    folder = write_facts_data(tmp_path_factory.mktemp("facts") / "geo")
    return TestClient(create_app(Settings(data_dir=folder, tiles="none")))


# ------------------------------------------------------------------ validation
@pytest.fixture(scope="module")
def park() -> dict:
    """三创园's shipped properties (no facts)."""
    fc = json.loads((SHIPPED_DATA / "parks.geojson").read_text(encoding="utf-8"))
    return next(f["properties"] for f in fc["features"] if f["properties"]["id"] == PARK)


def problems(props: dict) -> list[tuple[str, str]]:
    """(where, message) of each problem the park model finds; [] when it accepts."""
    try:
        ParkProps.model_validate(props)
    except ValidationError as exc:
        return [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]
    return []


def source(*facts: str, **extra) -> dict:
    return {"facts": list(facts), "as_of": "2026-05-01", "source_zh": "园区管委会", **extra}


def test_every_fact_field_belongs_to_one_fact():
    fields = [f for names in FACTS.values() for f in names]
    assert len(fields) == len(set(fields))
    sources = {"facts_as_of", "facts_source_zh", "facts_source_en", "facts_source_url", "fact_sources"}
    assert set(fields) == set(SpaceFacts.model_fields) - sources
    assert set(FactSource.model_json_schema()["properties"]["facts"]["items"]["enum"]) == set(FACTS)


def test_a_fact_may_have_its_own_date_and_source_instead_of_the_features(park):
    assert problems({**park, "area_ha": 3, "fact_sources": [source("area_ha")]}) == []
    assert problems({**park, **SANCHUANG_FACTS}) == []
    assert problems({**park, "established": 2018, "firms": 9, "facts_as_of": "2026-01-01",
                     "facts_source_zh": "管委会", "fact_sources": [source("firms", url=None)]}) == []
    incubator = json.loads((SHIPPED_DATA / "incubators.geojson").read_text(encoding="utf-8"))
    props = incubator["features"][0]["properties"]
    IncubatorProps.model_validate({**props, "space_lab_m2": 300, "fact_sources": [source("space_lab_m2")]})


@pytest.mark.parametrize("change, where, message", [
    ({"area_ha": 3}, "", "area_ha: give facts_as_of and facts_source_zh"),
    ({"area_ha": 3, "firms": 4, "fact_sources": [source("area_ha")]}, "", "firms: give facts_as_of"),
    ({"area_ha": 3, "fact_sources": [source("area")]}, "fact_sources.0.facts.0", "Input should be 'area_ha'"),
    ({"area_ha": 3, "fact_sources": [source("area_ha"), source("area_ha")]}, "fact_sources",
     "area_ha is named in entries 1 and 2"),
    ({"area_ha": 3, "fact_sources": [source("area_ha", "firms")]}, "fact_sources",
     "entry 1 names firms, which has no value"),
    ({"area_ha": 3, "fact_sources": [{"facts": ["area_ha"], "source_zh": "管委会"}]},
     "fact_sources.0.as_of", "Field required"),
    ({"area_ha": 3, "fact_sources": [source("area_ha", source_zh=" ")]}, "fact_sources.0.source_zh",
     "at least 1 character"),
    ({"area_ha": 3, "fact_sources": [source()]}, "fact_sources.0.facts", "at least 1 item"),
    ({"area_ha": 3, "fact_sources": [source("area_ha", note="x")]}, "fact_sources.0.note",
     "Extra inputs are not permitted"),
])
def test_sources_of_facts_are_refused_with_a_clear_message(park, change, where, message):
    found = problems({**park, **change})
    assert any(w == where and message in m for w, m in found), found


POLICY = {"title_zh": "晋江市科技创新若干措施", "issuer_zh": "晋江市人民政府", "date": "2024-05-01"}
DATED = {"facts_as_of": "2026-05-01", "facts_source_zh": "园区管委会"}


@pytest.mark.parametrize("policies, where, message", [
    (["晋江市科技创新若干措施，晋江市人民政府，2024-05-01"], "policies.0", "valid dictionary"),
    ([{**POLICY, "date": "2024-05"}], "policies.0.date", "valid date"),
    ([{k: v for k, v in POLICY.items() if k != "issuer_zh"}], "policies.0.issuer_zh", "Field required"),
    ([{**POLICY, "url": "ftp://example.org/x"}], "policies.0.url", "should match pattern"),
])
def test_policies_are_title_issuer_date_and_link(park, policies, where, message):
    assert problems({**park, **DATED, "policies": [{**POLICY, "url": "https://example.org/p"}]}) == []
    found = problems({**park, **DATED, "policies": policies})
    assert any(w == where and message in m for w, m in found), found
    assert problems({**park, "policies": [POLICY]})[0][1].endswith(
        "policies: give facts_as_of and facts_source_zh (when and from whom the facts are), or a "
        "fact_sources entry naming them")


@pytest.mark.parametrize("link", [
    "https://weixin.qq.com/r/abc", "http://weixin.qq.com/r/x_Y-1", "https://mp.weixin.qq.com/s/abc?x=1&y=2",
    "HTTPS://WEIXIN.QQ.COM/r/abc"])
def test_wechat_qr_links_on_wechat_hosts_are_accepted(park, link):
    assert problems({**park, **DATED, "contact_wechat_url": link}) == []


@pytest.mark.parametrize("link", [
    "weixin.qq.com/r/abc", "ftp://weixin.qq.com/r/abc", "https://weixin.qq.com.example.org/r/abc",
    "https://example.org/weixin.qq.com", "https://user@weixin.qq.com/r/abc",
    "https://weixin.qq.com:8443/r/abc", "https://weixin.qq.com:x/r", 'https://weixin.qq.com/r/"><b>',
    "https://weixin.qq.com/r/a b", "javascript:alert(1)//weixin.qq.com"])
def test_other_wechat_links_are_refused_with_what_to_give(park, link):
    found = problems({**park, **DATED, "contact_wechat_url": link})
    assert found and found[0][0] == "contact_wechat_url"
    assert "an http(s) address on weixin.qq.com or mp.weixin.qq.com" in found[0][1]


# ------------------------------------------------------------------ the profile
def profile(client: TestClient, lang: str = "zh"):
    page = client.get(f"/parks/{PARK}?lang={lang}")
    assert page.status_code == 200
    return page.text, lxml_html.fromstring(page.text)


def fact(tree, key: str):
    found = tree.xpath(f'//section[@id="facts"]//dd[@data-fact="{key}"]')
    assert len(found) == 1, key
    return found[0]


def test_each_fact_shows_its_date_and_numbered_source(facts_client):
    _, tree = profile(facts_client)
    own, other = "截至 2026-10-01", "截至 2026-11-15"
    expected = {"area_ha": ("12.5", own, 1), "firms": ("120", own, 1),
                "space_office_m2": ("5,000", other, 2), "rent": ("25–35", other, 2),
                "contact_phone": ("0595-8568 0000", own, 1), "contact_wechat": ("三创园", own, 1)}
    for key, (value, as_of, note) in expected.items():
        dd = fact(tree, key)
        assert dd.xpath('string(span[@class="fact-value"])') == value, key
        cite = dd.xpath('small[@class="fact-source"]')[0]
        assert cite.text_content().split() == [*as_of.split(), f"[{note}]"], key
        assert cite.xpath("a/@href") == [f"#fact-source-{note}"], key
    notes = tree.xpath('//ol[@class="fact-sources"]/li')
    assert [n.get("id") for n in notes] == ["fact-source-1", "fact-source-2"]
    assert notes[0].xpath('string(span[@lang="zh-CN"])') == "三创园管委会（测试），截至 2026-10-01"
    assert notes[0].xpath('string(span[@lang="en"])') == "Sanchuang Park office (test), as of 2026-10-01"
    assert notes[1].xpath('string(span[@lang="zh-CN"])') == "晋江市招商服务中心（测试），截至 2026-11-15"
    assert notes[1].xpath("a/@href") == [RENT_URL] and notes[1].xpath("a/@rel") == ["noopener noreferrer"]


def test_missing_facts_say_not_yet_provided_in_either_language(facts_client):
    for lang, words in (("zh", "尚未提供"), ("en", "Not yet provided")):
        _, tree = profile(facts_client, lang)
        for key in MISSING:
            dd = fact(tree, key)
            assert dd.text_content().strip() == words and "missing" in dd.get("class"), (lang, key)
            assert not dd.xpath(".//small")  # no date or source for what is not there
    _, shipped = profile(TestClient(create_app(Settings(tiles="none"))))
    assert all("missing" in dd.get("class") for dd in shipped.xpath('//section[@id="facts"]//dd'))
    assert shipped.xpath('//p[@class="facts-none"]') and not shipped.xpath('//ol[@class="fact-sources"]')


def test_english_profile_puts_english_first_with_the_chinese_beside(facts_client):
    _, tree = profile(facts_client, "en")
    assert fact(tree, "area_ha").xpath('string(small[@class="fact-source"])').startswith("as of 2026-10-01")
    note = tree.get_element_by_id("fact-source-2")
    spans = note.xpath("span")
    assert [s.get("lang") for s in spans] == ["en", "zh-CN"]
    assert spans[0].text == "Jinjiang investment service centre (test), as of 2026-11-15"
    assert spans[1].text == "晋江市招商服务中心（测试），截至 2026-11-15"
    policy = fact(tree, "policies").xpath(".//li")[0]
    assert policy.xpath('string(span[@lang="en"])') == "Jinjiang S&T support measures (test)"
    assert policy.xpath('string(span[@lang="zh-CN"])') == EVIL_TITLE
    assert "Jinjiang Municipal People's Government · 2025-03-01" in policy.text_content()


def test_a_policy_without_english_is_shown_in_chinese_and_marked_so():
    [policy] = facts({"policies": [POLICY], **DATED}, "en").rows[-1].value
    assert (policy.title, policy.title_lang, policy.other_title) == (POLICY["title_zh"], "zh", None)
    assert policy.issuer == "晋江市人民政府" and policy.url is None


def test_policies_are_listed_with_escaped_links(facts_client):
    text, tree = profile(facts_client)
    items = fact(tree, "policies").xpath(".//li")
    assert len(items) == 1
    link = items[0].xpath(".//a")[0]
    assert link.get("href") == POLICY_URL and link.get("rel") == "noopener noreferrer"
    assert link.text == EVIL_TITLE  # shown as text
    assert "<script>alert(1)" not in text and html.escape(EVIL_TITLE, quote=False) in text
    assert 'href="https://example.org/policy?x=1&amp;y=&#34;2&#34;"' in text
    assert "晋江市人民政府 · 2025-03-01" in items[0].text_content()
    assert fact(tree, "policies").xpath('string(small[@class="fact-source"])').split() == ["截至", "2026-10-01", "[1]"]


def test_the_profile_draws_the_wechat_qr_code_of_the_stored_link(facts_client):
    text, tree = profile(facts_client)
    figure = fact(tree, "contact_wechat").xpath('figure[@class="wechat-qr"]')[0]
    assert figure.get("data-link") == WECHAT
    assert str(qr_svg(WECHAT)) in text  # the code drawn is the one of the stored link
    assert "微信扫码关注" in figure.text_content()
    _, plain = profile(TestClient(create_app(Settings(tiles="none"))))
    assert not plain.xpath('//figure[@class="wechat-qr"]')


# ------------------------------------------------------------------ GIS clients and downloads
def no_objects(value) -> bool:
    """Whether ``value`` holds no object (dict) at any depth."""
    if isinstance(value, dict):
        return False
    return all(no_objects(v) for v in value) if isinstance(value, list) else True


def test_ogc_items_carry_the_facts_as_text_lines_and_no_objects(facts_client):
    props = facts_client.get(f"/ogc/collections/parks/items/{PARK}").json()["properties"]
    assert "policies" not in props and "fact_sources" not in props
    assert all(no_objects(v) for v in props.values()), [k for k, v in props.items() if not no_objects(v)]
    assert props["fact_sources_zh"] == [
        "面积（公顷）、入驻企业数、招商电话、微信公众号、适用政策：三创园管委会（测试），截至 2026-10-01",
        f"可租办公空间（㎡）、租金（元/㎡·月）：晋江市招商服务中心（测试），截至 2026-11-15 {RENT_URL}"]
    assert props["fact_sources_en"][1] == (
        "Office space available (m²), Rent (yuan/m² per month): Jinjiang investment service centre "
        f"(test), as of 2026-11-15 {RENT_URL}")
    assert props["policies_zh"] == [f"《{EVIL_TITLE}》，晋江市人民政府，2025-03-01 {POLICY_URL}"]
    assert props["policies_en"] == ["“Jinjiang S&T support measures (test)”, Jinjiang Municipal "
                                    f"People's Government, 2025-03-01 {POLICY_URL}"]
    assert props["contact_wechat_url"] == WECHAT
    # whole numbers with a decimal point: QGIS saves the NULLs of an Integer field as 0
    assert repr(props["firms"]) == "120.0" and props["established"] is None
    schema = facts_client.get("/ogc/collections/parks/schema").json()["properties"]
    assert schema["firms"]["type"] == schema["established"]["type"] == "number"
    for name in ("policies_zh", "policies_en", "fact_sources_zh", "fact_sources_en"):
        assert schema[name]["type"] == "array" and schema[name]["items"] == {"type": "string"}
    assert "policies" not in schema and "fact_sources" not in schema
    other = facts_client.get("/ogc/collections/parks/items/wuli-park").json()["properties"]
    assert other["policies_zh"] is None and other["fact_sources_zh"] is None


def test_downloads_hold_the_facts_and_their_sources_as_text(facts_client, tmp_path):
    body = facts_client.get("/export.csv?layer=parks&columns=codes").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(body)) if r["id"] == PARK)
    assert (row["area_ha"], row["firms"], row["space_office_m2"], row["established"]) == ("12.5", "120", "5000", "")
    assert row["rent"] == "25–35" and row["contact"] == \
        f"招商电话：0595-8568 0000；微信公众号：三创园 {WECHAT}"
    assert row["fact_sources"].split("；") == [
        "面积（公顷）、入驻企业数、招商电话、微信公众号、适用政策：三创园管委会（测试），截至 2026-10-01",
        f"可租办公空间（㎡）、租金（元/㎡·月）：晋江市招商服务中心（测试），截至 2026-11-15 {RENT_URL}"]
    assert row["policies"] == f"《{EVIL_TITLE}》，晋江市人民政府，2025-03-01 {POLICY_URL}"
    path = tmp_path / "parks.gpkg"
    path.write_bytes(facts_client.get("/export/parks.gpkg?lang=en").content)
    read = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(path), "parks"],
                          capture_output=True, check=True).stdout
    features = {f["properties"]["id"]: f["properties"] for f in json.loads(read)["features"]}
    mine = features[PARK]
    assert all(no_objects(v) and not isinstance(v, list) for p in features.values() for v in p.values())
    assert mine["area_ha"] == 12.5 and mine["firms"] == 120 and mine["established"] is None
    assert mine["fact_sources"].startswith("Area (ha), Firms in it, Phone for investors, WeChat "
                                           "account, Policies that apply: Sanchuang Park office (test)")
    assert features["fzu-jinjiang-campus"]["area_ha"] == 92.0  # shipped, with its source:
    assert "Quanzhou Evening News" in features["fzu-jinjiang-campus"]["fact_sources"]
    info = subprocess.run(["ogrinfo", "-so", str(path), "parks"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"^area_ha: Real", info, re.M) and re.search(r"^established: Integer", info, re.M)
    assert re.search(r"^policies: String", info, re.M) and "JSON" not in info
    kml = etree.fromstring(facts_client.get("/export.kml?layer=parks&q=三创园").content)
    mark = next(m for m in kml.iter(f"{KML}Placemark") if m.findtext(f"{KML}name").startswith("三创园（"))
    description = lxml_html.fromstring(mark.findtext(f"{KML}description"))
    cells = dict(zip(description.xpath("//th/text()"), description.xpath("//td/text()")))
    assert cells["面积（公顷）"] == "12.5" and cells["租金（元/㎡·月）"] == "25–35"
    assert "招商信息来源: 面积（公顷）、入驻企业数" in description.text_content()
    assert f"{EVIL_TITLE}》" in description.text_content() and not description.xpath("//script")


# ------------------------------------------------------------------ editing, with history
@pytest.fixture
def editor(data_copy, tmp_path):
    """A client logged in as an editor on a copy of the shipped data, and its CSRF token."""
    users = tmp_path / "users.json"
    UserStore(users).add("lin", "editor", PASSWORD)
    app = create_app(Settings(data_dir=data_copy, tiles="none", users_file=users,
                              secret_key="test-secret"))
    client = TestClient(app, raise_server_exceptions=False)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/login", data={"name": "lin", "password": PASSWORD, "csrf_token": token, "next": "/"})
    page = client.get("/history").text
    client.headers["X-CSRF-Token"] = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    return client


def put(client: TestClient, change: dict, message: str = "facts"):
    read = client.get(f"/api/features/{PARK}")
    feature = read.json()
    feature.pop("layer")
    feature["properties"].update(change)
    return client.put(f"/api/features/parks/{PARK}?message={message}", json=feature,
                      headers={"If-Match": read.headers["etag"]})


def test_the_edit_form_offers_every_new_field(editor):
    page = editor.get(f"/edit/{PARK}?lang=en").text
    tree = lxml_html.fromstring(page)
    for name in ("policies", "fact_sources"):
        box = tree.get_element_by_id(f"f-{name}")
        assert box.get("data-type") == "rows" and box.xpath(".//template")
    checks = tree.xpath('//fieldset[@id="f-fact_sources"]//template')[0]
    assert "Rent (yuan/m² per month)" in lxml_html.tostring(checks, encoding="unicode")
    wechat = tree.get_element_by_id("f-contact_wechat_url")
    help_text = tree.get_element_by_id("help-contact_wechat_url").text_content()
    assert "help-contact_wechat_url" in wechat.get("aria-describedby")
    assert "weixin.qq.com or mp.weixin.qq.com" in help_text and "takes no QR images" in help_text
    assert "本表单不接收二维码图片" in editor.get(f"/edit/{PARK}").text


def test_facts_round_trip_through_the_edit_path_with_history(editor):
    answer = put(editor, {k: v for k, v in SANCHUANG_FACTS.items()}, "facts+from+the+office")
    assert answer.status_code == 200, answer.text
    commit = answer.json()["commit"]
    stored = editor.get(f"/api/features/{PARK}").json()["properties"]
    assert stored["fact_sources"] == [{**SANCHUANG_FACTS["fact_sources"][0]}]
    assert stored["policies"] == SANCHUANG_FACTS["policies"] and stored["contact_wechat_url"] == WECHAT

    # the form holds what was saved, ready to edit again
    form = lxml_html.fromstring(editor.get(f"/edit/{PARK}").text)
    row = form.xpath('//fieldset[@id="f-fact_sources"]/div[@class="object-rows"]/fieldset')
    assert len(row) == 1
    assert row[0].xpath('.//input[@type="checkbox"][@checked]/@value') == ["space_office_m2", "rent"]
    assert row[0].xpath('.//input[@data-key="as_of"]/@value') == ["2026-11-15"]
    policy = form.xpath('//fieldset[@id="f-policies"]/div[@class="object-rows"]/fieldset')[0]
    assert policy.xpath('.//input[@data-key="title_zh"]/@value') == [EVIL_TITLE]
    assert form.get_element_by_id("f-contact_wechat_url").get("value") == WECHAT

    # history says what changed, policies and sources as readable lines
    page = editor.get(f"/history/{PARK}").text
    entry = re.search(rf'<li class="commit" id="commit-{commit}".*?</li>\s*(?=<li class="commit"|</ol>)',
                      page, re.S).group(0)
    assert "facts from the office" in entry
    assert html.escape(f"《{EVIL_TITLE}》，晋江市人民政府，2025-03-01") in entry
    assert "可租办公空间（㎡）、租金（元/㎡·月）：晋江市招商服务中心（测试），截至 2026-11-15" in entry
    assert "<script>alert(1)" not in entry

    # a second edit moves rent to the park's own source; undo brings the entry back
    second = put(editor, {"fact_sources": [{**SANCHUANG_FACTS["fact_sources"][0], "facts": ["space_office_m2"]}]})
    assert second.status_code == 200, second.text
    _, tree = profile(editor)
    assert fact(tree, "rent").xpath('string(small[@class="fact-source"])').split() == ["截至", "2026-10-01", "[1]"]
    undo = editor.post(f"/api/history/{second.json()['commit']}/undo")
    assert undo.status_code == 200
    assert editor.get(f"/api/features/{PARK}").json()["properties"]["fact_sources"] == stored["fact_sources"]


@pytest.mark.parametrize("change, field, words", [
    ({"contact_wechat_url": "https://example.org/r/abc", **DATED}, "contact_wechat_url",
     "weixin.qq.com or mp.weixin.qq.com"),
    ({"area_ha": 3, "fact_sources": [source("area_ha", "size")]}, "fact_sources.0.facts.1", "Input should be"),
    ({"area_ha": 3, "fact_sources": [source("area_ha"), source("area_ha")]}, "fact_sources", "named in entries 1 and 2"),
    ({"policies": [{**POLICY, "date": "May 2024"}], **DATED}, "policies.0.date", "valid date"),
    ({"policies": ["晋江市科技创新若干措施"], **DATED}, "policies.0", "valid dictionary"),
])
def test_bad_facts_are_a_422_naming_the_field(editor, change, field, words):
    before = editor.get(f"/api/features/{PARK}").headers["etag"]
    answer = put(editor, change)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert any(e["field"] == field and words in e["message"] for e in errors), errors
    assert editor.get(f"/api/features/{PARK}").headers["etag"] == before


# ------------------------------------------------------------------ imports
def test_an_import_takes_policies_and_sources_of_facts_as_json(importing):
    client, _, folder = importing
    row = {"id": "sanchuang-incubator", "space_lab_m2": "300", "contact_wechat_url": WECHAT,
           "fact_sources": json.dumps([source("space_lab_m2")], ensure_ascii=False),
           "policies": json.dumps([POLICY], ensure_ascii=False), **DATED}
    done = upload(client, "facts.csv", csv_bytes([row]), mode="apply")
    assert done.status_code == 200 and done.json()["changed"] == ["sanchuang-incubator"], done.text
    props = stored(folder, "incubators")["sanchuang-incubator"]["properties"]
    assert [(p["title_zh"], p["date"]) for p in props["policies"]] == [(POLICY["title_zh"], "2024-05-01")]
    assert [(s["facts"], s["as_of"]) for s in props["fact_sources"]] == [(["space_lab_m2"], "2026-05-01")]
    assert props["space_lab_m2"] == 300 and props["contact_wechat_url"] == WECHAT
    lines = {"id": "sanchuang-incubator", "policies": "晋江市科技创新若干措施；晋江市人民政府；2024-05-01"}
    refused = upload(client, "lines.csv", csv_bytes([lines]))
    assert refused.status_code == 200
    [rejection] = refused.json()["rejected"]
    assert "policies: not a JSON array of objects" in json.dumps(rejection, ensure_ascii=False)
