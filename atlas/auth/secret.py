"""The key that signs session cookies: ``ATLAS_SECRET_KEY``, or one generated on first start.

A generated key is kept in ``secret_key`` beside the users file (``var/secret_key`` by default,
mode 0600), so sessions survive a restart and every worker process signs with the same key.
Where that file cannot be written (a read-only install) the key lives in memory only: the
atlas still serves, and a restart logs staff out.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from atlas.auth.files import create_private
from atlas.config import Settings

log = logging.getLogger("atlas")


def secret_key_file(settings: Settings) -> Path:
    """Where a generated key is kept: ``secret_key`` in the users file's folder."""
    return settings.users_file.parent / "secret_key"


def session_secret(settings: Settings) -> str:
    """The configured key, else the kept one, else a new one (kept if possible)."""
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured
    path = secret_key_file(settings)
    try:
        kept = path.read_text(encoding="utf-8").strip()
        if kept:
            return kept
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("cannot read %s (%s): sessions end when the server stops", path, exc.strerror)
        return secrets.token_urlsafe(48)
    key = secrets.token_urlsafe(48)
    try:
        create_private(path, key + "\n")
    except FileExistsError:  # another worker wrote it first: use theirs
        return path.read_text(encoding="utf-8").strip() or key
    except OSError as exc:
        log.warning("cannot keep the session key in %s (%s): sessions end when the server stops; "
                    "set ATLAS_SECRET_KEY to keep them", path, exc.strerror)
    return key
