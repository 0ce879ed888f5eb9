"""“Navigate here” links: Amap's and Baidu's URI APIs, opened at an entity's position.

Each map wants its own datum: the WGS-84 position is converted to GCJ-02 for Amap
(``coordinate=gaode``, https://lbs.amap.com/api/uri-api/guide/mobile-web/point) and to
BD-09 for Baidu (``coord_type=bd09ll``, https://lbsyun.baidu.com/index.php?title=uri/api/web),
both with :func:`atlas.crs.from_wgs84`. Saying the datum explicitly keeps either service
from guessing. A placeholder (position not known) gets no links.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from atlas.crs import InputCRS, from_wgs84
from atlas.engine import Entity
from atlas.promotion.travel import entity_position

AMAP_MARKER = "https://uri.amap.com/marker"
BAIDU_MARKER = "https://api.map.baidu.com/marker"
AMAP_SOURCE = "jinjiang-atlas"
"""Amap's ``src`` (who is calling; recommended)."""
BAIDU_SOURCE = "webapp.jinjiang.atlas"
"""Baidu's ``src``, in its ``webapp.companyName.appName`` form (required)."""
COORD_DIGITS = 6
"""Decimals of a coordinate in a link: Baidu takes at most 6; 1e-6° is about 0.1 m."""


@dataclass(frozen=True)
class NavigateLinks:
    """Links that open each map app (or its web page) with a marker at the entity."""

    amap: str
    baidu: str


def _query(params: dict[str, str]) -> str:
    return urlencode(params, quote_via=quote, safe=",")


def amap_link(lon: float, lat: float, name: str) -> str:
    """Amap's marker URI for a WGS-84 position, sent as GCJ-02 (``position=lon,lat``)."""
    x, y = from_wgs84(lon, lat, InputCRS.gcj02)
    return AMAP_MARKER + "?" + _query({
        "position": f"{x:.{COORD_DIGITS}f},{y:.{COORD_DIGITS}f}", "name": name,
        "src": AMAP_SOURCE, "coordinate": "gaode", "callnative": "1"})


def baidu_link(lon: float, lat: float, title: str, content: str) -> str:
    """Baidu's marker URI for a WGS-84 position, sent as BD-09 (``location=lat,lon``)."""
    x, y = from_wgs84(lon, lat, InputCRS.bd09)
    return BAIDU_MARKER + "?" + _query({
        "location": f"{y:.{COORD_DIGITS}f},{x:.{COORD_DIGITS}f}", "title": title,
        "content": content, "output": "html", "coord_type": "bd09ll", "src": BAIDU_SOURCE})


def navigate_links(entity: Entity) -> NavigateLinks | None:
    """Amap and Baidu links to ``entity`` (at :func:`entity_position`), labelled with its
    Chinese name (what the apps' users read); None when its position is not known."""
    where = entity_position(entity)
    if where is None:
        return None
    name_zh, name_en = entity.props["name_zh"], entity.props["name_en"]
    return NavigateLinks(amap=amap_link(where.x, where.y, name_zh),
                         baidu=baidu_link(where.x, where.y, name_zh, name_en))
