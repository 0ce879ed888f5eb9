"""Name search: characters, full pinyin, initials, English and aliases."""

from __future__ import annotations

import pytest

from atlas.search import SearchIndex

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
