"""Parsing and checking the query parameters of an items request.

Parameters are read from the raw query string (not typed FastAPI ``Query``
arguments) so every mistake becomes an OGC ``InvalidParameterValue`` (400) with
a sentence saying what to fix, never FastAPI's 422.

Unknown parameters are **ignored**, not rejected as ``/req/core/query-param-unknown``
would have it: clients add cache-busters and vendor extras (QGIS once sent ``MAP=``),
and refusing them breaks real clients for no gain.  The price is that a misspelt
filter (``?knid=port``) silently filters nothing; the queryables resource and the
OpenAPI document list the names that do filter.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from atlas.ogc.errors import invalid
from atlas.ogc.links import Params
from atlas.ogc.queryables import Queryable

LIMIT_DEFAULT = 100
LIMIT_MAX = 10_000
"""Page size: default and maximum; a larger ``limit`` is clamped to it (``REQ_fc-limit-response-1``)."""
NEXT_LIMIT_MIN = 1_000
"""The least page size a JSON ``next`` link asks for.  A client following ``next`` links is
reading the whole collection; GDAL up to 3.7 asks for pages of 10 and takes no page size from
the API definition, so without this 20 000 features cost it 2 000 requests.  HTML pages keep
the size the reader chose."""

BBox = tuple[float, float, float, float]
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
"""At most 18 digits: enough for any page, and far below Python's int-parsing limit."""


@dataclass(frozen=True)
class ItemsQuery:
    """A checked items request: spatial filter, page and property filters."""

    bbox: BBox | None = None
    limit: int = LIMIT_DEFAULT
    offset: int = 0
    filters: dict[str, str] = field(default_factory=dict)


def single(params: Params, name: str) -> str | None:
    """The value of parameter ``name``, None if absent; 400 if it is given more than once."""
    values = [value for key, value in params if key == name]
    if len(values) > 1:
        raise invalid(f"{name} is given {len(values)} times; give it once")
    return values[0] if values else None


def parse_bbox(text: str) -> BBox:
    """``minLon,minLat,maxLon,maxLat`` in CRS84, checked for range and order."""
    parts = text.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(parts) != 4 or len(numbers) != 4 or not all(map(math.isfinite, numbers)):
        raise invalid(f"bbox must be four numbers minLon,minLat,maxLon,maxLat (got {text!r})")
    min_x, min_y, max_x, max_y = numbers
    if not (-180 <= min_x <= 180 and -180 <= max_x <= 180):
        raise invalid(f"bbox longitudes must lie in [-180, 180] (got {text!r})")
    if not (-90 <= min_y <= 90 and -90 <= max_y <= 90):
        raise invalid(f"bbox latitudes must lie in [-90, 90] (got {text!r}); "
                      "the order is minLon,minLat,maxLon,maxLat")
    if min_x > max_x or min_y > max_y:
        raise invalid(f"bbox minimum exceeds maximum (got {text!r}); the order is "
                      "minLon,minLat,maxLon,maxLat and boxes across the antimeridian are not supported")
    return min_x, min_y, max_x, max_y


def parse_int(name: str, text: str, minimum: int) -> int:
    """A decimal integer of at least ``minimum``."""
    if not _INTEGER.fullmatch(text.strip()):
        raise invalid(f"{name} must be an integer of at most 18 digits (got {text[:40]!r})")
    value = int(text)
    if value < minimum:
        raise invalid(f"{name} must be at least {minimum} (got {value})")
    return value


def parse_filter(queryable: Queryable, text: str) -> str:
    """A property filter value, which must be one of the queryable's allowed values."""
    allowed = queryable.allowed()
    if allowed and text not in allowed:
        raise invalid(f"{queryable.name} must be one of {', '.join(allowed)} (got {text!r})")
    return text


def parse_items_query(params: Params, queryables: Mapping[str, Queryable]) -> ItemsQuery:
    """Check ``bbox``, ``limit`` (clamped to :data:`LIMIT_MAX`), ``offset`` and property filters."""
    bbox, limit, offset = (single(params, name) for name in ("bbox", "limit", "offset"))
    filters = {name: parse_filter(q, value) for name, q in queryables.items()
               if (value := single(params, name)) is not None}
    return ItemsQuery(
        bbox=parse_bbox(bbox) if bbox is not None else None,
        limit=min(parse_int("limit", limit, 1), LIMIT_MAX) if limit is not None else LIMIT_DEFAULT,
        offset=parse_int("offset", offset, 0) if offset is not None else 0,
        filters=filters,
    )
