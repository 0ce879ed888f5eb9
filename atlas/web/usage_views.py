"""The usage statistics for staff (:mod:`atlas.usage`): ``GET /edit/usage`` (a page) and
``GET /api/usage`` (JSON), both ``?days=`` (default 30), editors and admins only — 401 without
credentials (a page with the login link for browsers), 403 for other users.  Both write this
process's pending counts first, so they show everything counted so far."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from atlas.auth.deps import EditorDep
from atlas.usage.counter import KEEP_DAYS, MAX_QUERY, OTHER
from atlas.usage.middleware import usage_counter
from atlas.usage.report import Summary, first_day, summarise
from atlas.web.enquiries import NO_STORE, staff_or_refusal
from atlas.web.handouts import value_label
from atlas.web.query_params import reject_unknown_params
from atlas.web.schemas import JSON, UsageSummary, responses
from atlas.web.templating import templates

router = APIRouter(tags=["usage"], default_response_class=Response)

DaysQuery = Annotated[int, Query(ge=1, le=KEEP_DAYS, description="The last this many days")]


def summary(request: Request, days: int) -> Summary:
    """The counts of the last ``days`` days, this process's pending ones written first."""
    storage = request.app.state.storage
    usage_counter(request.app).flush()
    since = first_day(days)
    return summarise(storage.usage(since), days, since)


@router.get("/api/usage", summary="Usage statistics: views, filters, fruitless searches (editors)",
            dependencies=[Depends(reject_unknown_params)],
            responses=responses({JSON: UsageSummary}, 401, 403))
async def usage_json(request: Request, user: EditorDep, days: DaysQuery = 30) -> JSONResponse:
    found = await run_in_threadpool(summary, request, days)
    return JSONResponse({"days": found.days, "since": found.since, "totals": found.totals,
                         "views": [{"entity": k, "count": n} for k, n in found.views],
                         "filters": [{"facet": f, "value": v, "count": n} for f, v, n in found.filters],
                         "zero_results": [{"query": q, "count": n, "last_day": d}
                                          for q, n, d in found.zero]},
                        headers=NO_STORE)


@router.get("/edit/usage", response_class=HTMLResponse, include_in_schema=False)
async def usage_page(request: Request, days: DaysQuery = 30) -> Response:
    """The staff page: three tables over the last ``days`` days."""
    user = staff_or_refusal(request, "the usage statistics")
    if isinstance(user, Response):
        return user
    lang = "en" if request.query_params.get("lang") == "en" else "zh"
    found = await run_in_threadpool(summary, request, days)
    atlas = request.app.state.live.current()
    views = [(key, atlas.entity(key), n) for key, n in found.views]
    filters = [(facet, value, value_label(atlas, facet, value, lang) if facet != OTHER else "", n)
               for facet, value, n in found.filters]
    return templates.TemplateResponse(request, "usage/usage.html", {
        "lang": lang, "user": user, "found": found, "views": views, "filters": filters,
        "other": OTHER, "max_query": MAX_QUERY}, headers=NO_STORE)
