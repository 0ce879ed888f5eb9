"""Security headers on every response, and the nonces that let our own inline code run.

The Content-Security-Policy allows scripts and ``<style>`` elements from our own server and,
inline, only those carrying the response's nonce (``nonce="{{ csp_nonce() }}"`` in a template;
folium's map header gets it through the ``with_nonce`` filter).  The nonce is made when a page
first asks for one, so JSON and files get the same policy without any.

Style attributes stay allowed (``style-src-attr 'unsafe-inline'``): Leaflet, folium's tooltips,
the coverage legend and the handout's numbered markers set them, and an attribute can style only
its own element — it has no selectors, so it cannot read the page the way an injected
``<style>`` element could; ``<style>`` elements need the nonce.

Images may come from the configured basemap's tile hosts and ``data:`` URIs (Bootstrap's and
Swagger UI's stylesheets draw their icons with them).  ``frame-ancestors`` comes from
``ATLAS_FRAME_ANCESTORS`` (default ``'self'``), for embedding the atlas in a portal.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.config import Settings
from atlas.maps.render import TileConfigError, tile_layers
from atlas.web.templating import templates

_nonce_holder: ContextVar[dict[str, str] | None] = ContextVar("atlas_csp_nonce", default=None)
"""The current response's nonce (``{"nonce": ...}`` once made), set per request by the middleware."""

OPENING_TAG = re.compile(r"<(script|style)\b", re.IGNORECASE)

SOURCE = re.compile(r"'self'|'none'|[a-z][a-z0-9+.-]*:"
                    r"|(?:[a-z][a-z0-9+.-]*://)?(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d+|\*))?"
                    r"(?:/[^\s;,']*)?", re.IGNORECASE)
"""One CSP source expression: ``'self'``, ``'none'``, a scheme (``https:``) or a host."""

PERMISSIONS = ("accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
               "microphone=(), payment=(), usb=()")
"""Browser features no page uses (none locates the reader; copying a link needs no permission)."""


class SecurityConfigError(ValueError):
    """A security setting cannot work (e.g. a malformed ``ATLAS_FRAME_ANCESTORS``)."""


def csp_nonce() -> str:
    """The current response's nonce for inline ``<script>``/``<style>`` (made on first use).

    Outside a request (a template rendered on its own) there is no policy to match: a fresh
    nonce is returned."""
    holder = _nonce_holder.get()
    if holder is None:
        return secrets.token_urlsafe(16)
    if "nonce" not in holder:
        holder["nonce"] = secrets.token_urlsafe(16)
    return holder["nonce"]


def with_nonce(fragment: str) -> Markup:
    """Trusted markup (folium's map header, never data) with the response's nonce on every
    ``<script>`` and ``<style>`` tag."""
    return Markup(OPENING_TAG.sub(lambda m: f'<{m.group(1)} nonce="{csp_nonce()}"', fragment))


def frame_ancestors(raw: str) -> str:
    """Who may show the atlas in a frame, checked: space-separated CSP sources (e.g.
    ``'self' https://portal.example.gov.cn``, or ``'none'``); empty means ``'self'``."""
    sources = raw.split() or ["'self'"]
    bad = [s for s in sources if not SOURCE.fullmatch(s)]
    if bad or ("'none'" in sources and len(sources) > 1):
        raise SecurityConfigError(
            f"ATLAS_FRAME_ANCESTORS={raw!r}: use 'none', or space-separated 'self', schemes "
            "(https:) and hosts (https://portal.example.gov.cn)"
            + (f"; not a source: {', '.join(bad)}" if bad else ""))
    return " ".join(sources)


def tile_sources(settings: Settings) -> list[str]:
    """The hosts the basemap's tiles come from (``{s}`` expanded over its subdomains), for
    ``img-src``; tiles on our own server need none."""
    sources: list[str] = []
    for layer in tile_layers(settings):
        template = layer.tiles
        subdomains = layer.options.get("subdomains") or ""
        urls = [template.replace("{s}", s) for s in subdomains] if "{s}" in template else [template]
        for url in urls:
            parts = urlsplit(url)
            host = parts.netloc.rpartition("@")[2].lower()
            if not host:
                continue
            if "{" in host:
                raise TileConfigError(f"ATLAS_TILES={settings.tiles!r}: the tile host may hold "
                                      "no placeholder but {s}")
            source = f"{parts.scheme}://{host}" if parts.scheme else host
            if source not in sources:
                sources.append(source)
    return sources


@dataclass(frozen=True)
class SecurityPolicy:
    """The headers every response gets, for one configuration."""

    image_sources: tuple[str, ...]
    ancestors: str

    @classmethod
    def for_settings(cls, settings: Settings) -> SecurityPolicy:
        """The policy for a configuration (basemap hosts, ``frame_ancestors``); raises
        on a setting that cannot work."""
        return cls(("'self'", "data:", *tile_sources(settings)),
                   frame_ancestors(settings.frame_ancestors))

    def content_security_policy(self, nonce: str | None) -> str:
        """The CSP header value, allowing inline code with ``nonce`` when the response made one."""
        own = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
        return "; ".join((
            "default-src 'self'", f"script-src {own}", f"style-src {own}",
            "style-src-attr 'unsafe-inline'", f"img-src {' '.join(self.image_sources)}",
            "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'",
            "form-action 'self'", f"frame-ancestors {self.ancestors}"))

    def headers(self, nonce: str | None) -> list[tuple[str, str]]:
        """Every security header for a response (``X-Frame-Options`` too when the ancestors
        are just ``'self'`` or ``'none'``, for browsers without CSP)."""
        found = [("Content-Security-Policy", self.content_security_policy(nonce)),
                 ("X-Content-Type-Options", "nosniff"),
                 ("Referrer-Policy", "strict-origin-when-cross-origin"),
                 ("Permissions-Policy", PERMISSIONS)]
        legacy = {"'self'": "SAMEORIGIN", "'none'": "DENY"}.get(self.ancestors)
        if legacy:
            found.append(("X-Frame-Options", legacy))
        return found


class SecurityHeaders:
    """ASGI middleware: :class:`SecurityPolicy` headers on every HTTP response (a header the
    route set itself is kept), with the nonce the page used in its CSP."""

    def __init__(self, app: ASGIApp, policy: SecurityPolicy):
        self.app, self.policy = app, policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        holder: dict[str, str] = {}
        token = _nonce_holder.set(holder)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.policy.headers(holder.get("nonce")):
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            _nonce_holder.reset(token)


templates.env.globals["csp_nonce"] = csp_nonce
templates.env.filters["with_nonce"] = with_nonce
