"""How the atlas draws: area and line styles per layer, one colour per group of point kinds.

Shared by the atlas page and profiles (sent to ``static/js/core.js`` in the page config),
their legend (templates/_legend.html), and the map on ``/api/...?f=html`` answers, so they all look the same.
"""

from __future__ import annotations

from typing import NamedTuple

from atlas.vocab import Kind, Label


AREA_STYLES: dict[str, dict] = {
    "boundary": {"color": "#333333", "weight": 2, "fill": False, "interactive": False},
    "towns": {"color": "#8a8a8a", "weight": 1, "dashArray": "3 4", "fillColor": "#f5f3ee",
              "fillOpacity": 0.25},
    "band": {"color": "#e8743b", "weight": 0, "fillColor": "#e8743b", "fillOpacity": 0.14,
             "interactive": False},
    "corridor": {"color": "#d9480f", "weight": 5, "opacity": 0.9},
    "zones": {"color": "#5f3dc4", "weight": 2, "fillColor": "#7950f2", "fillOpacity": 0.18},
    "parks": {"color": "#2b8a3e", "weight": 1.5, "fillColor": "#40c057", "fillOpacity": 0.3},
}
"""Leaflet path options per layer (``band`` is the derived corridor band)."""

QUERY_COLOUR = "#c0392b"
"""The query point or area on an /api answer map."""


class PointGroup(NamedTuple):
    label: Label
    colour: str
    kinds: tuple[Kind, ...]


POINT_GROUPS: tuple[PointGroup, ...] = (
    PointGroup(Label("高校", "Universities"), "#1971c2", (Kind.university,)),
    PointGroup(Label("科研院所与新型研发机构", "Institutes & new R&D institutions"), "#6741d9",
               (Kind.research_institute, Kind.new_rd_institution)),
    PointGroup(Label("产业创新、检测与工业互联网平台", "Industry, testing & industrial-internet centres"),
               "#0c8599", (Kind.industry_innovation_center, Kind.testing_center,
                           Kind.industrial_internet_center)),
    PointGroup(Label("转化、中试、人才与医疗平台", "Transfer, pilot, talent & medical platforms"),
               "#e67700", (Kind.tech_transfer_ip_center, Kind.pilot_platform, Kind.talent_base,
                           Kind.medical_platform)),
    PointGroup(Label("孵化载体", "Incubators & maker spaces"), "#c2255c",
               (Kind.incubator, Kind.maker_space, Kind.accelerator, Kind.university_science_park)),
    PointGroup(Label("规划点名企业", "Enterprises the plan names"), "#8d5524", (Kind.enterprise,)),
)


def kind_colours() -> dict[str, str]:
    """Kind value -> point colour."""
    return {kind.value: group.colour for group in POINT_GROUPS for kind in group.kinds}
