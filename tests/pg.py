"""A throwaway PostgreSQL + PostGIS cluster for the tests (``scripts/pg-cluster``, no Docker).

``postgis_cluster`` (session) starts one cluster in a temporary folder on a free port and stops
it at the end; ``postgis_url`` (per test) is a new database in it, with PostGIS and nothing
else, dropped after the test. Without Debian's ``postgresql-15`` / ``postgresql-15-postgis-3``
the tests that use them are skipped — unless ``ATLAS_REQUIRE_POSTGIS`` is set (CI), then they fail.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from atlas.testing import free_port

REPO_ROOT = Path(__file__).resolve().parent.parent
SCRIPT = REPO_ROOT / "scripts" / "pg-cluster"
PG_BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
INSTALL = "apt-get install postgresql-15 postgresql-15-postgis-3 (or `make system-deps`)"


def missing_postgis() -> str | None:
    """Why no cluster can be made here, or None."""
    if not (PG_BINDIR / "initdb").exists():
        return f"no PostgreSQL server binaries ({PG_BINDIR}/initdb): {INSTALL}"
    if "PG_BINDIR" not in os.environ and not POSTGIS_CONTROL.exists():
        return f"no PostGIS extension ({POSTGIS_CONTROL}): {INSTALL}"
    return None




@dataclass
class Cluster:
    url: str
    """The ``atlas`` database: PostGIS, no schema; the template of :meth:`new_database`."""
    folder: Path
    start_seconds: float
    _names = itertools.count(1)

    def admin_url(self) -> str:
        return self.url.rsplit("/", 1)[0] + "/postgres"

    def new_database(self) -> str:
        """A new database copied from ``atlas`` (PostGIS, no schema); its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE atlas")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgis_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL + PostGIS cluster for the whole test session."""
    why = missing_postgis()
    if why:
        if os.environ.get("ATLAS_REQUIRE_POSTGIS"):
            pytest.fail(f"ATLAS_REQUIRE_POSTGIS is set but {why}", pytrace=False)
        pytest.skip(why)
    # not under pytest's tmp folder: as root the server runs as `postgres`, who cannot enter it
    folder = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    try:
        for attempt in range(3):  # a free port may be taken before the server binds it
            started = time.perf_counter()
            proc = subprocess.run([str(SCRIPT), "start", str(folder), str(free_port())],
                                  capture_output=True, text=True, timeout=180)
            if proc.returncode == 0:
                break
        else:
            pytest.fail(f"scripts/pg-cluster start failed:\n{proc.stderr}", pytrace=False)
        cluster = Cluster(proc.stdout.strip().splitlines()[-1], folder,
                          time.perf_counter() - started)
        yield cluster
    finally:
        if (folder / "data" / "PG_VERSION").exists():
            subprocess.run([str(SCRIPT), "stop", str(folder)], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgis_url(postgis_cluster: Cluster) -> Iterator[str]:
    """A fresh database (PostGIS, no atlas schema) for one test; dropped afterwards."""
    url = postgis_cluster.new_database()
    yield url
    postgis_cluster.drop_database(url)
