"""Whole atlas servers as separate processes, for tests that kill them or run several at once.

Each server is a fork of the test process, which has already imported the atlas, so a start
costs the data load (a fraction of a second), not the imports.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections.abc import Callable

import httpx

from atlas.auth.users import UserStore
from atlas.testing import free_port


def serve_forever(env: dict, port: int) -> None:
    """The child: a whole atlas server (``server:app`` as ``make run`` starts it) on ``port``."""
    os.environ.update(env)
    import uvicorn

    from atlas.config import Settings
    from atlas.web.app import create_app

    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning")


class Server:
    """An atlas server process on the test's data."""

    def __init__(self, env: dict):
        self.env, self.port, self.proc = env, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    start_timeout = 30.0
    """Seconds a start may take (the data load)."""

    def child(self) -> tuple[Callable[..., None], tuple]:
        """What the forked process runs, and its arguments."""
        return serve_forever, (self.env, self.port)

    def start(self) -> None:
        target, args = self.child()
        self.proc = multiprocessing.get_context("fork").Process(target=target, args=args,
                                                                daemon=True)
        self.proc.start()
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.02)
            if not self.proc.is_alive():
                raise RuntimeError("server died at start")
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.join()


def editor_env(storage, data_copy, tmp_path) -> tuple[dict, str]:
    """The environment of a server on ``storage`` (files in ``data_copy``, or its PostGIS URL)
    with one editor, and that editor's bearer token."""
    users = UserStore(tmp_path / "users.json")
    users.add("lin", "editor", "a-long-password")
    env = {"ATLAS_DATA_DIR": str(data_copy), "ATLAS_TILES": "none",
           "ATLAS_USERS_FILE": str(users.path), "ATLAS_SECRET_KEY": "test-servers",
           "ATLAS_DATABASE_URL": getattr(storage, "url", "")}
    return env, users.issue_token("lin")
