"""Names of downloaded files: what they hold, the filters that chose it, and the date.

``jinjiang-atlas_platforms_industry-integrated_circuits_2026-11-27.xlsx``: the prefix, the
layer(s) or ``all``, one part per filter (``facet-value+value``, the name query as ``q-…``),
variants (``en`` for English content, ``codes`` for the machine CSV), the date.  Sent as a
``Content-Disposition`` with a UTF-8 name (``filename*``, which keeps a Chinese query) and an
ASCII one (``filename``, for old clients: Chinese as pinyin).
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from atlas.filters import FACETS, EntityFilter

PREFIX = "jinjiang-atlas"
MAX_SUMMARY = 80
"""Longest filter summary in a name, in characters (the rest is cut)."""
_UNSAFE = re.compile(r"[^\w+.-]+")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9_+.-]+", re.ASCII)
_ATTR_CHARS = "!#$&+-.^_`|~"
"""Characters RFC 8187 lets ``filename*`` carry unencoded, besides letters and digits."""


def filter_summary(selection: EntityFilter) -> str:
    """The filters as a name part, ``industry-integrated_circuits_kind-university_q-三创园``
    (layers left out: they name the file's subject), at most :data:`MAX_SUMMARY` characters."""
    parts = [f"{facet}-{'+'.join(values)}" for facet in FACETS
             if facet != "layer" and (values := getattr(selection, facet))]
    if selection.q:
        parts.append(f"q-{selection.q}")
    summary = "_".join(_UNSAFE.sub("-", part).strip("-.") for part in parts)
    return summary[:MAX_SUMMARY].rstrip("_-+.")


def export_filename(subject: str, summary: str, variants: list[str], ext: str,
                    day: dt.date | None = None) -> str:
    """``jinjiang-atlas_<subject>[_<summary>][_<variant>…]_<date>.<ext>`` (the date is today's
    unless given)."""
    parts = [PREFIX, subject, summary, *variants, (day or dt.date.today()).isoformat()]
    return "_".join(p for p in parts if p) + f".{ext}"


def ascii_filename(name: str) -> str:
    """``name`` in ASCII: Chinese as pinyin, other characters that need quoting as "-"."""
    if not name.isascii():
        from pypinyin import lazy_pinyin  # slow to import: only for names that need it

        name = "".join(lazy_pinyin(name))
    return _UNSAFE_ASCII.sub("-", name)


def content_disposition(name: str) -> str:
    """A ``Content-Disposition: attachment`` header for ``name``: ASCII ``filename`` and
    UTF-8 ``filename*`` (RFC 6266, RFC 8187)."""
    return (f'attachment; filename="{ascii_filename(name)}"; '
            f"filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}")
