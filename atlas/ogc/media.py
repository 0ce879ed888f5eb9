"""Media types and the choice between JSON and HTML for a request.

The rule (from pygeoapi's, see the research notes §1.4): ``?f=json|html`` wins.
Otherwise HTML is served only when the ``Accept`` header gives ``text/html`` a
strictly higher quality than any JSON type; no header, ``*/*`` or a tie all mean
JSON, because machine clients (OWSLib sends no Accept at all) must get JSON.
"""

from __future__ import annotations

from enum import StrEnum

from atlas.ogc.errors import invalid

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"


class Format(StrEnum):
    """The encodings every OGC resource here is offered in (values of ``f``)."""

    json = "json"
    html = "html"


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _preferences(accept: str) -> tuple[float, float]:
    """(best quality of text/html, best quality of any JSON type or wildcard) in ``accept``."""
    html_q = json_q = 0.0
    for entry in accept.split(","):
        media, *params = entry.split(";")
        media = media.strip().lower()
        q = _quality(params)
        if media == HTML:
            html_q = max(html_q, q)
        elif media in ("*/*", "application/*") or media.endswith("json"):
            json_q = max(json_q, q)
    return html_q, json_q


def negotiate(f: str | None, accept: str | None) -> Format:
    """The format to answer in, from the ``f`` parameter (which wins) and the Accept header."""
    if f is not None:
        try:
            return Format(f.strip().lower())
        except ValueError:
            allowed = ", ".join(m.value for m in Format)
            raise invalid(f"f must be one of {allowed} (got {f!r})") from None
    if accept:
        html_q, json_q = _preferences(accept)
        if html_q > json_q:
            return Format.html
    return Format.json
