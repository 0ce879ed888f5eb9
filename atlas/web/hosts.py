"""What reaches the atlas (host names, proxies, sizes) and where its links point.

* :func:`base_url` is where every absolute link starts (OGC links, the OpenAPI ``servers``,
  QR codes, export links, profile pages): ``ATLAS_PUBLIC_URL`` when set, else the request's
  own scheme and host, which :class:`AllowedHosts` has checked.  Nothing cached may be keyed
  by it unless ``ATLAS_PUBLIC_URL`` is set: with ``ATLAS_ALLOWED_HOSTS=*`` it is anything a
  client sends.
* :class:`AllowedHosts` refuses a ``Host`` the atlas is not configured for with a 400
  (Starlette's ``TrustedHostMiddleware`` decides).
* :class:`ForwardedHeaders` believes ``X-Forwarded-Proto`` and ``-For`` (uvicorn's
  ``ProxyHeadersMiddleware``) and ``X-Forwarded-Host`` only from ``ATLAS_TRUSTED_PROXIES``.
  Run uvicorn with ``--no-proxy-headers``: its own copy of that middleware trusts 127.0.0.1
  by default, and would rewrite the scheme and client before the atlas can decide.
* :class:`RequestLimits` refuses a URL longer than :data:`MAX_URL` (414) and a header block
  larger than :data:`MAX_HEADERS` (431).  uvicorn's h11 cannot: its
  ``--h11-max-incomplete-event-size`` only caps what it buffers of a request head that has
  not fully arrived, and a head that comes in one read (up to 256 KiB) is taken whole.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from starlette.datastructures import URL
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from atlas.config import Settings

REFUSED = ("400 不接受此主机名 / Host not allowed\n\n"
           "本服务器只响应为其配置的主机名（ATLAS_PUBLIC_URL、ATLAS_ALLOWED_HOSTS）。\n"
           "This server answers only to the host names it is configured for "
           "(ATLAS_PUBLIC_URL, ATLAS_ALLOWED_HOSTS).\n")
"""The body of the refusal (the host asked for is not repeated back)."""

MAX_URL = 16 * 1024
"""Longest request target (path ``?`` query), in bytes as sent: the longest the atlas takes is
``/api/within?polygon=`` with a WKT of 10 000 characters, about 12 KiB percent-encoded."""
MAX_HEADERS = 32 * 1024
"""Largest header block, in bytes (names, values): browsers send 1–4 KiB, cookies of a
shared domain included; Apache's default is 100 fields of 8 KiB, nginx's 4 buffers of 8 KiB."""

TOO_LONG = {414: "414 网址过长 / URI too long\n\n"
                 f"网址（路径和查询）最多 {MAX_URL} 字节。\n"
                 f"The path and query may be at most {MAX_URL} bytes.\n",
            431: "431 请求头过大 / Request header fields too large\n\n"
                 f"请求头合计最多 {MAX_HEADERS} 字节。\n"
                 f"The request headers may be at most {MAX_HEADERS} bytes in all.\n"}

_PASSED = "atlas.host_allowed"
"""Scope key :class:`AllowedHosts`'s check sets when the host is allowed."""


def base_url(request: Request) -> str:
    """The URL every absolute link starts with, without the trailing slash:
    ``ATLAS_PUBLIC_URL``, or the request's own (its host was allowed, its scheme believed
    only from a trusted proxy)."""
    return request.app.state.settings.public_url or str(request.base_url).rstrip("/")


def request_url(request: Request) -> URL:
    """The request's own URL as it is reached from outside: its path and query under
    :func:`base_url`."""
    path, root = request.url.path, request.scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root):]
    query = request.url.query
    return URL(base_url(request) + path + (f"?{query}" if query else ""))


def served_hosts(settings: Settings) -> list[str]:
    """``ATLAS_ALLOWED_HOSTS`` and the host of ``ATLAS_PUBLIC_URL``, as
    ``TrustedHostMiddleware`` patterns."""
    public = urlsplit(settings.public_url).hostname if settings.public_url else None
    public = f"[{public}]" if public and ":" in public else public  # an IPv6 literal
    return [*settings.allowed_hosts, *([public] if public else [])]


class AllowedHosts:
    """Refuse a request whose ``Host`` is not served with a 400 that says what to configure.

    Starlette's ``TrustedHostMiddleware`` decides (exact names, ``*.`` wildcards, ``*``); its
    own terse refusal is discarded for :data:`REFUSED`."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app = app
        self.check = TrustedHostMiddleware(_mark_allowed, allowed_hosts=hosts, www_redirect=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self.check(scope, receive, _discard)
            if not scope.pop(_PASSED, False):
                await PlainTextResponse(REFUSED, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _mark_allowed(scope: Scope, receive: Receive, send: Send) -> None:
    scope[_PASSED] = True


async def _discard(message: dict) -> None:
    """Where the stock refusal goes."""


class ForwardedHeaders:
    """From a trusted proxy only: the scheme (``X-Forwarded-Proto``) and client address
    (``X-Forwarded-For``) by uvicorn's ``ProxyHeadersMiddleware``, and the host the client
    asked for (``X-Forwarded-Host``, the value the nearest proxy wrote) as ``Host``."""

    def __init__(self, app: ASGIApp, proxies: Sequence[str]) -> None:
        self.app = ProxyHeadersMiddleware(app, trusted_hosts=list(proxies))
        self.networks = [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]

    def trusted(self, scope: Scope) -> bool:
        """Whether the peer of the connection is one of the proxies."""
        client = scope.get("client")
        try:
            peer = ipaddress.ip_address(client[0]) if client else None
        except ValueError:  # a unix socket's peer, say
            return False
        return peer is not None and any(peer in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.trusted(scope):
            forwarded = [v for k, v in scope["headers"] if k == b"x-forwarded-host"]
            host = forwarded[-1].split(b",")[-1].strip() if forwarded else b""
            if host:
                headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
                scope = {**scope, "headers": [*headers, (b"host", host)]}
        await self.app(scope, receive, send)


class RequestLimits:
    """Refuse a request whose URL or header block is larger than the atlas ever needs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope["query_string"]
            target = scope.get("raw_path") or scope["path"].encode()
            url = len(target) + (len(query) + 1 if query else 0)  # path?query
            headers = sum(len(name) + len(value) for name, value in scope["headers"])
            status = 414 if url > MAX_URL else 431 if headers > MAX_HEADERS else None
            if status:
                await PlainTextResponse(TOO_LONG[status], status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install_hosts(app: FastAPI, settings: Settings) -> None:
    """Add, outermost first: the size limits, the forwarded headers of trusted proxies (when
    configured; they decide which host the check sees), and the host check."""
    app.add_middleware(AllowedHosts, hosts=served_hosts(settings))
    if settings.trusted_proxies:
        app.add_middleware(ForwardedHeaders, proxies=settings.trusted_proxies)
    app.add_middleware(RequestLimits)
