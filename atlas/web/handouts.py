"""Handouts: any filtered set of the atlas as an A4 page an investor can hold (``/print``).

``/print`` takes exactly the atlas page's filters (the same :func:`atlas.web.browse.entity_filter`
dependency), so the paper lists exactly what the list on ``/`` shows.  The page is laid out for
paper (``static/print.css``): a title, the filters in words, a map fitted to the set whose
numbered markers match a numbered table (``static/js/print.js``), the date, a caveat on
positions, and a QR code with the URL of the same view in the live atlas.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from atlas.engine import Atlas, Entity
from atlas.filters import FACETS, EntityFilter
from atlas.maps.render import map_shell
from atlas.maps.style import AREA_STYLES, POINT_GROUPS, kind_colours
from atlas.membership import OUTSIDE, UNKNOWN
from atlas.promotion.chains import stage_label
from atlas.vocab import Layer, Precision
from atlas.web.browse import FilterDep, map_feature
from atlas.web.deps import AtlasDep
from atlas.web.hosts import base_url
from atlas.web.i18n import Lang, field, js_text, label, t
from atlas.web.query_params import reject_unknown_params
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)

PLACEHOLDER_COLOUR = "#868e96"
"""Grey of a position not known (as static/js/core.js draws it)."""

def filter_params(selection: EntityFilter) -> list[tuple[str, str]]:
    """The filter as the atlas page's query parameters, in the page's facet order."""
    params = [(facet, value) for facet in FACETS for value in getattr(selection, facet)]
    return params + ([("q", selection.q)] if selection.q else [])


def live_url(request: Request, selection: EntityFilter, lang: Lang) -> str:
    """The atlas page showing the same set in the same language (as the page writes its URL:
    Chinese needs no ``lang``)."""
    params = filter_params(selection) + ([("lang", lang)] if lang != "zh" else [])
    return f"{base_url(request)}/" + (f"?{urlencode(params)}" if params else "")


def _area_name(atlas: Atlas, area_id: str, lang: Lang) -> str:
    if area_id == OUTSIDE:
        return t("no_zone", lang)
    if area_id == UNKNOWN:
        return t("position_unknown", lang)
    entity = atlas.entity(area_id)
    return field(entity.props, "name", lang)[0] if entity else area_id


def _town_name(atlas: Atlas, town_id: str, lang: Lang) -> str:
    """A town's name for a table under the header "Town" ("Jinjing", not "Jinjing Town")."""
    name = _area_name(atlas, town_id, lang)
    return re.sub(r" (Subdistrict|Town)$", "", name) if lang == "en" else name


def value_label(atlas: Atlas, facet: str, value: str, lang: Lang) -> str:
    """How a facet value reads (the same labels as the atlas page's filter form)."""
    if facet in ("zone", "town"):
        return _area_name(atlas, value, lang)
    if facet == "stage":
        return stage_label(value, lang)
    enum = {"layer": "Layer", "kind": "Kind", "level": "Level", "industry": "Industry",
            "status": "Status"}[facet]
    return label(enum, value, lang)


def describe(atlas: Atlas, selection: EntityFilter, lang: Lang) -> str:
    """The filters in words: "产业：集成电路；所在区：科创新区" / "Industry: …; Zone: …"."""
    colon, comma, semicolon = (": ", ", ", "; ") if lang == "en" else ("：", "、", "；")
    parts = [t(facet, lang) + colon + comma.join(value_label(atlas, facet, v, lang) for v in values)
             for facet in FACETS if (values := getattr(selection, facet))]
    if selection.q:
        quoted = f"“{selection.q}”"
        parts.append(t("hand_name_query", lang) + colon + quoted)
    return semicolon.join(parts) if parts else t("hand_all_carriers", lang)


@dataclass(frozen=True)
class Row:
    """One numbered line of the handout's table (and the marker with its number)."""

    no: int
    entity: Entity
    name: str
    name_other: str
    name_fallback: bool
    kind: str
    level: str
    town: str
    zones: str
    status: str
    precision: str
    mark: str  # "≈", "⚠" or ""
    colour: str


def rows(atlas: Atlas, found: list[Entity], lang: Lang) -> list[Row]:
    """The table's rows, numbered from 1 in the list's order."""
    colours = kind_colours()
    other = "zh" if lang == "en" else "en"
    out = []
    for no, e in enumerate(found, start=1):
        p = e.props
        name, fallback = field(p, "name", lang)
        other_name = p.get(f"name_{other}") or ""
        member = e.member
        if not member.located:  # the precision column says why (⚠)
            town = zones = "?"
        else:
            town = _town_name(atlas, member.town, lang) if member.town else "—"
            zones = ("、" if lang == "zh" else ", ").join(_area_name(atlas, z, lang)
                                                         for z in member.zones) or "—"
        precision = p["precision"]
        mark = {Precision.placeholder: "⚠", Precision.approximate: "≈"}.get(precision, "")
        out.append(Row(no=no, entity=e, name=name, name_other="" if other_name == name else other_name,
                       name_fallback=fallback, kind=label("Kind", p["kind"], lang),
                       level=label("Level", p.get("level"), lang), town=town, zones=zones,
                       status=label("Status", p["status"], lang),
                       precision=label("Precision", precision, lang), mark=mark,
                       colour=marker_colour(e, colours)))
    return out


def marker_colour(entity: Entity, colours: dict[str, str]) -> str:
    """The colour of an entity's number, as print.js draws its marker."""
    if entity.props["precision"] == Precision.placeholder:
        return PLACEHOLDER_COLOUR
    if entity.layer == Layer.parks:
        return AREA_STYLES["parks"]["color"]
    return colours.get(entity.props["kind"], "#495057")


TALL_MAP_FROM = 15
"""Above this many rows the list runs onto more pages anyway, so the map gets a taller frame."""

LangParam = Annotated[Lang, Query(description="zh (default) or en")]


@router.get("/print", response_class=HTMLResponse, dependencies=[Depends(reject_unknown_params)])
def handout(request: Request, atlas: AtlasDep, selection: FilterDep,
            lang: LangParam = "zh") -> HTMLResponse:
    """The filtered set as an A4 handout: numbered map and table, filters in words, QR code."""
    found = selection.apply(atlas)
    table = rows(atlas, found, lang)
    kinds = {e.props["kind"] for e in found}
    other_lang_url = "/print?" + urlencode(filter_params(selection)
                                           + [("lang", "zh" if lang == "en" else "en")])
    as_of = max((str(e.props["as_of"]) for e in found if e.props.get("as_of")), default="")
    return templates.TemplateResponse(request, "print/handout.html", {
        "lang": lang, "shell": map_shell(atlas.settings), "rows": table, "tall_from": TALL_MAP_FROM,
        "description": describe(atlas, selection, lang),
        "live_url": live_url(request, selection, lang),
        "back_url": "/?" + urlencode(filter_params(selection) + [("lang", lang)]),
        "today": datetime.date.today().isoformat(), "as_of": as_of,
        "groups": [g for g in POINT_GROUPS if kinds & {k.value for k in g.kinds}],
        "has_parks": any(e.layer == Layer.parks for e in found),
        "has_pending": any(e.props["status"] != "operating" for e in found),
        "marks": {r.mark for r in table},
        "config": {
            "map": map_shell(atlas.settings).name, "lang": lang, "langSwitch": other_lang_url,
            "kindColours": kind_colours(), "areaStyles": AREA_STYLES,
            "text": js_text(lang),
            "areas": [a for a in (*selection.zone, *selection.town) if a not in (OUTSIDE, UNKNOWN)],
            "rows": [{"no": r.no, "feature": map_feature(atlas, r.entity, lang)} for r in table],
        },
    })
