"""Link objects and URLs that keep every query parameter they were not asked to change."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

Params = Sequence[tuple[str, str]]
"""Query parameters as (name, value) pairs, in request order (repeats allowed)."""


def href(url: str, params: Params = (), **changes: str | int | None) -> str:
    """``url`` with ``params``, where each name in ``changes`` is replaced (or dropped if None).

    Every other parameter is kept as given, in order, so a next-page link keeps
    the client's filters (and anything else it sent).  Changed parameters go last.
    """
    kept = [(name, value) for name, value in params if name not in changes]
    kept += [(name, str(value)) for name, value in changes.items() if value is not None]
    return f"{url}?{urlencode(kept)}" if kept else url


def link(url: str, rel: str, media_type: str, title: str = "") -> dict[str, str]:
    """One link object; every link carries ``type`` (OGC API requires it on most rels)."""
    out = {"href": url, "rel": rel, "type": media_type}
    if title:
        out["title"] = title
    return out
