"""Bilingual UI: Chinese first, English beside it; ``?lang=en`` switches text and content."""

from __future__ import annotations

from typing import Literal

from atlas.vocab import LABELS

Lang = Literal["zh", "en"]

UI: dict[str, tuple[str, str]] = {
    "title": ("晋江科创地图", "Jinjiang Innovation Atlas"),
    "subtitle": ("“十四五”科技创新规划“一廊两区多平台”", "The 14th Five-Year S&T plan's corridor, two zones and platforms"),
    "search": ("搜索名称、拼音或英文", "Search name, pinyin or English"),
    "any": ("全部", "Any"),
    "results": ("结果", "Results"),
    "count_by_zone": ("按区统计", "By zone"),
    "count_by_kind": ("按类型统计", "By kind"),
    "no_zone": ("两区之外", "Outside the zones"),
    "position_unknown": ("位置未知", "Position not known"),
    "count_by_town": ("按镇街统计", "By town"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_geojson": ("导出 GeoJSON", "Export GeoJSON"),
    "reset": ("清除筛选", "Clear filters"),
    "profile": ("详情", "Profile"),
    "layer": ("图层", "Layer"),
    "kind": ("类型", "Kind"),
    "level": ("级别", "Level"),
    "industry": ("产业", "Industry"),
    "industries": ("产业", "Industries"),
    "zone": ("所在区", "Zone"),
    "town": ("镇街", "Town"),
    "status": ("状态", "Status"),
    "precision": ("位置精度", "Position precision"),
    "source": ("依据", "Source"),
    "as_of": ("资料日期", "As of"),
    "operator": ("运营方", "Operator"),
    "partners": ("合作方（晋江以外）", "Partners (outside Jinjiang)"),
    "plan_refs": ("规划章节", "Plan sections"),
    "description": ("简介", "Description"),
    "children": ("下属载体", "Contains"),
    "nearby": ("附近平台", "Nearby platforms"),
    "peers": ("同产业平台", "Same-industry peers"),
    "approximate_note": ("位置为示意，非精确位置", "Position is approximate, not exact"),
    "missing_en": ("（暂无英文）", "(no English yet)"),
    "not_found": ("未找到", "Not found"),
    "back": ("返回地图", "Back to the map"),
    "legend": ("图例", "Legend"),
    "level_note": ("点越大级别越高（国家级最大）", "Bigger dot = higher level (national largest)"),
    "planned_note": ("虚线/空心 = 规划中或在建", "Dashed / hollow = planned or under construction"),
    "lang_switch": ("English", "中文"),
    "in_corridor": ("位于走廊带内", "Within the corridor band"),
    "metres": ("米", "m"),
    "print": ("打印", "Print"),
    "share": ("复制本视图链接", "Copy link to this view"),
    "copied": ("已复制", "Copied"),
    "load_error": ("无法按此筛选加载：", "Could not load this selection:"),
    "show_filters": ("筛选与列表", "Filters & list"),
    "list_more": ("另有 {n} 项未列出，请缩小筛选范围", "{n} more not listed: narrow the filters"),
}


def t(key: str, lang: Lang) -> str:
    """A UI string in ``lang``."""
    zh, en = UI[key]
    return en if lang == "en" else zh


def label(enum_name: str, value: str | None, lang: Lang) -> str:
    """The label of a vocabulary value (e.g. ``label("Kind", "university", "en")``)."""
    if value is None:
        return ""
    lab = LABELS[enum_name].get(value)
    if lab is None:
        return value
    return lab.en if lang == "en" else lab.zh


def field(props: dict, name: str, lang: Lang) -> tuple[str, bool]:
    """A content field in ``lang`` and whether it fell back to Chinese (``name`` = "name" or "description")."""
    zh = props.get(f"{name}_zh") or ""
    if lang != "en":
        return zh, False
    en = props.get(f"{name}_en") or ""
    return (en, False) if en else (zh, bool(zh))
