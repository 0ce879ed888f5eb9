"""The shipped data carries the plan's layout faithfully and is honest about precision."""

from __future__ import annotations

import pytest

from atlas.vocab import Layer

# Places the plan names in Jinjiang (三(一), 专栏3, 六), by a distinctive part of the Chinese name.
NAMED_IN_PLAN = [
    # 三(一): the corridor, its nodes, the two zones and their pivots
    "世纪大道", "金融广场", "洪山文创园", "三创园", "科创新区", "金井产教融合区",
    "智能制造学院", "泉州装备制造研究所", "福州大学晋江科教园",
    # 专栏3: the nine 大院大所 and the other named carriers
    "哈工大机器人研发中心", "福州大学—晋江微电子研究院", "海西纺织新材料工业技术晋江研究院",
    "海峡石墨烯产业技术研究院", "中国皮革和制鞋工业研究院", "中轻（晋江）卫生用品研究",
    "保利创新综合体", "中关村中试熟化平台", "福大国家大学科技园晋江分园", "晋江产业技术研究院",
    "科技大市场",
    # 六(一)–(三): parks, industry platforms and universities
    "高端绿色鞋服产业创新中心", "国家服装服饰质量监督检验中心", "鞋纺城供应链中心",
    "建陶产业公共创新平台", "休闲食品产业创新中心", "工信部电子知识产权中心泉州分中心",
    "ICC集成电路产业公共服务平台", "华为（晋江）工业互联网云孵化中心", "SAP海丝工业互联网创新中心",
    "智能装备制造产业基地", "机械创新", "医疗器械产业园", "上海六院福建医院", "深沪中心渔港",
    "海洋生物科技园", "海洋生物产业技术研究院", "医用同位素和核医药研发平台",
    "省集成电路创新实验室", "泉州职业技术大学", "泉州轻工职业学院",
    # 三(三): the parks the plan names
    "五里园", "集成电路产业园",
]

REQUIRED = ("name_zh", "name_en", "kind", "status", "precision", "source", "plan_refs")


@pytest.fixture(scope="module")
def atlas(app):
    return app.state.atlas


@pytest.mark.parametrize("name", NAMED_IN_PLAN)
def test_named_place_is_in_the_data_with_its_attributes(atlas, name):
    found = [e for e in atlas.entities.values() if name in e.props["name_zh"]]
    assert found, f"{name} is missing"
    for entity in found:
        assert all(entity.props.get(f) for f in REQUIRED), entity.props
        assert "industries" in entity.props


def test_town_level_units_are_the_19_of_jinjiang(atlas):
    towns = atlas.frames[Layer.towns]
    assert len(towns) == 19
    assert (towns["kind"] == "subdistrict").sum() == 6
    assert (towns["kind"] == "town").sum() == 13
    assert set(towns["precision"]) == {"approximate"}


def test_positions_without_a_found_source_are_marked_approximate(atlas):
    unsure = ("NOT FOUND", "not found", "placeholder", "INFERRED", "recollection")
    for entity in atlas.entities.values():
        if any(word in entity.props["source"] for word in unsure):
            assert entity.props["precision"] in ("approximate", "placeholder", "town"), entity.id
    assert not [e.id for e in atlas.entities.values() if e.props["precision"] == "surveyed"]


def test_planned_items_say_so(atlas):
    planned = {e.id for e in atlas.entities.values() if e.props["status"] == "planned"}
    assert {"poly-innovation-complex", "marine-biotech-park", "provincial-ic-lab"} <= planned


def test_zone_area_matches_the_control_plan(atlas):
    zone = atlas.metric[Layer.zones].loc["kechuang-new-zone"]
    assert zone.geometry.area / 1e4 == pytest.approx(zone.stated_area_ha, rel=0.05)
