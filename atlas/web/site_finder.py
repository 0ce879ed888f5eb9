"""``/site-finder`` — the 智慧选址 page: an investor's needs in the query string (so the page is
a link to share and a page to print), the ranked parks and incubators with their reasons and
unknowns (:mod:`atlas.promotion.site_finder`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from atlas.engine import Atlas
from atlas.fact_text import number_text
from atlas.promotion.hubs import load_hubs
from atlas.promotion.site_finder import Near, Need, Reason, Space, find_sites
from atlas.vocab import Industry
from atlas.web.deps import AtlasDep
from atlas.web.hosts import request_url
from atlas.web.i18n import Lang, field, label, t
from atlas.web.pages import LangQuery, option_groups
from atlas.web.query_params import reject_unknown_params
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False, dependencies=[Depends(reject_unknown_params)])
SHOWN = 30
"""Results on the page (the rest are counted)."""


def reason_text(atlas: Atlas, reason: Reason, lang: Lang) -> str:
    """A finding as a sentence in ``lang``."""
    values = dict(reason.values)
    if "industry" in values:
        values["industry"] = label("Industry", values["industry"], lang)
    if "space" in values:
        values["space"] = t(f"site_space_{values['space']}", lang)
    for key in ("m2", "size", "low", "high", "budget"):
        if values.get(key) is not None:
            values[key] = number_text(values[key])
    if "target" in values:
        entity = atlas.entity(values["target"])
        hub = next((h for h in load_hubs() if h.id == values["target"]), None)
        values["name"] = (field(entity.props, "name", lang)[0] if entity
                          else (hub.name_en if lang == "en" else hub.name_zh) if hub else values["target"])
    return t(f"site_{reason.key}", lang).format(**values)


@router.get("/site-finder", response_class=HTMLResponse)
def site_finder(request: Request, atlas: AtlasDep, lang: LangQuery,
                industry: Annotated[Industry | None, Query()] = None,
                space: Annotated[Space | None, Query()] = None,
                size_m2: Annotated[float | None, Query(gt=0, le=1_000_000)] = None,
                budget_yuan: Annotated[float | None, Query(gt=0, le=10_000)] = None,
                near: Annotated[list[Near], Query()] = []) -> HTMLResponse:
    """The finder's form, and with any need given, the ranked parks and incubators."""
    need = Need(industry, space, size_m2, budget_yuan, tuple(dict.fromkeys(near)))
    asked = need != Need()
    ranked = find_sites(atlas, need) if asked else []
    return templates.TemplateResponse(request, "promotion/site_finder.html", {
        "lang": lang, "need": need, "asked": asked, "ranked": ranked[:SHOWN],
        "more": max(0, len(ranked) - SHOWN),
        "verdicts": Counter(c.verdict for c in ranked),
        "reason_text": lambda r: reason_text(atlas, r, lang),
        "industry_groups": option_groups(lang)["industry"], "spaces": list(Space),
        "nears": list(Near), "page_url": str(request_url(request)),
        "today": dt.date.today().isoformat()})
