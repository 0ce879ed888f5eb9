"""Private files (mode 0600) written so that a crash never leaves half a file behind.

:func:`write_private` replaces a file atomically (temp file in the same folder, fsync,
``os.replace``); :func:`create_private` creates one only if it does not exist yet (temp
file, fsync, ``os.link``), so two processes starting together agree on the first one written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _temp_copy(path: Path, text: str) -> Path:
    """``text`` in a new 0600 temp file beside ``path``, flushed to disk."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def _sync_dir(folder: Path) -> None:
    """Make a rename or link in ``folder`` durable (best effort where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically; the file is readable by its owner only."""
    tmp = _temp_copy(path, text)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)


def create_private(path: Path, text: str) -> None:
    """Create ``path`` holding ``text`` (0600); ``FileExistsError`` if it exists already."""
    tmp = _temp_copy(path, text)
    try:
        os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _sync_dir(path.parent)
