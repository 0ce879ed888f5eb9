"""atlas.provenance: readable citations and plan sections, and no research notes in public output."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from atlas.provenance import (PLAN_CITATION, citation_text, plan_ref_label, plan_sections,
                              public_texts, research_reference)

PAPER = {"publisher_zh": "泉州晚报", "publisher_en": "Quanzhou Evening News",
         "title_zh": "晋江三创园新赛道", "title_en": "New tracks at Jinjiang's Sanchuang Park",
         "date": "2022-10", "url": "https://example.org/a"}


def test_citation_text_in_chinese_and_english_without_the_url():
    assert citation_text(PAPER, "zh") == "泉州晚报，2022-10，《晋江三创园新赛道》"
    assert citation_text(PAPER, "en") == \
        "Quanzhou Evening News, 2022-10, “New tracks at Jinjiang's Sanchuang Park”"
    assert "example.org" not in citation_text(PAPER, "zh") + citation_text(PAPER, "en")


def test_citation_text_without_a_title_and_with_fallbacks():
    bare = {**PAPER, "title_zh": "", "title_en": ""}
    assert citation_text(bare, "zh") == "泉州晚报，2022-10"
    assert citation_text(bare, "en") == "Quanzhou Evening News, 2022-10"
    only_zh = {**PAPER, "title_en": ""}
    assert citation_text(only_zh, "en").endswith("“晋江三创园新赛道”")


def test_the_plan_cites_itself():
    assert citation_text(PLAN_CITATION, "zh") == \
        "晋江市人民政府办公室，2022-12-05，《晋江市“十四五”科技创新发展专项规划》"
    assert citation_text(PLAN_CITATION, "en").startswith(
        "General Office of the Jinjiang Municipal People's Government, 2022-12-05, “Jinjiang 14th")


@pytest.mark.parametrize("text,fragment", [
    ("places.md Z1-a: core of 科创新区", "places.md"),
    ("location NOT FOUND (P8); placeholder", "NOT FOUND"),
    ("site INFERRED from the name", "INFERRED"),
    ("P13: shown at 三创园", "P13:"),
    ("see §6 of the notes", "§6"),
    ("TODO check", "TODO"),
])
def test_research_references_are_recognised(text, fragment):
    assert research_reference(text) == fragment


@pytest.mark.parametrize("text", [
    "按报道“位于三创园内”在园区范围内示意，非门牌位置。", "phase 1 due in H1 2026",
    "三(一) 优化“一廊两区多平台”创新布局", "Found in 2013 by eight firms", "", "ICC（集成电路产业公共服务）平台"])
def test_public_wording_is_not_a_research_reference(text):
    assert research_reference(text) is None


def test_public_texts_reach_nested_citations_and_lists():
    props = {"name_zh": "甲", "aliases": ["乙"], "citations": [PAPER], "partners_en": ["X"],
             "kind": "incubator"}
    found = dict(public_texts(props))
    assert found["name_zh"] == "甲" and found["aliases[0]"] == "乙"
    assert found["citations[0].title_zh"] == "晋江三创园新赛道" and found["partners_en[0]"] == "X"
    assert "kind" not in found


def test_plan_sections_are_the_plans_titles():
    sections = plan_sections()
    assert sections["三(一)"] == ("优化“一廊两区多平台”创新布局",
                                  "Optimise the ‘one corridor, two zones, many platforms’ "
                                  "innovation layout")
    assert {"一", "十(四)", "专栏1", "专栏6", "表1-1", "前言"} <= set(sections)
    assert all(zh and en for zh, en in sections.values())


@pytest.mark.parametrize("ref,zh,en", [
    ("三(一)", "三(一) 优化“一廊两区多平台”创新布局",
     "III(1) Optimise the ‘one corridor, two zones, many platforms’ innovation layout"),
    ("六(二)", "六(二) 完善行业性创新平台", "VI(2) Complete the industry innovation platforms"),
    ("十(四)", "十(四) 落实考核评价", "X(4) Carry out assessment and evaluation"),
    ("专栏3", "专栏3 平台载体提质工程", "Box 3 Platform and carrier upgrading programme"),
    ("九", "九 推进科创双循环战略链接", "IX Link S&T innovation into the ‘dual circulation’ strategy"),
    ("前言", "前言", "Preface"),
    ("十一(九)", "十一(九)", "十一(九)"),
])
def test_plan_ref_label(ref, zh, en):
    assert plan_ref_label(ref, "zh") == zh
    assert plan_ref_label(ref, "en") == en


# --- what the public sees ---------------------------------------------------------------------

def _scan(text: str) -> str | None:
    return research_reference(text)


def test_exports_carry_citations_and_no_research_notes(client: TestClient):
    body = client.get("/export.csv?columns=codes").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and "source" not in rows[0]
    assert all(row["citation"] for row in rows)
    sanchuang = next(r for r in rows if r["id"] == "strait-graphene-institute")
    assert "泉州晚报，2022-10" in sanchuang["citation"] and "；" in sanchuang["citation"]
    assert _scan(body) is None
    for path in ("/export.geojson", "/api/entities", "/api/entities?lang=en",
                 "/ogc/collections/platforms/items?limit=1000",
                 "/ogc/collections/parks/items?limit=1000"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _scan(response.text) is None, (path, _scan(response.text))


@pytest.mark.parametrize("path", ["/platforms/strait-graphene-institute",
                                  "/platforms/strait-graphene-institute?lang=en",
                                  "/parks/ic-industrial-park?lang=en",
                                  "/platforms/jinjiang-hit-robotics-center"])
def test_profile_pages_carry_no_research_notes(client: TestClient, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert _scan(response.text) is None
