"""`make bench-peers`: the atlas's OGC API – Features side by side with TiPg and pygeoapi.

Run it
------
    benchmarks/peers/run.sh                    # N = 100000 synthetic incubators, ~15 min
    BENCH_N=20000 BENCH_SECONDS=5 BENCH_ROUNDS=1 benchmarks/peers/run.sh    # a quick look

``run.sh`` installs ``wrk`` (Debian) if missing, builds ``benchmarks/peers/.venv`` (Python
3.12: pygeoapi 0.22+ needs it) from ``requirements.lock``, runs this file with the repo's
``.venv`` and, whatever happens, stops every server it started and the PostgreSQL cluster.
It is not part of ``make test``.  Knobs (environment): ``BENCH_N`` (100000),
``BENCH_SECONDS`` per wrk run (10), ``BENCH_ROUNDS`` (3), ``BENCH_WARMUP`` seconds per
server and request before the rounds (2), ``BENCH_CONNECTIONS`` (16), ``BENCH_THREADS`` (2),
``BENCH_SERVERS`` (``atlas,atlas-pg,tipg,pygeoapi``).

What it does
------------
1. Writes the shipped layers plus N synthetic incubators (``atlas.testing``) to a work folder,
   starts a throwaway PostgreSQL 15 + PostGIS cluster (``scripts/pg-cluster``, restarted with
   ``shared_buffers = 256MB`` so the table fits) and copies the same incubators into
   ``public.incubators`` (``id`` text primary key, ``geom`` Point/4326 with a GIST index) for
   the peers, and into the atlas's own schema for ``atlas-pg`` (``peers.py``).  Runs
   ``atlas validate`` on the folder: the atlas's ingest, which keeps the validated snapshot and
   the names' pinyin the ``atlas`` server starts from (``atlas-pg`` starts by validating what
   it reads).
2. Starts each server alone — one uvicorn process, one worker, no access log, its own port —
   and times it from process start to the first 200 from its collections document.
3. Checks that every server returns the same feature ids, in the same order, for every
   request, and prints any difference.  No ``sortby`` is sent: the atlas pages in id order,
   and both peers order by the primary key when no ``sortby`` is given (TiPg:
   ``Collection._sortby`` falls back to the id column; pygeoapi: ``_get_order_by_clauses``
   falls back to ``id_field``).  The cluster has the C collation, the atlas sorts Python
   strings: the same order for these ASCII ids.
4. Loads each server with ``wrk -t2 -c16 -d<s>`` (``--timeout 30s``) for each request, in
   interleaved rounds (for each round, for each request: atlas, atlas-pg, tipg, pygeoapi),
   after a short unrecorded warm-up, and reports the median over the rounds.

The requests (N features): items ``limit=100``; ``limit=1000``; ``offset=N/2 limit=100``; a
1 km × 1 km ``bbox`` ``limit=100`` (the box, out of 50 candidates, holding the most
features); one item by id.  Each asks for GeoJSON with ``f=`` (json, or TiPg's geojson).

Reading the output
------------------
One row per request and server: ``req/s`` (completed responses per second), ``p50``/``p99``
latency in ms under 16 concurrent connections (wrk's own, uncorrected for coordinated
omission), ``err`` (non-2xx responses, socket errors and time-outs over all rounds; an error
row means its numbers do not count), ``KiB`` (size of one response: the atlas adds derived
context properties, so its features are larger), and on each peer's row ``atlas/this`` =
the atlas's req/s divided by this server's (> 1: the atlas serves more) and its p50 divided by
this server's (< 1: the atlas answers faster).  Below: startup time to the first answer, RSS
(VmRSS, and VmHWM the peak) of each server process after the load, and PostgreSQL's memory
(PSS, so shared buffers count once) in all and per client (TiPg, pygeoapi and atlas-pg name
their connections).  Everything shares 2 cores with wrk (2 threads): compare the rows with
each other, not with another machine.  The same numbers go to
``benchmarks/peers/results/<date>-<N>.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

import peers
from peers import HERE, Server

SERVER_NAMES = ("atlas", "atlas-pg", "tipg", "pygeoapi")
WRK_SCRIPT = HERE / "wrk-report.lua"


def env_int(name: str, default: int) -> int:
    """An integer knob from the environment."""
    return int(os.environ.get(name, default))


def km_box(lon: float, lat: float, side_km: float = 1.0) -> list[float]:
    """A ``side_km`` × ``side_km`` lon/lat box centred on (lon, lat)."""
    half_lat = side_km / 2 / 111.32
    half_lon = half_lat / math.cos(math.radians(lat))
    return [round(v, 6) for v in (lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat)]


def requests(features: list[dict]) -> dict[str, tuple[str, dict]]:
    """The measured requests: name → (path below the items URL, query parameters)."""
    n = len(features)
    xy = np.array([f["geometry"]["coordinates"] for f in features])

    def inside(box):
        return int(((xy[:, 0] >= box[0]) & (xy[:, 1] >= box[1])
                    & (xy[:, 0] <= box[2]) & (xy[:, 1] <= box[3])).sum())

    boxes = [km_box(*xy[i]) for i in range(min(50, n))]
    box = max(boxes, key=inside)
    return {
        "items limit=100": ("", {"limit": 100}),
        "items limit=1000": ("", {"limit": 1000}),
        f"offset={n // 2} limit=100": ("", {"offset": n // 2, "limit": 100}),
        f"bbox 1km² ({inside(box)}) limit=100": ("", {"bbox": ",".join(map(str, box)),
                                                      "limit": 100}),
        "item by id": (f"/{features[n // 2]['id']}", {}),
    }


def get(url: str, timeout: float = 120) -> tuple[int, bytes]:
    """Status and body of a GET (errors included)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def start(server: Server, work: Path, timeout: float) -> float:
    """Start ``server`` and wait for a 200 from its collections document; the seconds taken."""
    log = open(work / f"{server.name}.log", "wb")
    started = time.perf_counter()
    proc = subprocess.Popen(server.argv, env=server.env, cwd=server.cwd, stdout=log,
                            stderr=subprocess.STDOUT)
    server.pid = proc.pid
    with open(work / "pids", "a") as pids:
        pids.write(f"{proc.pid}\n")
    url = f"http://127.0.0.1:{server.port}{server.collections}?f=json"
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {proc.returncode}:\n"
                               + (work / f"{server.name}.log").read_text()[-3000:])
        try:
            if get(url, timeout=5)[0] == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{server.name} did not answer {url} within {timeout:.0f} s")


def stop(server: Server) -> None:
    """Terminate ``server``'s process (SIGTERM, then SIGKILL after 10 s)."""
    if server.pid is None:
        return
    for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.kill(server.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                if os.waitpid(server.pid, os.WNOHANG)[0]:
                    server.pid = None
                    return
            except ChildProcessError:
                server.pid = None
                return
            time.sleep(0.05)


def ids_of(body: bytes) -> tuple[list[str], int | None]:
    """Feature ids of an items or item response, and its numberMatched."""
    doc = json.loads(body)
    if doc.get("type") == "Feature":
        return [str(doc["id"])], None
    return [str(f["id"]) for f in doc["features"]], doc.get("numberMatched")


def check(servers: list[Server], reqs: dict[str, tuple[str, dict]]) -> dict[str, dict]:
    """Ask every server every request once; compare ids (and numberMatched) with the first
    server's.  Prints and returns the differences and each response's size."""
    report = {}
    for name, (path, params) in reqs.items():
        answers = {}
        for server in servers:
            status, body = get(server.url(path, **params))
            answers[server.name] = (status, body)
        ref_name = servers[0].name
        ref_ids, ref_matched = ids_of(answers[ref_name][1])
        row = {"ids": len(ref_ids), "numberMatched": ref_matched, "bytes": {}, "differences": {}}
        for server in servers:
            status, body = answers[server.name]
            row["bytes"][server.name] = len(body)
            if status != 200:
                row["differences"][server.name] = f"HTTP {status}: {body[:200]!r}"
                continue
            ids, matched = ids_of(body)
            problems = []
            if ids != ref_ids:
                if sorted(ids) == sorted(ref_ids):
                    problems.append("same ids in another order")
                else:
                    missing = [i for i in ref_ids if i not in set(ids)]
                    extra = [i for i in ids if i not in set(ref_ids)]
                    problems.append(f"{len(missing)} ids missing (e.g. {missing[:3]}), "
                                    f"{len(extra)} extra (e.g. {extra[:3]})")
            if matched != ref_matched:
                problems.append(f"numberMatched {matched} vs {ref_matched}")
            if problems:
                row["differences"][server.name] = "; ".join(problems)
        report[name] = row
        same = not row["differences"]
        print(f"  {name:<28} {len(ref_ids):>5} ids  "
              + ("identical on all servers" if same else f"DIFFERENT vs {ref_name}:"))
        for who, what in row["differences"].items():
            print(f"      {who}: {what}")
    return report


def wrk(url: str, seconds: int, threads: int, connections: int) -> dict:
    """One wrk run against ``url``: the JSON line of ``wrk-report.lua`` plus req/s."""
    proc = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
         "-s", str(WRK_SCRIPT), url],
        capture_output=True, text=True, timeout=seconds + 120, check=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")][-1]
    out = json.loads(line)
    out["rps"] = out["requests"] / (out["duration_us"] / 1e6)
    out["errors_total"] = sum(out["errors"].values())
    out["loadavg_1min"] = os.getloadavg()[0]  # other work on the machine shows here
    return out


def load_average() -> tuple[float, ...]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return tuple(round(v, 1) for v in os.getloadavg())


def memory_kib(pid: int, fields: tuple[str, ...] = ("VmRSS", "VmHWM")) -> dict[str, int]:
    """``fields`` of /proc/<pid>/status, in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in fields:
            found[key] = int(value.split()[0])
    return found


def pss_kib(pid: int) -> int:
    """Proportional set size of ``pid`` (shared pages divided among their users), KiB."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def postgres_memory(work: Path, url: str) -> dict:
    """PSS of the whole cluster (postmaster and children) and of the backends of each client
    (by ``application_name``), in MiB."""
    import psycopg

    postmaster = int((work / "pg" / "data" / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                pids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            pass
    with psycopg.connect(url) as conn:
        apps = dict(conn.execute("SELECT pid, application_name FROM pg_stat_activity "
                                 "WHERE backend_type = 'client backend'").fetchall())
    per_app: dict[str, dict] = {}
    total = 0
    for pid in pids:
        try:
            pss = pss_kib(pid)
        except OSError:
            continue
        total += pss
        app = apps.get(pid)
        if app:
            entry = per_app.setdefault(app, {"backends": 0, "pss_mib": 0.0})
            entry["backends"] += 1
            entry["pss_mib"] += pss / 1024
    return {"cluster_pss_mib": round(total / 1024, 1), "processes": len(pids),
            "clients": {k: {**v, "pss_mib": round(v["pss_mib"], 1)} for k, v in per_app.items()}}


def summarise(runs: list[dict]) -> dict:
    """Medians over the rounds of one server × request."""
    return {"rps": statistics.median(r["rps"] for r in runs),
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "errors": sum(r["errors_total"] for r in runs),
            "rounds": runs}


def table(results: dict, sizes: dict, reference: str = "atlas") -> str:
    """The printed table: one row per request and server, with ratios to the atlas."""
    lines = [f"{'request':<28} {'server':<9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
             f"{'err':>4} {'KiB':>7}   atlas/this: req/s  p50"]
    for req, per_server in results.items():
        ref = per_server.get(reference)
        for i, (name, s) in enumerate(per_server.items()):
            ratio = ""
            if ref and name != reference and not name.startswith(reference):
                ratio = (f"{ref['rps'] / s['rps']:>17.2f}  {ref['p50_ms'] / s['p50_ms']:>4.2f}"
                         if s["rps"] and s["p50_ms"] else "")
            lines.append(f"{req if i == 0 else '':<28} {name:<9} {s['rps']:>8.1f} "
                         f"{s['p50_ms']:>8.1f} {s['p99_ms']:>8.1f} {s['errors']:>4} "
                         f"{sizes[req][name] / 1024:>7.1f}   {ratio}")
    return "\n".join(lines)


def main() -> int:
    """Set up, check, measure, print and save; see the module docstring."""
    n = env_int("BENCH_N", 100_000)
    seconds, rounds = env_int("BENCH_SECONDS", 10), env_int("BENCH_ROUNDS", 3)
    warmup = env_int("BENCH_WARMUP", 2)
    threads, connections = env_int("BENCH_THREADS", 2), env_int("BENCH_CONNECTIONS", 16)
    wanted = os.environ.get("BENCH_SERVERS", ",".join(SERVER_NAMES)).split(",")
    work = Path(os.environ.get("BENCH_WORK") or tempfile.mkdtemp(prefix="atlas-peers-"))
    work.chmod(0o755)  # as root the cluster runs as `postgres`, who must reach work/pg
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run.sh's stop: clean up below
    began, load_start = time.perf_counter(), load_average()
    stamp = dt.datetime.now().astimezone()
    print(f"peer benchmark, N={n}, {rounds} rounds × {seconds} s, wrk -t{threads} "
          f"-c{connections}, work folder {work}")

    started: list[Server] = []
    try:
        t = time.perf_counter()
        data, features = peers.make_data(work, n)
        url = peers.start_cluster(work)
        peers.load_incubators(url, features)
        validated = time.perf_counter()
        peers.validate_atlas_data(data)
        print(f"atlas: data validated in {time.perf_counter() - validated:.0f} s")
        atlas_url = peers.atlas_database(url, data) if "atlas-pg" in wanted else None
        print(f"data, cluster and tables ready in {time.perf_counter() - t:.0f} s")
        xy = np.array([f["geometry"]["coordinates"] for f in features])
        bbox = [*xy.min(axis=0).tolist(), *xy.max(axis=0).tolist()]
        servers = [s for s in peers.servers(work, data, url, atlas_url, bbox) if s.name in wanted]
        startup = {}
        for server in servers:
            startup[server.name] = start(server, work, timeout=900)
            started.append(server)
            print(f"  {server.name:<9} answered after {startup[server.name]:5.1f} s "
                  f"(port {server.port}, pid {server.pid})")

        reqs = requests(features)
        print("same answers?")
        checks = check(servers, reqs)
        sizes = {req: row["bytes"] for req, row in checks.items()}

        print(f"warm-up ({warmup} s each), then {rounds} rounds")
        for req, (path, params) in reqs.items():
            for server in servers:
                if warmup:
                    wrk(server.url(path, **params), warmup, threads, connections)
        runs: dict[str, dict[str, list]] = {req: {s.name: [] for s in servers} for req in reqs}
        for r in range(rounds):
            for req, (path, params) in reqs.items():
                for server in servers:
                    out = wrk(server.url(path, **params), seconds, threads, connections)
                    runs[req][server.name].append(out)
                    print(f"  round {r + 1} {req:<28} {server.name:<9} {out['rps']:8.1f} req/s "
                          f"p50 {out['p50_us'] / 1000:7.1f} ms  load {out['loadavg_1min']:.1f}"
                          + (f"  {out['errors_total']} errors" if out["errors_total"] else ""),
                          flush=True)
        results = {req: {name: summarise(rs) for name, rs in per.items()}
                   for req, per in runs.items()}
        memory = {s.name: {k: round(v / 1024, 1) for k, v in memory_kib(s.pid).items()}
                  for s in servers}
        pg = postgres_memory(work, url)

        print(f"\nN={n}, median of {rounds} rounds × {seconds} s, wrk -t{threads} "
              f"-c{connections}, {os.cpu_count()} cores, {stamp:%Y-%m-%d %H:%M %Z}\n")
        print(table(results, sizes))
        print(f"\n{'server':<9} {'startup s':>9} {'RSS MiB':>8} {'peak MiB':>9}")
        for s in servers:
            print(f"{s.name:<9} {startup[s.name]:>9.1f} {memory[s.name]['VmRSS']:>8.1f} "
                  f"{memory[s.name]['VmHWM']:>9.1f}")
        clients = ", ".join(f"{app} {v['pss_mib']} MiB in {v['backends']} backends"
                            for app, v in pg["clients"].items())
        print(f"PostgreSQL: {pg['cluster_pss_mib']} MiB PSS in {pg['processes']} processes "
              f"({clients})")
        total = time.perf_counter() - began
        print(f"load average (1, 5, 15 min) at start {load_start}, at end {load_average()}: "
              "the benchmark alone keeps about 3 busy (wrk's 2 threads, a server), more means "
              "other work on the machine competed")
        print(f"benchmark took {total / 60:.1f} min")

        out = HERE / "results" / f"{stamp:%Y-%m-%d}-{n}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps({
            "date": stamp.isoformat(timespec="seconds"), "n": n, "seconds": seconds,
            "rounds": rounds, "warmup_seconds": warmup,
            "load": f"wrk -t{threads} -c{connections} -d{seconds}s --timeout 30s",
            "machine": {"cores": os.cpu_count(), "platform": platform.platform(),
                        "python": platform.python_version(), "loadavg_at_start": load_start,
                        "loadavg_at_end": load_average()},
            "peers": peer_versions(),
            "requests": {name: {"path": p, "params": q} for name, (p, q) in reqs.items()},
            "checks": checks, "results": results,
            "startup_seconds": startup, "memory_mib": memory, "postgres_memory": pg,
            "total_seconds": round(total),
        }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out}")
        return 0
    finally:
        for server in started:
            stop(server)
        peers.stop_cluster(work)


def peer_versions() -> dict[str, str]:
    """Pinned versions of the peers, from requirements.lock."""
    pins = dict(line.strip().split("==", 1) for line in
                (HERE / "requirements.lock").read_text().splitlines() if "==" in line)
    return {k: pins[k] for k in ("tipg", "pygeoapi", "uvicorn", "asyncpg", "SQLAlchemy",
                                 "psycopg2-binary") if k in pins}


if __name__ == "__main__":
    sys.exit(main())
