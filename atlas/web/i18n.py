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
    "nearby_outside": ("范围外最近的平台（距边界）", "Nearest platforms outside it (from its edge)"),
    "members": ("范围内的载体", "Carriers belonging to it"),
    "members_on_map": ("在地图上查看这些载体", "Show them on the map"),
    "peers": ("同产业平台", "Same-industry peers"),
    "approximate_note": ("位置为示意，非精确位置", "Position is approximate, not exact"),
    "placeholder_note": ("位置未知：图上仅为占位示意，请勿据此判断位置", "Position not known: a placeholder, do not read it"),
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
    "bad_request": ("请求有误", "Bad request"),
    "planning": ("规划分析", "Planning"),
    "download": ("下载", "Download"),
    "facilities": ("设施（参与计算的载体）", "Facilities (carriers in the analysis)"),
    "radius": ("服务半径（米）", "Radius (m)"),
    "radii": ("敏感性半径（米，逗号分隔）", "Sensitivity radii (m, comma-separated)"),
    "demand": ("需求权重", "Demand"),
    "demand_area": ("面积", "Area"),
    "demand_population": ("人口（按镇街，需配置人口表）", "Population (per town; needs a table)"),
    "compute": ("计算", "Compute"),
    "city_covered": ("全市覆盖率", "City covered"),
    "today": ("现状", "today"),
    "whatif": ("情景模拟", "What-if"),
    "whatif_help": ("点击“在地图上添加站点”后点击地图，即可添加假设站点；在设施清单中可关闭或迁移现有设施。",
                    "Press “Add a site on the map”, then click the map to add a hypothetical site; close or move facilities from the list."),
    "add_site": ("在地图上添加站点", "Add a site on the map"),
    "adding": ("请点击地图放置站点…", "Click the map to place the site…"),
    "moving": ("请点击地图放置新位置…", "Click the map for the new position…"),
    "close": ("关闭", "Close"),
    "move": ("迁移", "Move"),
    "remove": ("移除", "Remove"),
    "reset_whatif": ("清除情景", "Clear what-if"),
    "added": ("新增", "added"),
    "closed": ("已关闭", "closed"),
    "moved": ("已迁移", "moved"),
    "where_next": ("选址建议", "Where next"),
    "where_next_help": ("在保持现有设施不变的前提下，求解最大覆盖选址模型，给出新增 p 个站点的最优位置。",
                        "Keeping today's facilities, solve a maximal covering location model for the best p new sites."),
    "p_sites": ("新增站点数 p", "New sites p"),
    "suggest": ("求解", "Solve"),
    "adopt": ("采纳为情景站点", "Add these as what-if sites"),
    "upload_demand": ("上传需求点（CSV：lon,lat[,weight][,crs]）", "Upload demand points (CSV: lon,lat[,weight][,crs])"),
    "upload": ("上传并计算", "Upload and compute"),
    "uploaded_note": ("本页按上传的需求点计算；上传结果不随链接保存。", "This page is weighed by the uploaded points; an upload is not kept in the link."),
    "unplaced_note": ("以下载体位置未知且无所属园区，未计入覆盖：", "Position not known and no host park, so not counted in coverage:"),
    "legend_catchment": ("覆盖范围", "Covered"),
    "legend_gap": ("未覆盖（缺口）", "Gap (not covered)"),
    "legend_overlap": ("重复覆盖", "Covered twice or more"),
    "legend_baseline": ("现状覆盖范围（虚线）", "Today's coverage (dashed)"),
    "legend_site": ("建议/新增站点", "Suggested / added site"),
    "by_zone": ("按两区", "By zone"),
    "by_town": ("按镇街", "By town"),
    "membership_note": ("统计口径：载体按统一归属规则计入镇街、两区和园区（所属园区优先，其次按位置；位置未知者单列）。",
                        "Counted by one membership rule: a carrier belongs to its host park's town and zone first, then by its position; carriers whose position is not known are counted apart."),
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
