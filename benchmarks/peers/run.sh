#!/usr/bin/env bash
# `make bench-peers`: the atlas's OGC API – Features beside TiPg and pygeoapi, on the same
# synthetic incubators (BENCH_N, default 100000). How to run it and read it: bench.py's docstring.
#
# Installs what it needs (Debian's wrk; benchmarks/peers/.venv from requirements.lock, on
# Python >= 3.12 — PEERS_PYTHON, or python3.12/3.13, or a pyenv 3.12+), runs bench.py with the
# repo's .venv (`make setup` makes it), and on exit — normal, error or Ctrl-C — stops every
# server it started and the PostgreSQL cluster, and removes its work folder. Not part of `make test`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=$here/.venv

[ -x "$repo/.venv/bin/python" ] || { echo "no $repo/.venv: run 'make setup' first" >&2; exit 2; }

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk
fi

python312() {  # a Python >= 3.12 (pygeoapi 0.22+ needs it)
  local candidate prefix
  for candidate in ${PEERS_PYTHON:-} python3.13 python3.12 python3; do
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  if command -v pyenv >/dev/null; then
    for prefix in "$(pyenv root)"/versions/3.1[2-9]*; do
      [ -x "$prefix/bin/python3" ] && { echo "$prefix/bin/python3"; return 0; }
    done
  fi
  return 1
}

if [ ! -f "$venv/.installed" ] || [ "$here/requirements.lock" -nt "$venv/.installed" ]; then
  python=$(python312) || { echo "no Python >= 3.12 for pygeoapi: set PEERS_PYTHON" >&2; exit 2; }
  echo "building $venv with $python ($("$python" --version))"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.lock" \
    2>"$venv/pip.log" || { cat "$venv/pip.log" >&2; exit 1; }
  "$venv/bin/pip" check --disable-pip-version-check
  touch "$venv/.installed"
fi

work=$(mktemp -d /tmp/atlas-peers.XXXXXX)
chmod 755 "$work"  # the cluster runs as `postgres` when we are root: it must reach work/pg
child=""

cleanup() {
  local status=$? pid log
  trap - EXIT INT TERM
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  if [ -f "$work/pids" ]; then  # servers bench.py started, if it could not stop them itself
    while read -r pid; do
      if grep -qa uvicorn "/proc/$pid/cmdline" 2>/dev/null; then kill -KILL "$pid" || true; fi
    done <"$work/pids"
  fi
  if [ -f "$work/pg/data/PG_VERSION" ]; then
    "$repo/scripts/pg-cluster" stop "$work/pg" >/dev/null 2>&1 || true
  fi
  if [ "$status" != 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] && { echo "--- last lines of $(basename "$log")"; tail -n 15 "$log"; }
    done
  fi
  rm -rf "$work"
  echo "bench-peers: exit $status after $((SECONDS / 60)) min $((SECONDS % 60)) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$repo"
BENCH_WORK=$work "$repo/.venv/bin/python" "$here/bench.py" &
child=$!
status=0
wait "$child" || status=$?
child=""
exit "$status"
