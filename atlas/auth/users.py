"""Staff accounts, kept in one JSON file (``ATLAS_USERS_FILE``, default ``var/users.json``).

The file maps each name to its role, its password and its API tokens::

    {"lin": {"role": "editor", "password": "$argon2id$...", "tokens": ["<sha256 hex>", ...]}}

Passwords are argon2id hashes (argon2-cffi's ``PasswordHasher``); API tokens are random
(``secrets.token_urlsafe(32)``), shown once when created and stored only as SHA-256 hashes.
A missing file means no users.  Every change rewrites the file atomically with mode 0600.
The server re-reads it when it changes, so ``atlas user ...`` takes effect without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from atlas.auth.files import write_private

ROLES = ("editor", "admin")
"""The roles, weakest first; a role has the rights of every role before it."""

RANK = {role: i + 1 for i, role in enumerate(ROLES)}

NAME_PATTERN = re.compile(r"^[\w.@-]{1,64}$")
"""A user name: 1–64 letters (any script), digits, ``_ . @ -``."""

MIN_PASSWORD = 8
MAX_PASSWORD = 1024

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """Who made a request: a name from the users file and its role."""

    name: str
    role: str

    def has_role(self, role: str) -> bool:
        """Whether this user may do what ``role`` may (an admin may do what an editor may)."""
        return RANK.get(self.role, 0) >= RANK[role]


class UserError(ValueError):
    """A refused account change, or a users file that cannot be read; the message says why."""


def hash_token(token: str) -> str:
    """How an API token is stored: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random API token (43 URL-safe characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def check_password(password: str) -> None:
    """Refuse a password too short or too long to be set."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password may have at most {MAX_PASSWORD} characters")


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown names, so they take as long as known ones."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_record(path: Path, name: object, record: object) -> None:
    """Refuse a users-file entry of the wrong shape, naming it."""
    where = f"{path}: user {name!r}"
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise UserError(f"{where}: not a valid user name")
    if not isinstance(record, dict):
        raise UserError(f"{where}: must be an object with role, password and tokens")
    if record.get("role") not in ROLES:
        raise UserError(f"{where}: role must be one of {', '.join(ROLES)}")
    if not isinstance(record.get("password"), str):
        raise UserError(f"{where}: password must be an argon2 hash (set it with `atlas user add`)")
    tokens = record.get("tokens", [])
    if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
        raise UserError(f"{where}: tokens must be a list of SHA-256 hex strings")


class UserStore:
    """The users file at ``path``: read (cached until the file changes), checked and changed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._records: dict[str, dict] = {}

    # ------------------------------------------------------------------ reading
    def _read(self) -> dict[str, dict]:
        """The file's records, re-read when its size, time or inode moved; ``UserError`` if broken."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise UserError(f"{self.path}: cannot be read ({exc.strerror})") from exc
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        with self._lock:
            if stamp == self._stamp:
                return self._records
            try:
                data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
            except FileNotFoundError:
                return {}
            except (OSError, ValueError) as exc:
                raise UserError(f"{self.path}: not a readable users file ({exc})") from exc
            if not isinstance(data, dict):
                raise UserError(f"{self.path}: must be a JSON object of name -> user")
            for name, record in data.items():
                _check_record(self.path, name, record)
            self._stamp, self._records = stamp, data
            return data

    def users(self) -> list[User]:
        """Every user, by name."""
        return [User(name, r["role"]) for name, r in sorted(self._read().items())]

    def get(self, name: str) -> User | None:
        record = self._read().get(name)
        return User(name, record["role"]) if record else None

    def token_count(self, name: str) -> int:
        record = self._read().get(name)
        return len(record.get("tokens", [])) if record else 0

    def session_stamp(self, name: str) -> str | None:
        """A short fingerprint of the user's password hash, kept in the session: a new password,
        or removing and re-adding the user, ends the sessions opened before."""
        record = self._read().get(name)
        if not record:
            return None
        return hashlib.sha256(record["password"].encode("utf-8")).hexdigest()[:16]

    # ------------------------------------------------------------------ checking
    def authenticate(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None; an unknown name takes as long as a
        wrong password, and the answer does not say which it was."""
        record = self._read().get(name) if isinstance(name, str) else None
        if len(password) > MAX_PASSWORD:
            return None
        ok = _verify(record["password"] if record else _dummy_hash(), password)
        return User(name, record["role"]) if ok and record else None

    def user_for_token(self, token: str) -> User | None:
        """The user holding API token ``token``, compared in constant time with every stored hash."""
        digest = hash_token(token)
        found = None
        for name, record in self._read().items():
            for stored in record.get("tokens", []):
                if hmac.compare_digest(stored, digest):
                    found = User(name, record["role"])
        return found

    # ------------------------------------------------------------------ changing
    def _write(self, records: dict[str, dict]) -> None:
        write_private(self.path, json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n")

    def add(self, name: str, role: str, password: str) -> User:
        """Add a user; refuses a taken or malformed name, an unknown role, a short password."""
        if not NAME_PATTERN.match(name):
            raise UserError(f"{name!r}: a user name has 1–64 letters, digits or _ . @ -")
        if role not in ROLES:
            raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        check_password(password)
        records = dict(self._read())
        if name in records:
            raise UserError(f"user {name!r} exists already (remove it first to replace it)")
        records[name] = {"role": role, "password": _hasher.hash(password), "tokens": []}
        self._write(records)
        return User(name, role)

    def remove(self, name: str) -> None:
        """Remove a user with their password and tokens (their sessions end too)."""
        records = dict(self._read())
        if records.pop(name, None) is None:
            raise UserError(f"no user {name!r} in {self.path}")
        self._write(records)

    def issue_token(self, name: str) -> str:
        """A new API token for ``name``; only its hash is kept, so this is the one time it is seen."""
        records = dict(self._read())
        if name not in records:
            raise UserError(f"no user {name!r} in {self.path}")
        token = new_token()
        records[name] = {**records[name], "tokens": [*records[name].get("tokens", []), hash_token(token)]}
        self._write(records)
        return token
