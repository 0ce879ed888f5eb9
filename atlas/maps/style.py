"""How the atlas draws points: one colour per group of kinds, shared by the map and its legend."""

from __future__ import annotations

from typing import NamedTuple

from atlas.vocab import Kind, Label


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
)


def kind_colours() -> dict[str, str]:
    """Kind value -> point colour."""
    return {kind.value: group.colour for group in POINT_GROUPS for kind in group.kinds}
