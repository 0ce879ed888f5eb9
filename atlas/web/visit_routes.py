"""Visit routes (``/route?stops=a,b,c&lang=en``): the stops on a map joined by straight dashed
lines, a numbered itinerary with each leg's straight-line distance and estimated drive time,
and a QR code of the page itself, laid out to print on A4 (``static/print.css``).

The route is the URL, nothing is stored: the builder on the page (``static/js/route.js``: search,
add, move, remove) opens the new URL, and the server measures it again
(:mod:`atlas.promotion.routes`).  A stop list that is not a route is a 400 in the page
language.  Other query parameters are ignored, as on the atlas page: a chat app may append its
own to a shared link.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from atlas.crs import InputCRS, geometry_from_wgs84
from atlas.engine import Atlas, Entity
from atlas.maps.render import map_shell
from atlas.maps.style import AREA_STYLES
from atlas.promotion.navigate import navigate_links
from atlas.promotion.routes import MAX_STOPS, Route, RouteError, plan_route, route_entities
from atlas.vocab import LISTED_LAYERS, Kind, Layer
from atlas.web.browse import map_feature
from atlas.web.deps import AtlasDep
from atlas.web.errors import ApiError
from atlas.web.handouts import Row, rows
from atlas.web.hosts import base_url
from atlas.web.i18n import Lang, field, js_text, label, t
from atlas.web.pages import LangQuery
from atlas.web.templating import templates

router = APIRouter(include_in_schema=False)

SHOWN_IDS = 5
"""How many faulty ids a refusal repeats (each cut to :data:`SHOWN_ID_CHARS`)."""
SHOWN_ID_CHARS = 40

ROUTE_JS_TEXT = {"add": "route_add", "up": "route_up", "down": "route_down", "remove": "route_remove",
                 "full": "route_full", "sameAsLast": "route_same_as_last",
                 "noResults": "route_no_results", "searchFailed": "route_search_failed",
                 "merged": "route_merged"}
"""Name in route.js's ``cfg.text`` -> UI key (with the shared :func:`js_text`)."""


def route_path(ids: list[str], lang: Lang) -> str:
    """The route's path and query, as the page and its QR code write it: ``/route?stops=a,b,c``
    (ids are slugs, so neither they nor the commas need escaping), ``&lang=en`` in English."""
    query = [f"stops={','.join(ids)}"] if ids else []
    query += ["lang=en"] if lang == "en" else []
    return "/route" + ("?" + "&".join(query) if query else "")


def start_url(entity: Entity, lang: Lang) -> str | None:
    """A route starting at ``entity`` (None for an entity one does not visit: a town, a zone)."""
    return route_path([entity.id], lang) if entity.layer in LISTED_LAYERS else None


templates.env.globals["visit_route_start"] = start_url


def refusal(atlas: Atlas, err: RouteError, lang: Lang) -> str:
    """What is wrong with a stop list, in ``lang``."""
    sep, left, right = (", ", " (", ")") if lang == "en" else ("、", "（", "）")
    if err.key == "not_stop":
        names = sep.join(field(e.props, "name", lang)[0] + left + label("Kind", e.props["kind"], lang)
                         + right for e in (atlas.entities[i] for i in err.ids))
        return t("route_err_not_stop", lang).format(names=names)
    shown = sep.join(i[:SHOWN_ID_CHARS] + ("…" if len(i) > SHOWN_ID_CHARS else "")
                     for i in err.ids[:SHOWN_IDS]) + (" …" if len(err.ids) > SHOWN_IDS else "")
    return t(f"route_err_{err.key}", lang).format(ids=shown, n=err.count, max=MAX_STOPS,
                                                 no=err.no, prev=err.no - 1)


def _stop_config(atlas: Atlas, route: Route, table: list[Row], lang: Lang) -> list[dict]:
    """What route.js draws of each stop: its number, colour and position on the basemap's datum
    (None when not known), and a park's outline."""
    datum = InputCRS(atlas.settings.tiles_datum)
    out = []
    for stop, row in zip(route.stops, table):
        e, at = stop.entity, stop.position
        shifted = geometry_from_wgs84(at, datum) if at is not None else None
        out.append({"no": stop.no, "id": e.id, "name": row.name, "colour": row.colour,
                    "area": e.layer == Layer.parks, "status": e.props["status"],
                    "precision": e.props["precision"],
                    "at": [shifted.x, shifted.y] if shifted is not None else None,
                    "outline": map_feature(atlas, e, lang) if e.layer == Layer.parks and at
                    and e.geometry.geom_type != "Point" else None})
    return out


@router.get("/route", response_class=HTMLResponse)
def visit_route(request: Request, atlas: AtlasDep, lang: LangQuery,
                stops: Annotated[str, Query(description="Stop ids, comma-separated, in order")] = ""
                ) -> HTMLResponse:
    """A visit route: map, itinerary with distances and estimated drive times, QR code; the
    route builder on screen.  400 (in the page language) for a stop list that is not a route."""
    if len(request.query_params.getlist("stops")) > 1:
        raise ApiError(400, t("route_err_repeated", lang))
    try:
        entities = route_entities(atlas, stops)
    except RouteError as err:
        raise ApiError(400, refusal(atlas, err, lang)) from None
    route = plan_route(entities)
    ids = [e.id for e in entities]
    table = rows(atlas, entities, lang)
    other = "zh" if lang == "en" else "en"
    return templates.TemplateResponse(request, "routes/route.html", {
        "lang": lang, "shell": map_shell(atlas.settings), "route": route,
        "stops": list(zip(route.stops, table, route.running(),
                          (navigate_links(e) for e in entities))),
        "max_stops": MAX_STOPS,
        "live_url": base_url(request) + route_path(ids, lang),
        "today": datetime.date.today().isoformat(),
        "config": {
            "map": map_shell(atlas.settings).name, "lang": lang, "ids": ids, "maxStops": MAX_STOPS,
            "langSwitch": route_path(ids, other),
            "stops": _stop_config(atlas, route, table, lang),
            "legs": [[leg.start.no, leg.end.no] for leg in route.known_legs],
            "layers": [layer.value for layer in LISTED_LAYERS],
            "kinds": {k.value: label("Kind", k.value, lang) for k in Kind},
            "towns": {i: field(atlas.entities[i].props, "name", lang)[0]
                      for i in atlas.frames[Layer.towns].index},
            "areaStyles": AREA_STYLES,
            "text": {**js_text(lang), **{name: t(key, lang) for name, key in ROUTE_JS_TEXT.items()}},
        },
    })
