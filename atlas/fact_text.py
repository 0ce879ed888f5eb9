"""A park's or incubator's facts for investors as readable text: which source gives each fact
and as of when, and the policies that apply, one line each (see :class:`atlas.model.SpaceFacts`).

Pages, exports, GIS clients and the history all say it in these words, so a fact reads the
same wherever it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from atlas.model import FACTS, given_facts
from atlas.web.i18n import Lang, t

NUMBER_FACTS = ("area_ha", "established", "firms", "output_yi_yuan", "space_office_m2",
                "space_factory_m2", "space_lab_m2")
"""The facts that are one number each (each its own field)."""
LABEL_KEYS = {"rent": "fact_rent", "land": "fact_land", "policies": "fact_policies"}
"""UI string of a fact whose label is not its field's (``edit_f_<fact>``)."""


def fact_label(fact: str, lang: Lang) -> str:
    """What a fact is called in ``lang``, e.g. 面积（公顷） / Area (ha)."""
    return t(LABEL_KEYS.get(fact, f"edit_f_{fact}"), lang)


def number_text(value: float | int) -> str:
    """A quantity for reading: thousands separated, one decimal unless whole (5,000; 2.5)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def rent_text(props: Mapping[str, Any]) -> str | None:
    """The rent range as given, yuan per m² per month: "20–35", or one end (None: not given)."""
    ends = [props.get("rent_min_yuan"), props.get("rent_max_yuan")]
    return "–".join(number_text(v) for v in ends if v is not None) or None


def text_in(zh: str | None, en: str | None, lang: Lang) -> str:
    """The text in ``lang``, else in the other language ("" when neither is given)."""
    first, second = (en, zh) if lang == "en" else (zh, en)
    return first or second or ""


@dataclass(frozen=True)
class SourcedFacts:
    """A source as the facts use it: the facts it gives (in :data:`FACTS` order), the date
    they hold for, who gave them in both languages, and where to read them."""

    facts: tuple[str, ...]
    as_of: str
    source_zh: str
    source_en: str
    url: str | None


def fact_sources(props: Mapping[str, Any]) -> list[SourcedFacts]:
    """The sources of the facts given: first the feature's own (``facts_as_of``,
    ``facts_source_*``) for the facts without an entry of their own, then each
    ``fact_sources`` entry; a source giving none of the facts is left out."""
    given = given_facts(props)
    entries = props.get("fact_sources") or []
    own = {fact for entry in entries for fact in entry["facts"]}
    rest = tuple(f for f in given if f not in own)
    found = []
    if rest and props.get("facts_source_zh"):
        found.append(SourcedFacts(rest, str(props.get("facts_as_of") or ""),
                                  props["facts_source_zh"], props.get("facts_source_en") or "",
                                  props.get("facts_source_url")))
    for entry in entries:
        source = sourced(entry)
        facts = tuple(f for f in source.facts if f in given)
        if facts:
            found.append(replace(source, facts=facts))
    return found


def sourced(entry: Mapping[str, Any]) -> SourcedFacts:
    """A ``fact_sources`` entry as :class:`SourcedFacts` (its facts in :data:`FACTS` order)."""
    return SourcedFacts(tuple(f for f in FACTS if f in entry["facts"]), str(entry["as_of"]),
                        entry["source_zh"], entry.get("source_en") or "", entry.get("url"))


def source_text(source: SourcedFacts, lang: Lang) -> str:
    """Who gave the facts and when, without the link: "泉州晚报，截至 2022-08-17" /
    "Quanzhou Evening News, as of 2022-08-17"."""
    who = text_in(source.source_zh, source.source_en, lang)
    return t("fact_as_of_by", lang).format(who=who, date=source.as_of)


def fact_source_line(source: SourcedFacts, lang: Lang) -> str:
    """A source as one line naming its facts: "面积（公顷）、建成年份：泉州晚报，截至 2022-08-17
    https://…"."""
    sep, colon = (", ", ": ") if lang == "en" else ("、", "：")
    text = sep.join(fact_label(f, lang) for f in source.facts) + colon + source_text(source, lang)
    return f"{text} {source.url}" if source.url else text


def fact_source_lines(props: Mapping[str, Any], lang: Lang) -> list[str]:
    """Every source of the facts of ``props`` as a line (:func:`fact_source_line`)."""
    return [fact_source_line(s, lang) for s in fact_sources(props)]


def policy_line(policy: Mapping[str, Any], lang: Lang) -> str:
    """A policy as one line, then its link when it has one: "《title》，issuer，2024-05-01 https://…"
    / "“title”, issuer, 2024-05-01 https://…" (the other language where one is missing)."""
    title = text_in(policy.get("title_zh"), policy.get("title_en"), lang)
    issuer = text_in(policy.get("issuer_zh"), policy.get("issuer_en"), lang)
    text = (f"“{title}”, {issuer}, {policy['date']}" if lang == "en"
            else f"《{title}》，{issuer}，{policy['date']}")
    return f"{text} {policy['url']}" if policy.get("url") else text
