"""A park's or incubator's facts for investors, as rows a page shows (see :class:`atlas.model.SpaceFacts`).

Every fact has a row whether it is known or not: a missing one reads "not yet provided", so
an investor sees what to ask about rather than a silent gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.model import SpaceFacts
from atlas.web.i18n import Lang, field, t

NUMBERS = ("area_ha", "established", "firms", "output_yi_yuan", "space_office_m2",
           "space_factory_m2", "space_lab_m2")
CONTACTS = ("contact_phone", "contact_email", "contact_wechat")


@dataclass(frozen=True)
class FactRow:
    """One fact: its label, and its value as text (None: not yet provided)."""

    key: str
    label: str
    value: str | None


def has_facts(layer_model: type) -> bool:
    """Whether features of a layer carry :class:`SpaceFacts`."""
    return issubclass(layer_model, SpaceFacts)


def number_text(value: float | int) -> str:
    """A quantity for reading: thousands separated, one decimal unless whole (5,000; 2.5)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def fact_rows(props: dict, lang: Lang) -> list[FactRow]:
    """The facts of ``props`` in display order, with values formatted for ``lang``."""
    rows = [FactRow(k, t(f"edit_f_{k}", lang),
                    None if props.get(k) is None else number_text(props[k]) if k != "established"
                    else str(props[k])) for k in NUMBERS]
    low, high = props.get("rent_min_yuan"), props.get("rent_max_yuan")
    rent = None
    if low is not None or high is not None:
        rent = "–".join(number_text(v) for v in (low, high) if v is not None)
    rows.append(FactRow("rent", t("fact_rent", lang), rent))
    rows.append(FactRow("land", t("fact_land", lang), field(props, "land", lang)[0] or None))
    rows += [FactRow(k, t(f"edit_f_{k}", lang), props.get(k)) for k in CONTACTS]
    return rows


def policies(props: dict, lang: Lang) -> list[str]:
    """The policies that apply, in ``lang`` (Chinese when the English is missing)."""
    return (props.get("policies_en") if lang == "en" else None) or props.get("policies_zh") or []


def source(props: dict, lang: Lang) -> str | None:
    """Who gave the facts and when, e.g. "晋江经济开发区管委会，2026-05-01"; None when none."""
    who = field(props, "facts_source", lang)[0]
    if not who:
        return None
    sep = ", " if lang == "en" else "，"
    return who + (sep + str(props["facts_as_of"]) if props.get("facts_as_of") else "")
