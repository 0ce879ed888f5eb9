"""Folium map shells, rendered once per (data version, configuration) and cached.

A shell is a Folium map with the basemap and nothing else; the page's script
(``static/js/atlas-page.js``) loads layers from our own JSON endpoints and draws them,
escaping every text as it goes.  So a filter change never rebuilds a map, and
no data string ever passes through folium's (unescaped) popup templates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import folium

from atlas.config import Settings

JINJIANG_CENTRE = (24.715, 118.545)
"""lat, lon near the middle of the city outline."""
MAX_ZOOM = 18

OSM = ("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
       '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')
TIANDITU = "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0" \
           "&LAYER=%s&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}" \
           "&TILECOL={x}&tk=%s"


class TileConfigError(ValueError):
    """The basemap configuration cannot work (e.g. Tianditu without a key)."""


@dataclass(frozen=True)
class MapParts:
    """A rendered Folium map split for embedding in a Jinja2 page."""

    name: str
    header: str
    html: str
    script: str


def tile_layers(settings: Settings) -> list[folium.TileLayer]:
    """The basemap layers the configuration asks for (none for ``tiles=none``)."""
    tiles = settings.tiles.strip()
    if tiles == "none":
        return []
    if tiles == "osm":
        url, attr = OSM
        return [folium.TileLayer(url, attr=attr, name="OpenStreetMap", max_zoom=19)]
    if tiles == "tianditu":
        if not settings.tianditu_key:
            raise TileConfigError("ATLAS_TILES=tianditu needs ATLAS_TIANDITU_KEY (a Tianditu tk key)")
        attr = '&copy; <a href="https://www.tianditu.gov.cn/">天地图 Tianditu</a>'
        return [folium.TileLayer(TIANDITU % (layer, layer, settings.tianditu_key), attr=attr,
                                 name=name, subdomains="01234567", max_zoom=18, overlay=overlay,
                                 control=False)
                for layer, name, overlay in (("vec", "天地图", False), ("cva", "注记", True))]
    if all(part in tiles for part in ("{z}", "{x}", "{y}")):
        return [folium.TileLayer(tiles, attr=settings.tiles_attribution or "Basemap", name="Basemap")]
    raise TileConfigError(f"ATLAS_TILES={tiles!r}: use osm, tianditu, none or an XYZ URL "
                          "template containing {z}, {x} and {y}")


def render_parts(fmap: folium.Map) -> MapParts:
    """Render a Folium map once and split it into header, body and script for a Jinja2 page."""
    root = fmap.get_root()
    root.render()
    return MapParts(fmap.get_name(), root.header.render(), root.html.render(), root.script.render())


@lru_cache(maxsize=32)
def map_shell(settings: Settings, zoom: int = 11) -> MapParts:
    """The map shell for a configuration (cached: settings are frozen and hashable)."""
    fmap = folium.Map(location=JINJIANG_CENTRE, zoom_start=zoom, tiles=None,
                      control_scale=True, prefer_canvas=True, width="100%", height="100%")
    fmap.options["max_zoom"] = MAX_ZOOM  # folium hands max_zoom to its own tiles only
    for layer in tile_layers(settings):
        layer.add_to(fmap)
    return render_parts(fmap)
