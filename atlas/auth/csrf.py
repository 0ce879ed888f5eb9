"""CSRF tokens for writes authenticated by the session cookie.

Each session holds one random token (created on first use).  Pages put it in their forms
(field ``csrf_token``) and in ``<meta name="csrf-token">`` for scripts, which send it in the
``X-CSRF-Token`` header.  Another site can make a browser send the cookie, but cannot read
the token, so an unsafe request without it is refused.  Requests with
``Authorization: Bearer`` carry no cookie and need no token.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

SESSION_KEY = "csrf"
HEADER = "X-CSRF-Token"
FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "CSRF token missing or wrong"


def has_session(request: Request) -> bool:
    """Whether the session middleware runs for this request."""
    return "session" in request.scope


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created (and the session cookie set) on first use."""
    if not has_session(request):
        return ""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def new_csrf_token(request: Request) -> str:
    """Replace the session's token (at login and logout)."""
    token = request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


def token_matches(request: Request, given: str | None) -> bool:
    """Whether ``given`` is this session's token (constant-time comparison)."""
    expected = request.session.get(SESSION_KEY) if has_session(request) else None
    if not isinstance(expected, str) or not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


async def sent_token(request: Request) -> str | None:
    """The token the request carries: header ``X-CSRF-Token``, else form field ``csrf_token``."""
    header = request.headers.get(HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip().lower() in FORM_TYPES:
        value = (await request.form()).get(FIELD)
        return value if isinstance(value, str) else None
    return None


async def csrf_ok(request: Request) -> bool:
    """Whether the request carries this session's CSRF token."""
    return token_matches(request, await sent_token(request))
