"""The planner's pages: coverage with what-if and where next, the industry matrix, the plan's
targets, and densities with the two zones compared.

Each page is rendered on the server from the same tables ``/api/coverage…`` answers, so a
page, its JSON and its downloads never disagree; the URL holds the whole state, so a link
(or a reload) shows the same page.  ``static/planning.js`` draws the map and turns clicks on
it into what-if sites.  Bad parameters get the HTML error page with the API's message.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from atlas.analysis import AnalysisInputError
from atlas.analysis import density as dens
from atlas.analysis import industry as ind
from atlas.analysis import siting
from atlas.crs import InputCRS, from_wgs84
from atlas.exports import planning as planning_tables
from atlas.exports.tables import text
from atlas.maps.render import map_shell
from atlas.web.coverage_api import By, read_demand_upload, target_tallies
from atlas.web.coverage_request import CoverageDep, answer, layers
from atlas.web.deps import AtlasDep
from atlas.web.errors import ApiError
from atlas.web.pages import LangQuery, facet_options, option_groups
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)

NAV = (("/planning", ("覆盖分析", "Coverage")), ("/planning/industries", ("产业×平台", "Industries")),
       ("/planning/targets", ("规划指标", "Plan targets")),
       ("/planning/zones", ("密度与两区对比", "Density & zones")))
DEFAULT_SELECTION = "layer=platforms&layer=incubators"
"""What /planning opens on: coverage by platforms and incubators."""


def _page(request: Request, name: str, lang: str, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, f"planning/{name}.html", {
        "lang": lang, "nav": NAV, "path": request.url.path, "text": text, **context})


def _download_query(request: Request) -> str:
    """The page's query string without ``lang`` (downloads take the API's parameters)."""
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])


async def _coverage(request: Request, atlas, req, lang: str, upload: UploadFile | None,
                    p: int | None) -> HTMLResponse:
    demand = await read_demand_upload(atlas, upload) if upload is not None else None
    ans = answer(atlas, req, demand)
    suggestion = None
    if p is not None:
        try:
            result = siting.where_next(atlas, ans.current.geometries, ans.result.demand,
                                       req.radius_m, p)
        except AnalysisInputError as exc:
            raise ApiError(400, str(exc)) from None
        suggestion = planning_tables.siting_table(atlas, result)
    datum = InputCRS(atlas.settings.tiles_datum)
    suggested = [{"rank": row["rank"], "gain": row["gain"],
                  **dict(zip(("lon", "lat"), from_wgs84(row["lon"], row["lat"], datum)))}
                 for row in (suggestion.rows if suggestion else [])]
    return _page(request, "coverage", lang, atlas=atlas, req=req, ans=ans,
                 tables=ans.tables(atlas), suggestion=suggestion, p=p, suggested=suggested,
                 closable=[f.id for f in ans.current.facilities if f.state != "added"],
                 layers=layers(atlas, ans, datum), datum=datum.value,
                 shell=map_shell(atlas.settings), options=facet_options(atlas, lang),
                 option_groups=option_groups(lang), uploaded=upload is not None,
                 query=_download_query(request), selected={
                     k: request.query_params.getlist(k) for k in
                     ("layer", "kind", "level", "industry", "zone", "town", "status")})


@router.get("/planning", response_class=HTMLResponse)
async def coverage_page(request: Request, atlas: AtlasDep, req: CoverageDep, lang: LangQuery,
                        p: Annotated[int | None, Query(ge=1, le=siting.MAX_P)] = None
                        ) -> Response:
    """Coverage, what-if and where next for the facility filter in the URL."""
    if set(request.query_params) <= {"lang"}:  # the bare page opens on a useful default
        suffix = f"&lang={lang}" if lang != "zh" else ""
        return RedirectResponse(f"/planning?{DEFAULT_SELECTION}{suffix}", status_code=307)
    return await _coverage(request, atlas, req, lang, None, p)


@router.post("/planning", response_class=HTMLResponse)
async def coverage_of_upload(request: Request, atlas: AtlasDep, req: CoverageDep,
                             lang: LangQuery, file: Annotated[UploadFile, File()]) -> HTMLResponse:
    """The coverage page weighed by uploaded demand points (CSV lon,lat[,weight][,crs])."""
    return await _coverage(request, atlas, req, lang, file, None)


@router.get("/planning/industries", response_class=HTMLResponse)
def industries_page(request: Request, atlas: AtlasDep, lang: LangQuery,
                    by: Annotated[By, Query()] = By.zone) -> HTMLResponse:
    """一产业一平台: the industry matrix by zone or by town, each cell linked to its list."""
    table = planning_tables.industry_table(atlas, ind.matrix(atlas, by.value))
    return _page(request, "industries", lang, table=table, by=by.value,
                 query=_download_query(request))


@router.get("/planning/targets", response_class=HTMLResponse)
def targets_page(request: Request, atlas: AtlasDep, lang: LangQuery) -> HTMLResponse:
    """表1-1 with the atlas's live counts and lists."""
    return _page(request, "targets", lang, table=planning_tables.targets_table(
        atlas, target_tallies(atlas)), query="")


@router.get("/planning/zones", response_class=HTMLResponse)
def zones_page(request: Request, atlas: AtlasDep, req: CoverageDep, lang: LangQuery
               ) -> HTMLResponse:
    """Densities per town, zone and corridor band; the two zones side by side."""
    return _page(request, "zones", lang,
                 density=planning_tables.density_table(dens.densities(atlas)),
                 zones=planning_tables.zones_table(dens.compare_zones(atlas),
                                                   answer(atlas, req).result),
                 query=_download_query(request))
