"""Real desktop-GIS clients against a real atlas server: QGIS (PyQGIS 3.22) and GDAL's ogr2ogr.

QGIS is installed for Debian's python, not the virtualenv's, so ``tests/clients/qgis_client.py``
runs under ``/usr/bin/python3`` (offscreen) and writes what QGIS saw as JSON.  It loads every
collection as an OAPIF layer, saves each with QGIS's own writer to GPKG, Shapefile, CSV, XLSX
and KML and reads the files back, and runs ``native:countpointsinpolygon`` on OAPIF inputs.
The tests here compare all of that with what the server serves on ``/ogc/collections/{id}/items``
(every page, following ``next`` links) — never with a hard-coded expectation — once on the
shipped data and once on a copy with 20 000 synthetic incubators.

The GDAL test counts, inside the server process, the items requests ``ogr2ogr`` sends.

QGIS missing: the QGIS tests are skipped, unless ``ATLAS_REQUIRE_QGIS`` is set (then they fail).
Run on the files backend only: the OGC layer is the same code on PostGIS, and the module costs
about a minute (almost all of it the 20 000-feature run: QGIS loading, saving five times and
reading back 20 000 features).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import shapely
from shapely import wkt as shapely_wkt
from shapely.geometry import shape

from atlas.testing import write_synthetic_data
from tests.conftest import BACKEND, SHIPPED_DATA
from tests.servers import Server

pytestmark = pytest.mark.skipif(
    BACKEND != "files", reason="desktop-GIS client tests run in the files-backend pass only: the "
                               "OGC API layer they exercise is the same code on PostGIS")

SYSTEM_PYTHON = "/usr/bin/python3"
CLIENT = Path(__file__).parent / "clients" / "qgis_client.py"
SYNTHETIC_N = 20_000
FORMATS = ("GPKG", "SHP", "CSV", "XLSX", "KML")
SHOWN = 20  # failures listed per assertion
SHP_TEXT_BYTES = 254
NO_EMPTY_VS_NULL = {"CSV", "SHP", "XLSX"}
"""Formats where an empty text and NULL read back the same: CSV has no NULL (an empty cell);
a DBF stores both as blanks; GDAL reads an XLSX cell holding "" as NULL."""
POLYGONS = "towns"
GDAL_MAX_ITEMS_REQUESTS = 25


# ------------------------------------------------------------------ the server
def serve_logged(env: dict, port: int, log: str) -> None:
    """The child: a whole atlas server that appends every HTTP request line to ``log``."""
    os.environ.update(env)
    import uvicorn

    from atlas.config import Settings
    from atlas.web.app import create_app

    app = create_app(Settings())

    async def logged(scope, receive, send):
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            with open(log, "a", encoding="utf-8") as out:
                out.write(f"{scope['method']} {scope['path']}{'?' + query if query else ''}\n")
        await app(scope, receive, send)

    uvicorn.run(logged, host="127.0.0.1", port=port, log_level="warning")


class LoggedServer(Server):
    """An atlas server process (as :class:`tests.servers.Server`) that logs its requests."""

    def __init__(self, env: dict, log: Path):
        super().__init__(env)
        self.log = log
        log.write_text("", encoding="utf-8")

    start_timeout = 120.0  # 20 000 synthetic features to load

    def child(self):
        """The logging server instead of the plain one."""
        return serve_logged, (self.env, self.port, str(self.log))

    def requests(self) -> list[str]:
        """Every request line the server has received so far ("GET /path?query")."""
        return self.log.read_text(encoding="utf-8").splitlines()


def start_server(folder: Path, tmp: Path) -> LoggedServer:
    env = {"ATLAS_DATA_DIR": str(folder), "ATLAS_TILES": "none", "ATLAS_DATABASE_URL": "",
           "ATLAS_USERS_FILE": str(tmp / "no-users.json"), "ATLAS_SECRET_KEY": "test-qgis"}
    server = LoggedServer(env, tmp / "requests.log")
    server.start()
    return server


@pytest.fixture(scope="module")
def shipped_server(tmp_path_factory) -> Iterator[LoggedServer]:
    server = start_server(SHIPPED_DATA, tmp_path_factory.mktemp("qgis-shipped"))
    yield server
    server.kill()


@pytest.fixture(scope="module")
def synthetic_server(tmp_path_factory) -> Iterator[LoggedServer]:
    tmp = tmp_path_factory.mktemp("qgis-synthetic")
    write_synthetic_data(tmp / "geo", SYNTHETIC_N)
    server = start_server(tmp / "geo", tmp)
    yield server
    server.kill()


# ------------------------------------------------------------ what the server serves
@dataclass
class Served:
    """One collection as the server serves it: numberMatched and every feature, by id."""

    matched: int
    features: dict[str, dict] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Every property name any feature has, in first-seen order."""
        seen: dict[str, None] = {}
        for feature in self.features.values():
            seen.update(dict.fromkeys(feature["properties"]))
        return list(seen)


def served_collections(url: str) -> dict[str, Served]:
    """Every collection of the server at ``url``, read by following ``next`` links."""
    out: dict[str, Served] = {}
    with httpx.Client(timeout=120) as http:
        listing = http.get(f"{url}/ogc/collections", params={"f": "json"}).json()
        for collection in [c["id"] for c in listing["collections"]]:
            response = http.get(f"{url}/ogc/collections/{collection}/items",
                                params={"f": "json", "limit": 1000})
            served = None
            while True:
                assert response.status_code == 200, f"{collection}: {response.text[:300]}"
                page = response.json()
                served = served or Served(page["numberMatched"])
                for feature in page["features"]:
                    key = str(feature["id"])
                    if key in served.features:
                        served.duplicates.append(key)
                    served.features[key] = feature
                nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
                if not nxt:
                    break
                response = http.get(nxt[0])
            out[collection] = served
    return out


# ----------------------------------------------------------------- the QGIS runs
def qgis_missing() -> str:
    """Why QGIS cannot run here ("" when it can)."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} does not exist, so PyQGIS (Debian's python3-qgis) cannot run"
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True,
                          env=client_env(), timeout=120)
    if done.returncode == 0:
        return ""
    last = (done.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
    return f"PyQGIS does not import in {SYSTEM_PYTHON} ({last}); install Debian's python3-qgis"


def client_env() -> dict:
    """The environment for Debian's python: none of the virtualenv's, Qt offscreen."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "PYTHONNOUSERSITE": "1"}


@pytest.fixture(scope="module")
def qgis_available() -> None:
    why = qgis_missing()
    if why:
        if os.environ.get("ATLAS_REQUIRE_QGIS"):
            pytest.fail(f"ATLAS_REQUIRE_QGIS is set but {why}", pytrace=False)
        pytest.skip(why)


@dataclass
class Run:
    """One QGIS client run against one server."""

    name: str
    server: LoggedServer
    served: dict[str, Served]
    result: dict
    points: list[str]
    seconds: float
    out: Path


@pytest.fixture(scope="module", params=["shipped", f"synthetic-{SYNTHETIC_N}"])
def run(request, qgis_available, tmp_path_factory) -> Run:
    synthetic = request.param != "shipped"
    server = request.getfixturevalue("synthetic_server" if synthetic else "shipped_server")
    out = tmp_path_factory.mktemp(f"qgis-{request.param}")
    started = time.monotonic()
    served = served_collections(server.url)
    points = ["platforms", "incubators"] if synthetic else ["platforms"]
    done = subprocess.run(
        [SYSTEM_PYTHON, str(CLIENT), server.url, str(out), "--collections", ",".join(served),
         "--polygons", POLYGONS, "--points", ",".join(points)],
        env=client_env(), capture_output=True, timeout=1800)
    stderr = done.stderr.decode("utf-8", errors="replace")
    result_file = out / "result.json"
    assert done.returncode == 0 and result_file.exists(), \
        f"the QGIS client failed (exit {done.returncode}):\n{stderr[-3000:]}"
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result["stderr"] = stderr
    seconds = time.monotonic() - started
    print(f"\nQGIS run {request.param}: {seconds:.1f} s (client timings {result['timings']})")
    return Run(request.param, server, served, result, points, seconds, out)


# ---------------------------------------------------------------- comparisons
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def same_instant(expected: str, got: str) -> bool:
    """Two ISO date-times naming the same instant (QGIS writes milliseconds, the server may not)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(expected.replace("Z", "+00:00")) == \
            datetime.fromisoformat(got.replace("Z", "+00:00"))
    except ValueError:
        return False


def equal(expected: Any, got: Any) -> bool:
    """``got`` (as QGIS read it) is the server's value: JSON null ≡ NULL, lists as lists,
    numbers by value, dates and date-times as ISO strings."""
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, (int, float)):
        return isinstance(got, (int, float)) and got == expected
    if isinstance(expected, str):
        return isinstance(got, str) and (got == expected or (
            "T" in expected and "T" in got and same_instant(expected, got)))
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and \
            all(equal(e, g) for e, g in zip(expected, got))
    if isinstance(expected, dict):
        return isinstance(got, dict) and set(got) == set(expected) and \
            all(equal(expected[k], got[k]) for k in expected)
    return got == expected


def leaves(value: Any) -> list[str]:
    """The texts a list item must show when the list is written as text."""
    if isinstance(value, dict):
        return [t for item in value.values() for t in leaves(item)]
    if isinstance(value, list):
        return [t for item in value for t in leaves(item)]
    if value is None:
        return []
    if isinstance(value, bool):
        return [str(value).lower()]
    return [str(value)]


def contains(text: str, item: str) -> bool:
    """``item`` appears in ``text``: as is, or as an item of the JSON array ``text`` is
    (GDAL's CSV writer writes a list as JSON, with "/" escaped as "\\/")."""
    if item in text:
        return True
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return isinstance(parsed, list) and item in [t for value in parsed for t in leaves(value)]


def kept(fmt: str, expected: Any, got: Any) -> str:
    """"" when ``got`` (read back from a ``fmt`` file) keeps the server's value, else why not.

    Format limits allowed: an empty text and NULL are one value in CSV, Shapefile and XLSX
    (:data:`NO_EMPTY_VS_NULL`); CSV and KML write dates as YYYY/MM/DD and CSV every value as
    text; a format with no list type holds a list as text, which must contain every item; a
    Shapefile text is cut at 254 bytes, but only a longer one.
    """
    if equal(expected, got):
        return ""
    if expected is None:
        return "" if fmt in NO_EMPTY_VS_NULL and got == "" else "NULL not kept"
    if got is None:
        return "" if fmt in NO_EMPTY_VS_NULL and expected == "" else "value lost (read back as NULL)"
    if isinstance(expected, list):
        if not isinstance(got, str):
            return "list read back as neither a list nor text"
        items = [t for item in expected for t in leaves(item)]
        missing = [item for item in items if not contains(got, item)]
        if not missing:
            return ""
        if fmt == "SHP" and len(got.encode()) > SHP_TEXT_BYTES - 4 and \
                len(",".join(items).encode()) > SHP_TEXT_BYTES and missing == items[-len(missing):]:
            return ""  # cut at 254 bytes: the items lost are the last ones
        return f"list items missing from the text: {show(missing[:3])}"
    if isinstance(expected, str) and isinstance(got, str):
        match = ISO_DATE.match(expected)
        if match and fmt in ("CSV", "KML") and got == "/".join(match.groups()):
            return ""
        if fmt == "SHP" and cut_at_shp_limit(expected, got):
            return ""
        if expected.startswith(got.rstrip("\ufffd")):
            return f"text cut to {len(got.encode())} of {len(expected.encode())} bytes"
        return "text differs"
    if isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(got, str):
        try:
            return "" if float(got) == expected else "number differs"
        except ValueError:
            return "number read back as non-numeric text"
    return "value differs"


def cut_at_shp_limit(expected: str, got: str) -> bool:
    """``got`` is ``expected`` cut at the Shapefile's 254 bytes of UTF-8 (and, as the DBF pads
    with spaces, without trailing spaces); a cut through a character shows as U+FFFD."""
    data = expected.encode()
    if len(data) <= SHP_TEXT_BYTES:
        return False
    whole = data[:SHP_TEXT_BYTES].decode("utf-8", errors="ignore").rstrip(" ")
    return got.rstrip("\ufffd").rstrip(" ") == whole and \
        (got == whole or len(whole.encode()) < SHP_TEXT_BYTES)


def same_shape(expected: dict | None, wkt: str | None, tolerance: float) -> bool:
    if expected is None or wkt is None:
        return expected is None and wkt is None
    a, b = shape(expected), shapely_wkt.loads(wkt)
    if a.geom_type != b.geom_type:  # a file may hold a Polygon as a MultiPolygon, or the reverse
        a, b = (g.geoms[0] if g.geom_type.startswith("Multi") and len(g.geoms) == 1 else g
                for g in (a, b))
    return shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance)


def check(failures: list[str], what: str, tally: Counter | None = None) -> None:
    """Fail listing the first :data:`SHOWN` failures (and how many per collection and field)."""
    by_field = ""
    if tally:
        by_field = "\nfailures per field: " + ", ".join(f"{k} ×{n}" for k, n in tally.most_common())
    assert not failures, f"{what}: {len(failures)} failures{by_field}\nthe first {SHOWN}:\n  " + \
        "\n  ".join(failures[:SHOWN])


def qgis_features(record: dict, collection: str, failures: list[str], where: str) -> dict:
    """QGIS's features by their ``id`` attribute (reports missing ids and duplicates)."""
    out: dict[str, dict] = {}
    for feature in record.get("features", []):
        key = feature["attributes"].get("id")
        if key is None:
            failures.append(f"{where} {collection}: QGIS feature fid {feature['fid']} has no id")
            continue
        if str(key) in out:
            failures.append(f"{where} {collection}: id {key} twice")
        out[str(key)] = feature
    return out


def field_types(record: dict) -> str:
    return ", ".join(f"{f['name']}:{f['type_name']}" for f in record.get("fields", []))


# ---------------------------------------------------------------------- QGIS
def test_qgis_client_reports_no_errors(run: Run) -> None:
    result = run.result
    network = [line for line in result["log"]
               if not line.startswith("[Processing] Problem with ")]  # GRASS/SAGA/OTB absent
    check(result["errors"] + network, f"{run.name}: QGIS errors and warnings")


def test_every_collection_loads_with_the_servers_count(run: Run) -> None:
    failures: list[str] = []
    for collection, served in run.served.items():
        record = run.result["collections"].get(collection, {})
        assert not served.duplicates, f"the server served {collection} ids twice: {served.duplicates[:5]}"
        if not record.get("valid"):
            failures.append(f"{collection}: OAPIF layer does not load: {record.get('error')}")
            continue
        got = qgis_features(record, collection, failures, "OAPIF")
        if record["feature_count"] != served.matched:
            failures.append(f"{collection}: QGIS featureCount() {record['feature_count']} "
                            f"!= numberMatched {served.matched}")
        if len(record["features"]) != served.matched:
            failures.append(f"{collection}: QGIS read {len(record['features'])} features, "
                            f"numberMatched is {served.matched}")
        if set(got) != set(served.features):
            failures.append(f"{collection}: ids QGIS lacks {sorted(set(served.features) - set(got))[:5]}, "
                            f"ids it invented {sorted(set(got) - set(served.features))[:5]}")
    check(failures, f"{run.name}: OAPIF layers")


def one_item_as_text(expected: Any, got: Any, qgis_type: dict) -> bool:
    """QGIS 3.22's OAPIF provider typed a list field as text (it types from its first request,
    10 features, where the field was null throughout) and shows a one-item list as its item.
    The value is there; the type is QGIS's.  A longer list would arrive empty: that is a loss."""
    return (qgis_type["qvariant_name"] == "QString" and isinstance(expected, list)
            and len(expected) == 1 and got == expected[0])


def compare_values(run: Run, records: dict[str, dict], where: str,
                   allowance: Callable[[Any, Any, dict], bool] | None = None) -> None:
    """Every value of every feature QGIS read (``records`` by collection) equals the server's."""
    failures: list[str] = []
    tally: Counter = Counter()
    allowed: Counter = Counter()
    for collection, record in records.items():
        print(f"{where} fields of {collection}: {field_types(record)}")
    for collection, served in run.served.items():
        record = records.get(collection, {})
        if not record.get("valid"):
            failures.append(f"{collection}: {where} layer does not load")
            continue
        types = {f["name"]: f for f in record["fields"]}
        names = served.names
        failures += [f"{collection}: no QGIS field for property {name!r}"
                     for name in names if name not in types]
        failures += [f"{collection}: QGIS field {name!r} the server does not serve"
                     for name in types if name not in names]
        got = qgis_features(record, collection, failures, where)
        for fid, feature in served.features.items():
            if fid not in got:
                failures.append(f"{where} {collection}: no feature {fid}")
                continue
            attributes = got[fid]["attributes"]
            for name in names:
                if name not in types:
                    continue
                expected, value, kind = feature["properties"].get(name), attributes.get(name), types[name]
                if equal(expected, value):
                    continue
                if allowance is not None and allowance(expected, value, kind):
                    allowed[f"{collection}.{name}"] += 1
                    continue
                tally[f"{collection}.{name} (QGIS {kind['type_name']})"] += 1
                failures.append(f"{collection} {fid} {name} (QGIS type {kind['type_name']}/"
                                f"{kind['qvariant_name']}): server {show(expected)}, "
                                f"QGIS {show(value)}")
            if not same_shape(feature["geometry"], got[fid]["wkt"], 1e-9):
                failures.append(f"{collection} {fid} geometry: server "
                                f"{show(feature['geometry'])[:80]}, QGIS {got[fid]['wkt'][:80]}")
    if allowed:
        print(f"{run.name} {where}: one-item lists read as their item (QGIS 3.22 typing): "
              f"{dict(allowed)}")
    check(failures, f"{run.name}: {where} values", tally)


def test_qgis_reads_every_value_the_server_serves(run: Run) -> None:
    """The OAPIF provider (Data Source Manager ▸ WFS / OGC API – Features)."""
    compare_values(run, run.result["collections"], "OAPIF", allowance=one_item_as_text)


def test_qgis_through_gdal_reads_every_value_lists_included(run: Run) -> None:
    """The OGR provider over GDAL's OAPIF driver, which types fields from the schema: no
    allowance, every list a list."""
    compare_values(run, run.result["through_gdal"], "OGR/OAPIF")


@pytest.mark.parametrize("fmt", FORMATS)
def test_saved_files_keep_every_feature_and_value(run: Run, fmt: str) -> None:
    failures: list[str] = []
    tally: Counter = Counter()
    for collection, served in run.served.items():
        record = run.result["collections"].get(collection, {})
        saved = record.get("saved", {}).get(fmt)
        if saved is None:
            failures.append(f"{collection}: not saved as {fmt} (the OAPIF layer did not load)")
            continue
        if saved.get("writer_error") or not saved.get("valid"):
            failures.append(f"{collection} {fmt}: {saved.get('writer_error') or saved.get('error')}")
            continue
        if fmt == "SHP":
            cpg = Path(saved["written_file"]).with_suffix(".cpg")
            if not cpg.exists() or "UTF-8" not in cpg.read_text(errors="replace").upper():
                failures.append(f"{collection} SHP: no .cpg saying UTF-8 beside {saved['written_file']}")
        # which saved field holds which source field: by name; by position for a Shapefile
        # (whose field names are cut to 10 characters)
        source, written = saved["source_fields"], [f["name"] for f in saved["fields"]]
        if fmt == "SHP":
            mapping = dict(zip(source, written)) if len(written) == len(source) else {}
            if not mapping:
                failures.append(f"{collection} SHP: {len(written)} fields for {len(source)}: {written}")
        else:
            mapping = {name: name for name in source if name in written}
            failures += [f"{collection} {fmt}: field {name!r} not written"
                         for name in source if name not in written]
        got = qgis_features(saved, collection, failures, fmt)
        if len(saved["features"]) != served.matched or set(got) != set(served.features):
            failures.append(f"{collection} {fmt}: {len(saved['features'])} features read back, "
                            f"numberMatched {served.matched}; ids lost "
                            f"{sorted(set(served.features) - set(got))[:5]}")
        types = {f["name"]: f["type_name"] for f in saved["fields"]}
        for fid, feature in served.features.items():
            if fid not in got:
                continue
            attributes = got[fid]["attributes"]
            for name, column in mapping.items():
                if name not in feature["properties"]:
                    continue
                expected, value = feature["properties"][name], attributes.get(column)
                why = kept(fmt, expected, value)
                if why:
                    tally[f"{collection}.{name} ({why.split(':')[0]})"] += 1
                    failures.append(f"{collection} {fmt} {fid} {name} (as {column}:{types[column]}): "
                                    f"{why}: server {show(expected)}, file {show(value)}")
            if got[fid]["wkt"] is not None or fmt in ("GPKG", "SHP", "KML"):
                if not same_shape(feature["geometry"], got[fid]["wkt"], 1e-7):
                    failures.append(f"{collection} {fmt} {fid}: geometry differs: "
                                    f"{str(got[fid]['wkt'])[:80]}")
    check(failures, f"{run.name}: saved as {fmt}", tally)


def test_count_points_in_polygon_matches_shapely(run: Run) -> None:
    failures: list[str] = []
    towns = run.served[POLYGONS].features
    ids = list(towns)
    polygons = [shape(towns[i]["geometry"]) for i in ids]
    for name in run.points:
        record = run.result["processing"].get(name)
        if not record or record.get("error"):
            failures.append(f"{name}: no processing output: {record and record.get('error')}")
            continue
        rows = record["rows"]
        got = Counter(str(row["id"]) for row in rows)
        if len(rows) != len(ids) or set(got) != set(ids) or max(got.values()) > 1:
            failures.append(f"{name}: {len(rows)} output rows for {len(ids)} towns "
                            f"(ids {sorted(got)[:5]}...)")
        points = shapely.points([shape(f["geometry"]).coords[0]
                                 for f in run.served[name].features.values()])
        counts = {}
        for town, polygon in zip(ids, polygons):
            shapely.prepare(polygon)
            inside = shapely.contains(polygon, points)
            on_edge = int(np.count_nonzero(shapely.touches(polygon, points)))
            counts[town] = int(np.count_nonzero(inside))
            if on_edge:
                failures.append(f"{name}: {on_edge} points lie on the edge of {town} (ambiguous)")
        for row in rows:
            expected = counts.get(str(row["id"]))
            if row["count"] is None or expected is None or row["count"] != expected:
                failures.append(f"{name} in {row['id']}: QGIS counts {row['count']}, shapely {expected}")
    check(failures, f"{run.name}: native:countpointsinpolygon")


# ---------------------------------------------------------------------- GDAL
@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="gdal-bin is not installed")
def test_ogr2ogr_pages_the_20000_incubators_in_few_requests_and_keeps_lists(
        synthetic_server: LoggedServer, tmp_path: Path) -> None:
    served = served_collections(synthetic_server.url)["incubators"]
    assert served.matched == SYNTHETIC_N
    before = len(synthetic_server.requests())
    target = tmp_path / "incubators.json"
    started = time.monotonic()
    done = subprocess.run(
        ["ogr2ogr", "-f", "GeoJSON", str(target), f"OAPIF:{synthetic_server.url}/ogc", "incubators"],
        env={**os.environ, "GDAL_HTTP_TIMEOUT": "60", "CPL_DEBUG": "OFF"},
        capture_output=True, timeout=600)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    sent = synthetic_server.requests()[before:]
    items = [line for line in sent if line.split(" ", 1)[1].split("?")[0]
             == "/ogc/collections/incubators/items"]
    print(f"\nogr2ogr: {seconds:.1f} s, {len(sent)} requests, {len(items)} to items: {items[:4]}...")
    assert len(items) <= GDAL_MAX_ITEMS_REQUESTS, \
        f"ogr2ogr sent {len(items)} items requests (at most {GDAL_MAX_ITEMS_REQUESTS}): {items[:5]}..."

    written = json.loads(target.read_text(encoding="utf-8"))["features"]
    failures: list[str] = []
    tally: Counter = Counter()
    got: dict[str, dict] = {}
    for feature in written:
        key = str(feature["properties"].get("id", feature.get("id")))
        if key in got:
            failures.append(f"id {key} written twice")
        got[key] = feature
    if len(written) != served.matched or set(got) != set(served.features):
        failures.append(f"{len(written)} features written, numberMatched {served.matched}; ids lost "
                        f"{sorted(set(served.features) - set(got))[:5]}")
    names = served.names
    for fid, feature in served.features.items():
        if fid not in got:
            continue
        properties = got[fid]["properties"]
        for name in names:
            expected = feature["properties"].get(name)
            value = properties.get(name)
            if not equal(expected, value):
                tally[f"incubators.{name}"] += 1
                failures.append(f"incubators {fid} {name}: server {show(expected)}, "
                                f"ogr2ogr {show(value)}")
        if not same_shape(feature["geometry"], shapely.to_wkt(shape(got[fid]["geometry"]),
                                                              rounding_precision=-1), 1e-9):
            failures.append(f"incubators {fid}: geometry differs: {got[fid]['geometry']}")
    check(failures, "ogr2ogr GeoJSON copy of incubators", tally)
