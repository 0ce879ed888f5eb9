"""Public text: the English site is in English, and no page or download shows research notes.

The crawl
---------
A crawler (FastAPI's TestClient, sending a browser's Accept header) starts from the atlas
page ``/?lang=<lang>`` and seeds: every profile (``/platforms/<id>``, ``/parks/<id>``,
``/incubators/<id>``, ``/enterprises/<id>``, ``/zones/<id>``, ``/towns/<id>``, ``/corridor``),
the planning pages, the investment-promotion pages (``/chains`` and each chain, a site-finder
result, a visit route),
``/api`` answers with ``f=html`` (locate, nearest, within a radius and the whole city,
hierarchy, search), every OGC HTML page kind (landing, conformance, api, collections, each
collection, its queryables and items) and two error pages (the 404 page, an ``/api`` error
asked for as HTML).  From each page it follows every ``<a href>`` to another of these page
kinds, visiting it in the crawl's language (``lang`` replaced); Swagger UI, assets,
downloads and JSON are not pages.  A budget per page kind keeps it finite (a few OGC items
per collection, a few ``/api`` pages per endpoint, a few filtered atlas views).  Every page
must answer 200 (the error pages their own status).

(a) ``test_english_pages_have_no_stray_chinese`` — Chinese fragments on English pages
    The pages are parsed with lxml; ``<script>`` and ``<style>`` are dropped, except that
    ``<script type="application/json">`` configurations are read as JSON (see below).  Every
    text node, and the attributes people see (``title``, ``alt``, ``placeholder``,
    ``aria-label``, button ``value``, meta ``description``), is searched for runs of CJK
    characters (ideographs, CJK punctuation, full-width forms: :data:`CJK`).  A run is
    allowed only when it is

    1. **an entity's Chinese name with its English beside it**: the text contains the whole
       ``name_zh`` of an entity whose ``name_en`` appears in the same *context* — the
       text's element, widened over inline elements (``a``, ``span``, ``small``, ``strong``
       …) to the nearest block element, and from a table cell to its row;
    2. **the brand** 晋江科创地图 with "Jinjiang Innovation Atlas" in the same context;
    3. **the language switch**: a link whose whole text is 中文 and whose ``href`` sets
       ``lang=zh``;
    4. **explicitly bilingual markup**: the nearest element below ``<body>`` carrying a
       ``lang`` attribute says ``zh…``, and a sibling element (same parent) says
       ``lang="en…"`` and holds Latin letters — the English of the same thing.

    JSON the atlas page draws (``/api/entities?lang=en``, ``/api/layers/<layer>?lang=en``)
    and the JSON configurations embedded in pages are held to the same standard for the
    strings shown to people: values of ``display_*`` keys, and every string inside an
    object named ``text`` or ``…Labels``.  No exceptions apply there: the display fields
    are meant to be English.

    The failure lists every offending run with its page, grouped by what most likely
    produces it (best guess, :func:`producer`): a data field (``data:<field>``), a UI
    string of :mod:`atlas.web.i18n` (``ui:<key>``), a vocabulary label
    (``label:<Enum>.<value>``), a plan section title, a literal in a code file, template or
    plan table (``code:<path>``), or else "template or code"; a trailing ``?`` marks a
    weaker guess (only the run, not the whole text, occurs there).
    ``test_the_rule`` pins the rule down on small examples.

(b) ``test_no_research_references`` — the research notes stay private
    The same crawl in both languages (every text node, attribute and script), plus
    ``/export.csv``, ``/export.geojson``, the OGC items JSON of every collection and the
    ``/api`` JSON (entities, layers, every spatial query as JSON and GeoJSON, coverage)
    must hold no internal research reference, as recognised by
    :func:`atlas.provenance.research_reference` (``places.md``, ``INFERRED``, ``FOUND``,
    row ids like ``C3:`` or ``Z1-a:``, ``§2`` …).

(c) ``test_english_pages_link_to_english_pages``
    Every link on an English page to another page of the crawl's kinds keeps ``lang=en``,
    so a reader never falls back into Chinese unawares.  Exempt are the language switch (a
    link reading 中文) and links that declare they lead to Chinese (``hreflang="zh…"``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html

from atlas.config import REPO_ROOT
from atlas.engine import Atlas
from atlas.provenance import plan_sections, research_reference
from atlas.vocab import LABELS, Layer
from atlas.web.i18n import UI
from atlas.web.pages import PROFILE_LAYERS
from atlas.web.planning import NAV

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
                 r"\U00020000-\U0002ebef]+")
"""CJK symbols and punctuation, ideographs (basic, extension A/B–F, compatibility), full-width
forms: one match is one reported fragment."""
BRAND_ZH, BRAND_EN = UI["title"][0], "Jinjiang Innovation Atlas"
SWITCH_ZH = "中文"
INLINE = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "label",
          "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var"}
"""Elements widened over when finding a text's context (HTML phrasing elements)."""
SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")
BUDGET = {"atlas": 4, "planning": 12, "api": 6, "ogc:items": 2, "ogc:item": 3}
"""Most pages visited by following links, per kind (``api`` per endpoint, ``ogc:items`` and
``ogc:item`` per collection); seeds are always visited."""
SEED_ERRORS = {"/no/such-page": 404, "/api/locate?lon=200&lat=24.7&f=html": 400}


# ------------------------------------------------------------------ the crawl
@dataclass
class Page:
    url: str
    kind: str
    status: int
    expected: int
    text: str
    links: list[tuple[str, str, str]] = field(default_factory=list)
    """(href as written, its text, its hreflang) of every ``<a href>``."""


def page_kind(path: str, query: dict[str, str]) -> str | None:
    """The kind of an HTML page of ours (``atlas``, ``profile:parks``, ``api:locate``,
    ``ogc:item``…), or None for what the crawl does not visit."""
    parts = path.strip("/").split("/")
    if path == "/":
        return "atlas"
    if path == "/corridor" or (len(parts) == 2 and parts[0] in {l.value for l in PROFILE_LAYERS}):
        return f"profile:{parts[0]}"
    if parts[0] == "planning" and len(parts) <= 2:
        return "planning"
    if parts[0] in ("chains", "site-finder", "route") and len(parts) <= 2:
        return parts[0]  # the investment-promotion pages
    if parts[0] == "api" and len(parts) >= 2 and query.get("f") == "html":
        return f"api:{parts[1]}"
    if parts[0] == "ogc" and query.get("f") == "html":
        tail = parts[1:]
        if not tail:
            return "ogc:landing"
        if tail[0] != "collections":
            return f"ogc:{tail[0]}"
        return {1: "ogc:collections", 2: "ogc:collection"}.get(len(tail)) or (
            "ogc:queryables" if tail[2] == "queryables" else
            "ogc:items" if len(tail) == 3 else "ogc:item")
    return None


def budget(kind: str, path: str) -> tuple[str, int] | None:
    """(budget key, most pages) of a page kind; None when every page of the kind is visited."""
    if kind.startswith("api:"):
        return kind, BUDGET["api"]
    if kind in ("ogc:items", "ogc:item"):
        return f"{kind}:{path.split('/')[3]}", BUDGET[kind]
    return (kind, BUDGET[kind]) if kind in BUDGET else None


def in_language(href: str, lang: str) -> str | None:
    """``href`` with ``lang`` set when it links to one of our pages, else None."""
    parts = urlsplit(href)
    if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
        return None
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
    if not parts.path or page_kind(parts.path, dict(pairs)) is None:
        return None
    return f"{parts.path}?{urlencode([*pairs, ('lang', lang)])}"


def seeds(atlas: Atlas) -> list[tuple[str, int]]:
    """(url, expected status) where the crawl starts: the atlas page, and what the atlas
    page reaches only by script."""
    west, south, east, north = atlas.frames[Layer.boundary].total_bounds
    point = "lon=118.5335&lat=24.766"
    urls = ["/", "/corridor"]
    urls += [f"/{layer.value}/{i}" for layer in PROFILE_LAYERS for i in atlas.frames[layer].index]
    urls += [path for path, _ in NAV]
    urls += ["/chains", "/site-finder?industry=integrated_circuits&space=office&size_m2=500"
             "&budget_yuan=40&near=university&near=institute&near=port&near=airport&near=corridor",
             "/route?stops=sanchuang-park,xtep,jhicc,clfi-jinjiang,anta-sports"]
    urls += [f"/api/locate?{point}&f=html", f"/api/nearest?{point}&k=10&f=html",
             f"/api/within?{point}&radius_m=1500&f=html",
             f"/api/within?bbox={west:.4f},{south:.4f},{east:.4f},{north:.4f}&f=html",
             "/api/hierarchy/ucas-intelligent-manufacturing?f=html",
             "/api/hierarchy/century-avenue?f=html", "/api/search?q=sanchuang&f=html"]
    urls += ["/ogc?f=html", "/ogc/conformance?f=html", "/ogc/api?f=html", "/ogc/collections?f=html"]
    for layer in Layer:
        base = f"/ogc/collections/{layer.value}"
        urls += [f"{base}?f=html", f"{base}/queryables?f=html", f"{base}/items?f=html"]
    return [(url, 200) for url in urls] + list(SEED_ERRORS.items())


def _key(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + "?" + urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))


def crawl(client: TestClient, atlas: Atlas, lang: str) -> list[Page]:
    """The seeds (always) and every page reachable from them within the budget, in ``lang``."""
    def with_lang(url: str) -> str:
        parts = urlsplit(url)
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
        return f"{parts.path}?{urlencode([*pairs, ('lang', lang)])}"

    queue = [(with_lang(url), status, True) for url, status in seeds(atlas)]
    seen: set[str] = set()
    spent: Counter[str] = Counter()
    pages: list[Page] = []
    while queue:
        url, expected, seed = queue.pop(0)
        if _key(url) in seen:
            continue
        parts = urlsplit(url)
        kind = page_kind(parts.path, dict(parse_qsl(parts.query))) or "error page"
        if (limit := budget(kind, parts.path)) is not None:
            if not seed and spent[limit[0]] >= limit[1]:
                continue
            spent[limit[0]] += 1
        seen.add(_key(url))
        response = client.get(url, headers=BROWSER)
        page = Page(url, kind, response.status_code, expected, response.text)
        if response.headers.get("content-type", "").startswith("text/html"):
            doc = html.fromstring(response.text)
            page.links = [(a.get("href"), a.text_content(), a.get("hreflang") or "")
                          for a in doc.iter("a") if a.get("href")]
            queue += [(found, 200, False) for href, _, _ in page.links
                      if (found := in_language(href, lang)) is not None]
        pages.append(page)
    return pages


@pytest.fixture(scope="module")
def atlas(app: FastAPI) -> Atlas:
    return app.state.live.current()


@pytest.fixture(scope="module")
def crawls(client: TestClient, atlas: Atlas) -> dict[str, list[Page]]:
    return {lang: crawl(client, atlas, lang) for lang in ("en", "zh")}


# ------------------------------------------------------------------ (a) Chinese on English pages
@dataclass(frozen=True)
class Fragment:
    url: str
    kind: str
    run: str
    text: str
    producer: str


def _squash(text: str) -> str:
    return " ".join(text.split())


def _context(element) -> str:
    """The text around ``element``: widened over inline elements, and from a cell to its row."""
    while element.tag in INLINE and element.getparent() is not None:
        element = element.getparent()
    if element.tag in ("td", "th") and element.getparent() is not None:
        element = element.getparent()
    return _squash(element.text_content())


def _bilingual(element) -> bool:
    """Rule 4: the nearest ``lang`` below <body> is Chinese and a sibling carries the English."""
    while element is not None and element.tag not in ("body", "html"):
        lang = element.get("lang")
        if lang is not None:
            if not lang.lower().startswith("zh") or element.getparent() is None:
                return False
            return any(sib is not element and (sib.get("lang") or "").lower().startswith("en")
                       and re.search("[A-Za-z]", sib.text_content())
                       for sib in element.getparent())
        element = element.getparent()
    return False


def _switch(element, text: str) -> bool:
    """Rule 3: the whole text of a link that sets lang=zh is 中文."""
    while element is not None and element.tag != "a":
        element = element.getparent() if element.tag in INLINE else None
    return (element is not None and _squash(element.text_content()) == SWITCH_ZH == text.strip()
            and dict(parse_qsl(urlsplit(element.get("href", "")).query)).get("lang") == "zh")


def stray_runs(text: str, element, names: list[tuple[str, str]]) -> list[str]:
    """The CJK runs of ``text`` (inside ``element``) that no rule allows."""
    if not CJK.search(text) or _bilingual(element) or _switch(element, text):
        return []
    context = _context(element)
    rest = _squash(text)
    if BRAND_ZH in rest and BRAND_EN in context:
        rest = rest.replace(BRAND_ZH, " ")
    for zh, en in names:  # longest first
        if zh in rest and en and _squash(en) in context:
            rest = rest.replace(zh, " ")
    return CJK.findall(rest)


def _texts(props: dict, prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in props.items():
        if isinstance(value, str):
            yield prefix + key, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    yield from _texts(item, f"{prefix}{key}[].")
                elif isinstance(item, str):
                    yield prefix + key, item
        elif isinstance(value, dict):
            yield from _texts(value, f"{prefix}{key}.")


def producer_index(atlas: Atlas) -> list[tuple[str, str]]:
    """(Chinese text, what produces it): UI strings, labels, plan sections, then data fields."""
    out = [(zh, f"ui:{key}") for key, (zh, _) in UI.items()]
    out += [(lab.zh, f"label:{enum}.{value}") for enum, labels in LABELS.items()
            for value, lab in labels.items()]
    out += [(zh, f"plan section {ref}") for ref, (zh, _) in plan_sections().items()]
    out += [(text, f"data:{name}") for e in atlas.entities.values()
            for name, text in _texts(e.props)]
    return [(text, where) for text, where in out if CJK.search(text)]


@cache
def code_sources() -> list[tuple[str, str]]:
    """(path, text) of the code, templates and plan tables that may hold Chinese literals
    (the UI strings and vocabulary labels are indexed by key instead)."""
    files = [*REPO_ROOT.glob("atlas/**/*.py"), *REPO_ROOT.glob("templates/**/*.html"),
             *REPO_ROOT.glob("data/plan/*.json")]
    return [(str(f.relative_to(REPO_ROOT)), f.read_text(encoding="utf-8")) for f in sorted(files)
            if f.name not in ("i18n.py", "vocab.py")]


def producer(run: str, text: str, index: list[tuple[str, str]]) -> str:
    """Best guess of what produced ``run`` (found in ``text``): the indexed source whose text
    holds the whole of ``text``; one equal to ``run``; a code file, template or plan table
    holding ``text`` literally (or, marked ``?``, ``run``); else (marked ``?``) an indexed
    text containing ``run``."""
    text = _squash(text)
    for source, where in index:
        if len(text) > len(run) and text in _squash(source):
            return where
    for source, where in index:
        if source == run:
            return where
    for wanted, mark in ((text, ""), (run, "?")):
        for path, source in code_sources():
            if wanted in source:
                return f"code:{path}{mark}"
    for source, where in index:
        if run in source:
            return f"{where}?"
    return "template or code"


def _json_strings(node, path: str = "", shown: bool = False) -> Iterator[tuple[str, str]]:
    """(path, text) of every string people see in JSON: ``display_*`` values and everything
    under ``text`` or ``…Labels`` objects."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_strings(value, f"{path}.{key}" if path else key,
                                     shown or key.startswith("display_") or key == "text"
                                     or key.endswith("Labels"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _json_strings(value, f"{path}[{i}]", shown)
    elif isinstance(node, str) and shown:
        yield path, node


def page_fragments(page: Page, names: list[tuple[str, str]],
                   index: list[tuple[str, str]]) -> list[Fragment]:
    """Every Chinese run on ``page`` that no rule allows."""
    doc = html.fromstring(page.text)
    found: list[Fragment] = []

    def add(runs: list[str], text: str, label: str = "") -> None:
        found.extend(Fragment(page.url, page.kind, run, _squash(label + text)[:120],
                              producer(run, text, index)) for run in runs)

    for script in list(doc.iter("script", "style")):
        if script.tag == "script" and script.get("type") == "application/json":
            for where, text in _json_strings(json.loads(script.text or "null")):
                add(CJK.findall(text), text, f"{script.get('id')} {where}: ")
        script.drop_tree()
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        if element.text and element.tag != "html":
            add(stray_runs(element.text, element, names), element.text)
        if element.tail and element.getparent() is not None:
            add(stray_runs(element.tail, element.getparent(), names), element.tail)
        for name in SHOWN_ATTRIBUTES:
            if element.get(name):
                add(stray_runs(element.get(name), element, names), element.get(name), f"@{name}: ")
        if element.tag == "input" and element.get("type") in ("submit", "button", "reset"):
            add(stray_runs(element.get("value") or "", element, names), element.get("value") or "",
                "@value: ")
        if element.tag == "meta" and element.get("name") == "description":
            add(CJK.findall(element.get("content") or ""), element.get("content") or "",
                "@content: ")
    return found


def report(fragments: list[Fragment]) -> str:
    """Fragments grouped by producer, then page kind, with counts and every page URL."""
    lines = [f"{len(fragments)} Chinese fragments outside the allowed places "
             "(see the module docstring for the rule):"]
    by_producer: dict[str, list[Fragment]] = defaultdict(list)
    for f in fragments:
        by_producer[f.producer].append(f)
    for where, group in sorted(by_producer.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"\n== {where}: {len(group)}")
        by_kind: dict[str, list[Fragment]] = defaultdict(list)
        for f in group:
            by_kind[f.kind].append(f)
        for kind, items in sorted(by_kind.items()):
            lines.append(f"  -- {kind}: {len(items)}")
            for f in items:
                lines.append(f"     {f.run!r} in {f.text!r}  [{f.url}]")
    return "\n".join(lines)


NAMES = [("三创园", "Sanchuang Park")]
RULE_CASES = [
    ("<h1>三创园 <small>Sanchuang Park</small></h1>", []),
    ("<table><tr><td>三创园</td><td>Sanchuang Park</td></tr></table>", []),
    ("<p><a href='/x'><span>三创园</span></a> <span>Sanchuang Park</span></p>", []),
    ("<p>三创园</p><p>Sanchuang Park</p>", ["三创园"]),
    ("<p>三创园园区</p>", ["三创园园区"]),
    ("<header><a><strong>晋江科创地图</strong> <span>Jinjiang Innovation Atlas</span></a>"
     "</header>", []),
    ("<p>晋江科创地图</p>", ["晋江科创地图"]),
    ("<a href='/?lang=zh'>中文</a>", []),
    ("<a href='/?lang=en'>中文</a>", ["中文"]),
    ("<p><span lang='zh-CN'>一廊两区</span> <span lang='en'>one corridor</span></p>", []),
    ("<p lang='zh-CN'>一廊两区</p><div lang='en'>one corridor</div>", []),
    ("<p lang='zh-CN'>一廊两区</p>", ["一廊两区"]),
    ("<p><span lang='zh-CN'>一廊两区</span> <span lang='en'> </span></p>", ["一廊两区"]),
    ("<p>Bounded by 泉安南路 (E)</p>", ["泉安南路"]),
    ("<p>A；B</p>", ["；"]),
    ("<input type='search' placeholder='搜索'>", ["搜索"]),
    ("<script>var x = '中文';</script><style>p::after {content: '中'}</style>", []),
    ("<script type='application/json' id='c'>"
     "{\"text\": {\"a\": \"地图\"}, \"x\": \"中\"}</script>", ["地图"]),
]


@pytest.mark.parametrize(("body", "runs"), RULE_CASES)
def test_the_rule(body: str, runs: list[str]) -> None:
    page = Page("/example", "example", 200, 200,
                f"<html lang='en'><head><title>t</title></head><body>{body}</body></html>")
    assert [f.run for f in page_fragments(page, NAMES, [])] == runs


def test_every_page_answers(crawls: dict[str, list[Page]]) -> None:
    wrong = [p for pages in crawls.values() for p in pages if p.status != p.expected]
    assert not wrong, "pages that did not answer as expected:\n" + "\n".join(
        f"  {p.status} (expected {p.expected}) {p.url}" for p in wrong)


def test_the_crawl_reaches_every_page_kind(crawls: dict[str, list[Page]], atlas: Atlas) -> None:
    kinds = Counter(p.kind for p in crawls["en"])
    profiles = sum(len(atlas.frames[layer]) for layer in PROFILE_LAYERS) + 1
    assert sum(n for k, n in kinds.items() if k.startswith("profile:")) >= profiles
    assert {"atlas", "planning", "api:locate", "api:nearest", "api:within", "api:hierarchy",
            "api:search", "ogc:landing", "ogc:conformance", "ogc:api", "ogc:collections",
            "ogc:collection", "ogc:queryables", "ogc:items", "ogc:item"} <= set(kinds)


def test_english_pages_have_no_stray_chinese(client: TestClient, atlas: Atlas,
                                             crawls: dict[str, list[Page]]) -> None:
    names = sorted(((e.props["name_zh"], e.props.get("name_en") or "")
                    for e in atlas.entities.values()), key=lambda n: -len(n[0]))
    index = producer_index(atlas)
    fragments = [f for page in crawls["en"] if page.text.lstrip().startswith("<")
                 for f in page_fragments(page, names, index)]
    data_urls = ["/api/entities?lang=en"] + [f"/api/layers/{layer}?lang=en" for layer in
                                             ("boundary", "towns", "corridor", "zones")]
    for url in data_urls:
        response = client.get(url)
        assert response.status_code == 200, url
        for where, text in _json_strings(response.json()):
            fragments += [Fragment(url, "json:" + url.split("?")[0], run, f"{where}: {text}"[:120],
                                   producer(run, text, index)) for run in CJK.findall(text)]
    assert not fragments, report(fragments)


# ------------------------------------------------------------------ (b) research references
def references(text: str) -> Iterator[tuple[str, str]]:
    """(reference, text around it) of every research reference in ``text``."""
    start = 0
    while (found := research_reference(text[start:])) is not None:
        at = text.find(found, start)
        if at < 0:
            return
        yield found, _squash(text[max(0, at - 60):at + len(found) + 60])
        start = at + len(found)


def html_texts(text: str) -> Iterator[tuple[str, str]]:
    """(where, text) of every text node, attribute and script of an HTML page."""
    doc = html.fromstring(text)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text:
            yield element.tag, element.text
        if element.tail:
            yield f"after <{element.tag}>", element.tail
        for name, value in element.attrib.items():
            yield f"<{element.tag} {name}>", value


def json_texts(node, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from json_texts(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from json_texts(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def downloads(atlas: Atlas) -> list[str]:
    point = "lon=118.5335&lat=24.766"
    west, south, east, north = atlas.frames[Layer.boundary].total_bounds
    city = f"bbox={west:.4f},{south:.4f},{east:.4f},{north:.4f}"
    urls = ["/export.csv", "/export.geojson"]
    urls += [f"/ogc/collections/{layer.value}/items?f=json&limit=10000" for layer in Layer]
    urls += [f"/api/entities?lang={lang}" for lang in ("zh", "en")]
    urls += [f"/api/layers/{layer}?lang={lang}" for lang in ("zh", "en")
             for layer in ("boundary", "towns", "corridor", "zones", "corridor-band")]
    for f in ("json", "geojson"):
        urls += [f"/api/locate?{point}&f={f}", f"/api/nearest?{point}&k=100&f={f}",
                 f"/api/within?{city}&f={f}", f"/api/hierarchy/century-avenue?f={f}",
                 f"/api/hierarchy/ucas-intelligent-manufacturing?f={f}",
                 f"/api/search?q=jinjiang&limit=50&f={f}"]
    urls += ["/api/coverage?layer=platforms&layer=incubators", "/api/coverage/industries",
             "/api/coverage/targets", "/api/coverage/density", "/api/coverage/zones"]
    return urls


def test_no_research_references(client: TestClient, atlas: Atlas,
                                crawls: dict[str, list[Page]]) -> None:
    found: list[tuple[str, str, str, str]] = []
    for pages in crawls.values():
        for page in pages:
            for where, text in html_texts(page.text):
                found += [(page.url, where, ref, around) for ref, around in references(text)]
    for url in downloads(atlas):
        response = client.get(url)
        if response.status_code != 200:
            found.append((url, "status", str(response.status_code), response.text[:120]))
            continue
        if url.startswith("/export.csv"):
            rows = csv.DictReader(io.StringIO(response.text.lstrip("\ufeff")))
            texts = [(f"{row.get('id')}.{col}", value or "") for row in rows
                     for col, value in row.items()]
        else:
            texts = list(json_texts(response.json()))
        found += [(url, where, ref, around) for where, text in texts
                  for ref, around in references(text)]
    by_field = Counter(where.split(".")[-1] if "." in where else where for _, where, _, _ in found)
    assert not found, f"{len(found)} research references in public text (by field: " \
        f"{dict(by_field)}):\n" + "\n".join(f"  {ref!r} at {where} in {around!r}  [{url}]"
                                            for url, where, ref, around in found)


# ------------------------------------------------------------------ (c) links keep English
def test_english_pages_link_to_english_pages(crawls: dict[str, list[Page]]) -> None:
    lost = []
    for page in crawls["en"]:
        for href, text, hreflang in page.links:
            if in_language(href, "en") is None:
                continue  # not a page of the crawl's kinds
            lang = dict(parse_qsl(urlsplit(href).query)).get("lang")
            if lang == "zh" and (_squash(text) == SWITCH_ZH or hreflang.startswith("zh")):
                continue  # the language switch, or a link that says it leads to Chinese
            if lang != "en":
                lost.append((page.kind, page.url, href))
    kinds = Counter(kind for kind, _, _ in lost)
    assert not lost, f"{len(lost)} links from English pages lose lang=en (on {dict(kinds)}):\n" + \
        "\n".join(f"  {href}  on {url}" for _, url, href in lost)
