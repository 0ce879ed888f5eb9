"""Search: names (characters, full pinyin, initials, English, aliases), industries, kinds,
layers and areas, whole words for short Latin queries, typos, ranking, and the page's hint.

Unit tests use small hand-made indexes; the rest search the shipped atlas and compute what
they expect from its data, so records added later keep the tests meaningful.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings, strategies as st
from pypinyin import lazy_pinyin

from atlas.engine import ENTITY_LAYERS, Atlas
from atlas.search import SearchIndex, normalise, words
from atlas.storage.geojson import GeoJSONStorage
from atlas.vocab import LAYER_KINDS, LISTED_LAYERS, Layer

INDEX = SearchIndex({
    "sanchuang-park": ("三创园", "Jinjiang Sanchuang Park", []),
    "printing-base": ("中国包装印刷产业（晋江）基地", "Packaging & Printing Base", []),
    "fzu-campus": ("福州大学晋江科教园", "FZU Jinjiang Campus", ["福大晋江校区"]),
})


@pytest.mark.parametrize("query,expected", [
    ("三创", ["sanchuang-park"]),
    ("sanchuang", ["sanchuang-park"]),
    ("San Chuang", ["sanchuang-park"]),          # spaces and case do not matter
    ("scy", ["sanchuang-park"]),                 # initials match as a prefix only ...
    ("cy", []),                                  # ... so short initials do not match mid-name
    ("Printing", ["printing-base"]),
    ("福大", ["fzu-campus"]),                     # alias
    ("fdjj", ["fzu-campus"]),                    # alias initials
    ("fuzhoudaxue", ["fzu-campus"]),
    ("", []),
])
def test_search(query, expected):
    assert INDEX.search(query) == expected


def test_exact_beats_prefix_beats_substring():
    index = SearchIndex({"a": ("创新园区", "", []), "b": ("三创园", "", []), "c": ("创新", "", [])})
    assert index.search("创新") == ["c", "a"]


def test_tiers_rank_name_prefix_alias_substring_term_area():
    names = {"area-member": ("丙楼", "", []), "kind": ("乙楼", "", []),
             "substring": ("三创孵化器", "", []), "alias": ("甲楼", "", ["孵化器旧址"]),
             "prefix": ("孵化器大楼", "", []), "exact": ("孵化器", "", [])}
    index = SearchIndex(names, {("kind", "incubator"): ["kind"], ("area", "hatch"): ["area-member"]},
                        {"hatch": ("孵化器", "Hatchery", [])})
    assert index.search("孵化器") == ["exact", "prefix", "alias", "substring", "kind", "area-member"]


def test_ties_keep_the_order_names_are_given_in():
    index = SearchIndex({"b": ("孵化器乙", "", []), "a": ("孵化器甲", "", [])})
    assert index.search("孵化器") == ["b", "a"]


def test_typos_need_four_letters_and_come_only_when_nothing_else_matches():
    assert INDEX.search("sanchaung") == ["sanchuang-park"]  # one transposition
    assert INDEX.search("scu") == []                       # three letters: no typo tolerance
    index = SearchIndex({"jinjing": ("金井", "Jinjing", []), "jinjiang": ("晋江", "Jinjiang", [])})
    assert index.search("jinjing") == ["jinjing"]           # "jinjiang" is one edit away


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_query_is_answered_without_error(query):
    for index in (INDEX, SearchIndex({})):
        found = index.search(query, limit=None)
        assert len(found) == len(set(found))
        assert isinstance(index.explain(query, found), dict)


# ------------------------------------------------------------------ the shipped atlas
@pytest.fixture(scope="module")
def atlas(app) -> Atlas:
    return app.state.live.current()


@pytest.fixture(scope="module")
def browsable(atlas) -> list:
    return [e for e in atlas.entities.values() if e.layer in ENTITY_LAYERS]


def hits(atlas: Atlas, query: str) -> list[str]:
    return [e.id for e in atlas.search(query, limit=None)]


def names_of(entity) -> list[str]:
    return [entity.props["name_zh"], entity.props["name_en"], *(entity.props.get("aliases") or [])]


def named(entity, query: str) -> bool:
    """Whether ``query`` is in one of the entity's names (as the search normalises them)."""
    return any(normalise(query) in normalise(n) for n in names_of(entity))


@pytest.mark.parametrize("query", ["集成电路", "芯片", "半导体", "IC", "semiconductors", "chips"])
def test_an_industry_by_label_or_synonym_finds_every_entity_of_it(atlas, browsable, query):
    industry = {e.id for e in browsable if "integrated_circuits" in e.props["industries"]}
    found = hits(atlas, query)
    assert len(industry) >= 10 and industry <= set(found)
    for eid in found:  # and nothing else, but names containing the query
        assert eid in industry or named(atlas.entity(eid), query), eid


@pytest.mark.parametrize(("query", "industry"), [("IC", "integrated_circuits"), ("AI", "ai")])
def test_short_latin_queries_match_whole_words_not_the_inside_of_one(atlas, browsable, query,
                                                                      industry):
    q = query.lower()

    def whole(entity) -> bool:
        pinyin = ["".join(lazy_pinyin(n)) for n in names_of(entity)]
        initials = ["".join(s[0] for s in lazy_pinyin(n)) for n in names_of(entity)]
        return (industry in entity.props["industries"]
                or any(q in words(n) for n in names_of(entity))
                or any(p.startswith(q) for p in pinyin + initials))

    found = [atlas.entity(i) for i in hits(atlas, query)]
    assert found and all(whole(e) for e in found), [e.id for e in found if not whole(e)]
    inside = {e.id for e in browsable if named(e, query) and not whole(e)}  # Public, Ceramic, …
    assert inside and not {e.id for e in found} & inside


def typos(text: str) -> list[str]:
    """Two one-edit typos of ``text``: middle letters swapped, and the middle letter replaced."""
    m = len(text) // 2
    swapped = text[:m - 1] + text[m] + text[m - 1] + text[m + 1:]
    replaced = text[:m] + ("x" if text[m] != "x" else "q") + text[m + 1:]
    return [t for t in (swapped, replaced) if t != text]


def test_a_typo_in_the_full_pinyin_of_a_name_still_finds_it(atlas, browsable):
    tried = 0
    for entity in browsable:
        pinyin = "".join(lazy_pinyin(entity.props["name_zh"], errors="ignore"))
        if len(pinyin) < 6:
            continue
        for typo in typos(pinyin):
            tried += 1
            assert entity.id in hits(atlas, typo)[:5], (typo, entity.id)
    assert tried >= 40


@pytest.mark.parametrize(("query", "expected"), [("sanchaung", "sanchuang-park"),
                                                 ("jinjnig", "jinjing-industry-education-zone"),
                                                 ("incubater", "sanchuang-incubator")])
def test_a_typo_in_an_english_word_still_finds_it(atlas, query, expected):
    assert expected in hits(atlas, query)[:5]


def test_typos_are_not_tried_when_something_matched(atlas):
    found = hits(atlas, "jinjing")
    assert "jinjing-industry-education-zone" in found
    assert "jinjiang-talent-home" not in found  # its word "Jinjiang" is one edit away


@pytest.mark.parametrize(("query", "kinds"), [
    ("孵化器", LAYER_KINDS[Layer.incubators]), ("incubator", LAYER_KINDS[Layer.incubators]),
    ("众创空间", {"maker_space"}), ("maker space", {"maker_space"})])
def test_incubator_words_find_the_incubator_kinds(atlas, browsable, query, kinds):
    expected = {e.id for e in browsable if e.props["kind"] in kinds}
    found = hits(atlas, query)
    assert expected and expected <= set(found)
    assert all(atlas.entity(i).props["kind"] in kinds or named(atlas.entity(i), query)
               for i in found)


def test_an_exact_name_comes_first(atlas, browsable):
    for entity in browsable:
        for name in (entity.props["name_zh"], entity.props["name_en"]):
            first = atlas.entity(hits(atlas, name)[0])
            assert normalise(name) in map(normalise, names_of(first)), (name, first.id)


def test_a_park_comes_before_what_it_hosts(atlas):
    parks = [p for p in atlas.frames[Layer.parks].index if atlas.members(p)]
    assert "sanchuang-park" in parks
    for park in parks:
        found = hits(atlas, atlas.entity(park).props["name_zh"])
        assert found[0] == park
        assert {m.id for m in atlas.members(park)} <= set(found[1:])


def test_a_town_finds_what_belongs_to_it(atlas):
    found = hits(atlas, "陈埭")
    assert found and set(found) == {m.id for m in atlas.members("chendai")}


def test_ties_rank_by_layer_then_id(atlas):
    found = [atlas.entity(i) for i in hits(atlas, "芯片")]  # all of one tier: the industry
    assert found == sorted(found, key=lambda e: (ENTITY_LAYERS.index(e.layer), e.id))


def test_the_index_is_built_once_on_first_search(settings):
    atlas = Atlas.load(GeoJSONStorage(settings.data_dir), settings)
    assert atlas.index is None
    built = []
    threads = [threading.Thread(target=lambda: built.append(atlas.search_index()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 8 and all(index is built[0] for index in built)


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_any_query_on_the_atlas_is_answered_without_error(atlas, query):
    found = hits(atlas, query)
    assert len(found) == len(set(found))
    assert isinstance(atlas.search_index().explain(query, found), dict)


# ------------------------------------------------------------------ the page's hint
def listed_with(atlas, industry: str, layers=LISTED_LAYERS) -> set[str]:
    return {e.id for e in atlas.entities.values()
            if e.layer in layers and industry in e.props["industries"]}


def test_the_atlas_page_hint_names_the_industry_with_its_count(client, atlas):
    body = client.get("/api/entities", params={"q": "集成电路"}).json()
    expected = listed_with(atlas, "integrated_circuits")
    assert body["search"] == {"industry": "integrated_circuits", "label_zh": "集成电路",
                              "label_en": "Integrated circuits", "count": len(expected)}
    assert expected <= {f["id"] for f in body["features"]}
    assert {"type", "features", "numberMatched", "counts", "version"} <= set(body)


def test_the_hint_counts_what_the_facets_leave(client, atlas):
    body = client.get("/api/entities", params={"q": "芯片", "layer": "platforms"}).json()
    expected = listed_with(atlas, "integrated_circuits", (Layer.platforms,))
    assert body["search"]["count"] == len(expected) == body["numberMatched"]


@pytest.mark.parametrize(("query", "hint"), [
    ("三创园", {"area": "sanchuang-park"}), ("孵化器", {"layer": "incubators"}),
    ("众创空间", {"kind": "maker_space"}), ("Chendai", {"area": "chendai"})])
def test_the_hint_names_a_kind_layer_or_area(client, query, hint):
    body = client.get("/api/entities", params={"q": query}).json()
    assert hint.items() <= body["search"].items()
    assert 0 < body["search"]["count"] <= body["numberMatched"]


def test_no_match_gives_a_suggestion(client):
    body = client.get("/api/entities", params={"q": "sanchuangyuanqqqq"}).json()
    assert body["numberMatched"] == 0
    assert body["search"] == {"suggestion": "三创园"}


def test_a_match_by_typo_gives_a_suggestion_too(client):
    body = client.get("/api/entities", params={"q": "sanchaung"}).json()
    assert body["numberMatched"] > 0 and "suggestion" in body["search"]


def test_names_only_give_an_empty_hint_and_no_query_none(client):
    assert client.get("/api/entities", params={"q": "Printing"}).json()["search"] == {}
    assert "search" not in client.get("/api/entities").json()
