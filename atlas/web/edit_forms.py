"""The edit form, built from the layer's property model (:mod:`atlas.model`) with choices and
labels from the vocabularies: a field added to a model shows up on the form by itself."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel

from atlas.engine import Entity
from atlas.fact_text import fact_label
from atlas.model import LAYER_MODELS, LINKS, SpaceFacts
from atlas.provenance import plan_ref_label, plan_sections
from atlas.vocab import (INDUSTRY_GROUP, LAYER_GEOMETRY, LAYER_KINDS, Industry, IndustryGroup,
                         Kind, Layer)
from atlas.web.browse import profile_url
from atlas.web.i18n import UI, Lang, field as text_field, label, t
from atlas.web.pages import PROFILE_LAYERS


@dataclass(frozen=True)
class RowColumn:
    """One input of a row of a list of objects (a citation, a policy, a source of facts):
    the object's key, its label, whether it is required, the input (``text``, ``date``,
    ``url`` or ``checks``) and, for checks, the (value, label) options."""

    name: str
    label: str
    required: bool
    input: str
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class FormField:
    """One input of the edit form: its property ``name``, the widget (see edit.html), the JS
    value type (``data-type`` in edit.js), for choices (value, label) options, for a list of
    objects the columns of a row, and a help text."""

    name: str
    widget: str
    type: str
    required: bool
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    columns: list[RowColumn] = field(default_factory=list)
    help: str | None = None


SECTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("edit_sec_names", ("name_zh", "name_en", "aliases")),
    ("edit_sec_class", ("kind", "status", "level", "torch_grade", "industries")),
    ("edit_sec_text", ("description_zh", "description_en", "plan_refs")),
    ("edit_sec_position", ("precision", "position_note_zh", "position_note_en", "seat_lon", "seat_lat")),
    ("edit_sec_sources", ("citations", "as_of")),
    ("edit_sec_people", ("operator_zh", "operator_en", "partners_zh", "partners_en")),
    ("edit_sec_facts", tuple(SpaceFacts.model_fields)),
    ("edit_sec_links", ("zone", "host_park", "nodes", "pivots", "stated_area_ha", "size_m2")),
]
"""How the form groups the fields (a field of no section goes to the last one)."""

TEXTAREAS = frozenset({"description_zh", "description_en", "position_note_zh", "position_note_en",
                       "land_zh", "land_en"})


def _unwrap(annotation) -> tuple[Any, bool, bool]:
    """(base type, is a list, may be None) of a model field's annotation."""
    nullable = is_list = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            annotation = args[0]
        elif origin is list:
            is_list, annotation = True, typing.get_args(annotation)[0]
        else:
            return annotation, is_list, nullable


def _row_columns(name: str, model: type[BaseModel], lang: Lang) -> list[RowColumn]:
    """The inputs of one row of the list field ``name`` of ``model`` objects, labelled by the UI
    strings ``edit_<name>_<key>``; a list of fixed values (the facts a source gives) is a set
    of checkboxes."""
    columns = []
    for key, info in model.model_fields.items():
        base, is_list, _ = _unwrap(info.annotation)
        if is_list and typing.get_origin(base) is typing.Literal:
            columns.append(RowColumn(key, t(f"edit_{name}_{key}", lang), info.is_required(), "checks",
                                     [(v, fact_label(v, lang)) for v in typing.get_args(base)]))
            continue
        kind = "date" if base is dt.date else "url" if key == "url" else "text"
        columns.append(RowColumn(key, t(f"edit_{name}_{key}", lang), info.is_required(), kind))
    return columns


def _choices(enum_cls: type[enum.Enum], lang: Lang, only=None) -> list[tuple[str, str]]:
    return [(m.value, label(enum_cls.__name__, m.value, lang)) for m in enum_cls
            if only is None or m in only]


def _entity_choices(atlas, layers: tuple[Layer, ...], lang: Lang, skip: str | None
                    ) -> list[tuple[str, list[tuple[str, str]]]]:
    groups = []
    for layer in layers:
        ids = [i for i in atlas.frames[layer].index if i != skip]
        groups.append((label("Layer", layer.value, lang),
                       [(i, f"{text_field(atlas.entities[i].props, 'name', lang)[0]} ({i})") for i in ids]))
    return groups


def form_fields(atlas, layer: Layer, props: dict, lang: Lang, entity_id: str | None
                ) -> list[FormField]:
    """Every field of ``layer``'s model but the id, as form inputs holding ``props``' values."""
    fields = []
    for name, info in LAYER_MODELS[layer].model_fields.items():
        if name == "id":
            continue
        base, is_list, nullable = _unwrap(info.annotation)
        value = props.get(name, None if info.is_required() else info.get_default(call_default_factory=True))
        links = LINKS.get((layer, name))
        f = FormField(name, "text", "text", info.is_required() and not nullable, value)
        if links:
            groups = _entity_choices(atlas, links, lang, entity_id)
            if is_list:
                f.widget, f.type, f.groups = "checks", "checks", groups
            else:
                f.widget, f.type, f.groups = "select", "select", groups
        elif name == "industries":
            f.widget, f.type = "checks", "checks"
            f.groups = [(label("IndustryGroup", g.value, lang),
                         [(i.value, label("Industry", i.value, lang)) for i in Industry
                          if INDUSTRY_GROUP[i] is g]) for g in IndustryGroup]
        elif name == "plan_refs":
            f.widget, f.type = "checks", "checks"
            f.groups = [("", [(ref, plan_ref_label(ref, lang)) for ref in plan_sections()])]
        elif isinstance(base, type) and issubclass(base, BaseModel):
            f.widget, f.type, f.columns = "rows", "rows", _row_columns(name, base, lang)
        elif isinstance(base, type) and issubclass(base, enum.Enum):
            only = LAYER_KINDS[layer] if base is Kind else None
            f.options = _choices(base, lang, only)
            f.widget, f.type = ("checks", "checks") if is_list else ("select", "select")
            if is_list:
                f.groups = [("", f.options)]
        elif is_list:
            f.widget, f.type, f.help = "lines", "lines", t("edit_one_per_line", lang)
        elif base is dt.date:
            f.widget, f.type = "date", "date"
            f.value = str(value) if value else dt.date.today().isoformat() if f.required else None
        elif base in (float, int):
            f.widget, f.type = "number", "number"
        elif name in TEXTAREAS:
            f.widget, f.type = "textarea", "text"
        if f.type == "text" and nullable:
            f.type = "nullable-text"
        if f"edit_help_{name}" in UI:
            f.help = t(f"edit_help_{name}", lang)
        _keep_unlisted(f)
        fields.append(f)
    return fields


def _keep_unlisted(f: FormField) -> None:
    """Offer a stored value the choices lack (a link to an id since removed, a plan section not
    in the list) marked with ⚠, so that saving the form never drops it unseen."""
    if f.widget not in ("select", "checks") or f.value in (None, "", []):
        return
    listed = {v for v, _ in f.options} | {v for _, opts in f.groups for v, _ in opts}
    values = f.value if isinstance(f.value, list) else [f.value]
    missing = [str(v) for v in values if v not in listed]
    if missing:
        f.groups = [*f.groups, ("⚠", [(v, f"{v} ⚠") for v in missing])]


def form_sections(fields: list[FormField]) -> list[tuple[str, list[FormField]]]:
    by_name = {f.name: f for f in fields}
    placed = {n for _, names in SECTIONS for n in names}
    sections = [(key, [by_name[n] for n in names if n in by_name]) for key, names in SECTIONS]
    sections[-1][1].extend(f for f in fields if f.name not in placed)
    return [(key, fs) for key, fs in sections if fs]


def field_label(name: str, lang: Lang) -> str:
    """A property's label in ``lang`` (the property name itself when it has none)."""
    key = f"edit_f_{name}"
    return t(key, lang) if key in UI else name


def profile_link(entity: Entity | None) -> str | None:
    """The public profile of ``entity`` (None for layers without one, like the boundary)."""
    if entity is None or entity.layer not in (*PROFILE_LAYERS, Layer.corridor):
        return None
    return profile_url(entity)


def geometry_kind(layer: Layer) -> str:
    """"point", "line" or "polygon": how the map edits the layer's geometry."""
    types_ = LAYER_GEOMETRY[layer]
    return "point" if "Point" in types_ else "line" if "LineString" in types_ else "polygon"


EDIT_JS_TEXT = ("edit_saved", "edit_created", "edit_deleted", "edit_undo", "edit_undone",
                "edit_conflict", "edit_reload", "edit_invalid", "edit_login_again", "edit_forbidden_js",
                "edit_failed", "edit_id_taken", "edit_no_geometry", "edit_profile_link",
                "edit_map_link", "edit_history_link", "edit_confirm_delete", "edit_saving",
                "edit_paste_placed", "edit_other_feature", "edit_id_bad", "edit_need_citation")


def edit_js_text(lang: Lang) -> dict[str, str]:
    return {key.removeprefix("edit_"): t(key, lang) for key in EDIT_JS_TEXT}


