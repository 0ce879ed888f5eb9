"""The planning tables (coverage, sensitivity, facilities, where next, industry matrix, targets,
densities, zone comparison) as :class:`~atlas.exports.tables.Table` objects.

Built once per answer and shown everywhere: JSON rows, HTML tables, CSV and XLSX downloads.
"""

from __future__ import annotations

from urllib.parse import urlencode

from shapely.geometry import Point

from atlas.analysis.coverage import Coverage
from atlas.analysis.density import Density, ZoneProfile
from atlas.analysis.facilities import FacilitySet
from atlas.analysis.industry import PENDING, TOTAL, Matrix
from atlas.analysis.siting import Siting
from atlas.analysis.targets import Tally, indicators
from atlas.analysis.units import Unit
from atlas.engine import Atlas
from atlas.membership import OUTSIDE, UNKNOWN
from atlas.vocab import INDUSTRY_GROUP, LABELS, Label, Layer
from atlas.exports.tables import Column, Table

KM2, PCT = 3, 1
"""Decimal places of km² and percentages."""
UNIT_KIND = {"city": Label("全市", "City"), "town": Label("镇街", "Town"),
             "zone": Label("两区", "Zone"), "band": Label("走廊带", "Corridor band")}
BUCKETS = {OUTSIDE: Label("两区之外", "Outside the zones"),
           UNKNOWN: Label("位置未知", "Position not known"), TOTAL: Label("全市合计", "City total")}
NO_LEVEL = Label("未定级", "No level")
SHORT_OF_2020 = Label("图上记录少于规划报告数", "the atlas holds fewer records than the reported figure")
NOT_COUNTABLE = Label("图上无法统计，按规划报告值列示", "not countable from the atlas; shown as reported")
APPROX_TOWNS = Label("镇街范围为镇政府驻地的泰森多边形（示意，非法定边界）；面积与覆盖率仅供比较",
                     "Town areas are Voronoi cells of the town seats (approximate, not legal "
                     "boundaries); their areas and shares are for comparison only")


def _unit_cells(unit: Unit) -> dict:
    return {"unit_kind": UNIT_KIND[unit.kind],
            "unit_id": unit.id, "name_zh": unit.name.zh, "name_en": unit.name.en,
            "area_km2": round(unit.area_km2, KM2),
            "stated_area_km2": round(unit.stated_area_km2, KM2) if unit.stated_area_km2 else None}


UNIT_COLUMNS = (Column("unit_kind", Label("范围类型", "Unit")),
                Column("unit_id", Label("编号", "Id")),
                Column("name_zh", Label("名称", "Name (zh)"), lang="zh"),
                Column("name_en", Label("英文名", "Name (en)"), lang="en"),
                Column("area_km2", Label("面积(km²，按图形)", "Area (km², geometry)"), True),
                Column("stated_area_km2", Label("规划所述面积(km²)", "Area stated by the plan (km²)"),
                       True))


def coverage_table(cov: Coverage, baseline: Coverage | None = None) -> Table:
    """Per unit: area, covered, overlap, gap, demand covered; with ``baseline``, the change."""
    unit_zh, unit_en = cov.demand.unit
    columns = [*UNIT_COLUMNS,
               Column("covered_km2", Label("覆盖面积(km²)", "Covered (km²)"), True),
               Column("gap_km2", Label("未覆盖面积(km²)", "Gap (km²)"), True),
               Column("overlap_km2", Label("重复覆盖面积(km²)", "Covered twice or more (km²)"), True)]
    if cov.demand.kind != "area":
        columns += [Column("demand", Label(f"需求（{unit_zh}）", f"Demand ({unit_en})"), True),
                    Column("demand_covered", Label(f"已覆盖需求（{unit_zh}）",
                                                   f"Demand covered ({unit_en})"), True)]
    columns.append(Column("covered_pct", Label("覆盖率(%)", "Covered (%)"), True))
    if baseline is not None:
        columns += [Column("baseline_pct", Label("现状覆盖率(%)", "Today (%)"), True),
                    Column("change_pct", Label("变化(百分点)", "Change (points)"), True)]
    rows = []
    for row in cov.rows:
        cells = {**_unit_cells(row.unit), "covered_km2": round(row.covered_km2, KM2),
                 "gap_km2": round(row.gap_km2, KM2), "overlap_km2": round(row.overlap_km2, KM2),
                 "demand": round(row.demand, 1), "demand_covered": round(row.demand_covered, 1),
                 "covered_pct": round(row.covered_pct, PCT)}
        if baseline is not None:
            before = baseline.row(row.unit.id).covered_pct
            cells.update(baseline_pct=round(before, PCT),
                         change_pct=round(row.covered_pct - before, PCT))
        rows.append(cells)
    title = Label(f"{cov.radius_m:,.0f} 米服务半径覆盖率", f"Coverage within {cov.radius_m:,.0f} m")
    return Table(f"coverage-{cov.radius_m:.0f}m", title, tuple(columns), rows, APPROX_TOWNS)


def sensitivity_table(results: dict[float, Coverage]) -> Table:
    """Per unit, the covered share at each radius (how sensitive coverage is to the radius)."""
    radii = sorted(results)
    columns = (*UNIT_COLUMNS[:4], *(Column(f"pct_{r:.0f}m", Label(f"{r:,.0f} 米(%)", f"{r:,.0f} m (%)"),
                                           True) for r in radii))
    first = results[radii[0]]
    rows = [{**_unit_cells(row.unit),
             **{f"pct_{r:.0f}m": round(results[r].row(row.unit.id).covered_pct, PCT) for r in radii}}
            for row in first.rows]
    return Table("coverage-sensitivity", Label("不同服务半径的覆盖率", "Coverage by radius"),
                 columns, rows, APPROX_TOWNS)


def facilities_table(atlas: Atlas, facilities: FacilitySet) -> Table:
    """The facilities measured from, and the matching carriers that could not be placed."""
    states = {"existing": Label("现有", "existing"), "added": Label("新增", "added"),
              "moved": Label("迁移", "moved"), "unplaced": Label("位置未知，未计入", "not placed")}
    rows = []
    for f in facilities.facilities:
        anchor = atlas.to_wgs84(f.geometry.representative_point())
        rows.append({"id": f.id, "name_zh": f.name.zh, "name_en": f.name.en,
                     "state": states[f.state], "via_host": f.via_host or "",
                     "lon": round(anchor.x, 6), "lat": round(anchor.y, 6)})
    for e in facilities.unplaced:
        rows.append({"id": e.id, "name_zh": e.props["name_zh"], "name_en": e.props["name_en"],
                     "state": states["unplaced"], "via_host": "", "lon": None, "lat": None})
    columns = (Column("id", Label("编号", "Id")), *UNIT_COLUMNS[2:4],
               Column("state", Label("状态", "State")),
               Column("via_host", Label("按所在园区计", "Measured from host park")),
               Column("lon", Label("经度", "Longitude"), True),
               Column("lat", Label("纬度", "Latitude"), True))
    return Table("facilities", Label("参与计算的设施", "Facilities in the analysis"), columns, rows)


def siting_table(atlas: Atlas, siting: Siting) -> Table:
    """The suggested sites in greedy order with the demand each adds."""
    rows = []
    total = siting.demand_total or 1.0
    for rank, site in enumerate(siting.sites, start=1):
        where = atlas.to_wgs84(Point(site.x, site.y))
        town = atlas.locate(where.x, where.y).town
        rows.append({"rank": rank, "lon": round(where.x, 6), "lat": round(where.y, 6),
                     "town": town or "", "gain": round(site.gain, 2),
                     "covered_after_pct": round(100 * site.cumulative / total, PCT)})
    columns = (Column("rank", Label("次序", "Order"), True),
               Column("lon", Label("经度", "Longitude"), True),
               Column("lat", Label("纬度", "Latitude"), True),
               Column("town", Label("所在镇街", "Town")),
               Column("gain", Label("新增覆盖", "Added coverage"), True),
               Column("covered_after_pct", Label("累计覆盖率(%)", "Covered after (%)"), True))
    return Table(f"where-next-p{siting.p}", Label("建议新站点", "Suggested new sites"), columns, rows,
                 Label("最大覆盖选址模型（PySAL spopt + CBC 求解），需求按网格中心计",
                       "Maximal covering location model (PySAL spopt + CBC); demand at grid-cell "
                       "centres"))


def _bucket_name(atlas: Atlas, key: str) -> Label:
    entity = atlas.entity(key)
    return Label(entity.props["name_zh"], entity.props["name_en"]) if entity else BUCKETS[key]


def atlas_link(**params) -> str:
    """A link to the atlas page listing the entities a count counts."""
    return "/?" + urlencode(params, doseq=True)


def industry_table(atlas: Atlas, matrix: Matrix) -> Table:
    """Industries × zones/towns; each cell's operating and planned counts link to their list."""
    columns = [Column("group", Label("产业类别", "Group")),
               Column("industry", Label("产业", "Industry"), lang="zh"),
               Column("industry_en", Label("英文", "Industry (en)"), lang="en")]
    keys = (*matrix.columns, TOTAL)
    for key in keys:
        name = _bucket_name(atlas, key)
        columns += [Column(f"{key}:operating", Label(f"{name.zh}·运营", f"{name.en}: operating"), True),
                    Column(f"{key}:pending", Label(f"{name.zh}·规划/在建",
                                                   f"{name.en}: planned or building"), True)]
    columns.append(Column("flag", Label("提示", "Flag")))
    flags = {"none": Label("无平台或孵化载体", "no platform or incubator"),
             "planned_only": Label("仅有规划/在建", "planned only")}
    rows, links = [], []
    for row in matrix.rows:
        label = row.industry.label
        cells = {"group": INDUSTRY_GROUP[row.industry].label, "industry": label.zh,
                 "industry_en": label.en,
                 "flag": flags.get(row.flag, "")}
        cell_links = {}
        for key in keys:
            for state, statuses in (("operating", ("operating",)), ("pending", PENDING)):
                cells[f"{key}:{state}"] = getattr(row.cells[key], state)
                where = {} if key == TOTAL else {matrix.by: key}
                cell_links[f"{key}:{state}"] = atlas_link(
                    layer=["platforms", "incubators"], industry=row.industry.value, **where,
                    status=list(statuses))
        rows.append(cells)
        links.append(cell_links)
    title = Label("一产业一平台：产业 × " + ("两区" if matrix.by == "zone" else "镇街"),
                  "One platform per industry: industries × " +
                  ("zones" if matrix.by == "zone" else "towns"))
    return Table(f"industries-by-{matrix.by}", title, tuple(columns), rows,
                 Label("创新平台与孵化载体按统一归属规则计；规划第六章（二）", "Platforms and "
                       "incubators counted by the atlas's membership rule; plan section VI(2)"),
                 links)


def targets_table(atlas: Atlas, tallies: list[tuple]) -> Table:
    """表1-1: each indicator's 2020 value and 2025 target, and the atlas's live count if any."""
    _, source = indicators()
    rows, links = [], []
    for indicator, tally in tallies:
        tally: Tally | None
        cells = {"no": indicator.no, "name_zh": indicator.name.zh, "name_en": indicator.name.en,
                 "unit": indicator.unit,
                 "value_2020": indicator.value_2020, "target_2025": indicator.target_2025,
                 "increase": indicator.increase}
        row_links = {}
        if tally is not None:
            spec = indicator.count
            params = {k: list(v) for k, v in (("layer", spec.layer), ("kind", spec.kind),
                                               ("level", spec.level)) if v}
            note = indicator.count_note
            if tally.short_of_2020:
                note = Label(f"{note.zh}；{SHORT_OF_2020.zh}", f"{note.en}; {SHORT_OF_2020.en}")
            cells.update(atlas_operating=len(tally.operating), atlas_pending=len(tally.pending),
                         atlas_note=note,
                         atlas_list="、".join(e.props["name_zh"] for e in tally.operating),
                         atlas_list_en="; ".join(e.props["name_en"] for e in tally.operating))
            row_links = {"atlas_operating": atlas_link(**params, status="operating"),
                         "atlas_pending": atlas_link(**params, status=list(PENDING))}
        else:
            cells.update(atlas_note=NOT_COUNTABLE)
        rows.append(cells)
        links.append(row_links)
    columns = (Column("no", Label("序号", "No."), True),
               Column("name_zh", Label("指标", "Indicator"), lang="zh"),
               Column("name_en", Label("英文", "Indicator (en)"), lang="en"),
               Column("unit", Label("单位", "Unit")),
               Column("value_2020", Label("2020年", "2020"), True),
               Column("target_2025", Label("2025年目标", "2025 target"), True),
               Column("increase", Label("年均增长[累计]", "Growth [5-year increase]")),
               Column("atlas_operating", Label("图上运营中", "In the atlas: operating"), True),
               Column("atlas_pending", Label("图上规划/在建", "In the atlas: planned/building"), True),
               Column("atlas_note", Label("口径说明", "How counted")),
               Column("atlas_list", Label("图上清单（运营中）", "Atlas list (operating)"), lang="zh"),
               Column("atlas_list_en", Label("图上清单（运营中，英文名）",
                                             "Atlas list (operating, English names)"), lang="en"))
    return Table("plan-targets", Label("规划主要指标（表1-1）与图上统计",
                                       "The plan's targets (Table 1-1) and the atlas's counts"),
                 columns, rows, source, links)


def density_table(densities: tuple[Density, ...]) -> Table:
    """Carriers and carriers per km² for every unit."""
    columns = [*UNIT_COLUMNS]
    for layer in (Layer.platforms, Layer.incubators, Layer.parks):
        lab = layer.label
        columns += [Column(layer.value, Label(lab.zh, lab.en), True),
                    Column(f"{layer.value}_per_km2", Label(f"{lab.zh}/km²", f"{lab.en} per km²"),
                           True)]
    rows = [{**_unit_cells(d.unit), **{k: v for k, v in d.counts.items()},
             **{f"{k}_per_km2": round(d.per_km2(k), 3) for k in d.counts}} for d in densities]
    return Table("density", Label("载体密度", "Carriers per km²"), tuple(columns), rows, APPROX_TOWNS)


def zones_table(profiles: tuple[ZoneProfile, ...], coverage: Coverage | None = None) -> Table:
    """The zones side by side: area, coverage, and counts by layer, kind, level, industry, status."""
    columns = (Column("facet", Label("维度", "Facet")), Column("value", Label("项目", "Item")),
               *(Column(p.unit.id, p.unit.name, True) for p in profiles))
    area = Label("面积", "Area")
    rows = [{"facet": area, "value": Label("km²（按图形）", "km² (geometry)"),
             **{p.unit.id: round(p.unit.area_km2, KM2) for p in profiles}},
            {"facet": area, "value": Label("km²（规划所述）", "km² (stated by the plan)"),
             **{p.unit.id: round(p.unit.stated_area_km2, KM2) if p.unit.stated_area_km2 else None
                for p in profiles}}]
    if coverage is not None:
        radius = f"{coverage.radius_m:,.0f}"
        rows.append({"facet": Label("覆盖", "Coverage"),
                     "value": Label(f"{radius} 米内平台与孵化载体覆盖率(%)",
                                    f"Covered by platforms and incubators within {radius} m (%)"),
                     **{p.unit.id: round(coverage.row(p.unit.id).covered_pct, PCT) for p in profiles}})
    for facet, attr, vocab in ((Label("图层", "Layer"), "by_layer", "Layer"),
                               (Label("类型", "Kind"), "by_kind", "Kind"),
                               (Label("级别", "Level"), "by_level", "Level"),
                               (Label("产业", "Industry"), "by_industry", "Industry"),
                               (Label("状态", "Status"), "by_status", "Status")):
        values = sorted({v for p in profiles for v in getattr(p, attr)})
        for value in values:
            rows.append({"facet": facet, "value": LABELS[vocab].get(value, NO_LEVEL),
                         **{p.unit.id: getattr(p, attr).get(value, 0) for p in profiles}})
    return Table("zones-compared", Label("两区对比", "The two zones compared"), columns, rows,
                 Label("按统一归属规则计", "Counted by the atlas's membership rule"))
