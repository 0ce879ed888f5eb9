"""Host names, proxies, links and limits (issue 12): no request header can grow memory or
choose where the atlas's links point.

Real servers run as ``make run`` starts them: ``uvicorn server:app`` in its own process with
:data:`RUN_FLAGS`, so its memory (``VmRSS``) is the server's alone.  Links and the memo are
also checked in-process (``TestClient``), where the client address can be a proxy's.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient

from atlas.config import LOCAL_HOSTS, REPO_ROOT, Settings
from atlas.exports.qr import qr_svg
from atlas.testing import free_port
from atlas.web.app import create_app
from atlas.web.hosts import MAX_HEADERS, MAX_URL, REFUSED, TOO_LONG
from atlas.web.query_params import MAX_POLYGON_CHARS

RUN_FLAGS = ["--no-proxy-headers", "--no-access-log", "--log-config", "atlas/web/logging.json",
             "--h11-max-incomplete-event-size", "65536", "--timeout-keep-alive", "5"]
"""What the Makefile's ``run`` line must pass to uvicorn (see README, *Limits*)."""

DATA = REPO_ROOT / "data" / "geo"
PUBLIC = "https://atlas.example.gov.cn"
PLATFORM = "ucas-intelligent-manufacturing"
REQUESTS = 2000
GROWTH_MB = 20
"""What 2 000 distinct ``Host`` values may add to the server's resident memory (they once
added 383 MB)."""

ROUTES = ("/ogc/api?f=json", "/ogc?f=json", "/ogc/collections?f=json",
          "/ogc/collections/platforms/items?limit=2&f=json", "/ogc/api?f=json", "/healthz")
"""What the distinct hosts ask for: the OpenAPI document (once cached per host) most."""

FORGED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "forged.example",
          "X-Forwarded-For": "203.0.113.9"}
"""Forwarded headers a client sends itself (believed only from a configured proxy)."""


class Uvicorn:
    """``uvicorn server:app`` with :data:`RUN_FLAGS` on a free port, in its own process."""

    def __init__(self, folder: Path, **settings: str):
        self.port = free_port()
        self.log = folder / f"server-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
        env.update({"ATLAS_DATA_DIR": str(DATA), "ATLAS_TILES": "none",
                    "ATLAS_USERS_FILE": str(folder / "users.json"),
                    "ATLAS_SECRET_KEY": "test-hosts", "PYTHONUNBUFFERED": "1"},
                   **{f"ATLAS_{name.upper()}": value for name, value in settings.items()})
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1",
                 "--port", str(self.port), *RUN_FLAGS],
                cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait(self) -> Uvicorn:
        """Wait until it answers."""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.05)
            assert self.proc.poll() is None, f"the server died:\n{self.log.read_text()}"
        raise RuntimeError("the server did not start")

    def rss_mb(self) -> float:
        """The server's resident memory now."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status)[1]) / 1024

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=20)


@pytest.fixture(scope="module")
def servers(tmp_path_factory) -> Iterator[dict[str, Uvicorn]]:
    """Two real servers, started together: ``default`` settings, and ``any`` host allowed
    (``*``)."""
    folder = tmp_path_factory.mktemp("servers")
    started = {"default": Uvicorn(folder), "any": Uvicorn(folder, allowed_hosts="*")}
    try:
        yield {name: one.wait() for name, one in started.items()}
    finally:
        for one in started.values():
            one.stop()


def hammer(server: Uvicorn, count: int, first: int = 0) -> Iterator[tuple[str, httpx.Response]]:
    """``count`` requests, each with a ``Host`` never sent before and forged forwarded headers."""
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for i in range(first, first + count):
            host = f"h{i}.invalid"
            yield host, client.get(ROUTES[i % len(ROUTES)], headers={"Host": host, **FORGED})


def hrefs(answer: httpx.Response) -> list[str]:
    """Every link of an OGC JSON answer (its OpenAPI ``servers`` too)."""
    doc = answer.json()
    return [link["href"] for link in doc.get("links", [])] + \
        [server["url"] for server in doc.get("servers", [])]


def app_client(client: tuple[str, int] = ("testclient", 50000), **settings) -> TestClient:
    """An in-process client of an app with ``settings`` (on the shipped data, no basemap)."""
    app = create_app(Settings(data_dir=DATA, tiles="none", **settings))
    return TestClient(app, raise_server_exceptions=False, client=client)


# ------------------------------------------------------------------ memory
def test_distinct_hosts_do_not_grow_the_server_when_any_host_is_allowed(servers):
    """``*`` answers every host (links follow it) but keeps nothing per host; what a client
    says about proxies is not believed."""
    atlas = servers["any"]
    for _ in hammer(atlas, 300, first=-300):  # warm up: every route, its caches, the allocator
        pass
    before = atlas.rss_mb()
    for host, answer in hammer(atlas, REQUESTS):
        assert answer.status_code == 200, (host, answer.text[:200])
        if answer.url.path != "/healthz":
            links = hrefs(answer)
            assert links and all(href.startswith(f"http://{host}/ogc") for href in links), links
    grown = atlas.rss_mb() - before
    assert grown < GROWTH_MB, f"{REQUESTS} distinct Host values grew the server by {grown:.0f} MB"


def test_unknown_hosts_are_refused_by_default_and_cost_nothing(servers):
    atlas = servers["default"]
    for host in ("127.0.0.1", "localhost", "[::1]"):
        answer = httpx.get(f"{atlas.url}/ogc?f=json", headers={"Host": f"{host}:8000"})
        assert hrefs(answer)[0] == f"http://{host}:8000/ogc?f=json"
    for _ in hammer(atlas, 300, first=-300):
        pass
    before = atlas.rss_mb()
    for host, answer in hammer(atlas, REQUESTS):
        assert answer.status_code == 400, host
        assert answer.text == REFUSED
    assert atlas.rss_mb() - before < GROWTH_MB


def test_the_memo_keeps_nothing_per_host_language_or_query():
    """The audit of ``Atlas.memo`` as a test: after one round of every kind of request, more
    rounds with other hosts, languages, searches and parameters add no key."""
    client = app_client(allowed_hosts=("*",))

    def round_(n: int) -> None:
        host, lang, q = f"memo{n}.invalid", ("zh", "en", f"x{n}")[n % 3], f"search {n}"
        for path in ("/", f"/platforms/{PLATFORM}", "/ogc/api?f=json", "/ogc/api?f=html",
                     "/ogc/collections/platforms/queryables?f=html",
                     f"/ogc/collections/platforms/items/{PLATFORM}?f=html",
                     f"/api/search?q={q}", f"/print?q={q}", f"/export.csv?q={q}",
                     "/api/locate?lon=118.55&lat=24.78&f=html", f"/nonsense?x={n}"):
            answer = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}",
                                headers={"Host": host, "Accept-Language": f"x-{n}"})
            assert answer.text != REFUSED and answer.status_code < 500, (path, answer.text)

    for n in range(3):
        round_(n)
    atlas = client.app.state.live.current()
    keys = set(atlas.memo)
    for n in range(3, 12):
        round_(n)
    assert set(atlas.memo) - keys == set()


# ------------------------------------------------------------------ links
def test_a_configured_public_url_is_in_every_link_whatever_the_request_says():
    client = app_client(public_url=f"{PUBLIC}/", allowed_hosts=("*",))
    sent = {"Host": "evil.example", **FORGED}

    def get(path: str) -> httpx.Response:
        answer = client.get(path, headers=sent)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert "evil.example" not in answer.text and "forged.example" not in answer.text
        assert "testserver" not in answer.text
        return answer

    links = [link["href"] for link in get("/ogc?f=json").json()["links"]]
    links += [link["href"] for link in get("/ogc/collections?f=json").json()["links"]]
    links += [link["href"] for link in
              get("/ogc/collections/platforms/items?limit=1&f=json").json()["links"]]
    assert links and all(href.startswith(f"{PUBLIC}/ogc") for href in links), links
    assert get("/ogc/api?f=json").json()["servers"] == [{"url": f"{PUBLIC}/ogc"}]
    ogc_page = get("/ogc/collections?f=html&lang=en").text
    assert f'href="{PUBLIC}/ogc/collections?f=html&amp;lang=zh"' in ogc_page  # language switch

    live = f"{PUBLIC}/?{urlencode({'layer': 'platforms', 'lang': 'en'})}"
    handout = get("/print?layer=platforms&lang=en").text
    assert f'href="{live}"' in handout.replace("&amp;", "&")
    assert str(qr_svg(live, scale=2)) in handout

    profile = get(f"/platforms/{PLATFORM}?lang=en").text
    printed = f"{PUBLIC}/platforms/{PLATFORM}?lang=en"
    assert str(qr_svg(printed)) in profile

    rows = get("/export.csv?layer=platforms&columns=codes").text
    assert f"{PUBLIC}/platforms/{PLATFORM}" in rows


def test_without_a_public_url_links_follow_an_allowed_host():
    client = app_client(allowed_hosts=("atlas.intranet",))
    answer = client.get("/ogc?f=json", headers={"Host": "atlas.intranet:8080"})
    assert answer.json()["links"][0]["href"] == "http://atlas.intranet:8080/ogc?f=json"
    assert client.get("/ogc?f=json", headers={"Host": "other.intranet"}).status_code == 400


def test_the_public_urls_host_is_served_beside_the_configured_ones():
    client = app_client(public_url=PUBLIC)
    for host in (*LOCAL_HOSTS, "atlas.example.gov.cn"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    assert client.get("/healthz", headers={"Host": "example.gov.cn"}).status_code == 400


# ------------------------------------------------------------------ proxies
def test_a_trusted_proxys_forwarded_headers_are_believed():
    client = app_client(client=("10.1.2.3", 40000), trusted_proxies=("10.0.0.0/8", "::1"),
                        allowed_hosts=("atlas.example.gov.cn",))
    answer = client.get("/ogc?f=json", headers={"Host": "127.0.0.1:8000",
                                                "X-Forwarded-Proto": "https",
                                                "X-Forwarded-Host": "atlas.example.gov.cn"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["links"][0]["href"] == f"{PUBLIC}/ogc?f=json"
    # the Host check applies to the forwarded host
    assert client.get("/ogc", headers={"X-Forwarded-Host": "evil.example"}).status_code == 400


def test_anyone_elses_forwarded_headers_are_not():
    client = app_client(client=("192.0.2.7", 40000), trusted_proxies=("10.0.0.0/8",))
    answer = client.get("/ogc?f=json", headers={"Host": "localhost", **FORGED})
    assert answer.json()["links"][0]["href"] == "http://localhost/ogc?f=json"


def test_on_a_real_server_a_local_client_is_no_proxy(servers):
    """uvicorn itself believes 127.0.0.1 unless started with ``--no-proxy-headers``."""
    answer = httpx.get(f"{servers['default'].url}/ogc?f=json",
                       headers={"Host": "localhost", **FORGED})
    assert hrefs(answer)[0] == "http://localhost/ogc?f=json"


@pytest.mark.parametrize("name, value, problem", [
    ("public_url", "atlas.example.gov.cn", "http(s) URL"),
    ("public_url", "https://atlas.example.gov.cn/?x=1", "no query"),
    ("trusted_proxies", "proxy.intranet", "IP address or a network"),
    ("allowed_hosts", "atlas*.example", "*.example.org"),
])
def test_bad_settings_say_what_to_give(monkeypatch, name, value, problem):
    monkeypatch.setenv(f"ATLAS_{name.upper()}", value)
    with pytest.raises(ValueError, match=re.escape(problem)):
        Settings()


def test_lists_are_comma_separated_in_the_environment(monkeypatch):
    monkeypatch.setenv("ATLAS_ALLOWED_HOSTS", "atlas.example.gov.cn, *.intranet")
    monkeypatch.setenv("ATLAS_TRUSTED_PROXIES", "10.0.0.0/8,::1")
    settings = Settings()
    assert settings.allowed_hosts == ("atlas.example.gov.cn", "*.intranet")
    assert settings.trusted_proxies == ("10.0.0.0/8", "::1")


# ------------------------------------------------------------------ limits and the access log
def test_the_largest_url_the_atlas_takes_fits_and_larger_ones_are_refused(servers):
    atlas = servers["default"]
    ring = [(118.55 + 0.01 * math.cos(2 * math.pi * i / 330),
             24.78 + 0.01 * math.sin(2 * math.pi * i / 330)) for i in range(330)]
    wkt = "POLYGON((" + ", ".join(f"{x:.10f} {y:.10f}" for x, y in [*ring, ring[0]]) + "))"
    assert 9_000 < len(wkt) <= MAX_POLYGON_CHARS
    big_cookie = {"Cookie": "x=" + "c" * 8000}
    answer = httpx.get(f"{atlas.url}/api/within", params={"polygon": wkt}, headers=big_cookie)
    assert answer.status_code == 200, answer.text
    too_long = httpx.get(f"{atlas.url}/api/search", params={"q": "长" * (MAX_URL // 9)})
    assert too_long.status_code == 414 and too_long.text == TOO_LONG[414]
    too_big = httpx.get(f"{atlas.url}/healthz", headers={"X-Padding": "p" * MAX_HEADERS})
    assert too_big.status_code == 431 and too_big.text == TOO_LONG[431]
    for status, size in ((414, MAX_URL + 1), (200, MAX_URL)):
        path = "/healthz?" + "x" * (size - len("/healthz?"))
        assert httpx.get(atlas.url + path).status_code == status, size


def test_the_access_log_has_method_path_status_and_time_but_no_query(servers):
    atlas = servers["default"]
    assert httpx.get(f"{atlas.url}/api/search?q=what-someone-typed",
                     headers={"Host": "localhost"}).status_code == 200
    httpx.get(f"{atlas.url}/ogc?f=json", headers={"Host": "evil.example"})
    httpx.head(f"{atlas.url}/no%0Aline%0Dbreaks?x=1", headers={"Host": "localhost"})
    time.sleep(0.2)
    lines = [line for line in atlas.log.read_text().splitlines() if line[:4].isdigit()]
    assert any(re.fullmatch(r"\S+ GET /api/search 200 \d+\.\d ms", line) for line in lines)
    assert any(re.fullmatch(r"\S+ GET /ogc 400 \d+\.\d ms", line) for line in lines)
    assert any(re.fullmatch(r"\S+ HEAD /no%0Aline%0Dbreaks 404 \d+\.\d ms", line)
               for line in lines), lines[-5:]
    log = "\n".join(lines)  # the access lines
    assert "what-someone-typed" not in log and "127.0.0.1" not in log and "?" not in log


def test_query_strings_are_logged_only_when_asked(caplog):
    for query, logged in ((False, "GET /api/search 200"), (True, "GET /api/search?q=scy 200")):
        client = app_client(access_log_query=query)
        with caplog.at_level(logging.INFO, logger="atlas.access"):
            caplog.clear()
            client.get("/api/search?q=scy")
        assert [r.getMessage().rsplit(" ", 2)[0] for r in caplog.records
                if r.name == "atlas.access"] == [logged]


def test_the_makefile_runs_uvicorn_with_these_flags():
    run = next(line for line in (REPO_ROOT / "Makefile").read_text().splitlines()
               if "uvicorn server:app" in line)
    assert " ".join(RUN_FLAGS) in " ".join(shlex.split(run)), \
        f"the Makefile's run line should end with {' '.join(RUN_FLAGS)}: {run.strip()}"
    config = json.loads((REPO_ROOT / "atlas/web/logging.json").read_text())
    assert config["loggers"]["atlas.access"]["handlers"] == ["access"]
