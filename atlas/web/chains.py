"""The industrial-chain pages: every chain the plan describes, and one chain stage by stage.

``/chains`` lists the chains with their gaps; ``/chains/{id}`` shows, per stage, who in
Jinjiang serves it (each linked to its profile and to the atlas with that stage selected),
the stages nobody serves as 补链 targets, and the industry's entities with no stage stated
(:func:`atlas.promotion.chains.chain_view`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from atlas.filters import facet_index
from atlas.promotion.chains import chain, chain_view, load_chains
from atlas.web.deps import AtlasDep
from atlas.web.pages import LangQuery, not_found
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/chains", response_class=HTMLResponse)
def chains_index(request: Request, atlas: AtlasDep, lang: LangQuery) -> HTMLResponse:
    """Every chain with its stages, how many serve each, and the gaps."""
    views = [chain_view(c, facet_index(atlas)) for c in load_chains()]
    return templates.TemplateResponse(request, "chains/index.html", {"lang": lang, "views": views})


@router.get("/chains/{chain_id}", response_class=HTMLResponse)
def chain_page(request: Request, atlas: AtlasDep, chain_id: str, lang: LangQuery) -> HTMLResponse:
    """One chain, stage by stage; the 404 page for an unknown id."""
    found = chain(chain_id)
    if found is None:
        return not_found(request, lang)
    return templates.TemplateResponse(request, "chains/chain.html",
                                      {"lang": lang, "v": chain_view(found, facet_index(atlas))})
