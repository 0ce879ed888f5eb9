"""Positions people paste: "lon, lat" in either order, or an Amap, Tencent or Baidu share link,
read as (lon, lat, datum); the datum shift itself is :mod:`atlas.crs`'s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from atlas.crs import InputCRS


@dataclass(frozen=True)
class Pasted:
    """A position read from pasted text: lon/lat in ``crs``, and what it was read from."""

    lon: float
    lat: float
    crs: InputCRS
    source: str
    """"text", "amap", "tencent" or "baidu"."""


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_AMAP_HOSTS = ("amap.com", "gaode.com", "autonavi.com")
_AMAP_PARAMS = ("position", "location", "lnglat", "to", "dest", "center", "q")
_TENCENT_PARAMS = ("marker", "coord", "tocoord", "center", "location")
_BAIDU_PARAMS = ("location", "latlng", "destination", "center", "position")
_BAIDU_COORD_TYPES = {"bd09ll": InputCRS.bd09, "bd09": InputCRS.bd09, "gcj02": InputCRS.gcj02,
                      "gcj02ll": InputCRS.gcj02, "wgs84": InputCRS.wgs84, "wgs84ll": InputCRS.wgs84}


def _pair(text: str, lat_first: bool) -> tuple[float, float] | None:
    """The first two numbers in ``text`` as (lon, lat).  In China a longitude is above 60° and a
    latitude below, so a pair in the "wrong" order is put right whatever the source's habit."""
    numbers = [float(n) for n in _NUMBER.findall(text)]
    if len(numbers) < 2:
        return None
    a, b = numbers[0], numbers[1]
    if abs(a) > 60 >= abs(b):
        return a, b
    if abs(b) > 60 >= abs(a):
        return b, a
    return (b, a) if lat_first else (a, b)


def _from_params(params: dict[str, list[str]], names: tuple[str, ...], lat_first: bool,
                 strip=lambda v: v) -> tuple[float, float] | None:
    for name in names:
        for value in params.get(name, []):
            found = _pair(strip(value), lat_first)
            if found:
                return found
    lon, lat = params.get("lng") or params.get("lon"), params.get("lat")
    if lon and lat:
        return _pair(f"{lon[0]},{lat[0]}", False)
    return None


def parse_position(text: str, crs: InputCRS = InputCRS.wgs84) -> Pasted:
    """Read a position from what an editor pasted: ``lon, lat`` (or ``lat, lon``) in ``crs``, or
    a share link of Amap (GCJ-02; ``uri.amap.com/marker?position=lon,lat``,
    ``amap.com/…?p=id,lat,lon,…``), Tencent (GCJ-02; ``marker=coord:lat,lon``) or Baidu
    (BD-09 unless its ``coord_type`` says otherwise; ``location=lat,lon``).  A link's datum
    wins over ``crs``.  Raises ValueError with a message that says what to paste instead."""
    text = text.strip()
    if not text:
        raise ValueError("paste coordinates (lon, lat) or a map share link")
    if re.match(r"^(https?://|[\w-]+(\.[\w-]+)+/)", text):
        url = urlsplit(text if "://" in text else "https://" + text)
        host = (url.hostname or "").lower()
        params = {k.lower(): v for k, v in parse_qs(url.query + "&" + url.fragment.split("?")[-1]).items()}
        if host.endswith(_AMAP_HOSTS):
            if host.startswith("surl.") or not params:
                raise ValueError("this Amap link has no coordinates (a short link): open it, then "
                                 "use 分享 → 复制链接 on the place, or paste its coordinates")
            if "p" in params:  # www.amap.com/…?p=<poi id>,lat,lon,name,address
                head, _, rest = params["p"][0].partition(",")
                found = _pair(params["p"][0] if _NUMBER.fullmatch(head) else rest, lat_first=True)
            else:
                found = _from_params(params, _AMAP_PARAMS, lat_first=False)
            source, datum = "amap", InputCRS.gcj02
        elif host.endswith("qq.com"):
            found = _from_params(params, _TENCENT_PARAMS, lat_first=True,
                                 strip=lambda v: v.split("coord:", 1)[-1])
            source, datum = "tencent", InputCRS.gcj02
        elif host.endswith("baidu.com"):
            coord_type = (params.get("coord_type") or ["bd09ll"])[0].lower()
            if coord_type not in _BAIDU_COORD_TYPES:
                raise ValueError(f"this Baidu link uses coord_type={coord_type} (Mercator metres); "
                                 "share the place again as a marker link, or paste lon, lat")
            found = _from_params(params, _BAIDU_PARAMS, lat_first=True,
                                 strip=lambda v: v.replace("latlng:", ""))
            source, datum = "baidu", _BAIDU_COORD_TYPES[coord_type]
        else:
            found = _from_params(params, ("position", "location", "ll", "q"), lat_first=True)
            source, datum = "link", crs
        if found is None:
            raise ValueError("no coordinates found in this link: paste lon, lat instead")
    else:
        found = _pair(unquote(text), lat_first=False)
        if found is None or len(_NUMBER.findall(text)) != 2:
            raise ValueError("paste two numbers, longitude and latitude (e.g. 118.58, 24.78)")
        source, datum = "text", crs
    lon, lat = found
    if not (73 <= lon <= 136 and 3 <= lat <= 54):
        raise ValueError(f"{lon}, {lat} is not in China; check the numbers and their order")
    return Pasted(lon, lat, datum, source)


