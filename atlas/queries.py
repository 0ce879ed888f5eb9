"""Answers to the spatial query API, and the three shapes they are served in.

A route turns validated input into an :class:`Answer` (the echoed query, plain
facts, and named groups of entities with distances); this module writes an
answer as JSON, as a GeoJSON FeatureCollection or as a Folium map.  Geometries
are WGS-84 inside the atlas; ``out_crs`` shifts them to GCJ-02 or BD-09 on the
way out, and :func:`geometry_to_wgs84` shifts user geometries on the way in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import folium
import shapely
from markupsafe import escape
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from atlas.config import Settings
from atlas.crs import InputCRS, geometry_from_wgs84
from atlas.engine import Entity
from atlas.maps.render import JINJIANG_CENTRE, MapParts, render_parts, tile_layers
from atlas.maps.style import AREA_STYLES, QUERY_COLOUR, kind_colours

COORD_DIGITS = 7
"""Decimal places of output degrees (about 1 cm)."""



@dataclass(frozen=True)
class Hit:
    """An entity in an answer, with its distance from the query (if that means anything)."""

    entity: Entity
    distance_m: float | None = None


@dataclass(frozen=True)
class Answer:
    """What a query found.

    ``groups`` are named lists of hits (e.g. ``zones``, ``nearest``); a group
    named in ``singular`` is written as one object (or null) instead of a list.
    ``shape`` is the WGS-84 query point or area, drawn on the map with a
    ``radius_m`` circle around it when that is set.
    """

    title: str
    query: dict
    facts: dict = field(default_factory=dict)
    groups: dict[str, list[Hit]] = field(default_factory=dict)
    singular: tuple[str, ...] = ()
    shape: BaseGeometry | None = None
    radius_m: float = 0.0


def lonlat(x: float, y: float) -> list[float]:
    """A lon/lat pair rounded for output."""
    return [round(x, COORD_DIGITS), round(y, COORD_DIGITS)]


def metres(value: float | None) -> float | None:
    """A distance rounded to 0.1 m for output (None when absent or not finite)."""
    return round(value, 1) if value is not None and math.isfinite(value) else None


# ------------------------------------------------------------------ JSON
def summary(hit: Hit, out_crs: InputCRS) -> dict:
    """The short JSON form of a hit: names, kind, a representative point and the distance."""
    e = hit.entity
    anchor = e.geometry if e.geometry.geom_type == "Point" else e.geometry.representative_point()
    anchor = geometry_from_wgs84(anchor, out_crs)
    p = e.props
    body = {"id": e.id, "layer": e.layer.value, "kind": p["kind"],
            "name_zh": p["name_zh"], "name_en": p["name_en"], "town": e.town,
            "point": lonlat(anchor.x, anchor.y)}
    if hit.distance_m is not None:
        body["distance_m"] = metres(hit.distance_m)
    return body


def to_json(answer: Answer, out_crs: InputCRS) -> dict:
    """The answer as plain JSON: the query, the facts, then each group."""
    body = {"query": {**answer.query, "out_crs": out_crs.value}, **answer.facts}
    for name, hits in answer.groups.items():
        items = [summary(h, out_crs) for h in hits]
        body[name] = (items[0] if items else None) if name in answer.singular else items
    return body


def to_geojson(answer: Answer, out_crs: InputCRS) -> dict:
    """The answer's entities as a FeatureCollection; ``role`` names the group, plus ``distance_m``.

    The query and the facts ride along as foreign members.  With ``out_crs`` other
    than wgs84 the coordinates are shifted (and so, knowingly, not RFC 7946 WGS-84).
    """
    features = []
    for name, hits in answer.groups.items():
        for hit in hits:
            feature = hit.entity.feature({"role": name, "distance_m": metres(hit.distance_m)})
            feature["geometry"] = mapping(geometry_from_wgs84(hit.entity.geometry, out_crs))
            features.append(feature)
    return {"type": "FeatureCollection", "query": {**answer.query, "out_crs": out_crs.value},
            **answer.facts, "features": features}


# ------------------------------------------------------------------ map
def safe_text(text: str) -> str:
    """Text made safe for folium's unescaped tooltips (HTML inside a JS template literal)."""
    return str(escape(text)).replace("\\", "&#92;").replace("`", "&#96;").replace("$", "&#36;")


def _hit_label(group: str, hit: Hit) -> str:
    p, d = hit.entity.props, metres(hit.distance_m)
    distance = f" · {d:,.0f} m" if d is not None else ""
    return safe_text(f"{p['name_zh']} {p['name_en']} ({group}{distance})")


def _draw(fmap: folium.Map, geom: BaseGeometry, colour: str, tooltip: str, dashed: bool = False
          ) -> None:
    if geom.geom_type == "Point":
        folium.CircleMarker([geom.y, geom.x], radius=7, color=colour, fill=True, fill_opacity=0.8,
                            weight=2, tooltip=folium.Tooltip(tooltip)).add_to(fmap)
        return
    style = {"color": colour, "weight": 2, "fillOpacity": 0.12,
             "dashArray": "6 4" if dashed else None}
    folium.GeoJson(mapping(geom), style_function=lambda _: style,
                   tooltip=folium.Tooltip(tooltip)).add_to(fmap)


def _colour(entity: Entity) -> str:
    """The entity's colour on the atlas: its kind group for points, its layer's line otherwise."""
    return kind_colours().get(entity.props["kind"]) or \
        AREA_STYLES.get(entity.layer.value, {}).get("color", "#333333")


def answer_map(answer: Answer, settings: Settings) -> MapParts:
    """A Folium map of the query shape and every entity in the answer, fitted to them.

    Drawn on the basemap's datum (``settings.tiles_datum``), whatever ``out_crs`` the
    answer's numbers use.  Every data string passes :func:`safe_text` before it reaches
    folium.
    """
    datum = InputCRS(settings.tiles_datum)
    fmap = folium.Map(location=JINJIANG_CENTRE, zoom_start=11, tiles=None, control_scale=True,
                      width="100%", height="100%")
    for layer in tile_layers(settings):
        layer.add_to(fmap)
    drawn = []
    for name, hits in answer.groups.items():
        for hit in hits:
            geom = geometry_from_wgs84(hit.entity.geometry, datum)
            _draw(fmap, geom, _colour(hit.entity), _hit_label(name, hit))
            drawn.append(geom)
    if answer.shape is not None:
        shape = geometry_from_wgs84(answer.shape, datum)
        _draw(fmap, shape, QUERY_COLOUR, safe_text(answer.title), dashed=True)
        drawn.append(shape)
        if answer.radius_m and shape.geom_type == "Point":
            folium.Circle([shape.y, shape.x], radius=answer.radius_m, color=QUERY_COLOUR, weight=1,
                          fill=False, dash_array="6 4").add_to(fmap)
    if drawn:
        minx, miny, maxx, maxy = shapely.GeometryCollection(drawn).bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]], max_zoom=16)
    return render_parts(fmap)
