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
    "filters": ("筛选", "Filters"),
    "panel": ("结果与筛选", "Results and filters"),
    "sheet_toggle": ("展开或收起结果面板", "Expand or fold the results panel"),
    "counts": ("统计", "Counts"),
    "active_filters": ("已选筛选条件", "Active filters"),
    "remove_filter": ("移除筛选", "Remove filter"),
    "multi_help": ("每项可多选：再选一项即同时筛选；已选项前有 ✓，再选一次即取消。",
                   "Each filter takes several values: pick another to add it; picked values show ✓, pick one again to remove it."),
    "no_match": ("没有找到“{q}”。", "Nothing found for “{q}”."),
    "did_you_mean": ("您是不是要找：", " Did you mean: "),
    "hint_count": ("{n} 项", "{n} entries"),
    "by_industry": ("（按产业）", " (by industry)"),
    "by_kind": ("（按类型）", " (by kind)"),
    "by_area": ("（按所在区域）", " (by area)"),
    "km": ("公里", "km"),
    "tiles_failed": ("底图无法加载（可能处于离线或内网环境），地图上的图层仍可正常使用。",
                     "The basemap could not be loaded (offline or intranet?); the atlas layers still work."),
    "planned_area_note": ("规划中/在建的区域（虚线）", "Planned or under-construction area (dashed)"),
    "placeholder_short": ("位置待核实（占位示意）", "Position to be verified (placeholder)"),
    "cluster_note": ("数字 = 该处聚合的载体数，放大可展开", "Number = carriers grouped there; zoom in to split"),
    "show_on_map": ("在地图上查看", "Show on the map"),
    "breadcrumbs": ("位置导航", "Breadcrumbs"),
    "sources": ("资料来源", "Sources"),
    "print_list": ("打印/PDF", "Print / PDF"),
    "print_caveat": ("位置多为示意，请以“位置精度”为准。扫码打开在线地图：", "Most positions are approximate; see “position precision”. Scan for the live atlas:"),
    "printed_on": ("打印日期", "Printed"),
    "handout_title": ("创新载体清单", "Innovation carriers"),
    "hand_entries": ("共 {n} 项", "{n} entries"),
    "hand_all_carriers": ("全部创新载体（未筛选）", "All innovation carriers (no filters)"),
    "hand_name_query": ("名称", "Name"),
    "hand_back_to_view": ("返回地图（同一筛选）", "Back to the map (same filters)"),
    "hand_screen_note": ("本页按 A4 纸排版，可直接打印或另存为 PDF。",
                    "This page is laid out for A4 paper: print it or save it as PDF."),
    "hand_scan": ("扫码打开在线地图（同一筛选）", "Scan to open this view in the live atlas"),
    "hand_caveat": ("位置多为示意，请勿据此测距或导航：≈ 为示意位置，⚠ 为位置待核实（未在图上标出），详见“位置精度”一栏。",
               "Positions are mostly approximate; do not measure or navigate by them: ≈ marks a sketched "
               "position, ⚠ one still to be verified (not on the map); see the precision column."),
    "hand_col_no": ("序号", "No."),
    "hand_col_name": ("名称", "Name"),
    "hand_col_kind": ("类型 · 级别", "Kind · level"),
    "hand_col_precision": ("位置精度", "Precision"),
    "hand_legend_number": ("编号 = 表中序号", "Number = row in the table"),
    "hand_legend_area": ("方形 = 园区（绘出范围）", "Square = park (outline drawn)"),
    "hand_legend_pending": ("空心 = 规划中或在建", "Hollow = planned / under construction"),
    "hand_legend_approx": ("虚线圈 ≈ 示意位置", "Dashed ring ≈ approximate"),
    "hand_legend_placeholder": ("⚠ 位置待核实：未在图上标出", "⚠ position to be verified: not on the map"),
    "hand_legend_leader": ("细线指向实际位置（编号已移开）", "Line to the position (number moved)"),
    "hand_empty": ("没有符合这些筛选条件的载体。", "No carriers match these filters."),
    "hand_map_label": ("载体分布图", "Map of the carriers"),
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
    # /api answers with f=html (templates/api/answer.html)
    "api_locate": ("定位", "Locate"),
    "api_nearest": ("最近的 {k} 个", "Nearest {k}"),
    "api_within": ("范围查询", "Within"),
    "api_hierarchy": ("层级", "Hierarchy"),
    "api_search": ("搜索", "Search"),
    "api_query": ("查询", "Query"),
    "api_docs": ("API 文档", "API docs"),
    "api_name": ("名称", "Name"),
    "api_distance": ("距离（米）", "Distance (m)"),
    "api_none": ("无", "None"),
    "api_yes": ("是", "Yes"),
    "api_no": ("否", "No"),
    "api_in_city": ("位于晋江市内", "Inside Jinjiang"),
    "api_corridor_distance": ("距走廊（米）", "Distance to the corridor (m)"),
    "api_group_town": ("所在镇街", "Town"),
    "api_group_zones": ("所在区", "Zones"),
    "api_group_parks": ("所在园区", "Parks"),
    "api_group_nearest": ("最近的平台和孵化器", "Nearest platforms and incubators"),
    "api_group_results": ("结果", "Results"),
    "api_group_entity": ("本条目", "This entity"),
    "api_group_ancestors": ("上级（由近及远）", "Ancestors (nearest first)"),
    "api_group_children": ("下级", "Children"),
    # OGC API – Features HTML pages (templates/ogc)
    "ogc_description": ("晋江“十四五”科技创新规划“一廊两区多平台”的各图层，以 OGC API – Features 图层集合提供，"
                        "坐标为 WGS-84（CRS84）经纬度。",
                        "The layers of Jinjiang's 14th Five-Year S&T plan (the corridor, two zones and "
                        "platforms) as OGC API – Features collections, in WGS-84 (CRS84) lon/lat."),
    "ogc_collections": ("图层集合", "Collections"),
    "ogc_conformance": ("符合性声明", "Conformance"),
    "ogc_conformance_classes": ("符合的规范类", "Conformance classes"),
    "ogc_api": ("API 定义", "API definition"),
    "ogc_api_json": ("API 定义（OpenAPI 3.0 JSON）", "API definition (OpenAPI 3.0 JSON)"),
    "ogc_paths_relative": ("路径相对于", "Paths are relative to"),
    "ogc_path": ("路径", "Path"),
    "ogc_what": ("内容", "What"),
    "ogc_parameters": ("参数", "Parameters"),
    "ogc_title": ("名称", "Title"),
    "ogc_extent": ("范围（CRS84）", "Extent (CRS84)"),
    "ogc_features": ("要素", "Features"),
    "ogc_feature_count": ("{n} 个要素", "{n} features"),
    "ogc_items_html": ("要素列表（HTML）", "Features (HTML)"),
    "ogc_items_json": ("要素（GeoJSON）", "Features (GeoJSON)"),
    "ogc_queryables": ("可查询属性", "Queryable properties"),
    "ogc_page": ("第 {first}–{last} 个，共 {n} 个要素", "Features {first}–{last} of {n}"),
    "ogc_page_empty": ("本页没有要素（共 {n} 个）", "No features on this page ({n} in all)"),
    "ogc_next": ("下一页", "Next page"),
    "ogc_prev": ("上一页", "Previous page"),
    "ogc_name_zh": ("中文名称", "Chinese name"),
    "ogc_name_en": ("英文名称", "English name"),
    "ogc_geometry": ("几何类型", "Geometry"),
    "ogc_property": ("属性", "Property"),
    "ogc_value": ("值", "Value"),
    "ogc_filter_with": ("用以下属性筛选要素：", "Filter the features with"),
    "ogc_type": ("数据类型", "Type"),
    "ogc_values": ("取值", "Values"),
    "ogc_q_kind": ("要素的类型", "What the feature is"),
    "ogc_q_status": ("运营中、在建或规划中", "Operating, under construction or planned"),
    "ogc_q_level": ("认定级别", "Level it is recognised at"),
    "ogc_q_precision": ("位置的可靠程度", "How sure the position is"),
    "ogc_q_industry": ("产业中包含该值的要素", "Features whose industries include it"),
    "ogc_q_town": ("要素所在的镇街", "Town or subdistrict the feature lies in"),
    "ogc_q_zone": ("要素所在或所属的区", "Zone the feature lies in or belongs to"),
    "ogc_error": ("请求有误", "Request not answered"),
    "ogc_more_in_zh": ("另有 {n} 个中文名称", "{n} more in Chinese"),
    # error pages (templates/error.html, templates/404.html)
    "not_found_help": ("此地址没有页面：请检查网址，或返回地图。",
                       "There is no page at this address: check it, or go back to the map."),
    "method_not_allowed": ("不支持此请求方式", "Method not allowed"),
    "too_large": ("请求内容过大", "Request too large"),
    "unprocessable": ("请求无法处理", "Request could not be processed"),
    "request_failed": ("请求未能完成", "Request not answered"),
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


JS_TEXT = {"profile": "profile", "approximate": "approximate_note", "placeholder": "placeholder_note",
           "missingEn": "missing_en", "listMore": "list_more", "copied": "copied",
           "loadError": "load_error", "tilesFailed": "tiles_failed",
           "noMatch": "no_match", "didYouMean": "did_you_mean", "hintCount": "hint_count",
           "byIndustry": "by_industry", "byKind": "by_kind", "byArea": "by_area",
           "removeFilter": "remove_filter"}
"""Name in the page scripts' ``cfg.text`` -> UI key."""


def js_text(lang: Lang) -> dict[str, str]:
    """The UI strings the page scripts use, in ``lang``."""
    return {name: t(key, lang) for name, key in JS_TEXT.items()}


def distance(metres: float, lang: Lang) -> str:
    """A distance for reading: "850 米" below 1 km, "13.2 公里" / "13.2 km" above."""
    if metres < 1000:
        return f"{metres:.0f} {t('metres', lang)}"
    return f"{metres / 1000:.{1 if metres < 10000 else 0}f} {t('km', lang)}"
