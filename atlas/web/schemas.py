"""What the app's API answers, as its OpenAPI document (``/openapi.json``) tells it.

Routes build their bodies themselves (plain dicts, fast JSON, files); the pydantic models here
describe those bodies, and :func:`responses` turns a route's possible answers — status, media
types, models — into its ``responses=`` declaration, so the document says exactly what each
route sends and nothing it never sends.  The contract test (tests/test_contract.py, Schemathesis)
holds every route to it.

Shared answers, documented on every operation: the host check's 400 and the size limits' 414
and 431 (``text/plain``, :mod:`atlas.web.hosts`); a 304 on the data answers that carry an ETag
(:mod:`atlas.web.http`).  Errors are ``application/problem+json`` (:class:`Problem`); under
``/api/`` a request that asked for HTML gets the HTML error page instead (:mod:`atlas.web.errors`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from atlas.ogc.media import HTML, JSON  # noqa: F401  (JSON: for the routes' declarations)
from atlas.web.errors import PROBLEM_JSON

TEXT = "text/plain"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------ shared shapes
class Open(BaseModel):
    """A JSON object that may carry more members than those listed."""

    model_config = ConfigDict(extra="allow")


class Problem(Open):
    """An error, as RFC 9457 problem details; ``detail`` says what to fix."""

    type: str = Field(description="about:blank")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str | None = Field(None, description="The path asked for")
    errors: list[dict[str, Any]] | None = Field(
        None, description="Refused writes and corrections: each problem with its field")
    retry_after: int | None = Field(None, description="429: seconds to wait")


class Geometry(Open):
    """A GeoJSON geometry (RFC 7946)."""

    type: Literal["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon", "GeometryCollection"]
    coordinates: list[Any] | None = None
    geometries: list[dict[str, Any]] | None = None


class Feature(Open):
    """A GeoJSON Feature."""

    type: Literal["Feature"]
    id: str | int | None = None
    geometry: Geometry | None
    properties: dict[str, Any] | None


class FeatureCollection(Open):
    """A GeoJSON FeatureCollection (foreign members say more where a route adds them)."""

    type: Literal["FeatureCollection"]
    features: list[Feature]


LonLat = list[float]


# ------------------------------------------------------------------ the atlas page (browse.py)
class MapProperties(Open):
    """A map feature's drawing fields and its labels in the page language."""

    layer: str
    display_name: str
    name_fallback: bool
    display_kind: str
    display_status: str
    display_level: str | None
    display_precision: str
    url: str
    label_point: LonLat | None = Field(None, description="Where an area's label goes")


class MapFeature(Feature):
    """An entity as the atlas page draws it (positions on the basemap's datum)."""

    id: str
    properties: MapProperties


class ClusterProperties(BaseModel):
    """Points of one grid cell drawn as one marker."""

    cluster: Literal[True]
    count: int = Field(ge=1)
    bbox: list[float] = Field(min_length=4, max_length=4)


class ClusterFeature(Feature):
    """A cluster marker."""

    id: str
    properties: ClusterProperties


class Entities(FeatureCollection):
    """The filtered entities with their counts (``/api/entities``)."""

    features: list[MapFeature]
    numberMatched: int = Field(ge=0)
    counts: dict[str, dict[str, int]] = Field(description="Facet -> value -> entities")
    version: str = Field(description="The data version")
    clustered: bool = Field(description="Too many to draw one by one: `features` holds the "
                                        "list's first ones, the map comes from /api/clusters")
    bbox: list[float] | None = Field(None, description="Extent of them all (when clustered)")
    search: dict[str, Any] | None = Field(None, description="With `q`: how the query matched")


class Clusters(FeatureCollection):
    """A filter's entities in a view, points grouped by grid cell (``/api/clusters``)."""

    features: list[ClusterFeature | MapFeature]
    numberInView: int = Field(ge=0)
    zoom: int


# ------------------------------------------------------------------ spatial queries (api.py)
class Hit(BaseModel):
    """An entity in a query's answer: names, kind, a representative point, the distance."""

    id: str
    layer: str
    kind: str
    name_zh: str
    name_en: str | None
    town: str | None
    point: LonLat = Field(description="In `out_crs`")
    distance_m: float | None = Field(None, description="From the query place (0 inside an area)")


class Answer(BaseModel):
    """A query's answer: the query as understood, then its results."""

    query: dict[str, Any]


class Located(Answer):
    """What contains a point, and the nearest platforms."""

    in_city: bool
    in_corridor: bool
    corridor_distance_m: float | None
    town: Hit | None
    zones: list[Hit]
    parks: list[Hit]
    nearest: list[Hit]


class Results(Answer):
    """Entities, best or nearest first."""

    results: list[Hit]


class Family(Answer):
    """An entity, its ancestors nearest first, and its children."""

    entity: Hit
    ancestors: list[Hit]
    children: list[Hit]


class AnswerFeatures(FeatureCollection):
    """The answer's entities as GeoJSON (``f=geojson``): ``role`` names each one's group; the
    query and the facts ride along."""

    query: dict[str, Any]


# ------------------------------------------------------------------ planning (coverage_api.py)
class Column(BaseModel):
    """A table column: its key in the rows, its bilingual label."""

    key: str
    label: list[str] = Field(description="[zh, en]")


class Table(BaseModel):
    """A table as the downloads have it: bilingual title and columns, rows, source."""

    name: str
    title: list[str] = Field(description="[zh, en]")
    columns: list[Column]
    rows: list[dict[str, Any]]
    source: list[str] | None


class Tables(Open):
    """An analysis: its headline numbers, then its tables."""

    tables: list[Table]


class Coverage(Tables):
    """Coverage per unit, today and in the what-if scenario."""

    query: dict[str, Any]
    facilities: int = Field(ge=0)
    unplaced: list[str]
    city_covered_pct: float
    demand: dict[str, Any]
    city_baseline_pct: float | None = None


class Siting(Tables):
    """Where next: the chosen sites and what they add."""

    query: dict[str, Any]
    status: str = Field(description="The solver's status: Optimal when proven best")
    demand_total: float
    covered_before: float
    covered_after: float
    candidates: int = Field(ge=0)


# ------------------------------------------------------------------ editing (edit_api.py, …)
class StoredFeature(Feature):
    """A feature as stored, with its layer (its ETag is in the header)."""

    id: str
    layer: str


class ChangeSummary(BaseModel):
    """One feature a write changed, and its new ETag (none once deleted)."""

    layer: str
    id: str
    action: Literal["create", "update", "delete"]
    etag: str | None


class CommitSummary(BaseModel):
    """A write as recorded: its number, author, time, message and each change's new ETag."""

    commit: int = Field(ge=1)
    author: str
    time: str
    message: str
    undoes: int | None
    changes: list[ChangeSummary]


class Change(BaseModel):
    """One feature a commit changed: before and after (null: absent)."""

    layer: str
    id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Commit(BaseModel):
    """A recorded write."""

    number: int = Field(ge=1)
    author: str
    time: str
    message: str
    changes: list[Change]
    undoes: int | None


class History(BaseModel):
    """Commits, newest first."""

    commits: list[Commit]


class Rejected(BaseModel):
    """An import row refused: its number as the user sees it, its id, why."""

    row: int | None
    id: str | None
    reason: str


class ImportReport(BaseModel):
    """What an import did (or, as a dry run, would do)."""

    layer: str
    file: str
    rows: int
    added: list[str]
    changed: list[str]
    unchanged: list[str]
    rejected: list[Rejected]
    ignored_columns: list[str]
    applied: bool
    commit: int | None


class Received(BaseModel):
    """A correction stored for the editors (201), or a report dropped unseen (202)."""

    status: str
    number: int | None = None
    entity: str | None = None
    time: str | None = None


class Correction(Open):
    """A reported correction, with its entity's names and links (editors)."""

    number: int
    entity_id: str
    time: str
    message: str
    lon: float | None
    lat: float | None
    contact: str | None
    status: Literal["pending", "accepted", "rejected"]
    layer: str | None
    profile: str | None
    edit_url: str
    movable: bool


class Decided(Correction):
    """An accepted correction, with the commit that moved its point (if it did)."""

    applied: CommitSummary | None = None


class CorrectionList(BaseModel):
    """Reported corrections, newest first."""

    corrections: list[Correction]


# ------------------------------------------------------------------ declarations
def schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON Schema with its definitions written inline: the document needs no
    component for it, and one media type's schema never refers to another's."""
    found = model.model_json_schema(mode="serialization")
    defs = found.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return inline({**defs[ref.removeprefix("#/$defs/")], **rest})
        return {key: inline(value) for key, value in node.items()}

    return inline(found)


STRING = {"type": "string"}
BINARY = {"type": "string", "format": "binary"}

STATUS_TEXT = {
    304: "Not modified: `If-None-Match` named the current ETag (the data version)",
    400: "A parameter or the body is missing, malformed or unknown (`detail` says which and how "
         "to fix it); as text/plain, a host name this server is not configured for",
    401: "No credentials, or they are not valid: log in, or send `Authorization: Bearer <token>`",
    403: "The user's role may not do this, or a session request lacks its CSRF token",
    404: "No such entity, layer or record",
    409: "Conflicts with the data as it is now",
    412: "`If-Match` names an older version: read the feature again",
    413: "The upload is too large",
    414: "The URL (path and query) is longer than the server takes",
    415: "The body is not of a media type this takes",
    422: "Understood but refused: `detail` (and `errors`) say why",
    429: "Too many requests: wait `Retry-After` seconds",
    431: "The request headers are larger than the server takes",
}


def _problems(status: int, html: bool) -> dict[str, Any]:
    content = {PROBLEM_JSON: {"schema": schema(Problem)}}
    if html:
        content[HTML] = {"schema": STRING}
    if status == 400:
        content[TEXT] = {"schema": STRING}
    return {"description": STATUS_TEXT[status], "content": content}


def answer(description: str, bodies: dict[str, type[BaseModel] | dict]) -> dict[str, Any]:
    """One documented answer: its media types, each with a model or a schema (e.g.
    :data:`STRING`, :data:`BINARY`)."""
    return {"description": description, "content": {
        media: {"schema": body if isinstance(body, dict) else schema(body)}
        for media, body in bodies.items()}}


def responses(ok: dict[str, type[BaseModel] | dict], *errors: int, status: int = 200,
              description: str = "Success", etag: bool = False,
              html_errors: bool | tuple[int, ...] = True,
              more: dict[int, dict[str, Any]] | None = None) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: ``status`` (200) with ``ok``'s media types (see :func:`answer`),
    a 304 when ``etag``, the problem+json ``errors`` (also as the HTML error page when
    ``html_errors``: all of them, or those listed), ``more`` as given, and the shared 400, 414
    and 431."""
    found: dict[int | str, dict[str, Any]] = {status: answer(description, ok)}
    if etag:
        found[304] = {"description": STATUS_TEXT[304]}
    for code in sorted({400, *errors}):
        found[code] = _problems(code, html_errors if isinstance(html_errors, bool)
                                else code in html_errors)
    found.update(more or {})
    for code in (414, 431):
        found[code] = {"description": STATUS_TEXT[code], "content": {TEXT: {"schema": STRING}}}
    return found


# ------------------------------------------------------------------ staff (enquiries.py, usage_views.py)
class EnquiryAnswer(Open):
    """An investor's enquiry as staff see it, with the entity it was sent from (editors)."""

    number: int = Field(ge=1)
    time: str = Field(description="When it was sent: UTC, ISO 8601")
    name: str
    organisation: str
    contact: str = Field(description="A phone number or an e-mail address")
    need: str
    entity_id: str = Field(description='The entity it was sent from ("" if none)')
    link: str = Field(description='The atlas path it was sent from ("" if none)')
    lang: Literal["zh", "en"]
    consent: bool
    status: Literal["new", "in_progress", "answered", "closed"]
    assignee: str = Field(description='The staff user answering it ("" for nobody yet)')
    notes: str
    updated_by: str
    updated_at: str
    entity_name_zh: str | None
    entity_name_en: str | None
    profile: str | None = Field(description="The entity's profile page")
    sent_from: str = Field(description="Where it was sent from, readable")


class EnquiryList(BaseModel):
    """Enquiries, newest first, and the days each is kept after it was sent."""

    enquiries: list[EnquiryAnswer]
    retention_days: int = Field(ge=1)


class ViewCount(BaseModel):
    """A profile's views."""

    entity: str
    count: int = Field(ge=0)


class FilterCount(BaseModel):
    """A filter value's uses (the facet ``other``: the rest merged)."""

    facet: str
    value: str
    count: int = Field(ge=0)


class ZeroCount(BaseModel):
    """A search that found nothing: how often, and the last day it was made."""

    query: str
    count: int = Field(ge=0)
    last_day: str


class UsageSummary(BaseModel):
    """The usage counts of the last ``days`` days, most first (editors)."""

    days: int = Field(ge=1)
    since: str = Field(description="The first day counted (YYYY-MM-DD, China Standard Time)")
    totals: dict[str, int] = Field(description="Kind (view, filter, zero) -> all its counts")
    views: list[ViewCount]
    filters: list[FilterCount]
    zero_results: list[ZeroCount]
