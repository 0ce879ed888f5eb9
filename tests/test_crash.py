"""Nothing a user saved is ever lost: writes under SIGKILL, on both storages.

A real server process takes concurrent writes (each writer bumps a counter in one entity's
description, so a later value means a later write) and is killed with SIGKILL at a random
moment, then started again — many times.  After each kill: the data validates, every file
is whole JSON (files) and the history has no torn or missing commit, and every write the
server acknowledged is there (the stored counter is at least the last acknowledged one: a
write may land without its answer arriving, never the other way round).

Each server is a fork of the test process (tests/servers.py), so a restart costs the data
load, not the imports.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time

import httpx

from atlas.storage.geojson import GeoJSONStorage
from atlas.validate import validate
from atlas.vocab import Layer
from tests.servers import Server, editor_env

KILLS = int(os.environ.get("ATLAS_CRASH_KILLS", "50"))
WRITERS = ("clfi-jinjiang", "strait-graphene-institute", "sanchuang-park", "hongshan-design-park")


def writer(server: Server, token: str, entity_id: str, acked: dict, stop: threading.Event) -> None:
    """Write counter values into ``entity_id`` until stopped; record the last acknowledged one."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=5) as client:
        while not stop.is_set():
            try:
                feature = client.get(f"/api/features/{entity_id}").json()
                layer = feature.pop("layer")
                n = acked.get(entity_id, 0) + 1
                while True:
                    feature["properties"]["description_en"] = f"crash-test {n}"
                    answer = client.put(f"/api/features/{layer}/{entity_id}", json=feature)
                    if answer.status_code != 200:
                        break
                    acked[entity_id] = n
                    n += 1
            except (httpx.HTTPError, ValueError, KeyError):
                return  # the server is gone


def counter(feature: dict) -> int:
    text = feature["properties"].get("description_en", "")
    return int(text.split()[-1]) if text.startswith("crash-test ") else 0


def test_acknowledged_writes_survive_sigkill(storage, data_copy, tmp_path):
    env, token = editor_env(storage, data_copy, tmp_path)
    server = Server(env)
    acked: dict[str, int] = {}
    rng = random.Random(7)
    for _ in range(KILLS):
        server.start()
        stop = threading.Event()
        threads = [threading.Thread(target=writer, args=(server, token, eid, acked, stop))
                   for eid in WRITERS]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(0.2, 1.0))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        with storage.transaction():  # what the next start does first: recover
            pass
        collections = storage.read_all()
        report = validate(collections, 1000.0, 3000.0)
        assert report.ok, report.text()
        stored = {f["id"]: f for fc in collections.values() for f in fc["features"]}
        for eid, n in acked.items():
            assert counter(stored[eid]) >= n, f"{eid}: acknowledged {n}, stored {counter(stored[eid])}"
        numbers = [c.number for c in reversed(storage.history(limit=100_000))]
        if numbers:  # numbered in order, none missing (PostGIS starts after its load commit)
            assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
        if isinstance(storage, GeoJSONStorage):
            history = data_copy / ".atlas" / "history.jsonl"
            assert not history.exists() or history.read_bytes().endswith(b"\n")
            for layer in Layer:
                json.loads(storage.path(layer).read_text(encoding="utf-8"))
            assert not list(data_copy.glob(".*.tmp")), "recovery leaves no temporary file behind"
    assert sum(acked.values()) >= KILLS // 5, "the test wrote too little to mean anything"
