"""One query box over names, aliases, industries, kinds, layers and areas: Chinese, pinyin, English.

A query finds an entity by

1. its name or an alias: Chinese characters, full pinyin, pinyin initials (as a prefix only)
   or English, case, spaces and punctuation ignored ("三创", "sanchuang", "scy", "Sanchuang");
2. what it is: an industry, kind or layer named by its label or a synonym (集成电路, 芯片,
   semiconductor, IC; 孵化器, maker space; see :data:`SYNONYMS`);
3. where it belongs: a town, zone or park named like a name (三创园 finds what the park hosts,
   by the membership rule of :mod:`atlas.membership`);
4. a typo (one edit, two from eight letters on), only when nothing above matched.

Results rank by :class:`Tier`; ties keep the order the names were given in (the engine gives
layer order, then id).  A query of at most three Latin letters ("IC", "AI") matches whole keys,
whole English words and pinyin prefixes only, never the inside of a word ("Public", "Maintain").

Every key lives once in a :class:`_Column` (a joined string searched in C, with the records
that hold it), so a query over 100 000 entities takes milliseconds.  Pinyin comes from the
maintained ``pypinyin`` library, typo distances and suggestions from ``rapidfuzz``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from atlas.vocab import LABELS, Industry, Kind, Layer

_NOISE = re.compile(r"[\s\-—–_·・“”\"'‘’()（）/／:：、,，]+")
_HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_WORD = re.compile(r"[a-z]{2,}")
_SHORT_LATIN = re.compile(r"[a-z]{1,3}")
_SEP = "\n"
"""Joins the keys of a column; :func:`normalise` removes it from every key and query."""


def normalise(text: str) -> str:
    """Lower-case and drop spaces and punctuation that people type inconsistently."""
    return _NOISE.sub("", text).lower()


def words(text: str) -> set[str]:
    """The English words of ``text`` (runs of two or more Latin letters), lower-case."""
    return set(_WORD.findall(text.lower()))


class Tier(IntEnum):
    """How an entity matched a query, best first."""

    EXACT_NAME = 0
    NAME_PREFIX = 1
    ALIAS = 2
    """An alias equals the query or starts with it."""
    SUBSTRING = 3
    """A name or alias contains the query (for a short Latin query: has it as a whole word)."""
    TERM = 4
    """The entity carries an industry, kind or layer the query names."""
    AREA = 5
    """The entity belongs to a town, zone or park the query names."""
    TYPO = 6
    """A name, alias or English word of one is one edit away (tried only when nothing above
    matched)."""
    TYPO_TWO_EDITS = 7
    TYPO_TERM = 8
    """The entity carries an industry, kind, layer or area whose spelling is a typo away."""


_UNMATCHED = 127
EXACT, PREFIX, SUBSTRING = 0, 1, 2
"""How a key matched: it equals the query, starts with it, or contains it."""
_NAME_TIERS = np.array([[Tier.EXACT_NAME, Tier.NAME_PREFIX, Tier.SUBSTRING],
                        [Tier.ALIAS, Tier.ALIAS, Tier.SUBSTRING]], np.int8)
"""Tier of a key match, by [is an alias][how]."""

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "industry": {
        Industry.footwear_apparel: ("鞋", "鞋业", "制鞋", "运动鞋", "服装", "服饰", "鞋服产业",
                                    "体育用品", "运动用品", "footwear", "shoes", "apparel",
                                    "clothing", "garments", "sportswear", "sporting goods"),
        Industry.textiles: ("纺织品", "纺织业", "面料", "化纤", "纤维", "印染", "织造",
                            "textile", "fabrics", "fibre", "fiber", "yarn"),
        Industry.building_materials: ("建筑材料", "陶瓷", "建陶", "瓷砖", "石材", "ceramics",
                                      "tiles", "construction materials"),
        Industry.food: ("食品饮料", "休闲食品", "饮料", "食品加工", "food and beverage",
                        "beverages", "snacks"),
        Industry.next_gen_it: ("信息技术", "电子信息", "软件", "互联网", "物联网", "5G", "IT", "ICT",
                               "information technology", "software", "internet", "electronics",
                               "IoT"),
        Industry.integrated_circuits: ("芯片", "半导体", "微电子", "晶圆", "封装测试", "封测", "IC",
                                       "chips", "semiconductors", "microelectronics",
                                       "integrated circuit", "wafers"),
        Industry.high_end_equipment: ("装备制造", "智能装备", "智能制造", "机械", "机器人",
                                      "数控", "先进制造", "equipment", "machinery", "robotics",
                                      "robots", "intelligent manufacturing",
                                      "advanced manufacturing"),
        Industry.medical_health: ("医疗", "医药", "生物医药", "医疗器械", "大健康", "健康",
                                  "卫生用品", "医院", "medical", "health", "healthcare",
                                  "medicine", "pharmaceuticals", "medical devices", "hospital"),
        Industry.marine: ("海洋", "海洋经济", "海洋生物", "渔业", "水产", "marine", "ocean",
                          "maritime", "fisheries", "aquaculture", "blue economy"),
        Industry.commerce_logistics: ("商贸", "物流", "电商", "电子商务", "跨境电商", "供应链",
                                      "贸易", "logistics", "commerce", "trade", "e-commerce",
                                      "supply chain"),
        Industry.culture_sports_tourism: ("文旅", "旅游", "文化", "体育", "文体", "culture",
                                          "sports", "tourism", "travel"),
        Industry.rd_design: ("研发", "设计", "工业设计", "创意", "创意设计", "研发设计",
                             "research and development", "design", "industrial design",
                             "creative design"),
        Industry.finance: ("金融", "银行", "投资", "基金", "资本", "保险", "科技金融", "finance",
                           "financial", "banking", "investment", "fintech", "venture capital"),
        Industry.graphene: ("碳材料", "二维材料", "graphene", "carbon materials"),
        Industry.new_energy: ("新能源", "储能", "锂电", "锂电池", "电池", "光伏", "氢能",
                              "新能源汽车", "new energy", "energy storage", "batteries",
                              "solar", "photovoltaics", "hydrogen", "renewables", "EV"),
        Industry.data: ("数据", "大数据", "数字经济", "算力", "云计算", "数据中心", "big data",
                        "cloud computing", "data centre", "data center", "digital economy"),
        Industry.ai: ("智能", "AI", "机器学习", "大模型", "算法", "artificial intelligence",
                      "machine learning"),
        Industry.fourth_gen_semiconductor: ("四代半导体", "氧化镓", "超宽禁带半导体",
                                            "宽禁带半导体", "4th-gen semiconductors",
                                            "fourth-generation semiconductors", "gallium oxide",
                                            "ultra-wide bandgap"),
        Industry.metaverse_blockchain: ("元宇宙", "区块链", "虚拟现实", "数字孪生", "VR", "AR",
                                        "metaverse", "blockchain", "virtual reality",
                                        "digital twin", "web3"),
        Industry.green: ("绿色", "环保", "节能", "节能环保", "低碳", "碳中和", "循环经济",
                         "green", "environmental", "cleantech", "low carbon",
                         "circular economy", "recycling"),
        Industry.gene_biotech: ("基因", "生物技术", "生物科技", "生物", "合成生物", "基因工程",
                                "biotech", "biotechnology", "genes", "genomics",
                                "synthetic biology", "life sciences"),
        Industry.civil_military: ("军民两用", "国防", "军工", "defence", "defense", "dual-use",
                                  "military"),
    },
    "layer": {
        Layer.corridor: ("一廊", "世纪大道", "创新走廊", "双创走廊", "Century Avenue", "corridor"),
        Layer.zones: ("两区", "新区", "片区", "zones"),
        Layer.parks: ("园区", "基地", "载体", "parks", "bases"),
        Layer.platforms: ("平台", "创新平台", "科创平台", "platforms", "innovation platforms"),
        Layer.incubators: ("孵化器", "孵化", "孵化载体", "双创载体", "创业载体", "incubators",
                           "incubation", "startup incubators"),
    },
    "kind": {
        Kind.corridor: ("走廊", "科创走廊", "corridor"),
        Kind.innovation_zone: ("科创区", "科技创新区", "innovation zone",
                               "science and technology zone"),
        Kind.industry_education_zone: ("产教融合", "industry-education integration"),
        Kind.industrial_park: ("产业园", "工业园", "工业园区", "industrial zone"),
        Kind.innovation_park: ("科创园", "科技园", "创新园", "双创园", "science park",
                               "tech park"),
        Kind.cultural_creative_park: ("文创园区", "文化创意园", "创意园", "creative park",
                                      "cultural park"),
        Kind.campus: ("校区", "大学城", "科教园", "campus"),
        Kind.industry_base: ("生产基地", "制造基地", "industrial base"),
        Kind.innovation_complex: ("综合体", "complex"),
        Kind.finance_district: ("金融区", "金融中心", "金融广场", "CBD", "financial district"),
        Kind.port: ("港口", "渔港", "码头", "港", "harbour", "harbor", "fishing port"),
        Kind.university: ("大学", "学院", "高等院校", "职业学院", "university", "college"),
        Kind.research_institute: ("研究院", "研究所", "科研机构", "实验室", "重点实验室",
                                  "institute", "laboratory", "lab"),
        Kind.new_rd_institution: ("研发机构", "新型研发", "R&D institution"),
        Kind.industry_innovation_center: ("创新中心", "技术创新中心", "innovation centre",
                                          "innovation center"),
        Kind.testing_center: ("检测", "检验", "检测中心", "质检", "质量检测", "认证", "testing",
                              "inspection", "quality control", "QC", "certification",
                              "testing centre", "testing center"),
        Kind.industrial_internet_center: ("工业互联网", "industrial internet"),
        Kind.tech_transfer_ip_center: ("技术转移", "知识产权", "成果转化", "技术市场", "专利",
                                       "technology transfer", "tech transfer",
                                       "intellectual property", "IP", "patents"),
        Kind.pilot_platform: ("中试", "中试基地", "熟化", "pilot", "pilot plant", "scale-up"),
        Kind.medical_platform: ("医院", "医疗平台", "临床", "hospital", "clinical"),
        Kind.talent_base: ("人才", "人才基地", "创业基地", "人才之家", "创业", "talent",
                           "start-up base", "startup", "entrepreneurship"),
        Kind.incubator: ("科技企业孵化器", "孵化", "incubation"),
        Kind.maker_space: ("创客空间", "创客", "maker space", "makerspace", "makers",
                           "hackerspace"),
        Kind.accelerator: ("企业加速器", "accelerator"),
        Kind.university_science_park: ("大学科技园区", "university science park"),
    },
}
"""Words people use for an industry, kind or layer, beside its labels in :data:`LABELS`."""


@dataclass(frozen=True)
class Term:
    """Something entities carry that a query may name: an industry, kind, layer or area."""

    facet: str
    """"industry", "kind", "layer" or "area"."""
    value: str
    label_zh: str
    label_en: str
    spellings: tuple[str, ...]
    """Its labels and synonyms, or (an area) its names and aliases."""


@cache
def _vocabulary_terms() -> tuple[Term, ...]:
    """Every industry, layer and kind with its labels and synonyms (in that order)."""
    return tuple(Term(facet, value, label.zh, label.en,
                      (label.zh, label.en, *SYNONYMS[facet].get(value, ())))
                 for facet, vocabulary in (("industry", "Industry"), ("layer", "Layer"),
                                           ("kind", "Kind"))
                 for value, label in LABELS[vocabulary].items())


class Pinyin:
    """Full pinyin and initials of text, each run of Chinese characters converted once.

    ``known`` runs (kept from an earlier build) are not converted again, so a build that finds
    every run there never loads pypinyin's dictionaries (about 58 MB)."""

    def __init__(self, known: Mapping[str, list[str]] | None = None):
        self.runs: dict[str, list[str]] = dict(known or {})
        """Every run converted so far, with its syllables."""
        self.learned = False
        """Whether a run not in ``known`` was converted."""

    def __call__(self, text: str) -> tuple[str, str]:
        syllables: list[str] = []
        for run in _HAN.findall(text):
            if run not in self.runs:
                from pypinyin import lazy_pinyin  # 0.6 s and 58 MB: only for a run not known
                self.runs[run] = [s for s in lazy_pinyin(run, errors="ignore") if s]
                self.learned = True
            syllables += self.runs[run]
        return "".join(syllables), "".join(s[0] for s in syllables)


class _Column:
    """Distinct keys, each with the records (numbered by the caller) that hold it and the text
    it came from; found by exact key, prefix, substring, typo distance or closeness.

    The keys are joined into one string, so finding a key, a prefix or a substring is a C-level
    scan, not a Python loop over every key; keys and texts live only in joined strings (at
    100 000 entities a Python object per key would cost tens of megabytes).
    """

    def __init__(self, keys: Sequence[str], records: Sequence[int], texts: Sequence[str]):
        """Parallel sequences: a key, the record holding it and the text it came from (the first
        text of a key is kept); empty keys are skipped."""
        keys = np.asarray(keys, dtype=object)
        kept = np.flatnonzero(keys != "")
        codes, distinct = pd.factorize(keys[kept])
        order = np.argsort(codes, kind="stable")
        self._ptr = np.zeros(len(distinct) + 1, np.int32)  # int32: half the memory of int64
        self._ptr[1:] = np.cumsum(np.bincount(codes, minlength=len(distinct)))
        self._records = np.asarray(records, np.int32)[kept][order]
        first_texts = np.asarray(texts, dtype=object)[kept[order[self._ptr[:-1]]]].tolist()
        self._text_ends = np.cumsum(np.fromiter(map(len, first_texts), np.int32, len(first_texts)),
                                    dtype=np.int32)
        self._texts = "".join(first_texts)
        self._lengths = np.fromiter(map(len, distinct), np.int32, len(distinct))
        self._starts = np.cumsum(self._lengths + 1, dtype=np.int32) - self._lengths
        self._blob = _SEP + _SEP.join(distinct) + _SEP

    @property
    def keys(self) -> list[str]:
        """The distinct keys, in key-number order (built on each call: for typo matching)."""
        return self._blob[1:-1].split(_SEP) if len(self._lengths) else []

    def text(self, key: int) -> str:
        """The text key number ``key`` came from."""
        return self._texts[self._text_ends[key - 1] if key else 0:self._text_ends[key]]

    def exact(self, q: str, how: int = EXACT) -> tuple[np.ndarray, np.ndarray]:
        """Records whose key is ``q``, each with ``how``."""
        at = self._blob.find(_SEP + q + _SEP)
        keys = np.array([] if at < 0 else [np.searchsorted(self._starts, at + 1)], np.int64)
        return self._postings(keys, np.full(len(keys), how, np.int8))

    def find(self, q: str, substring: bool) -> tuple[np.ndarray, np.ndarray]:
        """Records whose key starts with ``q`` (or, if ``substring``, contains it), with how:
        EXACT, PREFIX or SUBSTRING."""
        needle = q if substring else _SEP + q
        at = np.fromiter((m.start() for m in re.finditer(re.escape(needle), self._blob)), np.int64)
        at += len(needle) - len(q)
        keys, first = np.unique(np.searchsorted(self._starts, at, side="right") - 1,
                                return_index=True)
        at = at[first]  # each key's first occurrence: its start, if it starts with q
        how = np.where(at > self._starts[keys], SUBSTRING,
                       np.where(self._lengths[keys] == len(q), EXACT, PREFIX)).astype(np.int8)
        return self._postings(keys, how)

    def near(self, q: str, max_edits: int) -> tuple[np.ndarray, np.ndarray]:
        """Records whose key is at most ``max_edits`` edits (OSA distance) from ``q``, with the
        distance."""
        distance = process.cdist([q], self.keys, scorer=OSA.distance, score_cutoff=max_edits,
                                 dtype=np.int32)[0]
        keys = np.flatnonzero(distance <= max_edits)
        return self._postings(keys, distance[keys].astype(np.int8))

    def closest(self, q: str, min_score: float) -> tuple[float, str] | None:
        """(score, text) of the key most like ``q`` by ``rapidfuzz``'s ratio, if it scores at
        least ``min_score`` (0–100)."""
        best = process.extractOne(q, self.keys, scorer=fuzz.ratio, score_cutoff=min_score)
        return (best[1], self.text(best[2])) if best else None

    def _postings(self, keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The records of ``keys``, each with its key's value."""
        counts = self._ptr[keys + 1] - self._ptr[keys]
        rows = np.repeat(self._ptr[keys] - np.cumsum(counts) + counts, counts) \
            + np.arange(counts.sum())
        return self._records[rows], np.repeat(values, counts)


@dataclass(frozen=True)
class _Match:
    """What a query matched: entity numbers best first, the numbers of the terms it named
    (not by typo) with how, and whether the entities come from typo tolerance alone."""

    order: np.ndarray
    terms: tuple[tuple[int, int], ...]
    typo: bool


class SearchIndex:
    """Names, aliases, industries, kinds, layers and areas of entities, for one query box.

    Built once per data version (the engine builds it on the first search); read-only
    afterwards, so threads may share it.
    """

    def __init__(self, names: Mapping[str, tuple[str, str, list[str]]],
                 members: Mapping[tuple[str, str], Iterable[str]] | None = None,
                 areas: Mapping[str, tuple[str, str, list[str]]] | None = None,
                 pinyin: Pinyin | None = None):
        """``names`` maps entity id to (name_zh, name_en, aliases), in the order ties rank.
        ``members`` maps a (facet, value) term to the ids of the entities carrying it:
        ("industry", …), ("kind", …), ("layer", …), and ("area", <town, zone or park id>) for
        the entities belonging to that area.  ``areas`` names each area like ``names`` does.
        ``pinyin`` converts Chinese text (a new :class:`Pinyin` when not given)."""
        pinyin = pinyin or Pinyin()
        self._ids = pd.Index(list(names), dtype=object)
        rows = [(i, j > 0, name, english)  # one per name and alias: owner, is alias, text, English
                for i, (name_zh, name_en, aliases) in enumerate(names.values())
                for j, (name, english) in enumerate([(name_zh, name_en),
                                                     *((alias, "") for alias in aliases)])]
        self._owner = np.array([row[0] for row in rows], np.int32)
        self._alias = np.array([row[1] for row in rows], bool)
        texts, english = [row[2] for row in rows], [row[3] for row in rows]
        spoken = list(map(pinyin, texts))
        records = range(len(rows))
        self._zh = _Column(list(map(normalise, texts)), records, texts)
        self._py = _Column([p[0] for p in spoken], records, texts)
        self._initials = _Column([p[1] for p in spoken], records, texts)
        self._en = _Column(list(map(normalise, english)), records, english)
        worded = [(w, r) for r, row in enumerate(rows) for w in words(f"{row[2]} {row[3]}")]
        self._words = _Column([w for w, _ in worded], [r for _, r in worded],
                              [english[r] or texts[r] for _, r in worded])

        terms = [*_vocabulary_terms(), *(Term("area", aid, zh, en, (zh, en, *al))
                                        for aid, (zh, en, al) in (areas or {}).items())]
        self._terms = [t for t in terms if (members or {}).get((t.facet, t.value))]
        self._members = [np.unique(self._ids.get_indexer(list(members[t.facet, t.value])))
                         .astype(np.int32) for t in self._terms]
        spelt = [(t, s) for t, term in enumerate(self._terms) for s in term.spellings]
        spelt_pinyin = [pinyin(s) for _, s in spelt]
        self._term_keys = _Column([normalise(s) for _, s in spelt] + [p[0] for p in spelt_pinyin],
                                  [t for t, _ in spelt] * 2, [s for _, s in spelt] * 2)
        self._term_initials = _Column([p[1] for p in spelt_pinyin], [t for t, _ in spelt],
                                      [s for _, s in spelt])
        worded = [(w, t, s) for t, s in spelt for w in words(s)]
        self._term_words = _Column([w for w, _, _ in worded], [t for _, t, _ in worded],
                                   [s for _, _, s in worded])
        self._match = lru_cache(maxsize=32)(self._compute)

    def search(self, query: str, limit: int | None = 50) -> list[str]:
        """Ids matching ``query``, best first (see :class:`Tier`); at most ``limit`` (None: all)."""
        q = normalise(query)
        return self._ids[self._match(q).order[:limit]].tolist() if q else []

    def explain(self, query: str, shown: Iterable[str]) -> dict:
        """How ``query`` matched, for the page, counted over ``shown`` (the ids listed for it).

        * It named an industry, kind, layer or area (exactly, or as the only term it starts):
          ``{"industry" | "kind" | "layer" | "area": value, "label_zh", "label_en", "count"}``,
          where count is how many of ``shown`` carry it (of several, the one carried most);
        * it matched nothing, or only by typo: ``{"suggestion": <closest name, alias or
          label>}`` (or ``{}`` when nothing is close);
        * else (it matched names only): ``{}``.
        """
        q = normalise(query)
        if not q:
            return {}
        match = self._match(q)
        exact = [t for t, how in match.terms if how == EXACT]
        named = exact or ([t for t, _ in match.terms] if len(match.terms) == 1 else [])
        if named:
            numbers = self._ids.get_indexer(list(shown))
            listed = np.zeros(len(self._ids), bool)
            listed[numbers[numbers >= 0]] = True
            count = {t: int(listed[self._members[t]].sum()) for t in named}
            best = max(named, key=count.__getitem__)
            term = self._terms[best]
            return {term.facet: term.value, "label_zh": term.label_zh,
                    "label_en": term.label_en, "count": count[best]}
        if match.typo or not len(match.order):
            suggestion = self.suggest(q)
            return {"suggestion": suggestion} if suggestion else {}
        return {}

    def suggest(self, query: str, min_score: float = 60) -> str | None:
        """The name, alias, label or synonym most like ``query``, or holding the English word most
        like it (None if none scores ``min_score`` of 100)."""
        q = normalise(query)
        found = [c.closest(q, min_score) for c in (self._zh, self._py, self._en, self._term_keys,
                                                   self._words, self._term_words)]
        return max((f for f in found if f), key=lambda f: f[0], default=(0, None))[1]

    # ------------------------------------------------------------------ matching
    def _compute(self, q: str) -> _Match:
        """Match a normalised query (cached per index: a page asks for results and hint)."""
        tier = np.full(len(self._ids), _UNMATCHED, np.int8)
        short = bool(_SHORT_LATIN.fullmatch(q))
        for records, how in self._name_matches(q, short):
            np.minimum.at(tier, self._owner[records],
                          _NAME_TIERS[self._alias[records].astype(int), how])
        terms = self._term_matches(q, short)
        for t, _ in terms:
            members = self._members[t]
            level = Tier.AREA if self._terms[t].facet == "area" else Tier.TERM
            tier[members] = np.minimum(tier[members], level)
        typo = not (tier < _UNMATCHED).any() and len(q) >= (3 if _HAN.search(q) else 4)
        if typo:
            self._mark_typos(q, tier)
        hits = np.flatnonzero(tier < _UNMATCHED)
        return _Match(hits[np.argsort(tier[hits], kind="stable")], terms, typo)

    def _name_matches(self, q: str, short: bool) -> list[tuple[np.ndarray, np.ndarray]]:
        """(records, how) of every name key matching ``q``.

        Initials match as a prefix only; a short Latin query matches whole keys, whole words
        (as SUBSTRING) and pinyin prefixes, never the inside of a word.
        """
        if short:
            return [self._zh.exact(q), self._en.exact(q), self._py.find(q, substring=False),
                    self._initials.find(q, substring=False), self._words.exact(q, SUBSTRING)]
        return [self._zh.find(q, substring=True), self._py.find(q, substring=True),
                self._en.find(q, substring=True), self._initials.find(q, substring=False)]

    def _term_matches(self, q: str, short: bool) -> tuple[tuple[int, int], ...]:
        """Numbers of the terms ``q`` names, with how, in term order.

        EXACT: ``q`` is a label, synonym, name or alias, its pinyin, or (from three letters
        on) its initials.  PREFIX: a spelling or an English word of one starts with ``q`` —
        for a short Latin query, the word is ``q``.
        """
        found = [self._term_keys.exact(q) if short else self._term_keys.find(q, substring=False)]
        if len(q) >= 3:
            found.append(self._term_initials.exact(q))
        in_words = self._term_words.exact(q) if short else self._term_words.find(q, substring=False)
        how = dict.fromkeys(in_words[0].tolist(), PREFIX)
        for records, hows in found:
            for t, h in zip(records.tolist(), hows.tolist()):
                how[t] = min(how.get(t, PREFIX), h)
        return tuple(sorted(how.items()))

    def _mark_typos(self, q: str, tier: np.ndarray) -> None:
        """Entities whose name, alias or English word of one is a typo away (TYPO or
        TYPO_TWO_EDITS), then those carrying a term a typo away (TYPO_TERM)."""
        max_edits = 1 if len(q) < 8 else 2
        for column in (self._zh, self._py, self._en, self._words):
            records, edits = column.near(q, max_edits)
            np.minimum.at(tier, self._owner[records], Tier.TYPO + edits - 1)
        for column in (self._term_keys, self._term_words):
            for t in np.unique(column.near(q, max_edits)[0]):
                members = self._members[t]
                tier[members] = np.minimum(tier[members], Tier.TYPO_TERM)
