"""Several servers, one data store: a write through one is read back through the other within
2 s — by pages, /api and /ogc — with no stale cached answer (on files and on PostGIS)."""

from __future__ import annotations

import time

import httpx

from tests.servers import Server, editor_env


def test_a_write_through_one_server_is_read_through_the_other(storage, data_copy, tmp_path):
    env, token = editor_env(storage, data_copy, tmp_path)
    one, two = Server(env), Server(env)
    one.start()
    two.start()
    try:
        reader = httpx.Client(base_url=two.url, timeout=5)
        # the second server has answered (and cached) every view before the write
        for path in ("/platforms/clfi-jinjiang?lang=en", "/api/entities?lang=en&q=clfi",
                     "/ogc/collections/platforms/items/clfi-jinjiang?f=json"):
            assert reader.get(path).status_code == 200
        writer = httpx.Client(base_url=one.url, timeout=5, headers={"Authorization": f"Bearer {token}"})
        feature = writer.get("/api/features/clfi-jinjiang").json()
        layer = feature.pop("layer")
        feature["properties"]["name_en"] = "Renamed Through Server One"
        assert writer.put(f"/api/features/{layer}/clfi-jinjiang", json=feature).status_code == 200
        written = time.monotonic()
        checks = {
            "page": lambda: "Renamed Through Server One" in reader.get("/platforms/clfi-jinjiang?lang=en").text,
            "api": lambda: "Renamed Through Server One" in reader.get("/api/entities?lang=en").text,
            "ogc": lambda: reader.get("/ogc/collections/platforms/items/clfi-jinjiang?f=json")
                                 .json()["properties"]["name_en"] == "Renamed Through Server One",
        }
        while checks:
            for name in [n for n, check in checks.items() if check()]:
                del checks[name]
            assert time.monotonic() - written < 2, f"still stale after 2 s: {sorted(checks)}"
            time.sleep(0.05)
    finally:
        one.kill()
        two.kill()
