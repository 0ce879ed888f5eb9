"""Shared fixtures: the shipped data, an in-process client, and real HTTP servers.

``serve(app)`` runs a FastAPI app under uvicorn on a free loopback port in a
background thread, so real clients (GDAL, OWSLib, Chromium) talk HTTP to it.

The suite runs on either storage: ``ATLAS_TEST_BACKEND=postgis`` serves the shared app
from a throwaway PostgreSQL + PostGIS cluster (tests/pg.py) loaded with the shipped data
(``make test`` runs both); so do the tests of writes, which take the ``storage`` fixture.
The PostGIS pass leaves out :data:`FILES_PASS_ONLY`.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from atlas.config import REPO_ROOT, Settings
from atlas.storage import Storage
from atlas.storage.geojson import GeoJSONStorage
from atlas.storage.migrations import upgrade
from atlas.storage.postgis import PostGISStorage
from atlas.testing import free_port
from atlas.web.app import create_app

# a throwaway PostgreSQL + PostGIS cluster per session (tests/pg.py; skipped when not installed)
from tests.pg import postgis_cluster, postgis_url  # noqa: F401, E402

SHIPPED_DATA = REPO_ROOT / "data" / "geo"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"


BACKEND = os.environ.get("ATLAS_TEST_BACKEND", "files")
FILES_PASS_ONLY = frozenset({
    "tests/browser/test_atlas_page.py", "tests/browser/test_big_map.py", "tests/browser/test_cors.py",
    "tests/browser/test_csp.py", "tests/browser/test_many_points.py", "tests/browser/test_phone.py",
    "tests/browser/test_planning_page.py", "tests/browser/test_print.py",
    "tests/browser/test_route_print.py", "tests/browser/test_site_finder.py",
    "tests/browser/test_xss.py", "tests/test_contract.py", "tests/test_exports.py",
    "tests/test_ogc_clients.py", "tests/test_public_text.py", "tests/test_reference_answers.py",
})
"""Read-only tests of pages, downloads and real clients.  Once loaded, the atlas answers from
memory whichever storage it came from, so these drive the same code on both backends; the
PostGIS pass skips them to keep ``make test`` short.  Every test that writes, and the API and
OGC tests on the shared app, run on both."""


def pytest_collection_modifyitems(config, items) -> None:
    """In the PostGIS pass, skip :data:`FILES_PASS_ONLY`."""
    if BACKEND != "postgis":
        return
    skip = pytest.mark.skip(reason="read-only page or client test: run in the files pass")
    for item in items:
        if item.nodeid.split("::")[0] in FILES_PASS_ONLY:
            item.add_marker(skip)


def load_into_postgis(url: str, folder: Path) -> PostGISStorage:
    """A new PostGIS database at ``url`` with the atlas schema and the layers of ``folder``."""
    upgrade(url)
    storage = PostGISStorage(url)
    storage.load(GeoJSONStorage(folder).read_all(), "tests", f"load {folder.name}")
    return storage


@pytest.fixture(scope="session")
def settings(request) -> Settings:
    """Settings on the shipped data, with no basemap (tests never leave the machine) and no
    usage counting (it would write beside the shipped layers); on PostGIS when
    ``ATLAS_TEST_BACKEND=postgis``."""
    if BACKEND == "postgis":
        url = request.getfixturevalue("postgis_cluster").new_database()
        load_into_postgis(url, SHIPPED_DATA).close()
        return Settings(data_dir=SHIPPED_DATA, tiles="none", database_url=url,
                        usage_statistics=False)
    return Settings(data_dir=SHIPPED_DATA, tiles="none", usage_statistics=False)


def reopen(storage: Storage) -> Storage:
    """A second handle on the same data, as another server process would open it."""
    return PostGISStorage(storage.url) if isinstance(storage, PostGISStorage) else GeoJSONStorage(storage.folder)


@pytest.fixture
def storage(request, data_copy: Path) -> Iterator[Storage]:
    """A writable copy of the shipped data behind the storage under test (``BACKEND``)."""
    if BACKEND == "files":
        yield GeoJSONStorage(data_copy)
        return
    store = load_into_postgis(request.getfixturevalue("postgis_url"), data_copy)
    yield store
    store.close()


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped layers, for tests that break or extend them."""
    target = tmp_path / "geo"
    shutil.copytree(SHIPPED_DATA, target, ignore=shutil.ignore_patterns(".atlas"))
    return target




@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[FastAPI], str]]:
    """Factory: serve an app over real HTTP on 127.0.0.1; returns its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: FastAPI) -> str:
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                               log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(app: FastAPI, serve) -> str:
    """The shipped atlas served over real HTTP."""
    return serve(app)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Folder for screenshots and other test artifacts."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
