"""History as people read it: each commit's property changes and geometry changes (distance
moved, area, a before/after sketch), times in China Standard Time, and which commits were undone."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from atlas.crs import METRIC_CRS, WGS84
from atlas.model import LAYER_MODELS
from atlas.fact_text import fact_source_line, policy_line, sourced
from atlas.provenance import citation_line
from atlas.storage import Commit, etag
from atlas.vocab import LABELS, Layer
from atlas.web.i18n import Lang, field as text_field, label, t

CHINA_TZ = dt.timezone(dt.timedelta(hours=8))
"""Commit times are stored in UTC and shown in China Standard Time (no daylight saving)."""


@dataclass
class PropDiff:
    name: str
    before: str | None
    after: str | None


@dataclass
class GeomDiff:
    summary: list[str]
    svg: str


@dataclass
class ChangeView:
    layer: str
    id: str
    action: str
    """create, update or delete."""
    name: str
    props: list[PropDiff]
    geometry: GeomDiff | None
    exists: bool


@dataclass
class CommitView:
    number: int
    author: str
    time: str
    message: str
    undoes: int | None
    undone_by: int | None
    undoable: bool
    why_not: str
    changes: list[ChangeView]


ENUM_FIELDS = {"kind": "Kind", "status": "Status", "level": "Level", "precision": "Precision",
               "torch_grade": "TorchGrade", "industries": "Industry"}


OBJECT_LINES = {"citations": citation_line, "policies": policy_line,
                "fact_sources": lambda entry, lang: fact_source_line(sourced(entry), lang)}
"""List fields of objects -> one object as a line of text."""


def show_value(name: str, value, lang: Lang) -> str | None:
    """A property value as text for the diff: labels for vocabulary values, citations,
    policies and sources of facts as lines."""
    if value is None or value == [] or value == "":
        return None
    enum_name = ENUM_FIELDS.get(name)
    if name in OBJECT_LINES and isinstance(value, list):
        return "\n".join(OBJECT_LINES[name](item, lang) for item in value if isinstance(item, dict))
    if enum_name and isinstance(value, list):
        return "、".join(label(enum_name, v, lang) for v in value) if lang == "zh" else \
            ", ".join(label(enum_name, v, lang) for v in value)
    if enum_name and isinstance(value, str) and value in LABELS[enum_name]:
        return f"{label(enum_name, value, lang)} ({value})"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def prop_diff(before: dict | None, after: dict | None, lang: Lang) -> list[PropDiff]:
    """The properties that differ, in model order (then any others)."""
    b, a = (before or {}).get("properties") or {}, (after or {}).get("properties") or {}
    order = {n: i for i, n in enumerate(LAYER_MODELS[Layer.incubators].model_fields)}
    for model in LAYER_MODELS.values():
        for n in model.model_fields:
            order.setdefault(n, len(order))
    names = sorted(set(b) | set(a), key=lambda n: (order.get(n, 999), n))
    out = []
    for name in names:
        if b.get(name) == a.get(name):
            continue
        shown_b, shown_a = show_value(name, b.get(name), lang), show_value(name, a.get(name), lang)
        if shown_b is None and shown_a is None:
            continue  # absent vs empty: the same to a reader
        out.append(PropDiff(name, shown_b, shown_a))
    return out


_TO_METRIC = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)


def _metric(geom: BaseGeometry) -> BaseGeometry:
    """A WGS-84 geometry in metres (UTM 50N), for distances and areas."""
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def _fmt_m(metres: float, lang: Lang) -> str:
    return f"{metres:,.0f} {t('metres', lang)}" if metres >= 1 else f"{metres:.2f} {t('metres', lang)}"


def geometry_diff(before: dict | None, after: dict | None, lang: Lang) -> GeomDiff | None:
    """What happened to the geometry, in words (moved so far, area from → to, vertices) and as
    a small SVG sketch: before dashed grey, after in the accent colour."""
    gb = (before or {}).get("geometry")
    ga = (after or {}).get("geometry")
    if gb == ga:
        return None
    shapes = {}
    for key, raw in (("before", gb), ("after", ga)):
        try:
            shapes[key] = _metric(shape(raw)) if raw else None
        except Exception:  # a stored geometry that cannot be read: say so, do not fail the page
            shapes[key] = None
    mb, ma = shapes["before"], shapes["after"]
    summary = []
    if mb is not None and ma is not None:
        if ma.geom_type == "Point" and mb.geom_type == "Point":
            summary.append(t("edit_geom_moved", lang).format(d=_fmt_m(mb.distance(ma), lang)))
        else:
            summary.append(t("edit_geom_shifted", lang).format(
                d=_fmt_m(mb.centroid.distance(ma.centroid), lang),
                h=_fmt_m(mb.hausdorff_distance(ma), lang)))
            if ma.area or mb.area:
                summary.append(t("edit_geom_area", lang).format(b=f"{mb.area / 1e4:,.2f}",
                                                                a=f"{ma.area / 1e4:,.2f}"))
            if ma.length and ma.geom_type.endswith("LineString"):
                summary.append(t("edit_geom_length", lang).format(b=_fmt_m(mb.length, lang),
                                                                  a=_fmt_m(ma.length, lang)))
        nb, na = shapely.get_num_coordinates(mb), shapely.get_num_coordinates(ma)
        if nb != na or ma.geom_type != mb.geom_type:
            summary.append(t("edit_geom_vertices", lang).format(tb=mb.geom_type, b=nb, ta=ma.geom_type, a=na))
    for key, raw in (("before", gb), ("after", ga)):
        if raw and raw.get("type") == "Point" and raw.get("coordinates"):
            lon, lat = raw["coordinates"][:2]
            summary.append(f"{t('edit_' + key, lang)}: {lon:.6f}, {lat:.6f} (WGS-84)")
    return GeomDiff(summary, sketch(mb, ma))


def sketch(before: BaseGeometry | None, after: BaseGeometry | None, width: int = 180,
           height: int = 120) -> str:
    """An inline SVG of two metric geometries (north up), scaled to fit; numbers only, so safe."""
    present = [g for g in (before, after) if g is not None and not g.is_empty]
    if not present:
        return ""
    minx, miny, maxx, maxy = shapely.GeometryCollection(present).bounds
    span = max(maxx - minx, maxy - miny, 60.0) * 1.15
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    scale = min(width, height) / span

    def xy(x, y):
        return f"{width / 2 + (x - cx) * scale:.1f},{height / 2 - (y - cy) * scale:.1f}"

    def draw(g: BaseGeometry, cls: str) -> str:
        parts = []
        for part in getattr(g, "geoms", [g]):
            if part.geom_type == "Point":
                x, y = xy(part.x, part.y).split(",")
                parts.append(f'<circle class="{cls}" cx="{x}" cy="{y}" r="5"/>')
            elif part.geom_type == "LineString":
                parts.append(f'<polyline class="{cls}" points="{" ".join(xy(*c[:2]) for c in part.coords)}"/>')
            elif part.geom_type == "Polygon":
                d = " ".join("M" + " L".join(xy(*c[:2]) for c in ring.coords) + " Z"
                             for ring in (part.exterior, *part.interiors))
                parts.append(f'<path class="{cls}" d="{d}" fill-rule="evenodd"/>')
        return "".join(parts)

    body = (draw(before, "geom-before") if before is not None else "") + \
        (draw(after, "geom-after") if after is not None else "")
    if before is not None and after is not None and before.geom_type == after.geom_type == "Point":
        (x1, y1), (x2, y2) = xy(before.x, before.y).split(","), xy(after.x, after.y).split(",")
        body = f'<line class="geom-move" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>' + body
    scale_m = 10 ** math.floor(math.log10(max(span / 3, 1)))
    bar = scale_m * scale
    return (f'<svg class="geom-sketch" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'role="img" aria-hidden="true">{body}'
            f'<line class="geom-scale" x1="6" y1="{height - 6}" x2="{6 + bar:.1f}" y2="{height - 6}"/>'
            f'<text class="geom-scale-text" x="6" y="{height - 9}">{scale_m:,.0f} m</text></svg>')


def _display_name(change_before: dict | None, change_after: dict | None, lang: Lang) -> str:
    for f in (change_after, change_before):
        if f and f.get("properties"):
            return text_field(f["properties"], "name", lang)[0] or f.get("id", "")
    return ""


def commit_views(commits: list[Commit], current: dict[str, tuple[Layer, dict]], undone: dict[int, int],
                 lang: Lang) -> list[CommitView]:
    """Commits as the history pages show them: diffs, and whether "undo" can work now (every
    feature it wrote is still as it left it, and it has not been undone already)."""
    views = []
    for c in commits:
        changes, undoable = [], True
        for ch in c.changes:
            now = current.get(ch.id, (None, None))[1]
            if etag(now) != etag(ch.after):
                undoable = False
            action = "create" if ch.before is None else "delete" if ch.after is None else "update"
            changes.append(ChangeView(Layer(ch.layer).value, ch.id, action,
                                      _display_name(ch.before, ch.after, lang),
                                      prop_diff(ch.before, ch.after, lang),
                                      geometry_diff(ch.before, ch.after, lang), now is not None))
        undone_by = undone.get(c.number)
        why_not = ""
        if undone_by:
            why_not = t("edit_already_undone", lang).format(n=undone_by)
        elif not undoable:
            why_not = t("edit_changed_since", lang)
        views.append(CommitView(c.number, c.author, _local_time(c.time), c.message, c.undoes,
                                undone_by, not why_not, why_not, changes))
    return views


def _local_time(iso: str) -> str:
    try:
        when = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S") + " (UTC+8)"


def undone_map(storage) -> dict[int, int]:
    """Commit number -> the commit that undid it."""
    return {c.undoes: c.number for c in storage.history(None, 100000) if c.undoes}


