"""A park's or incubator's facts for investors, as a profile shows them (see
:class:`atlas.model.SpaceFacts`).

Every fact has a row whether it is known or not: a missing one reads "not yet provided", so
an investor sees what to ask about rather than a silent gap.  A known one says beside it as
of when it holds and which numbered source gives it; the sources are listed below the facts,
in the page's language with the other beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.fact_text import (NUMBER_FACTS, SourcedFacts, fact_label, fact_sources, number_text,
                             rent_text, source_text, text_in)
from atlas.model import FACTS, SpaceFacts
from atlas.web.i18n import Lang, field

OTHER_LANG: dict[str, Lang] = {"zh": "en", "en": "zh"}


@dataclass(frozen=True)
class SourceNote:
    """A source as the page lists it: its number, who gave the facts and when in the page's
    language (``text``) and in the other (``other``, None when it says the same or is not
    given), and its link."""

    number: int
    text: str
    other: str | None
    url: str | None
    as_of: str


@dataclass(frozen=True)
class PolicyView:
    """A policy as the page lists it: title and issuer in the page's language (else in the
    other), the language the title is in (``zh`` or ``en``), the title in the other language
    (None when the same or not given), the date and the link."""

    title: str
    title_lang: Lang
    other_title: str | None
    issuer: str
    date: str
    url: str | None


@dataclass(frozen=True)
class FactRow:
    """One fact: its key (a :data:`atlas.model.FACTS` name), label, value (text, or the list
    of policies; None: not yet provided) and, when known, its source."""

    key: str
    label: str
    value: str | list[PolicyView] | None
    source: SourceNote | None


@dataclass(frozen=True)
class Facts:
    """What the facts section of a profile shows."""

    rows: list[FactRow]
    wechat_url: str | None
    """The link the WeChat account's QR code holds (the page draws the code)."""
    sources: list[SourceNote]


def has_facts(layer_model: type) -> bool:
    """Whether features of a layer carry :class:`SpaceFacts`."""
    return issubclass(layer_model, SpaceFacts)


def _other(zh: str, en: str, lang: Lang) -> str | None:
    """The text in the language other than ``lang``, when given and not what ``lang`` shows."""
    shown, other = text_in(zh, en, lang), text_in(zh, en, OTHER_LANG[lang])
    return other if other and other != shown else None


def _note(number: int, source: SourcedFacts, lang: Lang) -> SourceNote:
    other = _other(source.source_zh, source.source_en, lang)
    return SourceNote(number, source_text(source, lang),
                      source_text(source, OTHER_LANG[lang]) if other else None, source.url,
                      source.as_of)


def _value(props: dict, fact: str, lang: Lang) -> str | list[PolicyView] | None:
    """A fact's value as text, the policies as a list; None when not given."""
    if fact in NUMBER_FACTS:
        value = props.get(fact)
        return None if value is None else str(value) if fact == "established" else number_text(value)
    if fact == "rent":
        return rent_text(props)
    if fact == "land":
        return field(props, "land", lang)[0] or None
    if fact == "contact_wechat":
        return props.get("contact_wechat") or props.get("contact_wechat_url")
    if fact == "policies":
        return [_policy(p, lang) for p in props.get("policies") or []] or None
    return props.get(fact)


def _policy(policy: dict, lang: Lang) -> PolicyView:
    title_lang = lang if lang == "zh" or policy.get("title_en") else "zh"
    return PolicyView(text_in(policy["title_zh"], policy.get("title_en"), lang), title_lang,
                      _other(policy["title_zh"], policy.get("title_en") or "", lang),
                      text_in(policy["issuer_zh"], policy.get("issuer_en"), lang),
                      str(policy["date"]), policy.get("url"))


def facts(props: dict, lang: Lang) -> Facts:
    """The facts of ``props`` in display order, with values and sources for ``lang``."""
    sources = fact_sources(props)
    notes = [_note(i, s, lang) for i, s in enumerate(sources, start=1)]
    note_of = {fact: note for note, source in zip(notes, sources) for fact in source.facts}
    rows = [FactRow(fact, fact_label(fact, lang), value, note_of.get(fact))
            for fact in FACTS for value in [_value(props, fact, lang)]]
    return Facts(rows, props.get("contact_wechat_url"), notes)
