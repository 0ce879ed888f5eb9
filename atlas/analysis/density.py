"""Carriers per km² per town, zone and corridor band, and the two zones side by side.

Counts follow the membership rule (:mod:`atlas.membership`); areas come from the geometry
(EPSG:32650, clipped to the city), with the plan's stated area beside it where it states one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from atlas.analysis.units import Unit, units
from atlas.engine import Atlas, Entity
from atlas.vocab import CARRIER_LAYERS, Layer

COUNTED = (Layer.platforms, Layer.incubators, Layer.parks)


@dataclass(frozen=True)
class Density:
    unit: Unit
    counts: dict[str, int]
    """Layer name -> number of carriers of that layer belonging to the unit."""

    def per_km2(self, layer: str) -> float:
        return self.counts[layer] / self.unit.area_km2 if self.unit.area_km2 else 0.0


def belongs(entity: Entity, unit: Unit) -> bool:
    """Whether ``entity`` belongs to ``unit`` by the membership rule."""
    m = entity.member
    return {"city": True, "band": m.in_corridor, "town": m.town == unit.id,
            "zone": unit.id in m.zones}[unit.kind]


def carriers(atlas: Atlas, unit: Unit) -> list[Entity]:
    """The carriers (parks, platforms, incubators) belonging to ``unit``."""
    return [e for e in atlas.entities.values() if e.layer in CARRIER_LAYERS and belongs(e, unit)]


def densities(atlas: Atlas) -> tuple[Density, ...]:
    """Counts and densities for every unit (city first, then towns, zones, the band)."""
    rows = []
    for unit in units(atlas):
        found = Counter(e.layer.value for e in carriers(atlas, unit))
        rows.append(Density(unit, {layer.value: found[layer.value] for layer in COUNTED}))
    return tuple(rows)


@dataclass(frozen=True)
class ZoneProfile:
    """One zone's carriers broken down for a side-by-side comparison."""

    unit: Unit
    by_layer: dict[str, int]
    by_kind: dict[str, int]
    by_level: dict[str, int]
    by_industry: dict[str, int]
    by_status: dict[str, int]


def compare_zones(atlas: Atlas) -> tuple[ZoneProfile, ...]:
    """Each zone's carriers by layer, kind, level, industry and status."""
    found = []
    for unit in units(atlas):
        if unit.kind != "zone":
            continue
        members = carriers(atlas, unit)
        found.append(ZoneProfile(
            unit,
            dict(Counter(e.layer.value for e in members)),
            dict(Counter(e.props["kind"] for e in members)),
            dict(Counter(e.props.get("level") or "none" for e in members)),
            dict(Counter(i for e in members for i in e.props.get("industries") or [])),
            dict(Counter(e.props["status"] for e in members))))
    return tuple(found)

