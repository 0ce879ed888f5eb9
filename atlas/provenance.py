"""Where the data's facts come from, in words fit for the public.

Every feature carries ``citations`` (publisher, title, date, URL of a public source)
and a ``position_note``; the research notes the data was compiled from stay in
``data/research/`` and are never served.  This module turns citations and plan
section numbers into readable text, and recognises internal research references
so that validation and tests can keep them out of pages, prints and exports.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache

from atlas.config import REPO_ROOT

SECTIONS_FILE = REPO_ROOT / "data" / "plan" / "sections.json"
"""The plan's sections: number (as used in ``plan_refs``) -> [Chinese title, English title]."""

PLAN_CITATION: dict = {
    "publisher_zh": "晋江市人民政府办公室",
    "publisher_en": "General Office of the Jinjiang Municipal People's Government",
    "title_zh": "晋江市“十四五”科技创新发展专项规划",
    "title_en": "Jinjiang 14th Five-Year Special Plan for Science and Technology Innovation "
                "Development",
    "date": "2022-12-05",
    "url": None,
}
"""The plan itself as a citation: document 晋政办〔2022〕42号, issued 2022-12-05 (the copy
the atlas was compiled from has no public address, so no URL is given)."""

_RESEARCH = re.compile(
    r"places\.md"                          # the research file
    r"|shared/research"                    # its folder
    r"|\b(?:NOT )?FOUND\b|\bINFERRED\b"    # its evidence labels
    r"|§\s?\d"                             # its section numbers
    r"|\b[A-Z]\d+(?:-[a-z])?:"             # its row ids: "Z1-a:", "P13:", "C3:"
    r"|\bTODO\b|\bFIXME\b")
"""Fragments of the research notes that must not reach public text."""

PUBLIC_TEXT_FIELDS: tuple[str, ...] = (
    "name_zh", "name_en", "aliases", "description_zh", "description_en",
    "position_note_zh", "position_note_en", "operator_zh", "operator_en",
    "partners_zh", "partners_en", "citations", "land_zh", "land_en", "contact_wechat",
    "policies", "facts_source_zh", "facts_source_en", "fact_sources")
"""Feature properties shown to the public (pages, prints, exports) that hold free text."""


_RESEARCH_LITERALS = ("places.md", "shared/research", "FOUND", "INFERRED", "§", "TODO", "FIXME")
_ROW_ID_ANYWHERE = re.compile(r"[A-Z]\d+(?:-[a-z])?:")


def may_hold_research(text: str) -> bool:
    """A fast screen for long texts (a whole layer as JSON): False only when :func:`research_reference`
    would find nothing in any part of ``text``.  Literal searches and one simple pattern, some
    thirty times faster than the full pattern."""
    return any(literal in text for literal in _RESEARCH_LITERALS) or \
        _ROW_ID_ANYWHERE.search(text) is not None


def research_reference(text: str) -> str | None:
    """The internal research reference ``text`` contains (e.g. ``"places.md"``,
    ``"INFERRED"``, ``"Z1-a:"``), or None when it has none."""
    found = _RESEARCH.search(text or "")
    return found.group(0) if found else None


def public_texts(props: Mapping) -> Iterator[tuple[str, str]]:
    """Every free-text value of a feature's public fields, as (field path, text) pairs:
    ``("aliases[1]", "福大")``, ``("citations[0].title_zh", "…")``."""
    for name in PUBLIC_TEXT_FIELDS:
        value = props.get(name)
        if isinstance(value, str):
            yield name, value
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    yield f"{name}[{i}]", item
                elif isinstance(item, Mapping):
                    for key, text in item.items():
                        if isinstance(text, str):
                            yield f"{name}[{i}].{key}", text


def citation_text(citation: Mapping, lang: str) -> str:
    """A citation as one readable line in ``lang`` ("zh" or "en"), without its URL:
    ``泉州晚报，2022-10，《晋江三创园…》`` or ``Quanzhou Evening News, 2022-10, “…”``.

    An English title missing falls back to the Chinese one (and vice versa)."""
    if lang == "en":
        publisher = citation.get("publisher_en") or citation.get("publisher_zh", "")
        title = citation.get("title_en") or citation.get("title_zh") or ""
        parts = [publisher, citation.get("date") or ""] + ([f"“{title}”"] if title else [])
        return ", ".join(p for p in parts if p)
    publisher = citation.get("publisher_zh") or citation.get("publisher_en", "")
    title = citation.get("title_zh") or citation.get("title_en") or ""
    parts = [publisher, citation.get("date") or ""] + ([f"《{title}》"] if title else [])
    return "，".join(p for p in parts if p)


def citation_line(citation: Mapping, lang: str) -> str:
    """A citation as one readable line in ``lang``, with its URL when it has one."""
    text = citation_text(citation, lang)
    return f"{text} {citation['url']}" if citation.get("url") else text


@cache
def plan_sections() -> dict[str, tuple[str, str]]:
    """The plan's sections by number (``"三(一)"``, ``"专栏3"``, ``"表1-1"``):
    (Chinese title, English title), read once from ``data/plan/sections.json``."""
    data = json.loads(SECTIONS_FILE.read_text(encoding="utf-8"))
    return {ref: (zh, en) for ref, (zh, en) in data["sections"].items()}


_CHAPTERS = "一二三四五六七八九十"
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
_REF = re.compile(r"^([一二三四五六七八九十])(?:\(([一二三四五六七八九十])\))?$")


def _ref_en(ref: str) -> str:
    """A section number in English: 三(一) -> III(1), 专栏3 -> Box 3, 表1-1 -> Table 1-1."""
    if m := _REF.match(ref):
        chapter = _ROMAN[_CHAPTERS.index(m.group(1))]
        return f"{chapter}({_CHAPTERS.index(m.group(2)) + 1})" if m.group(2) else chapter
    if ref.startswith("专栏"):
        return f"Box {ref.removeprefix('专栏')}"
    if ref.startswith("表"):
        return f"Table {ref.removeprefix('表')}"
    return ref


def plan_ref_label(ref: str, lang: str) -> str:
    """A plan section number with its title in ``lang``: ``三(一) 优化“一廊两区多平台”创新布局``
    or ``III(1) Optimise the ‘one corridor, two zones, many platforms’ innovation layout``.
    An unknown number is returned unchanged."""
    titles = plan_sections().get(ref)
    if titles is None:
        return ref
    zh, en = titles
    if lang == "en":
        number = _ref_en(ref)
        return en if number == ref else f"{number} {en}"
    return zh if zh == ref else f"{ref} {zh}"
