"""QR codes for printed pages: scanning the paper reopens the live view it was printed from.

Made by the maintained ``segno`` library as inline SVG (no image files, no network).
"""

from __future__ import annotations

import io

import segno
from markupsafe import Markup


def qr_svg(url: str, scale: int = 3) -> Markup:
    """An inline ``<svg>`` QR code of ``url`` (error correction M, quiet zone kept)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=scale, xmldecl=False,
                                                svgns=True, title=url, svgclass="qr-code",
                                                lineclass=None)
    return Markup(out.getvalue().decode("utf-8"))
