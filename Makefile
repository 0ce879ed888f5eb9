# Jinjiang Innovation Atlas — two commands: `make run` and `make test`.
# Both set everything up on a fresh machine (venv, pinned Python packages,
# pinned front-end assets, and for tests Debian's chromium and gdal-bin).

HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := vendor/node_modules/.package-lock.json

.PHONY: run test bench bench-peers load validate setup system-deps clean

run: setup
	$(VENV)/bin/uvicorn server:app --host $(HOST) --port $(PORT) --no-proxy-headers --no-access-log --log-config atlas/web/logging.json --h11-max-incomplete-event-size 65536 --timeout-keep-alive 5

# The whole suite on the GeoJSON files, then again on a throwaway PostgreSQL + PostGIS cluster
# (but the read-only page and client tests, FILES_PASS_ONLY in tests/conftest.py).
test: setup system-deps
	ATLAS_REQUIRE_POSTGIS=1 ATLAS_REQUIRE_QGIS=1 $(PY) -m pytest -q
	ATLAS_REQUIRE_POSTGIS=1 ATLAS_TEST_BACKEND=postgis $(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) benchmarks/run.py

# The atlas's OGC API beside TiPg and pygeoapi (their own venv, pinned in benchmarks/peers/)
# on BENCH_N (100000) synthetic incubators in a throwaway PostGIS; ~13 min, not part of `test`.
# How to read it: benchmarks/peers/bench.py.
bench-peers: setup system-deps
	benchmarks/peers/run.sh

# The server as `make run` starts it, under 50 connections × 60 s of mixed requests (wrk):
# requests, errors (must be 0), p50/p99 and memory before/after.  CONNECTIONS, DURATION (s).
load: setup
	command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; $$SUDO apt-get install -y -qq wrk; }
	$(PY) benchmarks/load/run.py

validate: setup
	$(VENV)/bin/atlas validate

setup: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c requirements.lock -e '.[test]'
	touch $@

$(ASSETS): vendor/package.json vendor/package-lock.json
	npm ci --prefix vendor --no-audit --no-fund --ignore-scripts
	touch $@

# Debian packages the tests drive: headless Chromium, GDAL's ogrinfo/ogr2ogr, and poppler's
# pdftoppm/pdftotext (reading the printed PDFs), PostgreSQL 15 + PostGIS 3 (a throwaway cluster
# per test session: scripts/pg-cluster), QGIS (PyQGIS for the system python3, as a real OGC
# client and file writer) and LibreOffice Calc (opening the spreadsheet exports).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v ogrinfo >/dev/null || missing="$$missing gdal-bin"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	test -x /usr/lib/postgresql/15/bin/initdb || missing="$$missing postgresql-15"; \
	test -f /usr/share/postgresql/15/extension/postgis.control || missing="$$missing postgresql-15-postgis-3"; \
	fc-list 2>/dev/null | grep -qi "noto.*cjk" || missing="$$missing fonts-noto-cjk"; \
	lean=""; \
	/usr/bin/python3 -c "import qgis.core" 2>/dev/null || lean="$$lean python3-qgis qgis-providers"; \
	command -v soffice >/dev/null || lean="$$lean libreoffice-calc-nogui"; \
	if [ -n "$$missing$$lean" ]; then \
	  echo "installing$$missing$$lean"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq \
	  && { [ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; } \
	  && { [ -z "$$lean" ] || DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$lean; }; \
	fi

clean:
	rm -rf $(VENV) vendor/node_modules tests/artifacts benchmarks/peers/.venv
