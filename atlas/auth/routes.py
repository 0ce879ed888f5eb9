"""``/login`` and ``/logout`` for staff, and the template helpers for the page header.

``GET /login`` shows a small bilingual form; ``POST /login`` (name, password, csrf_token,
next) checks the CSRF token issued to the anonymous session, the failed-login limits
(429 with ``Retry-After``), then the password, and on success starts a new session and
redirects (303) to ``next`` if it is a path on this site, else to ``/``.  A failure never
says whether the name exists.  ``POST /logout`` ends the session.

Templates get ``csrf_token(request)`` and ``auth_user(request)`` as Jinja globals.
"""

from __future__ import annotations

import logging
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from atlas.auth.csrf import MESSAGE as CSRF_MESSAGE, csrf_token, new_csrf_token, token_matches
from atlas.auth.deps import (SESSION_STAMP, SESSION_USER, login_limiter, session_user,
                             user_store)
from atlas.auth.users import UserError
from atlas.web.errors import ApiError
from atlas.web.i18n import Lang, t
from atlas.web.pages import LangQuery
from atlas.web.templating import templates

log = logging.getLogger("atlas")

router = APIRouter(include_in_schema=False)

templates.env.globals.update(csrf_token=csrf_token, auth_user=session_user)

NO_STORE = {"Cache-Control": "no-store"}


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site (``/...``), else ``/``: refuses other hosts
    (``//evil.com``, ``http://evil.com``, ``/\\evil.com``), control characters, and the
    login and logout pages themselves."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in ("/login", "/logout"):
        return "/"
    return target


def client_ip(request: Request) -> str:
    """The client's address (behind a reverse proxy, set ``ATLAS_TRUSTED_PROXIES`` to its address)."""
    return request.client.host if request.client else "unknown"


def _no_users(request: Request) -> bool:
    try:
        return not user_store(request.app).users()
    except UserError:
        return False


def login_form(request: Request, lang: Lang, next_url: str = "/", name: str = "",
               error: str = "", status: int = 200, headers: dict | None = None) -> HTMLResponse:
    """The login page (with an error message and status after a refused attempt)."""
    return templates.TemplateResponse(request, "auth/login.html", {
        "lang": lang, "next": safe_next(next_url), "name": name, "error": error,
        "user": session_user(request), "no_users": _no_users(request),
    }, status_code=status, headers={**NO_STORE, **(headers or {})})


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, lang: LangQuery, next: str = "/") -> HTMLResponse:
    """The login form (issues the CSRF token to the anonymous session)."""
    return login_form(request, lang, next)


@router.post("/login", response_class=HTMLResponse, response_model=None)
def login(request: Request, lang: LangQuery,
          name: Annotated[str, Form(max_length=200)] = "",
          password: Annotated[str, Form(max_length=2048)] = "",
          csrf_token: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=2048)] = "/") -> HTMLResponse | RedirectResponse:
    """Check the form and start a session, or show the form again saying why not."""
    name = name.strip()
    if not token_matches(request, csrf_token):
        return login_form(request, lang, next, name, f"{t('login_csrf', lang)} ({CSRF_MESSAGE})", 403)
    limiter, ip = login_limiter(request.app), client_ip(request)
    wait = limiter.retry_after(ip, name)
    if wait:
        return login_form(request, lang, next, name, t("login_too_many", lang).format(s=wait), 429,
                          {"Retry-After": str(wait)})
    try:
        user = user_store(request.app).authenticate(name, password) if name and password else None
    except UserError as exc:
        log.error("users file: %s", exc)
        user = None
    if user is None:
        limiter.failed(ip, name)
        log.info("failed login for %r from %s", name[:64], ip)
        return login_form(request, lang, next, name, t("login_failed", lang), 401)
    limiter.succeeded(ip, name)
    request.session.clear()
    request.session[SESSION_USER] = user.name
    request.session[SESSION_STAMP] = user_store(request.app).session_stamp(user.name)
    new_csrf_token(request)
    log.info("%s (%s) logged in from %s", user.name, user.role, ip)
    return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)


@router.post("/logout")
def logout(request: Request,
           csrf_token: Annotated[str, Form(max_length=200)] = "",
           next: Annotated[str, Form(max_length=2048)] = "/") -> RedirectResponse:
    """End the session (a logged-in session must send its CSRF token) and go back to ``next``."""
    if request.session.get(SESSION_USER) is not None and not token_matches(request, csrf_token):
        raise ApiError(403, CSRF_MESSAGE + ": log out with the button in the page header", "Forbidden")
    request.session.clear()
    return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
