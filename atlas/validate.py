"""Validation of the atlas's layers: schema, geometry, RFC 7946, links, the plan's relations and
the public text (position notes, both languages, plan sections, no research notes).

:func:`validate` returns a :class:`Report`; the ``atlas validate`` command prints
it and the server refuses to start on the same report.  Each problem carries a
``code`` so tests (and people) can tell the classes of error apart.
"""

from __future__ import annotations

import orjson
from dataclasses import dataclass, field
from functools import cache

import geopandas as gpd
import numpy as np
import shapely
from pydantic import TypeAdapter, ValidationError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from atlas.crs import METRIC_CRS, WGS84
from atlas.model import LAYER_MODELS, LINKS, link_ids
from atlas.packed import pack, squeeze
from atlas.promotion.chains import stage_ids
from atlas.provenance import may_hold_research, plan_sections, public_texts, research_reference
from atlas.spatial import corridor_band
from atlas.vocab import APPROXIMATE, LAYER_GEOMETRY, LAYER_KINDS, Layer

BATCH = 2_000
"""Features validated per call (few calls, few models and full property dicts alive at once)."""
PIVOT_TOLERANCE_M = 25.0
"""How far a zone's pivot may sit outside the drawn zone outline (edge tolerance)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data."""

    code: str
    layer: str
    feature_id: str
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.layer}/{self.feature_id}: {self.message}"


@dataclass
class Report:
    """All problems found; the data is usable only when it has none."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    checked: dict[Layer, list[tuple[bytes, BaseGeometry]]] = field(default_factory=dict,
                                                                    repr=False)
    """Per layer, each feature that passed its own checks: its properties as the layer's model
    writes them, packed and squeezed (:mod:`atlas.packed`), and its geometry.  The engine builds
    from these, so nothing is parsed or validated twice."""
    dictionaries: dict[Layer, bytes] = field(default_factory=dict, repr=False)
    """Per layer, the dictionary its packed properties were squeezed with."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, code: str, layer: str, feature_id: str, message: str) -> None:
        self.problems.append(Problem(code, layer, feature_id, message))

    def text(self) -> str:
        """A human-readable report."""
        lines = [f"{layer:<11} {n:>4} features" for layer, n in self.counts.items()]
        if self.ok:
            lines.append("OK: no problems found.")
        else:
            lines.append(f"{len(self.problems)} problem(s):")
            lines += [f"  ERROR {p}" for p in self.problems]
        return "\n".join(lines)


class InvalidDataError(Exception):
    """Raised when the atlas is asked to load data that fails validation."""

    def __init__(self, report: Report):
        super().__init__(report.text())
        self.report = report


def _ring_problems(geom: BaseGeometry) -> str | None:
    """RFC 7946 §3.1.6: exterior rings counter-clockwise, holes clockwise."""
    polygons = getattr(geom, "geoms", [geom]) if geom.geom_type.endswith("Polygon") else []
    for poly in polygons:
        if not poly.exterior.is_ccw:
            return "exterior ring is clockwise; RFC 7946 wants counter-clockwise (right-hand rule)"
        if any(ring.is_ccw for ring in poly.interiors):
            return "a hole is counter-clockwise; RFC 7946 wants holes clockwise"
    return None


def _coordinate_problem(geom: BaseGeometry) -> str | None:
    """Lon/lat in WGS-84 ranges, in lon/lat order."""
    coords = shapely.get_coordinates(geom)
    if coords.size == 0:
        return "geometry has no coordinates"
    lon, lat = coords[:, 0], coords[:, 1]
    if (abs(lon) > 180).any() or (abs(lat) > 90).any():
        if (abs(lat) <= 180).all() and (abs(lon) <= 90).all():
            return "coordinates look like lat/lon; RFC 7946 wants lon/lat (x = longitude)"
        return "coordinates are outside WGS-84 lon/lat ranges (projected coordinates?)"
    return None


def _check_properties(report: Report, layer: Layer, index: int, feature: object,
                      props_by_id: dict[str, tuple[Layer, dict]], may_hold_research: bool,
                      dumped: dict | None = None) -> tuple[str, dict | None] | None:
    """Check one feature's properties: (its id, its properties as the model writes them, or
    None when they fail), or None when it is not a Feature at all.  ``dumped``: the
    properties already validated and written by the model (see :func:`_validated_together`)."""
    label = f"#{index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        report.add("schema", layer, label, 'not a GeoJSON Feature (needs "type": "Feature")')
        return None
    props = feature.get("properties") or {}
    fid = props.get("id") if isinstance(props.get("id"), str) else label
    if dumped is None:
        try:
            dumped = LAYER_MODELS[layer].model_validate(props).model_dump(mode="json")
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"]) or "properties"
                report.add("schema", layer, fid, f"{where}: {err['msg']}")
    if dumped is not None and dumped["kind"] not in LAYER_KINDS[layer]:
        allowed = ", ".join(sorted(LAYER_KINDS[layer]))
        report.add("schema", layer, fid, f"kind '{dumped['kind']}' does not belong in this "
                   f"layer (allowed: {allowed})")
    if dumped is not None:
        _check_public_text(report, layer, fid, dumped, may_hold_research)
    if fid in props_by_id:
        other = props_by_id[fid][0]
        report.add("duplicate_id", layer, fid, f"id is already used in layer '{other}'")
    else:
        props_by_id[fid] = (layer, props)
    return fid, dumped


def _read_geometries(report: Report, layer: Layer, fids: list[str],
                     raws: list[object]) -> list[BaseGeometry | None]:
    """Each feature's geometry, or None (with the problem reported) when it is missing,
    unreadable, of the wrong type, off the WGS-84 ranges or invalid.  Points are built and
    every geometry is checked a whole layer at a time."""
    geoms: list[BaseGeometry | None] = _points(raws)
    if geoms is None:
        geoms = []
        for fid, raw in zip(fids, raws):
            if not raw:
                report.add("geometry_type", layer, fid, "feature has no geometry")
                geoms.append(None)
                continue
            try:
                geoms.append(shape(raw))
            except Exception as exc:  # shapely raises several types for malformed GeoJSON
                report.add("geometry_type", layer, fid, f"geometry cannot be read: {exc}")
                geoms.append(None)
    for i, (fid, geom) in enumerate(zip(fids, geoms)):
        if geom is not None and geom.geom_type not in LAYER_GEOMETRY[layer]:
            allowed = " or ".join(sorted(LAYER_GEOMETRY[layer]))
            report.add("geometry_type", layer, fid, f"{geom.geom_type} where {allowed} is expected")
            geoms[i] = None
    present = [i for i, geom in enumerate(geoms) if geom is not None]
    array = np.array([geoms[i] for i in present], dtype=object)
    coords, owner = shapely.get_coordinates(array, return_index=True)
    off_range = np.zeros(len(array), dtype=bool)
    np.logical_or.at(off_range, owner, (np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90))
    suspect = off_range | shapely.is_empty(array)
    valid = shapely.is_valid(array)
    for position, i in enumerate(present):
        fid, geom = fids[i], geoms[i]
        if suspect[position] and (problem := _coordinate_problem(geom)):
            report.add("rfc7946", layer, fid, problem)
            geoms[i] = None
        elif not valid[position]:
            report.add("geometry_invalid", layer, fid, f"invalid geometry: {explain_validity(geom)}")
            geoms[i] = None
        elif problem := _ring_problems(geom):
            report.add("rfc7946", layer, fid, problem)
    return geoms


def _points(raws: list[object]) -> list[BaseGeometry] | None:
    """All of ``raws`` as shapely Points in one call when every one is a plain 2-D GeoJSON
    Point; None otherwise (then they are read one by one, with messages)."""
    if not raws or not all(isinstance(raw, dict) and raw.get("type") == "Point" for raw in raws):
        return None
    try:
        xy = np.array([raw["coordinates"] for raw in raws], dtype=float)
    except (KeyError, TypeError, ValueError):
        return None
    if xy.ndim != 2 or xy.shape[1] != 2:
        return None
    return list(shapely.points(xy))


def _check_layer(report: Report, layer: Layer, features: list,
                 geoms: dict[str, BaseGeometry], props_by_id: dict[str, tuple[Layer, dict]]
                 ) -> list[tuple[bytes, BaseGeometry]]:
    """Check every feature of a layer on its own; (packed properties, geometry) of those that
    pass.  Properties are checked a batch at a time and packed at once, so the layer's full
    property dicts never all exist together."""
    may_hold_research = _may_hold_research(features)
    found = []
    for start in range(0, len(features), BATCH):
        batch = features[start:start + BATCH]
        together = _validated_together(layer, batch) or [None] * len(batch)
        for index, (feature, dumped) in enumerate(zip(batch, together), start):
            checked = _check_properties(report, layer, index, feature, props_by_id,
                                        may_hold_research, dumped)
            if checked:
                fid, props = checked
                found.append((fid, props and pack(layer, props), feature.get("geometry")))
    shapes = _read_geometries(report, layer, [fid for fid, _, _ in found],
                              [raw for _, _, raw in found])
    passed = []
    for (fid, packed, _), geom in zip(found, shapes):
        if geom is not None:
            geoms[fid] = geom
            if packed is not None:
                passed.append((packed, geom))
    report.dictionaries[layer], squeezed = squeeze([packed for packed, _ in passed])
    return [(packed, geom) for packed, (_, geom) in zip(squeezed, passed)]


@cache
def _list_adapter(layer: Layer) -> TypeAdapter:
    return TypeAdapter(list[LAYER_MODELS[layer]])


def _validated_together(layer: Layer, features: list) -> list[dict] | None:
    """Every feature's properties validated and written by the layer's model in one call (much
    faster than one call each), or None when any feature is not a Feature or fails (then each
    is checked on its own, for its messages)."""
    if not all(isinstance(f, dict) and f.get("type") == "Feature" for f in features):
        return None
    adapter = _list_adapter(layer)
    try:
        models = adapter.validate_python([f.get("properties") or {} for f in features])
    except ValidationError:
        return None
    return adapter.dump_python(models, mode="json")


def _may_hold_research(features: list) -> bool:
    """Whether any property text of the layer could hold a research reference (one screen of
    the layer's properties as JSON, so a clean layer is not searched field by field)."""
    properties = [f.get("properties") for f in features if isinstance(f, dict)]
    try:
        text = orjson.dumps(properties, default=str).decode()
    except orjson.JSONEncodeError:  # an integer beyond 64 bits, from an edit: screen field by field
        return True
    return may_hold_research(text)


def _check_public_text(report: Report, layer: Layer, fid: str, props: dict,
                       may_hold_research: bool = True) -> None:
    """What the public sees: bilingual pairs complete, position notes where the position is a
    sketch, plan sections that exist, and no internal research references."""
    precision = props["precision"]
    if precision in APPROXIMATE:
        for name in ("position_note_zh", "position_note_en"):
            if not props[name].strip():
                report.add("public_text", layer, fid, f"{name}: required when precision is "
                           f"'{precision}' (say what the position rests on)")
    if (props["operator_zh"] is None) != (props["operator_en"] is None):
        report.add("public_text", layer, fid, "operator_zh/operator_en: give both or neither")
    if len(props["partners_zh"]) != len(props["partners_en"]):
        report.add("public_text", layer, fid, f"partners_zh/partners_en: {len(props['partners_zh'])}"
                   f" vs {len(props['partners_en'])} names; give each partner in both languages")
    sections = plan_sections()
    for ref in props["plan_refs"]:
        if ref not in sections:
            report.add("plan_ref", layer, fid, f"plan_refs: '{ref}' is not a section of the plan "
                       "(see data/plan/sections.json)")
    if not may_hold_research:
        return
    for where, text in public_texts(props):
        if found := research_reference(text):
            report.add("public_text", layer, fid, f"{where}: contains the internal research "
                       f"reference '{found}'; keep research notes in data/research/notes.json")


def validate(collections: dict[Layer, dict], corridor_width_m: float,
             coast_tolerance_m: float) -> Report:
    """Check every layer and the relations between them; return all problems found."""
    report = Report()
    geoms: dict[str, BaseGeometry] = {}
    props_by_id: dict[str, tuple[Layer, dict]] = {}
    for layer in Layer:
        collection = collections.get(layer)
        if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
            report.add("schema", layer, "-", "layer is not a GeoJSON FeatureCollection")
            continue
        if "crs" in collection:
            report.add("rfc7946", layer, "-", 'the "crs" member is not RFC 7946; store WGS-84 '
                       "lon/lat and drop it")
        features = collection.get("features") or []
        report.counts[layer.value] = len(features)
        report.checked[layer] = _check_layer(report, layer, features, geoms, props_by_id)

    _check_links(report, props_by_id)
    metric = _metric_geometries(geoms)
    _check_inside_city(report, props_by_id, metric, coast_tolerance_m)
    _check_plan_relations(report, props_by_id, metric, corridor_width_m)
    return report


def _metric_geometries(geoms: dict[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    if not geoms:
        return {}
    series = gpd.GeoSeries(list(geoms.values()), crs=WGS84).to_crs(METRIC_CRS)
    return dict(zip(geoms, np.asarray(series.array)))  # not to_dict(): it iterates in Python


def _ids_in(props_by_id: dict[str, tuple[Layer, dict]], layer: Layer) -> list[str]:
    return [fid for fid, (lyr, _) in props_by_id.items() if lyr == layer]


def _check_links(report: Report, props_by_id: dict[str, tuple[Layer, dict]]) -> None:
    for (layer, field_name), targets in LINKS.items():
        for fid in _ids_in(props_by_id, layer):
            for target in link_ids(props_by_id[fid][1], field_name):
                found = props_by_id.get(target)
                if found is None:
                    report.add("broken_link", layer, fid, f"{field_name} -> '{target}': no such id")
                elif found[0] not in targets:
                    names = ", ".join(t.value for t in targets)
                    report.add("broken_link", layer, fid, f"{field_name} -> '{target}' is in layer "
                               f"'{found[0]}', expected {names}")
    stages = stage_ids()
    for fid, (layer, props) in props_by_id.items():
        for stage in props.get("chain_stages") or ():
            if stage not in stages:
                report.add("broken_link", layer, fid, f"chain_stages -> '{stage}': no such stage "
                           "in data/plan/chains.json")


def _check_inside_city(report, props_by_id, metric, coast_tolerance_m) -> None:
    city = [metric[f] for f in _ids_in(props_by_id, Layer.boundary) if f in metric]
    if not city:
        report.add("outside_city", Layer.boundary, "-", "no city boundary to check positions against")
        return
    allowed = shapely.union_all(city).buffer(coast_tolerance_m)
    for fid, geom in metric.items():
        layer = props_by_id[fid][0]
        if layer != Layer.boundary and not allowed.contains(geom):
            report.add("outside_city", layer, fid, "lies outside Jinjiang (more than "
                       f"{coast_tolerance_m:.0f} m beyond the city outline); check the position "
                       "and lon/lat order")


def _check_plan_relations(report, props_by_id, metric, corridor_width_m) -> None:
    for zone_id in _ids_in(props_by_id, Layer.zones):
        zone = metric.get(zone_id)
        for pivot in link_ids(props_by_id[zone_id][1], "pivots"):
            where = metric.get(pivot)
            if zone is None or where is None:
                continue
            if not zone.buffer(PIVOT_TOLERANCE_M).contains(where.representative_point()):
                report.add("plan_relation", Layer.zones, zone_id,
                           f"pivot '{pivot}' is not inside the zone")
    corridor_ids = [f for f in _ids_in(props_by_id, Layer.corridor) if f in metric]
    if not corridor_ids:
        return
    band = corridor_band(gpd.GeoSeries([metric[f] for f in corridor_ids]), corridor_width_m)
    for cid in corridor_ids:
        for node in link_ids(props_by_id[cid][1], "nodes"):
            where = metric.get(node)
            if where is not None and not band.intersects(where):
                report.add("plan_relation", Layer.corridor, cid,
                           f"node '{node}' is outside the {corridor_width_m:.0f} m corridor band")
