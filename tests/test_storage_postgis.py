"""PostGIS storage against a real PostgreSQL + PostGIS cluster (tests/pg.py): it behaves as the
GeoJSON files do — same dicts, ETags, commit numbers, history, corrections, HTTP answers — and
its transactions are exclusive across processes, all or nothing, crash or not."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from atlas.cli import main as atlas_cli
from atlas.config import REPO_ROOT, Settings
from atlas.edit.service import EditError, Op, apply, undo
from atlas.storage import Change, Correction, etag
from atlas.storage import migrations
from atlas.storage.factory import open_storage
from atlas.storage.geojson import GeoJSONStorage, StorageError
from atlas.storage.postgis import PostGISStorage
from atlas.vocab import Layer
from atlas.web.app import create_app

SHIPPED = REPO_ROOT / "data" / "geo"
HEAD = sorted(p.stem.split("_")[0] for p in (REPO_ROOT / "atlas" / "storage" / "migrations"
                                              / "versions").glob("0*.py"))[-1]
"""The newest migration's revision (files are numbered 0001_…, 0002_…)."""


@pytest.fixture
def empty_db(postgis_url) -> PostGISStorage:
    """A PostGISStorage on a migrated database holding no layers yet."""
    migrations.upgrade(postgis_url)
    storage = PostGISStorage(postgis_url)
    yield storage
    storage.close()


@pytest.fixture
def db(empty_db) -> PostGISStorage:
    """A PostGISStorage loaded with the shipped layers."""
    empty_db.load(GeoJSONStorage(SHIPPED).read_all(), "atlas db load", "load")
    return empty_db


def same_layers(a: dict, b: dict) -> None:
    """Equal feature by feature, in the same order, with the same key order and ETags."""
    assert list(a) == list(b)
    for layer in a:
        assert json.dumps(a[layer], ensure_ascii=False) == json.dumps(b[layer], ensure_ascii=False)
        assert [etag(f) for f in a[layer]["features"]] == [etag(f) for f in b[layer]["features"]]


def without_time(commits) -> list:
    return [c and replace(c, time="") for c in commits]


def files_like(db: PostGISStorage, folder: Path) -> GeoJSONStorage:
    """The files in ``folder`` (the same layers as ``db``), with the database's load recorded
    as their commit 1 too (it rewrites every feature as it is), so the numbers line up."""
    files = GeoJSONStorage(folder)
    with files.transaction() as tx:
        tx.commit(list(db.commit_by_number(1).changes), "atlas db load", "load")
    same_layers(db.read_all(), files.read_all())
    return files


# ---------------------------------------------------------------------- reading
def test_the_shipped_layers_read_back_identical_with_the_same_etags(db):
    files = GeoJSONStorage(SHIPPED)
    expected = files.read_all()
    got = db.read_all()
    same_layers(got, expected)
    for layer in Layer:
        assert db.read_layer(layer) == files.read_layer(layer)
        for mine, theirs in zip(got[layer]["features"], expected[layer]["features"], strict=True):
            assert mine == theirs and etag(mine) == etag(theirs)


def test_awkward_values_keep_their_exact_json(db):
    """Floats, -0.0, big integers, key order, CJK, escapes, nulls, a 3D point: the ETag hashes
    the JSON, so every one must come back as it went in."""
    feature = db.read_layer(Layer.platforms)["features"][0]
    odd = {"z_last": 1, "a_first": [0.1 + 0.2, 1e-7, -0.0, 2**62, 1.7976931348623157e308],
           "中文": "晋江 \"quoted\" \\ back\nslash\u2028", "none": None, "nested": {"b": 2, "a": 1}}
    after = {**feature, "properties": {**feature["properties"], "odd": odd},
             "geometry": {"type": "Point", "coordinates": [118.58123456789012, 24.779876543210987, 5.5]}}
    with db.transaction() as tx:
        tx.commit([Change(Layer.platforms, feature["id"], feature, after)], "t", "odd values")
    back = db.read_layer(Layer.platforms)["features"][0]
    assert json.dumps(back, ensure_ascii=False) == json.dumps(after, ensure_ascii=False)
    assert etag(back) == etag(after)
    assert db.history(feature["id"])[0].changes[0].after == after
    with psycopg.connect(db.url) as conn:  # the derived columns: 2D geometry, jsonb properties
        geom, props = conn.execute("SELECT ST_AsText(geom), properties -> 'odd' -> 'nested' "
                                   "FROM features WHERE id = %s", (feature["id"],)).fetchone()
    assert geom.startswith("POINT(118.58") and props == {"a": 1, "b": 2}


def test_a_database_without_layers_or_schema_says_what_to_do(postgis_url):
    storage = PostGISStorage(postgis_url)
    with pytest.raises(StorageError, match="atlas db init"):
        storage.version()
    migrations.upgrade(postgis_url)
    assert len(storage.version()) == 12
    with pytest.raises(StorageError, match="atlas db load"):
        storage.read_all()
    with pytest.raises(StorageError, match="atlas db load"):
        storage.read_layer(Layer.towns)
    assert storage.history() == [] and storage.corrections() == []
    storage.close()


def test_the_spatial_index_answers_postgis_queries(db):
    with psycopg.connect(db.url) as conn:
        conn.execute("SET enable_seqscan = off")
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT id FROM features WHERE geom && ST_MakeEnvelope(118.5, 24.7, 118.7, 24.9, 4326)"))
        inside = {r[0] for r in conn.execute(
            "SELECT f.id FROM features f JOIN features t ON ST_Within(f.geom, t.geom) "
            "WHERE f.layer = 'platforms' AND t.layer = 'boundary'")}
    assert "features_geom" in plan
    assert len(inside) >= 30


# ---------------------------------------------------------------------- writing, like the files
def test_every_write_gives_what_the_files_give(db, data_copy):
    """The same edits through the one write path on both backends: same layers (order, keys,
    ETags), same commit numbers and history, both versions moving."""
    files = files_like(db, data_copy)
    settings = Settings(data_dir=data_copy, tiles="none")
    platform = files.read_layer(Layer.platforms)["features"][0]
    park = next(f for f in files.read_layer(Layer.parks)["features"]
                if f["id"] == "fund-town")  # nothing links to it
    incubator = files.read_layer(Layer.incubators)["features"][1]
    new = {**platform, "id": "pg-test-platform",
           "properties": {**platform["properties"], "id": "pg-test-platform",
                          "name_zh": "测试平台", "name_en": "Test Platform"}}
    edits = [
        [Op(Layer.platforms, platform["id"], {**platform, "properties": {
            **platform["properties"], "description_en": "edited"}}, if_match=etag(platform))],
        [Op(Layer.platforms, "pg-test-platform", new, create=True)],
        [Op(Layer.parks, park["id"], None),
         Op(Layer.incubators, incubator["id"], {**incubator, "properties": {
             **incubator["properties"], "name_en": "Renamed"}})],
    ]
    for ops in edits:
        versions = files.version(), db.version()
        a = apply(files, settings, ops, "ed", "edit")
        b = apply(db, settings, ops, "ed", "edit")
        assert replace(a, time="") == replace(b, time="")
        assert files.version() != versions[0] and db.version() != versions[1]
        same_layers(db.read_all(), files.read_all())
    for number in (4, 3, 2):  # undo a delete, a create, an edit
        assert replace(undo(files, settings, number, "ad"), time="") == \
               replace(undo(db, settings, number, "ad"), time="")
        same_layers(db.read_all(), files.read_all())
    with pytest.raises(EditError) as on_files:
        undo(files, settings, 2, "ad")  # again: its feature changed since (by the undo)
    with pytest.raises(EditError) as on_db:
        undo(db, settings, 2, "ad")
    assert on_db.value.status == 409
    assert (on_files.value.status, on_files.value.detail) == (on_db.value.status, on_db.value.detail)
    same_layers(db.read_all(), files.read_all())
    for entity in (None, platform["id"], park["id"], "pg-test-platform", "nowhere"):
        assert without_time(db.history(entity)) == without_time(files.history(entity))
        assert without_time(db.history(entity, limit=2)) == \
               without_time(files.history(entity, limit=2))
    assert without_time(db.history(limit=-2)) == without_time(files.history(limit=-2))
    for number in (1, 3, 7, 8, 0, -1, 10**30):
        assert without_time([db.commit_by_number(number)]) == \
               without_time([files.commit_by_number(number)])
    newest = db.commit_by_number(db.history(limit=1)[0].number)
    assert newest.time.endswith("+00:00") and len(newest.time) == 25


def test_commit_numbers_start_at_one_and_a_commit_of_nothing_still_counts(empty_db):
    with empty_db.transaction() as tx:
        first = tx.commit([], "a", "nothing")
    before = empty_db.version()
    with empty_db.transaction() as tx:
        second = tx.commit([], "b", "nothing again")
        with pytest.raises(RuntimeError, match="one commit per transaction"):
            tx.commit([], "b", "twice")
    assert (first.number, second.number) == (1, 2)
    assert empty_db.version() != before
    assert [c.number for c in empty_db.history()] == [2, 1]


def test_a_failing_transaction_leaves_nothing(db):
    before, version, history = db.read_all(), db.version(), db.history()
    feature = before[Layer.towns]["features"][0]
    changed = {**feature, "properties": {**feature["properties"], "name_en": "Never"}}
    with pytest.raises(RuntimeError, match="after the commit"):
        with db.transaction() as tx:
            tx.commit([Change(Layer.towns, feature["id"], feature, changed)], "x", "doomed")
            assert tx.read_layer(Layer.towns)["features"][0] == changed  # seen inside
            raise RuntimeError("after the commit, before the end of the block")
    # a commit that fails half-way: the first change is written, the second cannot be
    bad = {**feature, "id": "new", "properties": {"value": float("nan")}}  # NaN: not JSON
    with pytest.raises(psycopg.Error):
        with db.transaction() as tx:
            tx.commit([Change(Layer.towns, feature["id"], feature, changed),
                       Change(Layer.towns, "new", None, bad)], "x", "half")
    same_layers(db.read_all(), before)
    assert db.version() == version and db.history() == history
    with db.transaction() as tx:  # the lock was released, the numbering did not skip
        assert tx.commit([], "x", "next").number == history[0].number + 1


def test_a_writer_killed_mid_commit_leaves_nothing_and_frees_the_lock(db):
    """SIGKILL after the rows are written, before the transaction ends: the server rolls back."""
    before, version = db.read_all(), db.version()
    script = f"""
import sys
from atlas.storage import Change
from atlas.storage.postgis import PostGISStorage
from atlas.vocab import Layer
storage = PostGISStorage({db.url!r})
with storage.transaction() as tx:
    f = tx.read_layer(Layer.towns)["features"][0]
    tx.commit([Change(Layer.towns, f["id"], f, None)], "doomed", "killed")
    print("written", flush=True)
    sys.stdin.read()
"""
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert child.stdout.readline().strip() == "written"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdin.close()
    child.stdout.close()
    started = time.monotonic()
    with db.transaction() as tx:  # waits for the server to notice the dead session
        number = tx.commit([], "next", "after the crash").number
    assert time.monotonic() - started < 10
    same_layers(db.read_all(), before)
    assert number == 2  # the killed commit never was
    assert db.version() != version  # (the empty commit moved it)


def test_hand_edits_in_sql_move_the_version(db):
    version = db.version()
    with psycopg.connect(db.url) as conn:
        conn.execute("""UPDATE features SET feature = json_build_object('type', 'Feature',
                        'id', 'x', 'properties', json_build_object('id', 'x'), 'geometry', NULL)
                        WHERE layer = 'zones' AND position = 1""")
    assert db.version() != version
    assert db.read_layer(Layer.zones)["features"][1] == {"type": "Feature", "id": "x",
                                                         "properties": {"id": "x"}, "geometry": None}


# ---------------------------------------------------------------------- several processes
def test_two_storages_see_each_others_commits_at_once(db):
    other = PostGISStorage(db.url)
    assert other.version() == db.version()
    feature = other.read_layer(Layer.incubators)["features"][0]
    changed = {**feature, "properties": {**feature["properties"], "name_en": "Seen at once"}}
    with other.transaction() as tx:
        tx.commit([Change(Layer.incubators, feature["id"], feature, changed)], "o", "x")
    assert db.version() == other.version()
    assert db.read_layer(Layer.incubators)["features"][0] == changed
    assert db.history(limit=1)[0].author == "o"
    other.close()


def test_concurrent_writers_take_turns_and_lose_no_update(db):
    """Threads with their own storages (processes, in production) each add 1 to a counter
    in the same feature: read-modify-write inside the transaction, so no update is lost."""
    writers, rounds = 6, 10
    fid = db.read_layer(Layer.platforms)["features"][0]["id"]
    errors = []

    def work() -> None:
        storage = PostGISStorage(db.url)
        try:
            for _ in range(rounds):
                with storage.transaction() as tx:
                    feature = next(f for f in tx.read_layer(Layer.platforms)["features"]
                                   if f["id"] == fid)
                    n = feature["properties"].get("counter", 0)
                    time.sleep(0.001)  # widen the window a lost update would need
                    after = {**feature, "properties": {**feature["properties"], "counter": n + 1}}
                    tx.commit([Change(Layer.platforms, fid, feature, after)], "w", str(n + 1))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            storage.close()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert db.read_layer(Layer.platforms)["features"][0]["properties"]["counter"] == writers * rounds
    numbers = [c.number for c in db.history(limit=10**6)]
    assert numbers == list(range(writers * rounds + 1, 0, -1))  # no gap, no duplicate
    assert [c.message for c in db.history(fid)][: writers * rounds] == \
           [str(n) for n in range(writers * rounds, 0, -1)]


def test_a_pooled_connection_the_server_dropped_is_replaced(db):
    db.version()  # leaves a connection in the pool
    with psycopg.connect(db.url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert db.version()
    with db.transaction() as tx:
        assert tx.read_layer(Layer.zones)["features"]


# ---------------------------------------------------------------------- corrections
def test_corrections_behave_as_on_the_files(db, data_copy):
    files = GeoJSONStorage(data_copy)
    reports = [Correction(0, "clfi-jinjiang", "2025-01-02T03:04:05+00:00", "wrong place",
                          118.5, 24.75, "me@example.com", extra={"lang": "en", "layer": "platforms"}),
               Correction(0, "sanchuang-park", "2025-01-03T00:00:00+00:00", "名字错了")]
    for report in reports:
        assert files.add_correction(report) == db.add_correction(report)
    assert files.corrections() == db.corrections()
    assert [c.number for c in db.corrections()] == [2, 1]
    decided = replace(db.corrections()[1], status="accepted", decided_by="ed",
                      decided_at="2025-01-04T00:00:00+00:00", commit=7)
    files.update_correction(decided)
    db.update_correction(decided)
    for status in (None, "pending", "accepted", "rejected"):
        assert files.corrections(status) == db.corrections(status)
    assert db.corrections("accepted") == [decided]


def test_concurrent_corrections_get_distinct_numbers(db):
    def report(i: int) -> None:
        storage = PostGISStorage(db.url)
        storage.add_correction(Correction(0, "clfi-jinjiang", "t", f"report {i}"))
        storage.close()

    threads = [threading.Thread(target=report, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(c.number for c in db.corrections()) == list(range(1, 9))


# ---------------------------------------------------------------------- atlas db, migrations
def test_atlas_db_init_load_dump_round_trip(postgis_url, tmp_path, data_copy, capsys):
    url = ["--database-url", postgis_url]
    assert atlas_cli(["db", "load", "--from", str(SHIPPED), *url]) == 1
    assert "atlas db init" in capsys.readouterr().err
    assert atlas_cli(["db", "init", *url]) == 0
    assert atlas_cli(["db", "init", *url]) == 0  # again: nothing to do
    assert f"revision {HEAD}" in capsys.readouterr().out
    assert atlas_cli(["db", "load", "--from", str(SHIPPED), *url]) == 0
    shipped = sum(len(json.loads(path.read_text(encoding="utf-8"))["features"])
                  for path in SHIPPED.glob("*.geojson"))
    assert f"{shipped} features changed" in capsys.readouterr().out
    out = tmp_path / "dump"
    assert atlas_cli(["db", "dump", "--to", str(out), *url]) == 0
    for layer in Layer:
        name = f"{layer.value}.geojson"
        assert (out / name).read_bytes() == (SHIPPED / name).read_bytes(), name
    # an edited folder loads as one commit of just the features that differ
    files = GeoJSONStorage(data_copy)
    towns = files.read_layer(Layer.towns)
    towns["features"][2]["properties"]["name_en"] = "Changed In The Files"
    (data_copy / "towns.geojson").write_text(json.dumps(towns, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    assert atlas_cli(["db", "load", "--from", str(data_copy), *url]) == 0
    assert "1 features changed" in capsys.readouterr().out
    storage = PostGISStorage(postgis_url)
    last = storage.history(limit=1)[0]
    assert (last.number, last.author) == (2, "atlas db load")
    assert [c.id for c in last.changes] == [towns["features"][2]["id"]]
    assert atlas_cli(["db", "dump", "--to", str(out), *url]) == 0
    assert (out / "towns.geojson").read_bytes() == (data_copy / "towns.geojson").read_bytes()
    storage.close()


def test_atlas_db_load_refuses_layers_that_do_not_validate(db, data_copy, capsys):
    towns = GeoJSONStorage(data_copy).read_layer(Layer.towns)
    towns["features"][0]["properties"]["kind"] = "spaceport"
    (data_copy / "towns.geojson").write_text(json.dumps(towns), encoding="utf-8")
    version = db.version()
    assert atlas_cli(["db", "load", "--from", str(data_copy), "--database-url", db.url]) == 1
    assert "do not validate" in capsys.readouterr().err
    assert db.version() == version
    assert atlas_cli(["db", "load", "--from", str(data_copy), "--database-url", db.url,
                      "--no-validate"]) == 0


def test_atlas_db_without_a_url_or_server_fails_clearly(capsys, monkeypatch):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)
    assert atlas_cli(["db", "init"]) == 2
    assert "ATLAS_DATABASE_URL" in capsys.readouterr().err
    assert atlas_cli(["db", "dump", "--database-url",
                      "postgresql://u:secret@127.0.0.1:1/x?connect_timeout=2"]) == 1
    err = capsys.readouterr().err
    assert "ERROR" in err and "secret" not in err


def test_servers_running_atlas_db_init_at_once_all_succeed(postgis_url):
    """Several servers deploying at the same time: one migrates, the others wait and find it done."""
    procs = [subprocess.Popen([sys.executable, "-m", "atlas.cli", "db", "init", "--database-url",
                               postgis_url], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.communicate()) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert migrations.current(postgis_url) == HEAD


def test_the_migration_goes_down_and_up_again(postgis_url):
    migrations.upgrade(postgis_url)
    from alembic import command

    command.downgrade(migrations.alembic_config(postgis_url), "base")
    assert migrations.current(postgis_url) is None
    migrations.upgrade(postgis_url)
    assert migrations.current(postgis_url) == HEAD


def test_the_factory_picks_the_backend_from_the_settings(postgis_url):
    assert isinstance(open_storage(Settings(tiles="none")), GeoJSONStorage)
    storage = open_storage(Settings(tiles="none", database_url=postgis_url))
    assert isinstance(storage, PostGISStorage) and storage.url == postgis_url


# ---------------------------------------------------------------------- the app on PostGIS
def editors(tmp_path) -> tuple[Path, dict]:
    users = tmp_path / "users.json"
    env = {**os.environ, "ATLAS_USERS_FILE": str(users)}
    run = [sys.executable, "-m", "atlas.cli", "user"]
    subprocess.run([*run, "add", "ed", "--role", "editor", "--password-stdin"], env=env,
                   input="a-long-password\n", text=True, check=True, capture_output=True)
    token = subprocess.run([*run, "token", "ed"], env=env, text=True, check=True,
                           capture_output=True).stdout.strip().split()[-1]
    return users, {"Authorization": f"Bearer {token}"}


def test_the_app_answers_the_same_on_postgis_as_on_files(db, data_copy, tmp_path):
    users, auth = editors(tmp_path)
    files_like(db, data_copy)
    common = {"tiles": "none", "users_file": users, "secret_key": "test-secret"}
    on_files = TestClient(create_app(Settings(data_dir=data_copy, **common)),
                          raise_server_exceptions=False)
    on_db = TestClient(create_app(Settings(database_url=db.url, **common), storage=db),
                       raise_server_exceptions=False)

    def both(method: str, url: str, **kwargs) -> tuple:
        a, b = on_files.request(method, url, **kwargs), on_db.request(method, url, **kwargs)
        assert a.status_code == b.status_code, (url, a.text, b.text)
        if not (a.headers.get("etag") or "").startswith("W/"):  # data ETags follow each store's version
            assert a.headers.get("etag") == b.headers.get("etag"), url
        return a, b

    a, b = both("GET", "/healthz")
    assert a.json().pop("data_version") and b.json()["data_version"] == db.version()
    assert {**a.json(), "data_version": 0} == {**b.json(), "data_version": 0}
    for url in ("/api/entities", "/api/entities?lang=en&kind=incubator",
                "/ogc/collections/platforms/items?f=json&limit=5"):
        a, b = both("GET", url)
        ignore = {"timeStamp": 0, "version": 0}  # the data versions differ: not the same store
        assert {**a.json(), **ignore} == {**b.json(), **ignore}, url
    # writes over HTTP: an edit with If-Match, a stale one, a delete, an undo, a correction
    a, b = both("GET", "/api/features/clfi-jinjiang", headers=auth)
    if a.status_code == 404 and "Not Found" in a.text:
        pytest.skip("the write API is not mounted by create_app yet: reads compared only")
    assert b.status_code == 200, b.text
    feature, tag = b.json(), b.headers["etag"]
    layer = feature.pop("layer")
    feature["properties"]["name_en"] = "Edited Over HTTP"
    both("PUT", f"/api/features/{layer}/clfi-jinjiang", json=feature,
         headers={**auth, "If-Match": tag})
    a, b = both("PUT", f"/api/features/{layer}/clfi-jinjiang", json=feature,
                headers={**auth, "If-Match": tag})
    assert b.status_code == 412
    a, b = both("DELETE", "/api/features/parks/fund-town", headers=auth)  # nothing links to it
    assert b.status_code == 200, b.text
    a, b = both("POST", f"/api/history/{b.json()['commit']}/undo", headers=auth)
    assert b.status_code == 200
    a, b = both("POST", "/api/corrections", json={"entity": "clfi-jinjiang", "message": "moved",
                                                  "lon": 118.58, "lat": 24.78})
    if b.status_code != 404:  # (once the corrections routes are mounted)
        assert b.status_code == 201, b.text
        a, b = both("POST", "/api/corrections/1/accept", headers=auth)
        assert b.status_code == 200
        a, b = both("GET", "/api/corrections", headers=auth)
        untimed = {"time": 0, "decided_at": 0}  # two requests may straddle a second
        assert [{**c, **untimed} for c in a.json()["corrections"]] == \
               [{**c, **untimed} for c in b.json()["corrections"]]
    for url in ("/api/features/clfi-jinjiang", "/api/features/wuli-park"):
        a, b = both("GET", url, headers=auth)
        assert a.json() == b.json()
    a, b = both("GET", "/api/history", headers=auth)
    assert [{**c, "time": 0} for c in a.json()["commits"]] == \
           [{**c, "time": 0} for c in b.json()["commits"]]
    assert "Edited Over HTTP" in on_db.get("/platforms/clfi-jinjiang?lang=en").text
    same_layers(db.read_all(), GeoJSONStorage(data_copy).read_all())
