"""`make load`: the atlas as `make run` starts it, under a mixed load (wrk; default 50
connections for 60 s), with the request count, errors, p50/p99 latency and the server's memory
before and after.  Nothing asserts a timing; errors (any non-2xx/3xx answer, or a failed
connection) make the exit status non-zero.

    CONNECTIONS=200 DURATION=300 make load
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from atlas.testing import free_port  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUN_FLAGS = ["--no-proxy-headers", "--no-access-log", "--log-config", "atlas/web/logging.json",
             "--h11-max-incomplete-event-size", "65536", "--timeout-keep-alive", "5"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    connections = int(os.environ.get("CONNECTIONS", "50"))
    seconds = int(os.environ.get("DURATION", "60"))
    port = free_port()
    env = {**os.environ, "ATLAS_TILES": os.environ.get("ATLAS_TILES", "none"),
           "ATLAS_USAGE_STATISTICS": "false"}
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1",
                               "--port", str(port), *RUN_FLAGS], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        subprocess.run(["wrk", "-t2", "-c", str(connections), "-d", "3s", url], check=True,
                       capture_output=True)  # warm the caches every path uses
        before = rss_mb(server.pid)
        out = subprocess.run(["wrk", "-t2", "-c", str(connections), "-d", f"{seconds}s",
                              "--timeout", "10s", "-s", str(HERE / "mix.lua"), url],
                             check=True, capture_output=True, text=True).stdout
        after = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = json.loads(out.strip().splitlines()[-1])
    errors = sum(result["errors"].values())
    print(f"{connections} connections × {seconds} s, 17 paths in turn (pages, /api, /ogc, an export)")
    print(f"requests {result['requests']} ({result['requests'] / seconds:.0f}/s), errors {errors} "
          f"{result['errors']}")
    print(f"latency p50 {result['p50_us'] / 1000:.1f} ms, p90 {result['p90_us'] / 1000:.1f} ms, "
          f"p99 {result['p99_us'] / 1000:.1f} ms, max {result['max_us'] / 1000:.1f} ms")
    print(f"server RSS before {before:.0f} MB, after {after:.0f} MB")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
