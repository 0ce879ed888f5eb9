"""Route dependencies: who is asking, and whether they may write.

Reading the atlas needs nobody; every write route takes ``EditorDep`` (or ``AdminDep``)::

    @router.put("/features/{layer}/{entity_id}")
    def put_feature(user: EditorDep, ...): ...   # user.name, user.role

A request is authenticated by ``Authorization: Bearer <token>`` (scripts; no CSRF token
needed) or else by the session cookie of ``/login`` (browsers; unsafe methods must carry the
session's CSRF token in ``X-CSRF-Token`` or the form field ``csrf_token``).  Refusals raise
:class:`~atlas.web.errors.ApiError`: 401 without credentials (with ``WWW-Authenticate:
Bearer``, added by :class:`~atlas.auth.middleware.AuthMiddleware`), 403 for a wrong role or a
missing CSRF token.  :func:`write_routes` lists every unsafe route with the role it requires,
for the test that no write is left open.
"""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.routing import Mount

from atlas.auth.csrf import MESSAGE as CSRF_MESSAGE, UNSAFE_METHODS, csrf_ok, has_session
from atlas.auth.ratelimit import LoginLimiter
from atlas.auth.users import RANK, ROLES, User, UserError, UserStore
from atlas.web.errors import ApiError

try:  # FastAPI >= 0.16x keeps included routers as one route; this lists their routes
    from fastapi.routing import iter_route_contexts
except ImportError:  # pragma: no cover - older FastAPI copies included routes into app.routes
    def iter_route_contexts(routes):
        return iter(routes)

log = logging.getLogger("atlas")

SESSION_USER = "user"
SESSION_STAMP = "stamp"

PUBLIC_WRITES = frozenset({("POST", "/login"), ("POST", "/logout")})
"""Unsafe routes of atlas.auth that are public by design (they start and end sessions)."""

HOW_TO_LOG_IN = ("Log in at /login (editors and admins), or send the header "
                 "'Authorization: Bearer <token>' (a token comes from `atlas user token NAME` "
                 "on the server).")
NO_USERS_YET = ("No users exist yet: create one on the server with "
                "`atlas user add NAME --role editor`.")

_state_lock = threading.Lock()


def user_store(app: FastAPI) -> UserStore:
    """The app's users file (one reader per app, made on first use)."""
    store = getattr(app.state, "users", None)
    if store is None:
        with _state_lock:
            store = getattr(app.state, "users", None)
            if store is None:
                store = app.state.users = UserStore(app.state.settings.users_file)
    return store


def login_limiter(app: FastAPI) -> LoginLimiter:
    """The app's failed-login counter (made on first use)."""
    limiter = getattr(app.state, "login_limiter", None)
    if limiter is None:
        with _state_lock:
            limiter = getattr(app.state, "login_limiter", None)
            if limiter is None:
                limiter = app.state.login_limiter = LoginLimiter()
    return limiter


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header ("" if the header is empty), else None."""
    scheme, _, token = request.headers.get("authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _identify(request: Request) -> tuple[User | None, str | None, str | None]:
    """(user, how, why not): ``how`` is "bearer" or "session"; ``why not`` explains a refused token."""
    store = user_store(request.app)
    token = bearer_token(request)
    try:
        if token is not None:
            user = store.user_for_token(token) if token else None
            if user is None:
                return None, "bearer", ("The bearer token is not valid (mistyped, or its user was "
                                        "removed); create a new one with `atlas user token NAME`.")
            return user, "bearer", None
        if not has_session(request):
            return None, None, None
        name = request.session.get(SESSION_USER)
        if not isinstance(name, str):
            return None, None, None
        user = store.get(name)
        if user is None or store.session_stamp(name) != request.session.get(SESSION_STAMP):
            return None, None, "Your session has ended (the user was changed or removed); log in again."
        return user, "session", None
    except UserError as exc:  # a broken users file: nobody can write until it is fixed
        log.error("users file: %s", exc)
        return None, None, "The server's users file cannot be read; ask its administrator."


def current_user(request: Request) -> User | None:
    """The user making the request (bearer token first, then the session), or None."""
    return _identify(request)[0]


def session_user(request: Request) -> User | None:
    """The user logged in by the session cookie (what page headers show), or None."""
    if not has_session(request) or SESSION_USER not in request.session:
        return None
    user, how, _ = _identify(request)
    return user if how == "session" else None


def _no_users(request: Request) -> bool:
    try:
        return not user_store(request.app).users()
    except UserError:
        return False


@cache
def require_role(role: str):
    """A dependency that returns the requesting :class:`User` if it has ``role`` (or a higher
    one); else 401 (no or bad credentials), 403 (wrong role, or a session-authenticated unsafe
    request without the CSRF token).  The callable carries ``required_role`` for
    :func:`write_routes`."""
    if role not in RANK:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")

    async def dependency(request: Request) -> User:
        user, how, why_not = _identify(request)
        if user is None:
            detail = " ".join(p for p in (why_not, HOW_TO_LOG_IN,
                                          NO_USERS_YET if _no_users(request) else None) if p)
            raise ApiError(401, detail, "Unauthorized")
        if how == "session" and request.method in UNSAFE_METHODS and not await csrf_ok(request):
            raise ApiError(403, CSRF_MESSAGE + ": send the page's token (meta csrf-token) in the "
                                "X-CSRF-Token header or the csrf_token form field", "Forbidden")
        if not user.has_role(role):
            raise ApiError(403, f"{user.name} is {user.role}; this needs {role}", "Forbidden")
        return user

    dependency.required_role = role
    dependency.__name__ = f"require_{role}"
    dependency.__qualname__ = dependency.__name__
    return dependency


EditorDep = Annotated[User, Depends(require_role("editor"))]
"""The requesting user, who must be an editor or an admin."""

AdminDep = Annotated[User, Depends(require_role("admin"))]
"""The requesting user, who must be an admin."""

OptionalUserDep = Annotated[User | None, Depends(current_user)]
"""The requesting user or None (for pages that show edit controls to staff)."""


def _roles(dependant) -> list[str]:
    """Every ``required_role`` among a route's dependencies, at any depth."""
    found = []
    for sub in dependant.dependencies:
        role = getattr(sub.call, "required_role", None)
        if role is not None:
            found.append(role)
        found += _roles(sub)
    return found


def write_routes(app: FastAPI) -> list[tuple[str, str, str | None]]:
    """(method, path, required role) of every route with an unsafe method, including routers
    and mounted sub-apps; the role is the strongest one its dependencies require (router-level
    ones included), None if it is public.  For the test that every write requires a role
    unless allow-listed (see ``PUBLIC_WRITES``)."""
    found: list[tuple[str, str, str | None]] = []

    def walk(routes, prefix: str) -> None:
        for route in iter_route_contexts(routes):
            original = getattr(route, "original_route", route)
            if isinstance(original, Mount):
                walk(getattr(original.app, "routes", None) or [], prefix + route.path)
                continue
            unsafe = sorted(set(route.methods or ()) & UNSAFE_METHODS)
            if not unsafe:
                continue
            roles = _roles(route.dependant) if isinstance(original, APIRoute) else []
            role = max(roles, key=RANK.__getitem__) if roles else None
            found.extend((method, prefix + route.path, role) for method in unsafe)

    walk(app.routes, "")
    return sorted(found, key=lambda r: (r[1], r[0]))
