"""Setting up the benchmark: synthetic data, a throwaway PostGIS cluster, and the servers.

Every server answers OGC API – Features for the same ``incubators`` collection:

* ``atlas``     — this repository on the synthetic GeoJSON files (``ATLAS_DATA_DIR``);
* ``atlas-pg``  — the same atlas on its PostGIS backend (``atlas db init|load``);
* ``tipg``      — TiPg on a plain ``public.incubators`` table in the cluster;
* ``pygeoapi``  — pygeoapi's PostgreSQL provider on that same table (Starlette app).

The peers run from ``benchmarks/peers/.venv`` (see ``run.sh``), the atlas from the repo's
``.venv``; each is one uvicorn process (one worker, no access log) on its own port.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

from atlas.testing import free_port, write_synthetic_data  # noqa: E402

PEERS_BIN = HERE / ".venv" / "bin"
ATLAS_BIN = REPO / ".venv" / "bin"
PG_CLUSTER = REPO / "scripts" / "pg-cluster"
UVICORN_FLAGS = ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning"]




@dataclass
class Server:
    """One OGC API – Features server under test and how to reach its incubators."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    collections: str
    """Path of the collections document: answering 200 there counts as started."""
    items: str
    """Path of the incubators' items."""
    fmt: str
    """Value of ``f`` that asks for GeoJSON."""
    cwd: Path = REPO
    pid: int | None = field(default=None, repr=False)

    def url(self, path: str = "", **params: object) -> str:
        """Absolute URL of ``items`` + ``path`` with ``f`` and ``params``."""
        query = urlencode({**params, "f": self.fmt})
        return f"http://127.0.0.1:{self.port}{self.items}{path}?{query}"


def run(argv: list[str], **kwargs) -> str:
    """Run a setup command; its stdout, or RuntimeError with its stderr."""
    proc = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def make_data(work: Path, n: int) -> tuple[Path, list[dict]]:
    """The shipped layers with ``n`` synthetic incubators in ``work/geo``; the incubators."""
    folder = work / "geo"
    if folder.exists():
        shutil.rmtree(folder)
    return folder, write_synthetic_data(folder, n)


def start_cluster(work: Path, shared_buffers: str = "256MB") -> str:
    """Start ``scripts/pg-cluster`` in ``work/pg`` on a free port; the URL of its ``atlas`` DB.

    The script's 32 MB of shared buffers would not hold the peers' table at N = 100000, so
    the cluster is restarted with ``shared_buffers`` (ALTER SYSTEM) before anything is loaded.
    """
    import psycopg

    for _ in range(3):  # the free port may be taken before the server binds it
        port = str(free_port())
        proc = subprocess.run([str(PG_CLUSTER), "start", str(work / "pg"), port],
                              capture_output=True, text=True, timeout=180)
        if proc.returncode == 0:
            break
    else:
        raise RuntimeError(f"scripts/pg-cluster start failed:\n{proc.stderr}")
    url = proc.stdout.strip().splitlines()[-1]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"ALTER SYSTEM SET shared_buffers = '{shared_buffers}'")
    stop_cluster(work)
    run([str(PG_CLUSTER), "start", str(work / "pg"), port], timeout=180)
    return url


def stop_cluster(work: Path) -> None:
    """Stop the cluster in ``work/pg`` if there is one (its files are left for the caller)."""
    if (work / "pg" / "data" / "PG_VERSION").exists():
        subprocess.run([str(PG_CLUSTER), "stop", str(work / "pg")], capture_output=True,
                       timeout=120)


def load_incubators(url: str, features: list[dict]) -> None:
    """(Re)create ``public.incubators`` — ``id`` text primary key, one column per property,
    ``geom`` Point/4326 with a GIST index — and COPY ``features`` into it."""
    import psycopg

    text = ["name_zh", "name_en", "kind", "status", "precision", "position_note_zh",
            "position_note_en", "as_of"]
    arrays = ["industries", "citations"]
    columns = ", ".join([*(f"{c} text" for c in text), *(f"{c} jsonb" for c in arrays)])
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS incubators")
        conn.execute(f"CREATE TABLE incubators (id text PRIMARY KEY, {columns}, "
                     "geom geometry(Point, 4326) NOT NULL)")
        names = ", ".join(["id", *text, *arrays, "geom"])
        with conn.cursor().copy(f"COPY incubators ({names}) FROM STDIN") as copy:
            for feature in features:
                props = feature["properties"]
                lon, lat = feature["geometry"]["coordinates"]
                copy.write_row([feature["id"], *(props[c] for c in text),
                                *(json.dumps(props[c], ensure_ascii=False) for c in arrays),
                                f"SRID=4326;POINT({lon!r} {lat!r})"])
        conn.execute("CREATE INDEX incubators_geom ON incubators USING gist (geom)")
        conn.execute("VACUUM ANALYZE incubators")


def validate_atlas_data(data: Path) -> None:
    """``atlas validate`` on ``data``: the atlas's ingest, as loading PostGIS is the peers'.  It
    keeps the validated snapshot the ``atlas`` server then starts from (:mod:`atlas.snapshot`)."""
    run([str(ATLAS_BIN / "atlas"), "validate", "--data-dir", str(data)], timeout=900)


def atlas_database(cluster_url: str, data: Path) -> str:
    """A database ``atlas_store`` in the cluster holding the atlas's schema and ``data``
    (``atlas db init`` + ``atlas db load``); its URL."""
    import psycopg

    admin = cluster_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS atlas_store WITH (FORCE)")
        conn.execute("CREATE DATABASE atlas_store TEMPLATE atlas")
    url = cluster_url.rsplit("/", 1)[0] + "/atlas_store"
    for args in (["init"], ["load", "--from", str(data), "--no-validate"]):
        run([str(ATLAS_BIN / "atlas"), "db", *args, "--database-url", url], timeout=900)
    return url


def pygeoapi_config(work: Path, url: str, port: int, bbox: list[float]) -> Path:
    """Write pygeoapi's config (``incubators`` from its PostgreSQL provider) and generate its
    OpenAPI document; the config's path.  JSON is YAML, so the config is written as JSON."""
    host, db = url.split("@", 1)[1].split("/", 1)
    config = {
        "server": {
            "bind": {"host": "127.0.0.1", "port": port},
            "url": f"http://127.0.0.1:{port}",
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "languages": ["en-US"],
            "limits": {"default_items": 10, "max_items": 10000},
            "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                    "attribution": "OpenStreetMap"},
        },
        "logging": {"level": "ERROR"},
        "metadata": {  # pygeoapi reads every one of these keys
            "identification": {"title": "peer benchmark", "description": "synthetic incubators",
                               "keywords": ["benchmark"], "keywords_type": "theme",
                               "terms_of_service": "none", "url": "http://127.0.0.1"},
            "license": {"name": "CC0", "url": "http://127.0.0.1"},
            "provider": {"name": "benchmark", "url": "http://127.0.0.1"},
            "contact": {key: "-" for key in (
                "name", "position", "address", "city", "stateorprovince", "postalCode",
                "country", "phone", "fax", "email", "instructions", "hours", "role")}
            | {"url": "http://127.0.0.1"},
        },
        "resources": {
            "incubators": {
                "type": "collection",
                "title": "Incubators",
                "description": "Synthetic incubators",
                "keywords": ["incubators"],
                "links": [],
                "extents": {"spatial": {
                    "bbox": bbox, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
                "providers": [{
                    "type": "feature",
                    "name": "PostgreSQL",
                    "data": {"host": host.split(":")[0], "port": int(host.split(":")[1]),
                             "dbname": db, "user": "postgres", "search_path": ["public"]},
                    "options": {"application_name": "pygeoapi"},
                    "id_field": "id",
                    "table": "incubators",
                    "geom_field": "geom",
                }],
            },
        },
    }
    path = work / "pygeoapi.yml"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    run([str(PEERS_BIN / "pygeoapi"), "openapi", "generate", str(path),
         "--output-file", str(work / "pygeoapi-openapi.yml")],
        timeout=300, env={**os.environ, "PYGEOAPI_CONFIG": str(path)})
    return path


def servers(work: Path, data: Path, peers_url: str, atlas_url: str | None,
            bbox: list[float]) -> list[Server]:
    """The servers to measure (``atlas-pg`` only when ``atlas_url`` is given), not started."""
    base_env = {k: v for k, v in os.environ.items()
                if not k.startswith(("ATLAS_", "TIPG_", "PYGEOAPI_", "DATABASE_URL"))}
    atlas_env = {**base_env, "ATLAS_DATA_DIR": str(data), "ATLAS_TILES": "none",
                 "ATLAS_USERS_FILE": str(work / "users.json"),
                 "ATLAS_SECRET_KEY": "peer-benchmark"}
    uvicorn = str(ATLAS_BIN / "uvicorn")
    found = []

    def add(name, argv, env, collections, items, fmt, cwd=REPO):
        port = free_port()
        found.append(Server(name, [*argv, "--port", str(port), *UVICORN_FLAGS], env, port,
                            collections, items, fmt, cwd))
        return port

    add("atlas", [uvicorn, "server:app"], atlas_env,
        "/ogc/collections", "/ogc/collections/incubators/items", "json")
    if atlas_url:
        add("atlas-pg", [uvicorn, "server:app"],
            {**atlas_env, "ATLAS_DATABASE_URL": f"{atlas_url}?application_name=atlas-pg"},
            "/ogc/collections", "/ogc/collections/incubators/items", "json")
    add("tipg", [str(PEERS_BIN / "uvicorn"), "tipg.main:app"],
        {**base_env, "DATABASE_URL": f"{peers_url}?application_name=tipg",
         "TIPG_DB_SCHEMAS": '["public"]', "TIPG_DB_TABLES": '["public.incubators"]',
         "TIPG_DB_EXCLUDE_FUNCTION_SCHEMAS": '["public"]'},
        "/collections", "/collections/public.incubators/items", "geojson", cwd=work)
    port = free_port()
    config = pygeoapi_config(work, peers_url, port, bbox)
    found.append(Server(
        "pygeoapi", [str(PEERS_BIN / "uvicorn"), "pygeoapi.starlette_app:APP",
                     "--port", str(port), *UVICORN_FLAGS],
        {**base_env, "PYGEOAPI_CONFIG": str(config),
         "PYGEOAPI_OPENAPI": str(work / "pygeoapi-openapi.yml")},
        port, "/collections", "/collections/incubators/items", "json", work))
    return found
