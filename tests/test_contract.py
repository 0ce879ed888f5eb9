"""The OpenAPI contract: Schemathesis fuzzes every operation of both documents — the app's
``/openapi.json`` and the OGC API's ``/ogc/api`` — against a live server, with every check on:
no 5xx, only documented status codes, content types, response schemas and headers, valid
requests accepted, invalid ones refused, undocumented methods answered 405 with ``Allow``.

The server is a separate process on a throwaway copy of the data (files or PostGIS, as the
suite runs), with an editor's bearer token on every request, so the writes are fuzzed too.
Deterministic (fixed seed, derandomized, no example database) and bounded: the coverage phase
(each parameter's boundary and invalid values) plus :data:`MAX_EXAMPLES` fuzzed cases per
operation.

Schema-valid requests must be accepted (2xx, or 401/403/404/409/414/429), except where a rule
of the API cannot be written as a JSON Schema; :data:`BEYOND_SCHEMA` lists each such rule and
the refusal it brings.  Whatever the OGC document says of the page size, a larger ``limit`` is
paged with the maximum, as OGC API – Features requires (:func:`asks_beyond_page_size`).
"""

from __future__ import annotations

import re
import shutil

import httpx
import pytest
import schemathesis
from schemathesis import engine
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.engine import events

from atlas.ogc.params import LIMIT_MAX
from tests.conftest import BACKEND, SHIPPED_DATA, load_into_postgis
from tests.servers import Server, editor_env

SEED = 20260401
MAX_EXAMPLES = 10
"""Fuzzed cases per operation, beyond the coverage phase's own."""
SLOW = {"/api/coverage/next": 5}
"""Operations whose every accepted request solves an optimisation (about a second): fewer
fuzzed cases, and no coverage phase (its dozens of boundary cases would each solve one)."""

ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "414", "429"]
"""Schemathesis' default answers to a schema-valid request, less 5xx (never acceptable), plus
414: a URL longer than the server takes (:data:`atlas.web.hosts.MAX_URL`; documented on every
operation), which a long enough text parameter of non-ASCII characters makes."""
SLOWEST_S = 30
"""No answer may take longer (the ``max_response_time`` check; the slowest, a where-next
optimisation on a busy machine, takes a few seconds)."""
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429"]
"""Schemathesis' default answers to a schema-violating request, less 5xx, plus 414."""

BEYOND_SCHEMA: dict[str, tuple[list[str], str]] = {
    r"^/api/(locate|nearest|within)$": (
        ["400", "422"], "a place farther than 20 km beyond the city is refused (422), and so are "
                        "swapped lon/lat, malformed bbox or polygon text, and a request with "
                        "no or several of point, bbox and polygon (400)"),
    r"^/api/search$": (["400"], "a q with no letter or digit has nothing to search for"),
    r"^(/api/(entities|clusters|coverage.*)|/export\.[a-z.]+)$": (
        ["400"], "zone and town ids must exist in the data; the clusters' bbox, the coverage "
                 "radii and the what-if sites are texts with their own syntax and ranges"),
    r"^/api/corrections$": (["400"], "the entity must exist, a position must lie in the city"),
    r"^/api/enquiries$": (
        ["400"], "the contact must be a phone number or an e-mail address, the texts must hold "
                 "more than white space, the entity must exist or an atlas link be given"),
    r"^/api/enquiries/\{number\}$": (
        ["400"], "an assignee must be a staff user, and notes at most 2 000 characters once "
                 "cleaned"),
    r"^/api/features/\{layer\}/\{entity_id\}$": (
        ["400", "412", "422"], "a written feature is checked by the layer's rules (the data "
                               "validation), an update needs the current ETag"),
    r"^/api/(history/\{number\}/undo|corrections/\{number\}/(accept|reject))$": (
        ["422"], "an undo or a correction's move must leave valid data"),
    r"^/api/import$": (["400", "413", "415", "422"], "the uploaded file must be one the atlas "
                                                     "reads, of a layer's rows"),
    r"^/collections/[a-z]+/items$": (
        ["400"], "bbox latitudes lie in -90…90, and its minimum is not above its maximum"),
}


def contract_config(token: str, base_url: str | None = None) -> SchemathesisConfig:
    """The run: every check, fixed seed, bounded examples, the editor's token (and where the
    API is, for a document that does not come from it)."""
    operations = [{"include-path-regex": path,
                   "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED + extra}}}
                  for path, (extra, _why) in BEYOND_SCHEMA.items()]
    operations += [{"include-path": path, "phases": {"coverage": {"enabled": False}},
                    "generation": {"max-examples": examples}} for path, examples in SLOW.items()]
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {"enabled": True,
                   "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                   "negative_data_rejection": {"expected-statuses": REFUSED},
                   "not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx"]},
                   "max_response_time": SLOWEST_S},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True},
                   "fuzzing": {"enabled": True}},
        "operations": operations,
        **({"base-url": base_url} if base_url else {}),
    })


@pytest.fixture(scope="module")
def contract_server(request, tmp_path_factory):
    """A server process on a throwaway copy of the data, and its editor's token."""
    tmp = tmp_path_factory.mktemp("contract")
    data = tmp / "geo"
    shutil.copytree(SHIPPED_DATA, data, ignore=shutil.ignore_patterns(".atlas"))
    cluster = request.getfixturevalue("postgis_cluster") if BACKEND == "postgis" else None
    storage = load_into_postgis(cluster.new_database(), data) if cluster else None
    env, token = editor_env(storage, data, tmp)
    server = Server(env)
    server.start()
    yield server.url, token
    server.kill()
    if storage is not None:
        storage.close()
        cluster.drop_database(storage.url)


def shorten(text: str, most: int = 2000) -> str:
    """``text`` cut to ``most`` characters (a fuzzed URL can be 16 KiB)."""
    return text if len(text) <= most else text[:most] + " …"


def run(schema) -> list[str]:
    """Every operation of ``schema`` through every phase (Schemathesis' engine, as its command
    line runs them); what went wrong, one paragraph each."""
    found = []
    for event in engine.from_schema(schema).execute():
        if isinstance(event, (events.ScenarioFinished, events.FuzzScenarioFinished)):
            for checks in event.recorder.checks.values():
                found += [shorten(f"{event.recorder.label}: {check.failure_info.failure.title}\n"
                                  f"{check.failure_info.failure.message}\n"
                                  f"{check.failure_info.code_sample}")
                          for check in checks if check.failure_info is not None]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            label = getattr(event, "label", "the run")
            found.append(shorten(f"{label}: {event.info.title}\n{event.info.message}"))
    return found


def test_the_app_keeps_its_openapi_contract(contract_server):
    url, token = contract_server
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=contract_config(token))
    assert len(schema) > 30, "the document lists too few operations"
    failures = run(schema)
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures)


def test_a_broken_contract_is_caught(contract_server):
    """The run fails when the document and the answers disagree: here, a /api/search document
    that promises a member its answers never carry."""
    url, token = contract_server
    doc = httpx.get(f"{url}/openapi.json").json()
    ok = doc["paths"]["/api/search"]["get"]["responses"]["200"]["content"]["application/json"]
    ok["schema"]["required"].append("never_sent")
    doc["paths"] = {"/api/search": doc["paths"]["/api/search"]}
    failures = run(schemathesis.openapi.from_dict(doc, config=contract_config(token, base_url=url)))
    assert failures and all("Response violates schema" in f for f in failures), failures


LIMIT = re.compile(r"[+-]?[0-9]{1,18}")


def asks_beyond_page_size(case) -> bool:
    """Whether an items request asks for more than a page may hold (a whole number of at most
    18 digits above :data:`LIMIT_MAX`)."""
    limit = str((case.query or {}).get("limit", ""))
    return LIMIT.fullmatch(limit) is not None and int(limit) > LIMIT_MAX


def test_the_ogc_api_keeps_its_openapi_contract(contract_server):
    url, token = contract_server
    schema = schemathesis.openapi.from_url(f"{url}/ogc/api?f=json", config=contract_config(token))
    assert len(schema) > 20, "the document lists too few operations"

    @schema.hook
    def filter_failure(context, failure, case, response) -> bool:
        """OGC API – Features /req/core/fc-limit-response-1: a limit above the maximum the
        document declares is no error, the server pages with its maximum instead; so a 200
        for it is kept from the negative-data check (and the page must hold no more)."""
        if failure.code == AcceptedNegativeData.code and asks_beyond_page_size(case) \
                and response.status_code == 200:
            media = response.headers.get("content-type", [""])[0]
            return "json" in media and len(response.json().get("features", ())) > LIMIT_MAX
        return True

    failures = run(schema)
    assert not failures, f"{len(failures)} failure(s):\n\n" + "\n\n".join(failures)


PATH_VALUES = {"layer": "platforms", "entity_id": "no-such-entity", "number": "1", "fmt": "csv"}


def test_every_api_and_export_operation_refuses_unknown_parameters(client):
    """One rule under /api and /export: a parameter the operation does not take is a 400 that
    names it (a typo such as ``radius=`` never silently does nothing)."""
    paths = client.get("/openapi.json").json()["paths"]
    checked, lax = 0, []
    for path, item in paths.items():
        if not path.startswith(("/api/", "/export")):
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES[m.group(1)], path)
        for method in item:
            answer = client.request(method.upper(), url, params={"colour": "red"})
            checked += 1
            if answer.status_code != 400 or "colour" not in answer.json()["detail"]:
                lax.append(f"{method.upper()} {path}: {answer.status_code} {answer.text[:200]}")
    assert checked > 40
    assert not lax, "\n".join(lax)
