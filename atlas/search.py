"""Name search over Chinese characters, pinyin (full and initials) and English.

"scy" finds 三创园, "sanchuang" finds it too, and so do "三创" and "Sanchuang".
Pinyin comes from the maintained ``pypinyin`` library.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin import lazy_pinyin

_NOISE = re.compile(r"[\s\-—–_·・“”\"'‘’()（）]+")


def normalise(text: str) -> str:
    """Lower-case and drop spaces and punctuation that people type inconsistently."""
    return _NOISE.sub("", text).lower()


def search_keys(name_zh: str, name_en: str) -> tuple[str, ...]:
    """The strings a query is matched against: characters, pinyin, initials and English."""
    syllables = [s for s in lazy_pinyin(name_zh, errors="ignore") if s]
    initials = "".join(s[0] for s in syllables)  # same as Style.FIRST_LETTER, half the cost
    return (normalise(name_zh), normalise("".join(syllables)), normalise(initials),
            normalise(name_en))


def entity_keys(name_zh: str, name_en: str, aliases: list[str]) -> tuple[str, ...]:
    """Search keys of a name and of each alias (an alias is matched like a Chinese name)."""
    keys = search_keys(name_zh, name_en)
    for alias in aliases:
        keys += search_keys(alias, alias)
    return keys


_KEYS_PER_NAME = 4
_INITIALS = 2
"""Position of the pinyin initials in :func:`search_keys`; they match as a prefix only."""


def _score(query: str, key: str, substring: bool) -> int:
    if key == query:
        return 3
    if key.startswith(query):
        return 2
    return 1 if substring and query in key else 0


@dataclass(frozen=True)
class Hit:
    entity_id: str
    score: int


class SearchIndex:
    """An in-memory index of entity names, built once per data version."""

    def __init__(self, names: dict[str, tuple[str, str, list[str]]]):
        """``names`` maps entity id to (name_zh, name_en, aliases)."""
        self._keys = {eid: entity_keys(*name) for eid, name in names.items()}

    def search(self, query: str, limit: int | None = 50) -> list[str]:
        """Ids whose names match ``query``, best first (exact, then prefix, then substring);
        at most ``limit`` of them (None: all)."""
        q = normalise(query)
        if not q:
            return []
        hits = []
        for eid, keys in self._keys.items():
            score = max(_score(q, key, substring=(i % _KEYS_PER_NAME != _INITIALS))
                        for i, key in enumerate(keys))
            if score:
                hits.append(Hit(eid, score))
        hits.sort(key=lambda h: (-h.score, h.entity_id))
        return [h.entity_id for h in hits[:limit]]
