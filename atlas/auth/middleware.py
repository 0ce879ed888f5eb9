"""Sessions for the web forms, and the ``WWW-Authenticate`` challenge on every 401.

:class:`AuthMiddleware` wraps Starlette's ``SessionMiddleware`` (a cookie signed with
itsdangerous: readable by its holder, so it holds only the user name, a password
fingerprint and the CSRF token; ``HttpOnly``, ``SameSite=Lax``, ``Secure`` with
``ATLAS_SESSION_HTTPS_ONLY``; it expires ``SESSION_MAX_AGE`` after login) and adds
``WWW-Authenticate: Bearer`` to 401 answers, which the app's problem+json and HTML error
handlers cannot set themselves.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from atlas.auth.secret import session_secret
from atlas.config import Settings

SESSION_COOKIE = "atlas_session"
SESSION_MAX_AGE = 12 * 60 * 60
"""Seconds a login lasts (a working day)."""

CHALLENGE = 'Bearer realm="atlas"'


class AuthMiddleware:
    """Session cookie + 401 challenge; add with ``app.add_middleware(AuthMiddleware, settings=...)``."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = SessionMiddleware(app, secret_key=session_secret(settings),
                                     session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                                     same_site="lax", https_only=settings.session_https_only)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_challenge(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                headers = MutableHeaders(scope=message)
                if "www-authenticate" not in headers:
                    headers["WWW-Authenticate"] = CHALLENGE
            await send(message)

        await self.app(scope, receive, send_with_challenge)
