"""The enterprises the plan names and its industrial chains: findable, linked, gaps flagged."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from lxml import html

from atlas.config import Settings
from atlas.engine import Atlas
from atlas.promotion import chains as chains_module
from atlas.promotion.chains import ChainFile, load_chains
from atlas.storage.geojson import GeoJSONStorage
from atlas.validate import InvalidDataError
from atlas.vocab import Layer
from tests.conftest import SHIPPED_DATA

LISTED = ("parks", "platforms", "incubators", "enterprises")


@pytest.fixture(scope="module")
def atlas(app) -> Atlas:
    return app.state.live.current()


def shipped_features() -> dict[str, dict]:
    """id -> properties of every listed feature, read straight from the files."""
    out = {}
    for layer in LISTED:
        fc = json.loads((SHIPPED_DATA / f"{layer}.geojson").read_text(encoding="utf-8"))
        out.update({f["properties"]["id"]: f["properties"] for f in fc["features"]})
    return out


ENTERPRISES = json.loads((SHIPPED_DATA / "enterprises.geojson").read_text(encoding="utf-8"))["features"]


def test_the_plans_enterprises_are_a_layer_with_honest_positions():
    assert len(ENTERPRISES) >= 30
    names = {f["properties"]["name_zh"] for f in ENTERPRISES}
    assert {"晋华集成电路", "渠梁电子", "安踏", "特步", "三六一度", "恒安", "金石能源", "闽投电力",
            "凤竹纺织", "品质陶瓷", "科山芯创", "三伍微电子"} <= names
    for f in ENTERPRISES:
        p = f["properties"]
        assert p["kind"] == "enterprise" and p["citations"] and p["industries"] is not None
        if p["precision"] == "placeholder":
            assert "Position not known" in p["position_note_en"]


@pytest.mark.parametrize("feature", ENTERPRISES, ids=[f["id"] for f in ENTERPRISES])
def test_every_enterprise_is_found_by_each_of_its_names(atlas: Atlas, feature):
    p = feature["properties"]
    for name in (p["name_zh"], p["name_en"], *p["aliases"]):
        assert p["id"] in [e.id for e in atlas.search(name, limit=5)], name


def stage_members() -> dict[str, set[str]]:
    """stage id -> ids of the entities naming it, straight from the files."""
    found: dict[str, set[str]] = {}
    for fid, p in shipped_features().items():
        for stage in p.get("chain_stages") or ():
            found.setdefault(stage, set()).add(fid)
    return found


@pytest.mark.parametrize("chain", [c.id for c in load_chains()])
def test_a_chain_page_lists_each_stages_entities_and_flags_the_gaps(client, chain):
    page = client.get(f"/chains/{chain}?lang=en")
    assert page.status_code == 200
    tree = html.fromstring(page.text)
    members = stage_members()
    for stage in next(c for c in load_chains() if c.id == chain).stages:
        node = tree.get_element_by_id(stage.id)
        shown = {li.get("data-id") for li in node.findall(".//li[@data-id]")}
        expected = members.get(stage.id, set())
        assert shown == expected, stage.id
        assert ("gap" in node.get("class").split()) is (not expected), stage.id
        for fid in shown:  # each entity: its profile, and the atlas selecting it
            links = [a.get("href") for a in node.xpath(f'.//li[@data-id="{fid}"]//a')]
            assert client.get(links[0]).status_code == 200
            assert links[1] == f"/?sel={fid}&lang=en"
        if expected:  # the stage as a whole on the atlas: exactly its entities
            href = node.xpath('.//a[contains(@class, "stage-map")]')[0].get("href")
            query = href.split("?", 1)[1].replace("&lang=en", "")
            listed = client.get(f"/api/entities?{query}").json()
            assert {f["id"] for f in listed["features"]} == expected


def test_the_chain_index_counts_each_stage(client):
    tree = html.fromstring(client.get("/chains").text)
    members = stage_members()
    for c in load_chains():
        strip = tree.get_element_by_id(c.id)
        counts = [int(n.text) for n in strip.xpath('.//span[@class="n"]')]
        assert counts == [len(members.get(s.id, ())) for s in c.stages]
    assert client.get("/chains/no-such-chain").status_code == 404


def test_the_ic_chain_is_the_plans_five_stages_with_two_gaps(client):
    ic = next(c for c in load_chains() if c.id == "ic")
    assert [s.name_zh for s in ic.stages] == ["芯片设计", "制造", "封装测试", "装备与材料", "配套及终端应用"]
    assert "芯片设计—制造—封装测试—装备与材料—配套及终端应用" in ic.quote_zh
    tree = html.fromstring(client.get("/chains/ic").text)
    gaps = [li.get("id") for li in tree.xpath('//li[contains(@class, "stage") and contains(@class, "gap")]')]
    assert gaps == ["ic-equipment-materials", "ic-supporting-end-use"]


def test_a_profile_names_its_chain_stages(client):
    page = client.get("/enterprises/jhicc?lang=en").text
    assert 'href="/chains/ic?lang=en#ic-manufacturing"' in page
    assert "Fujian Jinhua Integrated Circuit" in page


def test_the_stage_filter_refuses_unknown_stages(client):
    bad = client.get("/api/entities", params={"stage": "no-such-stage"})
    assert bad.status_code == 400 and "stage" in bad.json()["detail"]


def test_validation_refuses_an_unknown_stage(tmp_path):
    folder = tmp_path / "geo"
    shutil.copytree(SHIPPED_DATA, folder)
    path = folder / "enterprises.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"][0]["properties"]["chain_stages"] = ["no-such-stage"]
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InvalidDataError, match=re.escape("chain_stages -> 'no-such-stage'")):
        Atlas.load(GeoJSONStorage(folder), Settings(data_dir=folder, tiles="none"))


def test_the_chain_file_refuses_repeated_ids():
    raw = json.loads(chains_module.CHAINS_FILE.read_text(encoding="utf-8"))
    raw["chains"][1]["stages"][0]["id"] = raw["chains"][0]["stages"][0]["id"]
    with pytest.raises(ValueError, match="more than once"):
        ChainFile.model_validate(raw)


def test_an_enterprise_in_a_park_belongs_to_it(atlas: Atlas):
    anta = atlas.entity("anta-sports")
    assert anta.layer == Layer.enterprises
    assert atlas.parent["anta-sports"] == "wuli-park"
    assert "anta-sports" in [e.id for e in atlas.members("wuli-park")]
