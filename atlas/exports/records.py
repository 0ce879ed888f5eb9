"""What every export holds: one row per entity under one column spec, and its data dictionary.

:data:`COLUMNS` is the single source of truth for the exports' columns: their order, the
machine field name (``key``: the header of the machine CSV, the GeoPackage field), the
Shapefile field name (at most 10 characters), the Chinese and English headers and what the
column means.  :func:`records` fills them for a list of entities in one of two renderings:

* **readable** (XLSX, CSV, GeoPackage, Shapefile, KML): vocabulary values as labels in the
  export's language, linked areas and parks by name, plan sections with their titles, lists
  joined by "；" (Chinese) or "; " (English);
* **codes** (``/export.csv?columns=codes``): the same columns under their ``key`` with
  vocabulary codes, ids for links (with the filters' ``none``/``unknown`` buckets for zones and
  towns) and lists joined by ";", so scripts can rely on stable names and values.

Free text (names, description, position note, operator, sources) is the same in both; the
description, position note and operator follow the export's language (Chinese when there is
no English).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely

from atlas.engine import Atlas, Entity
from atlas.membership import town_bucket, zone_bucket
from atlas.fact_text import NUMBER_FACTS, fact_label, fact_source_lines, policy_line, rent_text
from atlas.model import SpaceFacts
from atlas.provenance import citation_line, plan_ref_label
from atlas.vocab import LISTED_LAYERS, Label, Precision
from atlas.web.i18n import UI, Lang, field, label, t

CODE_SEPARATOR = ";"
"""Joins list values in the codes rendering (as the importer reads them)."""
SEPARATOR = {"zh": "；", "en": "; "}
"""Joins list values in the readable rendering."""
COORDINATE_DECIMALS = 6
"""Decimal places of lon/lat (about 0.1 m)."""
FACTS_SOURCES = Label("招商信息来源", "Sources of the facts for investors")
FACT_SHAPEFILE_NAMES = {"area_ha": "area_ha", "established": "est_year", "firms": "firms",
                        "output_yi_yuan": "output_yi", "space_office_m2": "spc_office",
                        "space_factory_m2": "spc_fctry", "space_lab_m2": "spc_lab"}
"""The Shapefile field names of the facts that are numbers."""


@dataclass(frozen=True)
class ExportColumn:
    """One column of the exports."""

    key: str
    """Machine field name: the machine CSV's header and the GeoPackage field name."""
    shp: str
    """Shapefile (dBASE) field name: ASCII, at most 10 characters."""
    header: Label
    meaning: Label
    number: str | None = None
    """The pandas dtype of a column of numbers (``Float64``, ``Int64``: empty cells stay
    empty); None for text."""
    decimals: int | None = None
    """Decimal places the CSV writes (lon/lat); other numbers as they are."""

    def heading(self, lang: Lang) -> str:
        """The column's header in ``lang``."""
        return in_lang(self.header, lang)


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("id", "id", Label("编号", "ID"),
                 Label("条目的固定编号（也是详情页网址的一部分）",
                       "The entry's stable id (also part of its profile URL)")),
    ExportColumn("layer", "layer", Label("图层", "Layer"),
                 Label("所属图层：园区与基地、创新平台、孵化载体等",
                       "Layer: parks & bases, innovation platforms, incubators, …")),
    ExportColumn("name_zh", "name_zh", Label("中文名称", "Chinese name"),
                 Label("中文名称", "Name in Chinese")),
    ExportColumn("name_en", "name_en", Label("英文名称", "English name"),
                 Label("英文名称（暂无英文时为空）", "Name in English (empty when there is none yet)")),
    ExportColumn("kind", "kind", Label("类型", "Kind"),
                 Label("类型，如高校、新型研发机构、孵化器", "What it is, e.g. university, "
                       "new-type R&D institution, incubator")),
    ExportColumn("level", "level", Label("级别", "Level"),
                 Label("认定级别：国家级、省级、泉州市级、晋江市级（未定级为空）",
                       "Level it is recognised at: national, provincial, Quanzhou, Jinjiang "
                       "(empty when none)")),
    ExportColumn("status", "status", Label("状态", "Status"),
                 Label("运营中、在建或规划中", "Operating, under construction or planned")),
    ExportColumn("industries", "industries", Label("产业", "Industries"),
                 Label("服务的产业（规划第四章的产业），可有多个",
                       "Industries it serves (those of chapter 4 of the plan), possibly several")),
    ExportColumn("description", "descr", Label("简介", "Description"),
                 Label("简介（英文版无英文简介时为中文）",
                       "Description (in Chinese where no English one exists yet)")),
    ExportColumn("host_park", "host_park", Label("所属园区", "Host park"),
                 Label("平台或孵化载体所在的园区：先按登记的所属园区，其次按位置所在的园区范围",
                       "The park a platform or incubator is hosted in: its recorded host park, "
                       "else the park whose outline contains its position")),
    ExportColumn("zones", "zones", Label("所在区", "Zones"),
                 Label("所属的“两区”（科创新区、产教融合区），按统一归属规则；"
                       "“两区之外”或“位置未知”时照此注明",
                       "The plan's two zones it belongs to, by the atlas's membership rule; "
                       "“Outside the zones” or “Position not known” otherwise")),
    ExportColumn("town", "town", Label("镇街", "Town"),
                 Label("所在镇街，按统一归属规则（位置未知时照此注明）",
                       "Town or subdistrict it belongs to, by the membership rule (or "
                       "“Position not known”)")),
    ExportColumn("lon", "lon", Label("经度（WGS-84）", "Longitude (WGS-84)"),
                 Label("经度，WGS-84（GPS、天地图），保留6位小数；面状要素取其内部的代表点。"
                       "高德、腾讯地图使用 GCJ-02，百度使用 BD-09，需另行转换",
                       "Longitude, WGS-84 (GPS, OpenStreetMap), 6 decimals; for an area, a point "
                       "inside it. Amap/Tencent (GCJ-02) and Baidu (BD-09) need converting"),
                 number="Float64", decimals=COORDINATE_DECIMALS),
    ExportColumn("lat", "lat", Label("纬度（WGS-84）", "Latitude (WGS-84)"),
                 Label("纬度，WGS-84，保留6位小数（同经度）",
                       "Latitude, WGS-84, 6 decimals (as the longitude)"),
                 number="Float64", decimals=COORDINATE_DECIMALS),
    ExportColumn("precision", "precision", Label("位置精度", "Position precision"),
                 Label("位置的可靠程度；“示意位置”仅为大致位置，“位置未知”为占位示意，请勿据此测距或导航",
                       "How sure the position is; “Approximate” is a sketch and “Not known” a "
                       "placeholder: do not measure or navigate by them")),
    ExportColumn("position_note", "pos_note", Label("位置说明", "Position note"),
                 Label("位置依据及推断之处", "What the position rests on and what was inferred")),
    ExportColumn("operator", "operator", Label("运营方", "Operator"),
                 Label("运营或建设单位", "Who runs or builds it")),
    ExportColumn("plan_refs", "plan_refs", Label("规划章节", "Plan sections"),
                 Label("规划中提到它的章节（编号及标题）",
                       "Sections of the plan naming it (number and title)")),
    ExportColumn("as_of", "as_of", Label("资料日期", "As of"),
                 Label("资料核实日期（年-月-日）", "Date the facts were checked (YYYY-MM-DD)")),
    ExportColumn("citation", "citation", Label("资料来源", "Sources"),
                 Label("公开资料来源：发布者、日期、标题及网址", "Public sources: publisher, date, "
                       "title and address")),
    *(ExportColumn(key, FACT_SHAPEFILE_NAMES[key], Label(*UI[f"edit_f_{key}"]),
                   Label(f"园区和孵化载体的招商信息：{UI[f'edit_f_{key}'][0]}（其日期与来源见“{FACTS_SOURCES.zh}”列）",
                         f"Parks and incubators, for investors: {UI[f'edit_f_{key}'][1].lower()} "
                         f"(its date and source: see “{FACTS_SOURCES.en}”)"),
                   number="Int64" if SpaceFacts.model_fields[key].annotation == int | None else "Float64")
      for key in NUMBER_FACTS),
    ExportColumn("rent", "rent", Label(*UI["fact_rent"]),
                 Label("租金范围，元/平方米·月（园区和孵化载体）",
                       "Rent range, yuan per m² per month (parks and incubators)")),
    ExportColumn("land", "land", Label(*UI["fact_land"]),
                 Label("可用土地（园区和孵化载体）", "Land available (parks and incubators)")),
    ExportColumn("contact", "contact", Label("招商联系方式", "Contact for investors"),
                 Label("招商电话、邮箱、微信公众号及其二维码所含链接", "Phone, e-mail, WeChat account "
                       "and the link its QR code holds")),
    ExportColumn("policies", "policies", Label(*UI["fact_policies"]),
                 Label("适用政策：名称、发布机关、日期、网址", "Policies that apply: title, issuer, "
                       "date, address")),
    ExportColumn("fact_sources", "fact_src", FACTS_SOURCES,
                 Label("以上招商信息各项的日期与来源：信息、来源、截至日期、网址",
                       "The date and source of each fact for investors above: the facts, the "
                       "source, as of when, address")),
    ExportColumn("profile_url", "url", Label("详情页", "Profile page"),
                 Label("在线地图中的详情页网址", "Address of its profile page in the live atlas")),
)

KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS)

PRECISION_NOTES: dict[str, Label] = {
    Precision.approximate: Label("仅为大致位置，请勿据此测距或导航",
                                 "a sketch, do not measure or navigate by it"),
    Precision.placeholder: Label("图上仅为占位示意，请勿据此判断位置",
                                 "a placeholder, do not read a position from it"),
}
"""What the readable precision adds to the label of a position that is not exact."""


@dataclass(frozen=True)
class Records:
    """The rows of one export: per entity, the values of :data:`COLUMNS` in order (None where
    empty; numbers as numbers, everything else as text)."""

    lang: Lang
    codes: bool
    entities: list[Entity]
    rows: list[tuple]

    def headers(self) -> list[str]:
        """The header row: the keys (codes) or the headers in the export's language."""
        return list(KEYS) if self.codes else [c.heading(self.lang) for c in COLUMNS]


def records(atlas: Atlas, entities: list[Entity], lang: Lang, url_of: Callable[[Entity], str | None],
            codes: bool = False) -> Records:
    """The rows of ``entities`` (readable in ``lang``, or as codes), with the profile page
    addresses ``url_of`` gives; positions are found for all entities at once."""
    geometries = np.array([e.geometry for e in entities], dtype=object)
    anchors = shapely.get_coordinates(shapely.point_on_surface(geometries)).round(COORDINATE_DECIMALS)
    rows = _Rows(atlas, lang, codes)
    return Records(lang, codes, entities,
                   [rows.row(e, float(x), float(y), url_of(e)) for e, (x, y) in zip(entities, anchors)])


class _Rows:
    """Builds rows, looking each linked area's name up once."""

    def __init__(self, atlas: Atlas, lang: Lang, codes: bool):
        self.atlas, self.lang, self.codes = atlas, lang, codes
        self.join = CODE_SEPARATOR.join if codes else SEPARATOR[lang].join
        self.names: dict[str, str] = {}

    def name(self, area_id: str) -> str:
        """An area's or park's name in the export's language (its id in the codes rendering)."""
        if self.codes:
            return area_id
        if area_id not in self.names:
            entity = self.atlas.entity(area_id)
            self.names[area_id] = field(entity.props, "name", self.lang)[0] if entity else area_id
        return self.names[area_id]

    def vocab(self, enum: str, value: str | None) -> str | None:
        return value if self.codes else label(enum, value, self.lang) or None

    def row(self, e: Entity, lon: float, lat: float, url: str | None) -> tuple:
        p, lang = e.props, self.lang
        values = {
            "id": e.id, "layer": self.vocab("Layer", e.layer.value),
            "name_zh": p.get("name_zh"), "name_en": p.get("name_en"),
            "kind": self.vocab("Kind", p["kind"]), "level": self.vocab("Level", p.get("level")),
            "status": self.vocab("Status", p["status"]),
            "industries": self.join(self.vocab("Industry", i) for i in p.get("industries") or []),
            "description": field(p, "description", lang)[0],
            "host_park": self.join(self.name(park) for park in e.member.parks),
            "zones": self.zones(e), "town": self.town(e), "lon": lon, "lat": lat,
            "precision": self.precision(p["precision"]),
            "position_note": field(p, "position_note", lang)[0],
            "operator": field(p, "operator", lang)[0],
            "plan_refs": self.join(ref if self.codes else plan_ref_label(ref, lang)
                                   for ref in p.get("plan_refs") or []),
            "as_of": str(p["as_of"]) if p.get("as_of") else None,
            "citation": SEPARATOR[lang].join(citation_line(c, lang) for c in p.get("citations") or []),
            **{key: p.get(key) for key in NUMBER_FACTS},
            "rent": rent_text(p), "land": field(p, "land", lang)[0], "contact": _contact(p, lang),
            "policies": SEPARATOR[lang].join(policy_line(x, lang) for x in p.get("policies") or []),
            "fact_sources": SEPARATOR[lang].join(fact_source_lines(p, lang)),
            "profile_url": url,
        }
        return tuple(None if values[k] == "" else values[k] for k in KEYS)

    def zones(self, e: Entity) -> str:
        """The zones it belongs to; a carrier in none says why (outside them, or not located)."""
        if e.layer not in LISTED_LAYERS:
            return self.join(self.name(z) for z in e.zones)
        buckets = zone_bucket(e.member)
        if e.zones or self.codes:
            return self.join(self.name(z) for z in buckets)
        return t("no_zone" if e.member.located else "position_unknown", self.lang)

    def town(self, e: Entity) -> str | None:
        if e.layer not in LISTED_LAYERS:
            return self.name(e.town) if e.town else None
        if e.town or self.codes:
            return self.name(town_bucket(e.member))
        return t("position_unknown", self.lang)

    def precision(self, value: str) -> str:
        """The precision; readable, with what an approximate or placeholder position means."""
        if self.codes:
            return value
        text = label("Precision", value, self.lang)
        note = PRECISION_NOTES.get(value)
        return f"{text}{'：' if self.lang == 'zh' else ': '}{in_lang(note, self.lang)}" if note else text


def _contact(props: dict, lang: Lang) -> str:
    """Phone, e-mail and WeChat account (with the link its QR code holds), each labelled."""
    colon = ": " if lang == "en" else "："
    wechat = " ".join(v for v in (props.get("contact_wechat"), props.get("contact_wechat_url")) if v)
    values = {"contact_phone": props.get("contact_phone"), "contact_email": props.get("contact_email"),
              "contact_wechat": wechat}
    return SEPARATOR[lang].join(fact_label(k, lang) + colon + v for k, v in values.items() if v)


# ------------------------------------------------------------------ the data dictionary
DICTIONARY_HEADERS: tuple[Label, ...] = (
    Label("字段名（机器可读 CSV、GeoPackage）", "Field name (machine CSV, GeoPackage)"),
    Label("Shapefile 字段名", "Shapefile field"),
    Label("中文表头", "Chinese header"),
    Label("英文表头", "English header"),
    Label("含义", "Meaning"),
)

SHAPEFILE_TEXT_BYTES = 254
"""The longest text a Shapefile (dBASE) field holds, in bytes of UTF-8."""
LONG_TEXTS = "long_texts.csv"
"""Name ending of the side table of a zipped Shapefile that holds texts cut in the .dbf."""

NOTES: tuple[Label, ...] = (
    Label("表格中的多个值以“；”分隔；机器可读版本（CSV 加参数 columns=codes）使用上表第一列的字段名，"
          "类型、级别、状态、产业、图层、位置精度为代码，所属园区、所在区、镇街为编号"
          "（none = 两区之外，unknown = 位置未知），多个值以英文分号“;”分隔。",
          "Several values in a cell are separated by “; ”. The machine-readable variant (the CSV "
          "with columns=codes) uses the field names of the first column above, codes for kind, "
          "level, status, industries, layer and precision, ids for the host park, zones and town "
          "(none = outside the zones, unknown = position not known), and “;” between values."),
    Label("坐标为 WGS-84 经纬度。GeoJSON 保留全部属性（多值字段为数组）及代码。",
          "Coordinates are WGS-84 longitude/latitude. The GeoJSON keeps every property, with "
          "lists as arrays and codes as values."),
    Label(f"Shapefile：文字编码 UTF-8（附 .cpg）；按几何类型分为点、线、面三个文件；字段名不超过10个字符"
          f"（见上表第二列）；超过 {SHAPEFILE_TEXT_BYTES} 字节的文字在 .dbf 中截断并以“…”结尾，"
          f"全文见压缩包内的 *_{LONG_TEXTS}（编号、字段名、全文）。",
          f"Shapefile: UTF-8 text (with a .cpg); one file each for points, lines and polygons; "
          f"field names of at most 10 characters (second column above); a text longer than "
          f"{SHAPEFILE_TEXT_BYTES} bytes is cut in the .dbf and ends with “…”, and its full "
          f"text is in the zip's *_{LONG_TEXTS} (id, field, text)."),
)


def dictionary(lang: Lang) -> list[tuple[str, str, str, str, str]]:
    """The data dictionary: per column, its field name, Shapefile field name, Chinese and
    English headers, and what it means (in ``lang``)."""
    return [(c.key, c.shp, c.header.zh, c.header.en, in_lang(c.meaning, lang)) for c in COLUMNS]


def in_lang(text: Label, lang: Lang) -> str:
    """A :class:`Label` in ``lang``."""
    return text.en if lang == "en" else text.zh
