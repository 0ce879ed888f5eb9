"""Staff accounts and who may write: public reading stays open; every write needs an editor
or an admin.

- :mod:`atlas.auth.users` — the users file (roles, argon2 passwords, hashed API tokens);
- :mod:`atlas.auth.cli` — ``atlas user add|token|list|remove``;
- :mod:`atlas.auth.secret` — the session signing key (configured, or generated and kept);
- :mod:`atlas.auth.middleware` — the session cookie and the 401 ``WWW-Authenticate`` header;
- :mod:`atlas.auth.csrf` — CSRF tokens for writes made with the session cookie;
- :mod:`atlas.auth.ratelimit` — failed-login limits;
- :mod:`atlas.auth.routes` — ``/login``, ``/logout`` and the header's template helpers;
- :mod:`atlas.auth.deps` — ``EditorDep``, ``AdminDep``, ``current_user``, ``write_routes``.
"""

from atlas.auth.deps import (PUBLIC_WRITES, AdminDep, EditorDep, OptionalUserDep, current_user,
                             require_role, write_routes)
from atlas.auth.users import ROLES, User

__all__ = ["PUBLIC_WRITES", "ROLES", "AdminDep", "EditorDep", "OptionalUserDep", "User",
           "current_user", "require_role", "write_routes"]
